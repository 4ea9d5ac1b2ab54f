/* The store contract's fixtures: the records every slice (contract/*.contract.ts) builds its cases from. */
import type { AlertRecord, BoxInfo, Sheet } from '@gozcu/shared';
import { boxKey } from '@gozcu/shared';
import type { ComplaintRecord, NewEntry, NewVersion, PetitionRecord, Store, UserRecord } from '../store.port';

/** Opens a new, empty store of the adapter under test. */
export type StoreFactory = () => Promise<Store>;

export function box(boxNo: number, over: Partial<BoxInfo> = {}): BoxInfo {
  const ref = { election: 'e1', ballot: 2 as const, province: 69, district: 681, boxNo, ...over };
  return { yskBoxId: null, neighbourhood: null, ...ref, key: boxKey(ref) };
}

export function sheet(a: number, b: number): Sheet {
  return { registered: 300, voted: a + b + 4, validUncontested: a + b, validAfterObjection: 0, valid: a + b, invalid: 4, votes: { 'AK PARTİ': a, CHP: b } };
}

export function version(b: BoxInfo, s: Sheet, hash: string, at = '2024-03-31T18:00:00.000Z', yskVersion: number | null = 1): NewVersion {
  return { box: b, key: b.key, hash, sheet: s, yskVersion, yskChangedAt: at, changeReason: null, fetchedAt: at };
}

export function entry(b: BoxInfo, s: Sheet, idem: string, observer = 'obs1'): NewEntry {
  return {
    box: b,
    key: b.key,
    sheet: s,
    hash: `h-${idem}`,
    observer,
    source: 'observer',
    idempotencyKey: idem,
    createdAt: '2024-03-31T18:10:00.000Z',
    warnings: [],
  };
}

export function user(username: string, over: Partial<UserRecord> = {}): UserRecord {
  const at = '2024-03-31T10:00:00.000Z';
  return {
    id: `id-${username}`,
    username,
    name: username.toUpperCase(),
    role: 'province_chair',
    scope: { level: 'province', province: 6 },
    passwordHash: '$argon2id$x',
    disabled: false,
    failedLogins: 0,
    lockedUntil: null,
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

/** A red mismatch alert of box 1001 in district 681, raised at `at` and due to escalate then. */
export function mismatchAlert(id: string, at: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    dedupe: `mismatch:${id}`,
    rev: 0,
    kind: 'mismatch',
    severity: 'red',
    box: box(1001).key,
    province: 69,
    district: 681,
    level: 'district',
    status: 'open',
    title: 'Uyuşmazlık',
    detail: 'fark',
    createdAt: at,
    updatedAt: at,
    escalatedAt: null,
    resolvedAt: null,
    ack: null,
    digestCount: null,
    digestId: null,
    figures: null,
    escalateAt: at,
    ...over,
  };
}

/** A new complaint about box 1001 in district 681, filed at `at`. */
export function complaintRecord(id: string, at: string, over: Partial<ComplaintRecord> = {}): ComplaintRecord {
  return {
    id,
    trackingCode: `GZ-${id}`,
    status: 'new',
    election: 'e1',
    ballot: 2,
    key: box(1001).key,
    province: 69,
    district: 681,
    boxNo: 1001,
    text: 'farklı',
    contact: null,
    routedTo: [],
    filedBy: null,
    petitionId: null,
    createdAt: at,
    updatedAt: at,
    history: [{ at, status: 'new', by: null, note: null }],
    ...over,
  };
}

/** A draft petition about box 1001 in district 681, made at `at`. */
export function petitionRecord(id: string, at: string, over: Partial<PetitionRecord> = {}): PetitionRecord {
  return {
    id,
    status: 'draft',
    election: 'e1',
    key: box(1001).key,
    province: 69,
    district: 681,
    boxNo: 1001,
    ballot: 2,
    complaintId: null,
    text: {
      addressee: 'Kurul',
      subject: 'İtiraz',
      body: 'metin',
      figures: [],
      evidence: [],
      requests: 'düzeltilsin',
      place: 'Demirözü',
      signatureName: 'Av. Ayşe',
      signatureTitle: 'Hukuk',
    },
    deadline: '2024-04-01T09:00:00.000Z',
    createdAt: at,
    createdBy: 'admin',
    updatedAt: at,
    filedAt: null,
    filedBy: null,
    reference: null,
    ...over,
  };
}
