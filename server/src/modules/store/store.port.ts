import type {
  AlertLevel,
  AlertRecord,
  AuditEntry,
  BallotCode,
  BoxInfo,
  BoxKind,
  FirstSighting,
  Column,
  ComplaintStatus,
  District,
  Entry,
  Neighbourhood,
  PetitionStatus,
  PetitionView,
  PrincipalScope,
  Province,
  SheetVersion,
} from '@gozcu/shared';

/** A YSK version about to be stored; the caller has computed its content hash. */
export interface NewVersion extends Omit<SheetVersion, 'seq'> {
  box: BoxInfo;
}

export type AppendOutcome =
  /** first publication of the box */
  | { kind: 'first'; version: SheetVersion }
  /** YSK changed a published box */
  | { kind: 'revised'; version: SheetVersion; previous: SheetVersion }
  /** the same content as the latest version: nothing stored */
  | { kind: 'unchanged'; key: string }
  /** content equal to an older version than the latest (a regressing feed): nothing stored */
  | { kind: 'stale'; key: string; matchesSeq: number };

export interface BoxFilter {
  election?: string;
  ballot?: BallotCode;
  province?: number;
  district?: number;
}

/** A box with the latest YSK version, if any. */
export interface BoxWithLatest {
  box: BoxInfo;
  latest: SheetVersion | null;
  /** when the first version was fetched */
  firstPublishedAt: string | null;
  /** YSK's own tracking on the first version (versiyon, change code): "changed before we saw it" */
  first: FirstSighting | null;
  versions: number;
}

/**
 * A box-result as the reconciliation's rebuild reads it (`rebuildBoxes`): what `boxes` answers of
 * it, less what the rebuild does not use (the box's ids and place, which its key names, the latest
 * version's hash and YSK tracking, the version count).
 */
export interface RebuildBox {
  key: string;
  kind?: BoxKind;
  latest: Pick<SheetVersion, 'seq' | 'sheet' | 'fetchedAt'> | null;
  firstPublishedAt: string | null;
  first: FirstSighting | null;
}

/** A box-result of `boxes` as `rebuildBoxes` answers it (an adapter with no read of its own answers these). */
export function rebuildBoxOf(b: BoxWithLatest): RebuildBox {
  return {
    key: b.box.key,
    kind: b.box.kind,
    latest: b.latest && { seq: b.latest.seq, sheet: b.latest.sheet, fetchedAt: b.latest.fetchedAt },
    firstPublishedAt: b.firstPublishedAt,
    first: b.first,
  };
}

/** An entry of `entriesOf` as `rebuildEntries` answers it. */
export function rebuildEntryOf(e: Entry): RebuildEntry {
  return { id: e.id, key: e.key, observer: e.observer, source: e.source, sheet: e.sheet, createdAt: e.createdAt };
}

/** An entry as the rebuild reads it (`rebuildEntries`): the entry less its hash, idempotency key and warnings. */
export type RebuildEntry = Pick<Entry, 'id' | 'key' | 'observer' | 'source' | 'sheet' | 'createdAt'>;

export interface NewEntry extends Omit<Entry, 'id'> {
  box: BoxInfo;
}

export type EntryOutcome = { kind: 'stored'; entry: Entry } | { kind: 'duplicate'; entry: Entry };

export interface Incident {
  id: string;
  kind: string;
  scope: string;
  startedAt: string;
  endedAt: string | null;
  cause: string;
  details: Record<string, unknown>;
  /** the raw payload that caused it, for inspection */
  raw: string | null;
}

export type NewIncident = Omit<Incident, 'id' | 'endedAt'>;

/** The column map of one ballot in one province (`getSandikSecimSonucBaslikList`). */
export interface ColumnMap {
  election: string;
  ballot: BallotCode;
  province: number;
  columns: Column[];
  fetchedAt: string;
}

/** A box that turned stale, escalated to its district's chair. */
export interface Escalation {
  id: string;
  key: string;
  province: number;
  district: number;
  reason: 'stale';
  at: string;
}

/** An account; the service hashes passwords (argon2id) and normalises usernames to lower case. */
export interface UserRecord {
  id: string;
  username: string;
  name: string;
  role: string;
  scope: PrincipalScope;
  passwordHash: string;
  disabled: boolean;
  failedLogins: number;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export type UserPatch = Partial<Pick<UserRecord, 'name' | 'role' | 'scope' | 'passwordHash' | 'disabled' | 'failedLogins' | 'lockedUntil' | 'updatedAt'>>;

export interface UserFilter {
  role?: string;
  province?: number;
  district?: number;
}

/** A refresh token, kept by its SHA-256 only. */
export interface RefreshTokenRecord {
  hash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** The audit record of a change, made from what the change did; null writes none, and one that throws aborts the change. */
export type AuditOf<T> = (done: T) => NewAuditEntry | null;

/** A record before and after a change. */
export interface Changed<T> {
  before: T;
  after: T;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** prefix of the target (a box key, `user:…`, `embargo:…`) */
  target?: string;
  since?: string;
  until?: string;
}

/** One line of the voter-register extract: a TC Kimlik No only as its keyed hash (HMAC), never in clear. */
export interface VoterRecord {
  hash: string;
  province: number;
  district: number;
  boxNo: number;
  importedAt: string;
}

export interface ComplaintStep {
  at: string;
  status: ComplaintStatus;
  /** the username who took the step; null for the citizen who filed */
  by: string | null;
  note: string | null;
}

/** A complaint about a box's result, filed by a citizen (or an observer) with evidence. */
export interface ComplaintRecord {
  id: string;
  trackingCode: string;
  status: ComplaintStatus;
  election: string;
  ballot: BallotCode | null;
  /** the box key when the ballot type is known */
  key: string | null;
  province: number;
  district: number;
  boxNo: number;
  text: string;
  contact: string | null;
  routedTo: string[];
  /** the signed-in filer, null for a citizen */
  filedBy: string | null;
  petitionId: string | null;
  createdAt: string;
  updatedAt: string;
  history: ComplaintStep[];
}

export interface ComplaintFilter {
  province?: number;
  district?: number;
  status?: ComplaintStatus;
  key?: string;
  /** only these box keys (box-level callers) */
  keys?: string[];
}

export interface ComplaintPatch {
  status?: ComplaintStatus;
  petitionId?: string | null;
  updatedAt: string;
  /** appended to the history */
  step?: ComplaintStep;
}

/** An uploaded file's facts; the bytes are blobs (content-addressed by SHA-256). */
export interface AttachmentRecord {
  id: string;
  owner: 'complaint' | 'sheet';
  /** the complaint id, or the entry id of a sheet photo */
  ownerId: string;
  key: string | null;
  kind: 'image' | 'pdf';
  contentType: string;
  bytes: number;
  /** SHA-256 of the original bytes, also the original's blob id */
  sha256: string;
  width: number | null;
  height: number | null;
  /** blob of the shown version (metadata stripped) */
  shownBlob: string;
  shownContentType: string;
  uploadedAt: string;
  uploadedBy: string | null;
}

export interface AttachmentFilter {
  owner: AttachmentRecord['owner'];
  ownerId?: string;
  key?: string;
}

/** A stored petition: what the API shows, less the countdown, plus the election it belongs to. */
export interface PetitionRecord extends Omit<PetitionView, 'msLeft' | 'decision'> {
  election: string;
}

export type PetitionPatch = Partial<Pick<PetitionRecord, 'status' | 'text' | 'deadline' | 'filedAt' | 'filedBy' | 'reference'>> & { updatedAt: string };

export interface PetitionFilter {
  province?: number;
  district?: number;
  statuses?: PetitionStatus[];
  key?: string;
  complaintId?: string;
}

/** Which stored alerts to read (newest first). */
export interface AlertFilter {
  province?: number;
  district?: number;
  /** only alerts standing at one of these levels */
  levels?: AlertLevel[];
  status?: AlertRecord['status'];
  kind?: AlertRecord['kind'];
  box?: string;
  /** members of this digest; null: only alerts that are not a digest's members */
  digestId?: string | null;
  /** open, not acknowledged, due to escalate at or before this time */
  dueBefore?: string;
}

/** A Web Push subscription of one user's browser (the endpoint is unique). */
export interface PushSubscriptionRecord {
  endpoint: string;
  userId: string;
  keys: { p256dh: string; auth: string };
  createdAt: string;
}

/*
 * The store port, one repository per aggregate. Both adapters (SQLite embedded, MongoDB
 * scale-out) implement all of them as one `Store` and pass one contract suite
 * (`store.contract.ts`); a service types its store as only the repositories it uses, so a unit
 * test gives it a strict fake of exactly those.
 *
 * Audited changes (issue 13, finding 15), the `…Audited` methods: each change and its audit
 * record in one transaction, all of it or nothing, so a failed request or a process killed midway
 * leaves no change without its record and no record without its change. SQLite: one transaction.
 * MongoDB, which has no multi-document transaction here: the change is checked first (the
 * username free, the status as expected) and made idempotently after its record is written, as
 * appendEntriesAudited does; a change that then loses a race to another node is followed by an
 * `audit.void` record naming the record it voids. A crash between the record and the change can
 * leave a record of a change not made (never a change without its record).
 */

/** Provinces, districts, neighbourhoods and ballot boxes. */
export interface GeographyRepository {
  upsertProvinces(provinces: Province[]): Promise<void>;
  upsertDistricts(districts: District[]): Promise<void>;
  upsertNeighbourhoods(neighbourhoods: Neighbourhood[]): Promise<void>;
  provinces(): Promise<Province[]>;
  districts(province?: number): Promise<District[]>;
  neighbourhoods(district: number): Promise<Neighbourhood[]>;
  upsertBoxes(boxes: BoxInfo[]): Promise<void>;
}

/** Every version of every box-result as YSK published it. */
export interface VersionsRepository {
  /**
   * Appends many YSK versions. Idempotent on (box key, content hash): a retried batch stores
   * nothing twice, and one interrupted half-way is completed by its retry. SQLite: one
   * transaction; MongoDB: no multi-document transaction (unique indexes, ordered inserts), so
   * concurrent appends from several nodes still give each box gap-free seqs. Outcomes are in input order.
   */
  appendVersions(versions: NewVersion[]): Promise<AppendOutcome[]>;
  latestVersion(key: string): Promise<SheetVersion | null>;
  versions(key: string): Promise<SheetVersion[]>;
  box(key: string): Promise<BoxWithLatest | null>;
  /** boxes of a scope with their latest state, ordered by key, paged by key */
  boxes(filter: BoxFilter, page?: { after?: string; limit?: number }): Promise<BoxWithLatest[]>;
  /**
   * Which of these boxes are on the register of boxes: YSK published a version of them, or
   * discovery gave them a neighbourhood or a YSK box id (a box only an entry named is not). One
   * read for an import's thousands of rows.
   */
  onRegister(keys: readonly string[]): Promise<Set<string>>;
  /**
   * The rebuild's read of a whole election (issue 16: restart to healthy): every box-result as
   * `boxes({ election })` answers it, in the same order and pages, as a `RebuildBox`. The
   * embedded store reads only the columns the rebuild uses, as arrays, with one statement.
   */
  rebuildBoxes(election: string, page?: { after?: string; limit?: number }): Promise<RebuildBox[]>;
}

/** The observers' entries. */
export interface EntriesRepository {
  /** Stores an observer entry; idempotent on its idempotency key. */
  appendEntry(entry: NewEntry): Promise<EntryOutcome>;
  entries(key: string): Promise<Entry[]>;
  /** every entry of a scope, oldest first (for rebuilding state) */
  entriesOf(filter: BoxFilter, page?: { after?: string; limit?: number }): Promise<Entry[]>;
  /** every entry of an election as `entriesOf({ election })` answers it (oldest first, paged by id), as a `RebuildEntry` */
  rebuildEntries(election: string, page?: { after?: string; limit?: number }): Promise<RebuildEntry[]>;
  /**
   * Stores entries (idempotent on their keys, as appendEntry) and the audit record of the
   * change in one transaction: all of it or nothing, so no entry is ever stored without its
   * audit record (a failed request or a process killed mid-import leaves neither).
   * `audit` is given what was stored (not the duplicates); null writes no record.
   */
  appendEntriesAudited(entries: NewEntry[], audit: (stored: Entry[]) => NewAuditEntry | null): Promise<EntryOutcome[]>;
}

/** The feed's column maps and incidents. */
export interface FeedRepository {
  /** Replaces the column map of (election, ballot, province); answers whether it changed. */
  putColumnMap(map: ColumnMap): Promise<boolean>;
  columnMap(election: string, ballot: BallotCode, province: number): Promise<ColumnMap | null>;
  openIncident(incident: NewIncident): Promise<Incident>;
  closeIncident(id: string, endedAt: string): Promise<void>;
  incidents(opts?: { open?: boolean; limit?: number }): Promise<Incident[]>;
}

/** Stale boxes escalated to the district. */
export interface EscalationsRepository {
  /** Idempotent on (key, reason): a box escalates once per reason. */
  escalate(escalation: Omit<Escalation, 'id'>): Promise<Escalation>;
  /**
   * `escalate` for many, in order (SQLite: one transaction), answering nothing: the rebuild's
   * escalations of boxes that went stale while the server was down (issue 16: restart to healthy).
   */
  escalateMany(escalations: Omit<Escalation, 'id'>[]): Promise<void>;
  escalations(filter: { province?: number; district?: number }, limit?: number): Promise<Escalation[]>;
}

/** Users and their refresh tokens. */
export interface UsersRepository {
  /** Creates a user; null when the username is taken. */
  createUser(user: UserRecord): Promise<UserRecord | null>;
  userById(id: string): Promise<UserRecord | null>;
  userByName(username: string): Promise<UserRecord | null>;
  /** users ordered by username, paged by username */
  users(filter: UserFilter, page?: { after?: string; limit?: number }): Promise<UserRecord[]>;
  /** Applies a patch; answers the updated user, null when there is none. */
  updateUser(id: string, patch: UserPatch): Promise<UserRecord | null>;
  /** Atomically counts one more failed login; answers the new count. */
  countFailedLogin(id: string): Promise<number>;
  putRefreshToken(token: RefreshTokenRecord): Promise<void>;
  refreshToken(hash: string): Promise<RefreshTokenRecord | null>;
  /** Revokes one token; true only for the call that revoked it (a token is used once). */
  revokeRefreshToken(hash: string, at: string): Promise<boolean>;
  /** Revokes every live token of a user; answers how many. */
  revokeRefreshTokens(userId: string, at: string): Promise<number>;

  /** createUser with its record; null (and no record) when the username is taken. */
  createUserAudited(user: UserRecord, audit: AuditOf<UserRecord>): Promise<UserRecord | null>;
  /** updateUser with its record (and, when asked, every live refresh token of the user revoked with it); null when there is no such user. */
  updateUserAudited(id: string, patch: UserPatch, audit: AuditOf<Changed<UserRecord>>, opts?: { revokeRefreshTokensAt?: string }): Promise<UserRecord | null>;
}

/** The append-only audit log. */
export interface AuditRepository {
  /** Appends to the audit log; there is no update or delete. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** newest first, paged by id (`before` = the last id seen) */
  audit(filter: AuditFilter, page?: { before?: string; limit?: number }): Promise<AuditEntry[]>;
}

/** Small JSON settings changed at run time. */
export interface SettingsRepository {
  /** A small JSON setting changed at run time (the embargo time); null when unset. */
  setting<T = unknown>(key: string): Promise<T | null>;
  putSetting(key: string, value: unknown): Promise<void>;
  /** putSetting with its record; `before` is the value held before (null when unset). */
  putSettingAudited(key: string, value: unknown, audit: AuditOf<Changed<unknown>>): Promise<void>;
}

/** The citizen look-up's voter lines. */
export interface VotersRepository {
  /** Upserts voter-register lines by hash (a re-import moves a voter); answers how many were written. */
  putVoters(voters: VoterRecord[]): Promise<number>;
  voterByHash(hash: string): Promise<VoterRecord | null>;
  voterCount(): Promise<number>;
  /** putVoters with its record, all of the import or none of it; the record is given how many lines were written. */
  putVotersAudited(voters: VoterRecord[], audit: AuditOf<number>): Promise<number>;
}

/** Citizens' complaints. */
export interface ComplaintsRepository {
  /** Creates a complaint; the tracking code is unique. */
  createComplaint(complaint: ComplaintRecord): Promise<ComplaintRecord>;
  complaint(id: string): Promise<ComplaintRecord | null>;
  complaintByCode(trackingCode: string): Promise<ComplaintRecord | null>;
  /**
   * Applies a patch only while the complaint's status is `expected` (compare-and-set, so two
   * officers cannot both take the same step); null when it is not (or there is no such complaint).
   */
  updateComplaint(id: string, expected: ComplaintStatus, patch: ComplaintPatch): Promise<ComplaintRecord | null>;
  /** newest first */
  complaints(filter: ComplaintFilter, limit?: number): Promise<ComplaintRecord[]>;
  /** complaints per status in a scope */
  complaintCounts(filter: ComplaintFilter): Promise<Partial<Record<ComplaintStatus, number>>>;
  /** createComplaint and its attachments' records (their blobs already stored) with its audit record. */
  createComplaintAudited(complaint: ComplaintRecord, attachments: AttachmentRecord[], audit: AuditOf<ComplaintRecord>): Promise<ComplaintRecord>;
  /** updateComplaint (compare-and-set on `expected`) with its record; null and no record when the status was not `expected`. */
  updateComplaintAudited(
    id: string,
    expected: ComplaintStatus,
    patch: ComplaintPatch,
    audit: AuditOf<Changed<ComplaintRecord>>,
  ): Promise<ComplaintRecord | null>;
}

/** The records of complaints' evidence and sheet photos. */
export interface AttachmentsRepository {
  putAttachment(attachment: AttachmentRecord): Promise<void>;
  attachment(id: string): Promise<AttachmentRecord | null>;
  /** oldest first */
  attachments(filter: AttachmentFilter): Promise<AttachmentRecord[]>;
  /** putAttachment (its blobs already stored) with its record (a sheet photo's upload). */
  putAttachmentAudited(attachment: AttachmentRecord, audit: AuditOf<AttachmentRecord>): Promise<AttachmentRecord>;
}

/** File bytes by their SHA-256. */
export interface BlobsRepository {
  /**
   * Keeps file bytes under an id (a SHA-256 hex): files under DATA_DIR for SQLite, GridFS for
   * MongoDB. Idempotent: the same id is written once.
   */
  putBlob(id: string, data: Buffer): Promise<void>;
  blob(id: string): Promise<Buffer | null>;
}

/** Petitions to the district election board. */
export interface PetitionsRepository {
  createPetition(petition: PetitionRecord): Promise<PetitionRecord>;
  petition(id: string): Promise<PetitionRecord | null>;
  /** Applies a patch only while the petition's status is `expected`; null otherwise. */
  updatePetition(id: string, expected: PetitionStatus, patch: PetitionPatch): Promise<PetitionRecord | null>;
  /** soonest deadline first */
  petitions(filter: PetitionFilter, limit?: number): Promise<PetitionRecord[]>;
  createPetitionAudited(petition: PetitionRecord, audit: AuditOf<PetitionRecord>): Promise<PetitionRecord>;
  /** updatePetition (compare-and-set on `expected`) with its record, and a setting written with it (the board's decision); null and nothing written when the status was not `expected`. */
  updatePetitionAudited(
    id: string,
    expected: PetitionStatus,
    patch: PetitionPatch,
    audit: AuditOf<Changed<PetitionRecord>>,
    also?: { setting?: { key: string; value: unknown } },
  ): Promise<PetitionRecord | null>;
  /**
   * A district's petition deadline: the setting, every draft of the district moved to it, and one
   * record of both. Answers the ids of the drafts moved.
   */
  moveDraftDeadlinesAudited(
    setting: { key: string; value: unknown },
    drafts: { province: number; district: number; deadline: string; updatedAt: string },
    audit: AuditOf<{ before: unknown; moved: string[] }>,
  ): Promise<string[]>;
}

/** Alerts, their read marks and push subscriptions. */
export interface AlertsRepository {
  /** Creates the alert unless one with its dedupe key exists (one alert per box per rule); answers the held one. */
  createAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; created: boolean }>;
  alert(id: string): Promise<AlertRecord | null>;
  /** Applies a patch only while the alert's rev is `rev` (compare-and-set); the rev goes up by one. Null otherwise. */
  updateAlert(id: string, rev: number, patch: Partial<Omit<AlertRecord, 'id' | 'dedupe' | 'rev'>>): Promise<AlertRecord | null>;
  /** newest first */
  alerts(filter: AlertFilter, limit?: number): Promise<AlertRecord[]>;
  /** The dedupe keys of the alerts of a kind that are not resolved (what a catch-up need not raise again). */
  heldAlertDedupes(kind: AlertRecord['kind']): Promise<string[]>;
  /** Marks alerts read by a user (idempotent). */
  markAlertsRead(userId: string, ids: string[], at: string): Promise<void>;
  /** Which of these alerts the user has read. */
  readAlertIds(userId: string, ids: string[]): Promise<string[]>;
  /** Upserts by endpoint (a browser re-subscribing moves to the new user). */
  putPushSubscription(sub: PushSubscriptionRecord): Promise<void>;
  pushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]>;
  /** true when there was one */
  deletePushSubscription(endpoint: string): Promise<boolean>;
  /** putPushSubscription with its record; `before` is the subscription held at the endpoint (null when none). */
  putPushSubscriptionAudited(sub: PushSubscriptionRecord, audit: AuditOf<Changed<PushSubscriptionRecord | null>>): Promise<void>;
  /** Deletes the endpoint's subscription only while `userId` holds it, with its record; false and no record when it does not. */
  deletePushSubscriptionAudited(endpoint: string, userId: string, audit: AuditOf<PushSubscriptionRecord>): Promise<boolean>;
  /**
   * createAlert with its record, written only when the alert was created (none for the held one);
   * `members` (a digest's) are patched with it, each compare-and-set on its rev (one that moved on is left).
   */
  createAlertAudited(
    alert: AlertRecord,
    audit: AuditOf<AlertRecord>,
    also?: { members?: AlertMemberPatch[] },
  ): Promise<{ alert: AlertRecord; created: boolean }>;
  /** updateAlert (compare-and-set on `rev`) with its record, and `members` patched with it as createAlertAudited; null and nothing written when the rev moved on. */
  updateAlertAudited(
    id: string,
    rev: number,
    patch: AlertPatch,
    audit: AuditOf<Changed<AlertRecord>>,
    also?: { members?: AlertMemberPatch[] },
  ): Promise<AlertRecord | null>;
}

/**
 * Where the store's box-results stand, for the reconciliation's snapshot (issue 16): a snapshot
 * taken at a watermark is brought up to date by re-reading only the boxes changed after it.
 */
export interface StoreWatermark {
  /** the store's own id: a snapshot of another store is refused */
  store: number;
  /** the last version and entry committed (their ids only grow) */
  versions: number;
  entries: number;
  /** bumped by every upsertBoxes (box registration and kinds come from there, with no id of their own) */
  boxes: number;
}

/** The change log the reconciliation's snapshot is caught up from. */
export interface ChangesRepository {
  /** Where the store stands now; null when this adapter keeps no change log (every start rebuilds in full). */
  watermark(): Promise<StoreWatermark | null>;
  /**
   * The keys of the election's boxes with a version or an entry committed after `mark`, at most
   * `limit` of them; null when `mark` cannot be caught up from (another store, an older file,
   * boxes registered since, or more than `limit` changed): the caller then rebuilds in full.
   */
  changedSince(election: string, mark: StoreWatermark, limit: number): Promise<string[] | null>;
}

/** The connection itself: what health and shutdown see. */
export interface StoreConnection {
  readonly kind: 'sqlite' | 'mongo';
  init(): Promise<void>;
  close(): Promise<void>;
  /** throws when the store does not answer */
  ping(): Promise<void>;
}

/** The whole store: the connection and every repository (each adapter is one). */
export interface Store
  extends
    StoreConnection,
    GeographyRepository,
    VersionsRepository,
    EntriesRepository,
    FeedRepository,
    EscalationsRepository,
    UsersRepository,
    AuditRepository,
    SettingsRepository,
    VotersRepository,
    ComplaintsRepository,
    AttachmentsRepository,
    BlobsRepository,
    PetitionsRepository,
    AlertsRepository,
    ChangesRepository {}

export type AlertPatch = Partial<Omit<AlertRecord, 'id' | 'dedupe' | 'rev'>>;

/** A patch of another alert written with an audited alert change (a digest's members). */
export interface AlertMemberPatch {
  id: string;
  rev: number;
  patch: AlertPatch;
}

export const STORE = Symbol('STORE');
