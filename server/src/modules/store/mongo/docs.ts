import mongoose from 'mongoose';
import { kindOfPlace, type AlertRecord, type AuditEntry, type BoxInfo, type Entry, type SheetVersion } from '@gozcu/shared';
import { isDuplicate } from '../mongo-bulk';
import type { BoxFilter, ComplaintFilter, Incident, UserRecord } from '../store.port';
import type { BoxDoc, EntryDoc, IncidentDoc, VersionDoc } from './schema';

/* The scale-out store's documents and their mappers to and from the port's records. */

export const withId = <T extends { id: string }>(d: Omit<T, 'id'> & { _id: string }): T => {
  const { _id, ...rest } = d;
  return { id: _id, ...rest } as unknown as T;
};
export function complaintQuery(filter: ComplaintFilter): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (filter.province !== undefined) q.province = filter.province;
  if (filter.district !== undefined) q.district = filter.district;
  if (filter.status !== undefined) q.status = filter.status;
  if (filter.key !== undefined) q.key = filter.key;
  if (filter.keys !== undefined) q.key = filter.key !== undefined ? { $eq: filter.key, $in: filter.keys } : { $in: filter.keys };
  return q;
}
export type UserDoc = Omit<UserRecord, 'id'> & { _id: string };
export function toUser(d: UserDoc): UserRecord {
  return {
    id: d._id,
    username: d.username,
    name: d.name,
    role: d.role,
    scope: d.scope,
    passwordHash: d.passwordHash,
    disabled: !!d.disabled,
    failedLogins: d.failedLogins ?? 0,
    lockedUntil: d.lockedUntil ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}
export type AuditDoc = Omit<AuditEntry, 'id'> & { _id: mongoose.Types.ObjectId };
export function toAudit(d: AuditDoc): AuditEntry {
  return { id: d._id.toHexString(), at: d.at, actor: d.actor ?? null, action: d.action, target: d.target, before: d.before ?? null, after: d.after ?? null };
}
export const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function toVersion(d: VersionDoc): SheetVersion {
  return {
    key: d.key,
    seq: d.seq,
    hash: d.hash,
    sheet: d.sheet,
    yskVersion: d.yskVersion ?? null,
    yskChangedAt: d.yskChangedAt ?? null,
    changeReason: reasonCode(d.changeReason),
    fetchedAt: d.fetchedAt,
  };
}
/** `degisiklik_NEDENI` as stored: a number (older documents may hold text, which reads as none). */
export function reasonCode(v: unknown): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
}
export function toBox(d: BoxDoc): BoxInfo {
  const box: BoxInfo = {
    key: d._id,
    election: d.election,
    ballot: d.ballot,
    province: d.province,
    district: d.district,
    boxNo: d.boxNo,
    yskBoxId: d.yskBoxId ?? null,
    neighbourhood: d.neighbourhood ?? null,
    kind: d.kind ?? kindOfPlace(d),
  };
  if (d.rumuz) box.rumuz = d.rumuz;
  return box;
}
export function toEntry(d: EntryDoc): Entry {
  return {
    id: d._id.toHexString(),
    key: d.key,
    hash: d.hash,
    sheet: d.sheet,
    observer: d.observer,
    source: d.source,
    idempotencyKey: d.idempotencyKey,
    createdAt: d.createdAt,
    warnings: [...d.warnings],
  };
}
export function toIncident(d: IncidentDoc): Incident {
  return {
    id: d._id.toHexString(),
    kind: d.kind,
    scope: d.scope,
    startedAt: d.startedAt,
    endedAt: d.endedAt ?? null,
    cause: d.cause,
    details: d.details ?? {},
    raw: d.raw ?? null,
  };
}
export function scopeQuery(filter: BoxFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}
export function boxUpsert(b: BoxInfo) {
  const { key, yskBoxId, neighbourhood, kind, ...ref } = b;
  const set: Record<string, unknown> = {};
  if (yskBoxId !== null) set.yskBoxId = yskBoxId;
  if (neighbourhood !== null) set.neighbourhood = neighbourhood;
  if (kind !== undefined) set.kind = kind;
  return {
    updateOne: {
      filter: { _id: key },
      update: {
        $setOnInsert: { ...ref, latestSeq: 0, ...(yskBoxId === null ? { yskBoxId: null } : {}), ...(neighbourhood === null ? { neighbourhood: null } : {}) },
        ...(Object.keys(set).length ? { $set: set } : {}),
      },
      upsert: true,
    },
  };
}

/** An upsert that lost a race for a unique key to another node is run again (it then updates). */
export async function upsertRetrying<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (attempt >= 5 || !isDuplicate(e)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}

export const ALERT_NULLABLE = ['box', 'province', 'district', 'escalatedAt', 'resolvedAt', 'ack', 'digestCount', 'digestId', 'figures', 'escalateAt'] as const;

/** The stored alert without `_id`; a null field a server left out (FerretDB drops them from $setOnInsert) reads as null. */
export function stripId<T extends { _id: unknown }>(doc: T): AlertRecord {
  const { _id, ...rest } = doc;
  void _id;
  const out = rest as unknown as Record<string, unknown>;
  for (const k of ALERT_NULLABLE) if (out[k] === undefined) out[k] = null;
  return out as unknown as AlertRecord;
}
