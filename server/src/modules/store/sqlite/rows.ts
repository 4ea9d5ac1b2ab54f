import { kindOfPlace, refOfKey, type AuditEntry, type BoxInfo, type BoxKind, type Entry, type SheetVersion } from '@gozcu/shared';
import type { AttachmentRecord, BoxFilter, BoxWithLatest, ComplaintFilter, ComplaintRecord, PetitionRecord, UserRecord } from '../store.port';
import type { SheetCodec } from './sheet-codec';

/* The embedded store's rows and their mappers to and from the port's records. */

export interface ComplaintRow {
  id: string;
  tracking_code: string;
  status: ComplaintRecord['status'];
  election: string;
  ballot: number | null;
  key: string | null;
  province: number;
  district: number;
  box_no: number;
  text: string;
  contact: string | null;
  routed_to: string;
  filed_by: string | null;
  petition_id: string | null;
  created_at: string;
  updated_at: string;
  history: string;
}
export function toComplaint(r: ComplaintRow): ComplaintRecord {
  return {
    id: r.id,
    trackingCode: r.tracking_code,
    status: r.status,
    election: r.election,
    ballot: r.ballot as ComplaintRecord['ballot'],
    key: r.key,
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    text: r.text,
    contact: r.contact,
    routedTo: JSON.parse(r.routed_to),
    filedBy: r.filed_by,
    petitionId: r.petition_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    history: JSON.parse(r.history),
  };
}
export interface AttachmentRow {
  id: string;
  owner: AttachmentRecord['owner'];
  owner_id: string;
  key: string | null;
  kind: AttachmentRecord['kind'];
  content_type: string;
  bytes: number;
  sha256: string;
  width: number | null;
  height: number | null;
  shown_blob: string;
  shown_content_type: string;
  uploaded_at: string;
  uploaded_by: string | null;
}
export function toAttachment(r: AttachmentRow): AttachmentRecord {
  return {
    id: r.id,
    owner: r.owner,
    ownerId: r.owner_id,
    key: r.key,
    kind: r.kind,
    contentType: r.content_type,
    bytes: r.bytes,
    sha256: r.sha256,
    width: r.width,
    height: r.height,
    shownBlob: r.shown_blob,
    shownContentType: r.shown_content_type,
    uploadedAt: r.uploaded_at,
    uploadedBy: r.uploaded_by,
  };
}
export interface PetitionRow {
  id: string;
  status: PetitionRecord['status'];
  election: string;
  key: string;
  province: number;
  district: number;
  box_no: number;
  ballot: number;
  complaint_id: string | null;
  text: string;
  deadline: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  filed_at: string | null;
  filed_by: string | null;
  reference: string | null;
}
export function toPetition(r: PetitionRow): PetitionRecord {
  return {
    id: r.id,
    status: r.status,
    election: r.election,
    key: r.key,
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    ballot: r.ballot as PetitionRecord['ballot'],
    complaintId: r.complaint_id,
    text: JSON.parse(r.text),
    deadline: r.deadline,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    filedAt: r.filed_at,
    filedBy: r.filed_by,
    reference: r.reference,
  };
}
export function complaintWhere(filter: ComplaintFilter) {
  const c = conditions();
  if (filter.province !== undefined) c.add('province = ?', filter.province);
  if (filter.district !== undefined) c.add('district = ?', filter.district);
  if (filter.status !== undefined) c.add('status = ?', filter.status);
  if (filter.key !== undefined) c.add('key = ?', filter.key);
  if (filter.keys !== undefined) {
    if (filter.keys.length) c.add(`key IN (${filter.keys.map(() => '?').join(', ')})`, ...filter.keys);
    else c.add('0');
  }
  return { sql: c.parts.length ? c.parts.join(' AND ') : '1', params: c.params };
}

export interface UserRow {
  id: string;
  username: string;
  name: string;
  role: string;
  scope: string;
  password_hash: string;
  disabled: number;
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}
export interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    name: r.name,
    role: r.role,
    scope: JSON.parse(r.scope),
    passwordHash: r.password_hash,
    disabled: r.disabled === 1,
    failedLogins: r.failed_logins,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
export function toAudit(r: AuditRow): AuditEntry {
  return {
    id: toEntryId(r.id),
    at: r.at,
    actor: r.actor_id ? { id: r.actor_id, username: r.actor_name ?? '', role: r.actor_role ?? '' } : null,
    action: r.action,
    target: r.target,
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  };
}
export function conditions() {
  const parts: string[] = [];
  const params: unknown[] = [];
  return { parts, params, add: (sql: string, ...values: unknown[]) => void (parts.push(sql), params.push(...values)) };
}
export const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

export interface VersionRow {
  id: number;
  prev: number | null;
  key: string;
  seq: number;
  hash: string;
  /** SheetCodec: int32 figures, or JSON text */
  sheet: Buffer | string;
  ysk_version: number | null;
  ysk_changed_at: string | null;
  /** an integer code; TEXT in files written before YSK's codes were read as numbers */
  change_reason: number | string | null;
  fetched_at: string;
}
export interface BoxRow {
  key: string;
  election: string;
  ballot: number;
  province: number;
  district: number;
  box_no: number;
  ysk_box_id: number | null;
  neighbourhood: number | null;
  latest_seq: number;
  latest_hash: string | null;
  first_published_at: string | null;
  kind: BoxKind | null;
  first_ysk_version: number | null;
  first_change_reason: number | null;
  /** the box_versions id of the latest version (null: none yet) */
  latest_vid: number | null;
}
/** a box_log line: a box first seen by the append path, or new facts (ids, kind) about one */
export type BoxLogRow = { id: number } & Pick<
  BoxRow,
  'key' | 'election' | 'ballot' | 'province' | 'district' | 'box_no' | 'ysk_box_id' | 'neighbourhood' | 'kind'
>;
/** a `rebuildBoxes` row: key, kind, province, district, first_published_at, latest_seq, first_ysk_version, first_change_reason, then the latest version's seq, sheet, fetched_at */
export type RebuildBoxRow = [
  string,
  BoxKind | null,
  number,
  number,
  string | null,
  number,
  number | null,
  number | null,
  number | null,
  Buffer | string | null,
  string | null,
];
/** a `rebuildEntries` row: id, key, observer, source, sheet, created_at */
export type RebuildEntryRow = [number, string, string, Entry['source'], string, string];

export interface EntryRow {
  id: number;
  key: string;
  hash: string;
  sheet: string;
  observer: string;
  source: Entry['source'];
  idempotency_key: string;
  created_at: string;
  warnings: string;
}

export const ID_WIDTH = 12;
export const toEntryId = (n: number) => String(n).padStart(ID_WIDTH, '0');

export function toVersion(r: VersionRow, codec: SheetCodec): SheetVersion {
  return {
    key: r.key,
    seq: r.seq,
    hash: r.hash,
    sheet: codec.decode(r.sheet),
    yskVersion: r.ysk_version,
    yskChangedAt: r.ysk_changed_at,
    changeReason: reasonCode(r.change_reason),
    fetchedAt: r.fetched_at,
  };
}

/** `degisiklik_NEDENI` as stored: a number (older files may hold text, which reads as none). */
export function reasonCode(v: number | string | null): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
}
export function toBox(r: BoxRow): BoxInfo {
  const box: BoxInfo = {
    key: r.key,
    election: r.election,
    ballot: r.ballot as BoxInfo['ballot'],
    province: r.province,
    district: r.district,
    boxNo: r.box_no,
    yskBoxId: r.ysk_box_id,
    neighbourhood: r.neighbourhood,
    kind: r.kind ?? kindOfPlace(r),
  };
  const rumuz = refOfKey(r.key).rumuz;
  if (rumuz) box.rumuz = rumuz;
  return box;
}

/** The named parameters of the box upsert (kind null keeps the stored one). */
export function boxParams(b: BoxInfo) {
  return {
    key: b.key,
    election: b.election,
    ballot: b.ballot,
    province: b.province,
    district: b.district,
    boxNo: b.boxNo,
    yskBoxId: b.yskBoxId,
    neighbourhood: b.neighbourhood,
    kind: b.kind ?? null,
  };
}
/** A box row and its latest version as the port answers them. */
export function withLatest(r: BoxRow, latest: VersionRow | null, codec: SheetCodec): BoxWithLatest {
  return {
    box: toBox(r),
    latest: latest ? toVersion(latest, codec) : null,
    firstPublishedAt: r.first_published_at,
    first: r.latest_seq > 0 ? { yskVersion: r.first_ysk_version, changeReason: r.first_change_reason } : null,
    versions: r.latest_seq,
  };
}
export function toEntry(r: EntryRow): Entry {
  return {
    id: toEntryId(r.id),
    key: r.key,
    hash: r.hash,
    sheet: JSON.parse(r.sheet),
    observer: r.observer,
    source: r.source,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
    warnings: JSON.parse(r.warnings),
  };
}

export function scopeWhere(filter: BoxFilter, alias = 'b'): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, column] of [
    ['election', 'election'],
    ['ballot', 'ballot'],
    ['province', 'province'],
    ['district', 'district'],
  ] as const) {
    if (filter[field] !== undefined) {
      parts.push(`${alias}.${column} = ?`);
      params.push(filter[field]);
    }
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}
