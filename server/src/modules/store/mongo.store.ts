import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import {
  decideAppend,
  kindOfPlace,
  type AlertRecord,
  type AuditEntry,
  type BoxInfo,
  type District,
  type Entry,
  type Neighbourhood,
  type Province,
  type SheetVersion,
} from '@gozcu/shared';
import { bulkWriteChunked, duplicateIndex, isDuplicate, UPDATE_STATEMENTS, updateStatementsFor } from './mongo-bulk';
import type {
  AppendOutcome,
  ColumnMap,
  Escalation,
  BoxFilter,
  BoxWithLatest,
  EntryOutcome,
  Incident,
  NewEntry,
  NewIncident,
  NewVersion,
  Store,
  AuditFilter,
  NewAuditEntry,
  RefreshTokenRecord,
  UserFilter,
  UserPatch,
  UserRecord,
  AttachmentFilter,
  AttachmentRecord,
  ComplaintFilter,
  ComplaintPatch,
  ComplaintRecord,
  PetitionFilter,
  PetitionPatch,
  PetitionRecord,
  VoterRecord,
  AlertFilter,
  PushSubscriptionRecord,
  AuditOf,
  Changed,
  AlertMemberPatch,
  AlertPatch,
  RebuildBox,
  RebuildEntry,
} from './store.port';
import { rebuildBoxOf, rebuildEntryOf } from './store.port';

interface BoxDoc extends Omit<BoxInfo, 'key'> {
  _id: string;
  latestSeq: number;
  firstPublishedAt: string | null;
}
type VersionDoc = SheetVersion;
interface EntryDoc extends Omit<Entry, 'id'> {
  _id: mongoose.Types.ObjectId;
}
interface IncidentDoc extends Omit<Incident, 'id'> {
  _id: mongoose.Types.ObjectId;
}

const sheetShape = { type: Schema.Types.Mixed, required: true };

const schemas = {
  provinces: new Schema({ _id: Number, name: String }, { versionKey: false }),
  districts: new Schema({ _id: Number, province: { type: Number, index: true }, name: String }, { versionKey: false }),
  neighbourhoods: new Schema(
    { _id: Number, district: { type: Number, index: true }, province: Number, name: String, minBox: Number, maxBox: Number },
    { versionKey: false },
  ),
  boxes: new Schema<BoxDoc>(
    {
      _id: String,
      election: String,
      ballot: Number,
      province: Number,
      district: Number,
      boxNo: Number,
      yskBoxId: { type: Number, default: null },
      neighbourhood: { type: Number, default: null },
      rumuz: { type: String, default: undefined },
      kind: { type: String, default: undefined },
      latestSeq: { type: Number, default: 0 },
      // absent until the first version is stored (raised with $min, which sets a missing field)
      firstPublishedAt: { type: String },
    },
    { versionKey: false },
  ).index({ province: 1, district: 1, _id: 1 }),
  versions: new Schema<VersionDoc>(
    {
      key: String,
      seq: Number,
      hash: String,
      sheet: sheetShape,
      yskVersion: { type: Number, default: null },
      yskChangedAt: { type: String, default: null },
      // YSK's numeric change code (Mixed: documents written before hold text)
      changeReason: { type: Schema.Types.Mixed, default: null },
      fetchedAt: String,
    },
    { versionKey: false },
  )
    .index({ key: 1, seq: 1 }, { unique: true })
    .index({ key: 1, hash: 1 }, { unique: true }),
  entries: new Schema<EntryDoc>(
    {
      key: { type: String, index: true },
      hash: String,
      sheet: sheetShape,
      observer: String,
      source: String,
      idempotencyKey: { type: String, unique: true },
      createdAt: String,
      warnings: [String],
    },
    { versionKey: false },
  ),
  incidents: new Schema<IncidentDoc>(
    {
      kind: String,
      scope: String,
      startedAt: String,
      endedAt: { type: String, default: null },
      cause: String,
      details: Schema.Types.Mixed,
      raw: { type: String, default: null },
    },
    { versionKey: false, minimize: false },
  ),
  columnMaps: new Schema(
    { _id: String, election: String, ballot: Number, province: Number, columns: Schema.Types.Mixed, fetchedAt: String },
    { versionKey: false },
  ),
  escalations: new Schema({ key: String, province: Number, district: Number, reason: String, at: String }, { versionKey: false })
    .index({ key: 1, reason: 1 }, { unique: true })
    .index({ province: 1, district: 1, at: 1 }),
  users: new Schema(
    {
      _id: String,
      username: { type: String, unique: true },
      name: String,
      role: String,
      scope: Schema.Types.Mixed,
      passwordHash: String,
      disabled: Boolean,
      failedLogins: Number,
      lockedUntil: { type: String, default: null },
      createdAt: String,
      updatedAt: String,
    },
    { versionKey: false, minimize: false },
  ).index({ 'scope.province': 1, 'scope.district': 1 }),
  refreshTokens: new Schema(
    { _id: String, userId: { type: String, index: true }, createdAt: String, expiresAt: String, revokedAt: { type: String, default: null } },
    { versionKey: false },
  ),
  // append-only: the adapter never updates or deletes audit documents
  audit: new Schema(
    { at: { type: String, index: true }, actor: Schema.Types.Mixed, action: String, target: String, before: Schema.Types.Mixed, after: Schema.Types.Mixed },
    { versionKey: false, minimize: false },
  ),
  settings: new Schema({ _id: String, value: Schema.Types.Mixed }, { versionKey: false, minimize: false }),
  // the voter register: _id is the keyed hash of a TC Kimlik No, never the number
  voters: new Schema({ _id: String, province: Number, district: Number, boxNo: Number, importedAt: String }, { versionKey: false }),
  complaints: new Schema(
    {
      _id: String,
      trackingCode: { type: String, unique: true },
      status: String,
      election: String,
      ballot: { type: Number, default: null },
      key: { type: String, default: null, index: true },
      province: Number,
      district: Number,
      boxNo: Number,
      text: String,
      contact: { type: String, default: null },
      routedTo: [String],
      filedBy: { type: String, default: null },
      petitionId: { type: String, default: null },
      createdAt: String,
      updatedAt: String,
      history: Schema.Types.Mixed,
    },
    { versionKey: false, minimize: false },
  ).index({ province: 1, district: 1, createdAt: -1 }),
  attachments: new Schema(
    {
      _id: String,
      owner: String,
      ownerId: String,
      key: { type: String, default: null },
      kind: String,
      contentType: String,
      bytes: Number,
      sha256: String,
      width: { type: Number, default: null },
      height: { type: Number, default: null },
      shownBlob: String,
      shownContentType: String,
      uploadedAt: String,
      uploadedBy: { type: String, default: null },
    },
    { versionKey: false },
  )
    .index({ owner: 1, ownerId: 1, uploadedAt: 1 })
    .index({ owner: 1, key: 1, uploadedAt: 1 }),
  petitions: new Schema(
    {
      _id: String,
      status: String,
      election: String,
      key: { type: String, index: true },
      province: Number,
      district: Number,
      boxNo: Number,
      ballot: Number,
      complaintId: { type: String, default: null },
      text: Schema.Types.Mixed,
      deadline: String,
      createdAt: String,
      createdBy: String,
      updatedAt: String,
      filedAt: { type: String, default: null },
      filedBy: { type: String, default: null },
      reference: { type: String, default: null },
    },
    { versionKey: false, minimize: false },
  ).index({ province: 1, district: 1, deadline: 1 }),
};

const withId = <T extends { id: string }>(d: Omit<T, 'id'> & { _id: string }): T => {
  const { _id, ...rest } = d;
  return { id: _id, ...rest } as unknown as T;
};
function complaintQuery(filter: ComplaintFilter): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (filter.province !== undefined) q.province = filter.province;
  if (filter.district !== undefined) q.district = filter.district;
  if (filter.status !== undefined) q.status = filter.status;
  if (filter.key !== undefined) q.key = filter.key;
  if (filter.keys !== undefined) q.key = filter.key !== undefined ? { $eq: filter.key, $in: filter.keys } : { $in: filter.keys };
  return q;
}
const BLOB_ID = /^[0-9a-f]{64}$/;
/** conflicting appends of the same box (other nodes) are recomputed at most this often */
const APPEND_ATTEMPTS = 8;

type UserDoc = Omit<UserRecord, 'id'> & { _id: string };
function toUser(d: UserDoc): UserRecord {
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
type AuditDoc = Omit<AuditEntry, 'id'> & { _id: mongoose.Types.ObjectId };
function toAudit(d: AuditDoc): AuditEntry {
  return { id: d._id.toHexString(), at: d.at, actor: d.actor ?? null, action: d.action, target: d.target, before: d.before ?? null, after: d.after ?? null };
}
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function toVersion(d: VersionDoc): SheetVersion {
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
function reasonCode(v: unknown): number | null {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null;
}
function toBox(d: BoxDoc): BoxInfo {
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
function toEntry(d: EntryDoc): Entry {
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
function toIncident(d: IncidentDoc): Incident {
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
function scopeQuery(filter: BoxFilter): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}
function boxUpsert(b: BoxInfo) {
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
async function upsertRetrying<T>(op: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (attempt >= 5 || !isDuplicate(e)) throw e;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
    }
  }
}

/**
 * The scale-out store: MongoDB through mongoose. Uses no multi-document transaction (so it runs
 * on FerretDB as on MongoDB, replica set or not): unique indexes, ordered bulk inserts and
 * idempotent upserts keep it consistent across nodes and retries (see appendVersions).
 */
export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  private conn!: Connection;
  private m!: { [K in keyof typeof schemas]: Model<any> };
  private updateStatements: number = UPDATE_STATEMENTS.ferretdb;

  constructor(
    private readonly url: string,
    private readonly dbName?: string,
  ) {}

  async init(): Promise<void> {
    this.conn = await mongoose.createConnection(this.url, { dbName: this.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
    this.m = Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, this.conn.model(name, schema, name)])) as unknown as typeof this.m;
    await Promise.all(Object.values(this.m).map((model) => model.createIndexes()));
    this.updateStatements = await updateStatementsFor(this.conn.db!);
  }

  /** A bulk write in commands the server can take (see UPDATE_STATEMENTS). */
  private bulk(model: Model<any>, ops: Parameters<Model<any>['bulkWrite']>[0], ordered = false) {
    return bulkWriteChunked(model, ops, this.updateStatements, ordered);
  }

  async close(): Promise<void> {
    await this.conn?.close();
  }

  async ping(): Promise<void> {
    if (this.conn?.readyState !== 1 || !this.conn.db) throw new Error('mongo store is not connected');
    await this.conn.db.admin().ping();
  }

  async upsertProvinces(provinces: Province[]): Promise<void> {
    if (!provinces.length) return;
    await this.bulk(
      this.m.provinces,
      provinces.map((p) => ({ updateOne: { filter: { _id: p.plate }, update: { $set: { name: p.name } }, upsert: true } })),
    );
  }

  async upsertDistricts(districts: District[]): Promise<void> {
    if (!districts.length) return;
    await this.bulk(
      this.m.districts,
      districts.map((d) => ({ updateOne: { filter: { _id: d.yskId }, update: { $set: { province: d.province, name: d.name } }, upsert: true } })),
    );
  }

  async upsertNeighbourhoods(neighbourhoods: Neighbourhood[]): Promise<void> {
    if (!neighbourhoods.length) return;
    await this.bulk(
      this.m.neighbourhoods,
      neighbourhoods.map(({ yskId, ...rest }) => ({ updateOne: { filter: { _id: yskId }, update: { $set: rest }, upsert: true } })),
    );
  }

  async provinces(): Promise<Province[]> {
    const docs = await this.m.provinces.find().sort({ _id: 1 }).lean<{ _id: number; name: string }[]>();
    return docs.map((d) => ({ plate: d._id, name: d.name }));
  }

  async districts(province?: number): Promise<District[]> {
    const docs = await this.m.districts
      .find(province ? { province } : {})
      .sort({ province: 1, name: 1 })
      .lean<{ _id: number; province: number; name: string }[]>();
    return docs.map((d) => ({ yskId: d._id, province: d.province, name: d.name }));
  }

  async neighbourhoods(district: number): Promise<Neighbourhood[]> {
    const docs = await this.m.neighbourhoods.find({ district }).sort({ name: 1 }).lean<(Omit<Neighbourhood, 'yskId'> & { _id: number })[]>();
    return docs.map(({ _id, ...n }) => ({
      yskId: _id,
      district: n.district,
      province: n.province,
      name: n.name,
      minBox: n.minBox ?? null,
      maxBox: n.maxBox ?? null,
    }));
  }

  async upsertBoxes(boxes: BoxInfo[]): Promise<void> {
    if (boxes.length) await this.upsertBoxesChanged(boxes);
  }

  /** Upserts only the boxes that are new or whose YSK ids became known (a poll re-sends every box of a district). */
  private async upsertBoxesChanged(boxes: BoxInfo[]): Promise<void> {
    const unique = [...new Map(boxes.map((b) => [b.key, b])).values()];
    const held = new Map<string, { yskBoxId: number | null; neighbourhood: number | null }>();
    for (let i = 0; i < unique.length; i += 1000) {
      const docs = await this.m.boxes.find({ _id: { $in: unique.slice(i, i + 1000).map((b) => b.key) } }, { yskBoxId: 1, neighbourhood: 1 }).lean<BoxDoc[]>();
      for (const d of docs) held.set(d._id, { yskBoxId: d.yskBoxId ?? null, neighbourhood: d.neighbourhood ?? null });
    }
    const needed = unique.filter((b) => {
      const h = held.get(b.key);
      return !h || (b.yskBoxId !== null && b.yskBoxId !== h.yskBoxId) || (b.neighbourhood !== null && b.neighbourhood !== h.neighbourhood);
    });
    if (needed.length) await this.bulk(this.m.boxes, needed.map(boxUpsert));
  }

  /**
   * Without a multi-document transaction (FerretDB has none; MongoDB needs a replica set for
   * one): the versions collection is the truth and each version is one atomic insert guarded by
   * the unique indexes (key, seq) and (key, hash). Outcomes are computed from the versions
   * already stored; the inserts go in one ordered bulk write, so a batch stops at the first
   * conflict (another node took that seq, or a retried batch already stored that hash) with
   * everything before it kept, and the rest is recomputed from a fresh read. The box's
   * `latestSeq` and `firstPublishedAt` are a cache raised with `$max` afterwards; a lagging cache
   * (a crash between the two writes) is repaired by the next append of that box. A retried batch
   * stores nothing twice.
   */
  async appendVersions(versions: NewVersion[]): Promise<AppendOutcome[]> {
    if (!versions.length) return [];
    await this.upsertBoxesChanged(versions.map((v) => v.box));
    const outcomes: (AppendOutcome | undefined)[] = new Array(versions.length);
    let todo = versions.map((_, i) => i);
    for (let attempt = 0; todo.length; attempt++) {
      if (attempt === APPEND_ATTEMPTS) throw new Error(`appendVersions: still conflicting after ${APPEND_ATTEMPTS} attempts (${todo.length} versions left)`);
      const keys = [...new Set(todo.map((i) => versions[i].key))];
      const [stored, cached] = await Promise.all([
        this.m.versions.find({ key: { $in: keys } }).lean<VersionDoc[]>(),
        this.m.boxes
          .find({ _id: { $in: keys } }, { latestSeq: 1, firstPublishedAt: 1 })
          .lean<{ _id: string; latestSeq: number; firstPublishedAt: string | null }[]>(),
      ]);
      const latest = new Map<string, SheetVersion>();
      const seqByHash = new Map<string, number>();
      for (const d of stored) {
        const v = toVersion(d);
        if ((latest.get(v.key)?.seq ?? 0) < v.seq) latest.set(v.key, v);
        seqByHash.set(`${v.key}\u0000${v.hash}`, v.seq);
      }
      const inserts: { index: number; version: SheetVersion }[] = [];
      for (const index of todo) {
        const v = versions[index];
        const current = latest.get(v.key) ?? null;
        const decision = decideAppend(current, v.hash, (hash) => seqByHash.get(`${v.key}\u0000${hash}`));
        if (decision.kind === 'unchanged' || decision.kind === 'stale') {
          outcomes[index] = decision.kind === 'unchanged' ? { kind: 'unchanged', key: v.key } : { kind: 'stale', key: v.key, matchesSeq: decision.matchesSeq };
          continue;
        }
        const version: SheetVersion = {
          key: v.key,
          seq: decision.seq,
          hash: v.hash,
          sheet: v.sheet,
          yskVersion: v.yskVersion,
          yskChangedAt: v.yskChangedAt,
          changeReason: v.changeReason,
          fetchedAt: v.fetchedAt,
        };
        outcomes[index] = current ? { kind: 'revised', version, previous: current } : { kind: 'first', version };
        latest.set(v.key, version);
        seqByHash.set(`${v.key}\u0000${v.hash}`, version.seq);
        inserts.push({ index, version });
      }
      let failedAt = inserts.length;
      if (inserts.length) {
        try {
          await this.m.versions.insertMany(
            inserts.map((i) => i.version),
            { ordered: true },
          );
        } catch (e) {
          const at = duplicateIndex(e);
          if (at === null) throw e;
          failedAt = at;
        }
      }
      // raise the cache of every box whose truth is ahead of it (what this call stored, or what an earlier one left)
      const truthSeq = new Map<string, number>();
      const truthFirst = new Map<string, string>();
      for (const v of [...stored, ...inserts.slice(0, failedAt).map((i) => i.version)]) {
        truthSeq.set(v.key, Math.max(truthSeq.get(v.key) ?? 0, v.seq));
        if (v.seq === 1) truthFirst.set(v.key, v.fetchedAt);
      }
      // one updateMany per (seq, first publication): a poll's new boxes share both
      const groups = new Map<string, { seq: number; firstAt: string | null; ids: string[] }>();
      for (const b of cached) {
        const seq = truthSeq.get(b._id) ?? 0;
        const firstAt = b.firstPublishedAt ? null : (truthFirst.get(b._id) ?? null);
        if (seq <= (b.latestSeq ?? 0) && !firstAt) continue;
        const group = `${seq}\u0000${firstAt ?? ''}`;
        if (!groups.has(group)) groups.set(group, { seq, firstAt, ids: [] });
        groups.get(group)!.ids.push(b._id);
      }
      const cache: Parameters<Model<any>['bulkWrite']>[0] = [...groups.values()].map((g) => ({
        updateMany: {
          filter: { _id: { $in: g.ids } },
          update: { $max: { latestSeq: g.seq }, ...(g.firstAt ? { $min: { firstPublishedAt: g.firstAt } } : {}) },
        },
      }));
      if (cache.length) await this.bulk(this.m.boxes, cache);
      // a conflict: every version of those boxes not stored by this attempt is recomputed from a fresh read
      const keptIndex = new Set(inserts.slice(0, failedAt).map((i) => i.index));
      const conflicted = new Set(inserts.slice(failedAt).map((i) => i.version.key));
      todo = todo.filter((i) => conflicted.has(versions[i].key) && !keptIndex.has(i));
    }
    return outcomes as AppendOutcome[];
  }

  async latestVersion(key: string): Promise<SheetVersion | null> {
    const doc = await this.m.versions.findOne({ key }).sort({ seq: -1 }).lean<VersionDoc>();
    return doc ? toVersion(doc) : null;
  }

  async versions(key: string): Promise<SheetVersion[]> {
    const docs = await this.m.versions.find({ key }).sort({ seq: 1 }).lean<VersionDoc[]>();
    return docs.map(toVersion);
  }

  async box(key: string): Promise<BoxWithLatest | null> {
    const [found] = await this.withLatest({ _id: key }, 1);
    return found ?? null;
  }

  async boxes(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<BoxWithLatest[]> {
    const query: Record<string, unknown> = scopeQuery(filter);
    if (page.after !== undefined) query._id = { $gt: page.after };
    return this.withLatest(query, page.limit ?? 1000);
  }

  private async withLatest(query: Record<string, unknown>, limit: number): Promise<BoxWithLatest[]> {
    const docs = await this.m.boxes.find(query).sort({ _id: 1 }).limit(limit).lean<BoxDoc[]>();
    const withVersions = docs.filter((d) => d.latestSeq > 0);
    // the latest version and the first one (what YSK said when we first saw the box: altered before seen)
    const wanted = withVersions.flatMap((d) =>
      d.latestSeq > 1
        ? [
            { key: d._id, seq: d.latestSeq },
            { key: d._id, seq: 1 },
          ]
        : [{ key: d._id, seq: d.latestSeq }],
    );
    const found = wanted.length ? await this.m.versions.find({ $or: wanted }).lean<VersionDoc[]>() : [];
    const byKey = new Map<string, SheetVersion>();
    const firstByKey = new Map<string, SheetVersion>();
    for (const v of found) {
      if (v.seq === 1) firstByKey.set(v.key, toVersion(v));
      if ((byKey.get(v.key)?.seq ?? 0) < v.seq) byKey.set(v.key, toVersion(v));
    }
    return docs.map((d) => {
      const first = firstByKey.get(d._id);
      return {
        box: toBox(d),
        latest: byKey.get(d._id) ?? null,
        firstPublishedAt: d.firstPublishedAt ?? null,
        first: first ? { yskVersion: first.yskVersion, changeReason: first.changeReason } : null,
        versions: d.latestSeq,
      };
    });
  }

  async appendEntry(entry: NewEntry): Promise<EntryOutcome> {
    const existing = await this.m.entries.findOne({ idempotencyKey: entry.idempotencyKey }).lean<EntryDoc>();
    if (existing) return { kind: 'duplicate', entry: toEntry(existing) };
    const { box, ...rest } = entry;
    await this.upsertBoxesChanged([box]);
    try {
      const [doc] = await this.m.entries.insertMany([rest]);
      return { kind: 'stored', entry: toEntry(doc.toObject() as EntryDoc) };
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
      const raced = await this.m.entries.findOne({ idempotencyKey: entry.idempotencyKey }).lean<EntryDoc>();
      return { kind: 'duplicate', entry: toEntry(raced!) };
    }
  }

  async entries(key: string): Promise<Entry[]> {
    const docs = await this.m.entries.find({ key }).sort({ _id: 1 }).lean<EntryDoc[]>();
    return docs.map(toEntry);
  }

  async entriesOf(filter: BoxFilter, page: { after?: string; limit?: number } = {}): Promise<Entry[]> {
    const scope = scopeQuery(filter);
    const keys = Object.keys(scope).length ? (await this.m.boxes.find(scope, { _id: 1 }).lean<{ _id: string }[]>()).map((b) => b._id) : null;
    const query: Record<string, unknown> = keys ? { key: { $in: keys } } : {};
    if (page.after !== undefined) query._id = { $gt: new mongoose.Types.ObjectId(page.after) };
    const docs = await this.m.entries
      .find(query)
      .sort({ _id: 1 })
      .limit(page.limit ?? 1000)
      .lean<EntryDoc[]>();
    return docs.map(toEntry);
  }

  /** No change log here (several nodes write): every start rebuilds the reconciliation in full. */
  async watermark(): Promise<null> {
    return null;
  }

  async changedSince(): Promise<null> {
    return null;
  }

  async rebuildBoxes(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildBox[]> {
    return (await this.boxes({ election }, page)).map(rebuildBoxOf);
  }

  async rebuildEntries(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildEntry[]> {
    return (await this.entriesOf({ election }, page)).map(rebuildEntryOf);
  }

  async putColumnMap(map: ColumnMap): Promise<boolean> {
    const _id = `${map.election}:${map.ballot}:${map.province}`;
    const held = await upsertRetrying(() => this.m.columnMaps.findOneAndUpdate({ _id }, { $set: { ...map } }, { upsert: true }).lean<ColumnMap>());
    return JSON.stringify(held?.columns ?? null) !== JSON.stringify(map.columns);
  }

  async columnMap(election: string, ballot: ColumnMap['ballot'], province: number): Promise<ColumnMap | null> {
    const doc = await this.m.columnMaps.findOne({ _id: `${election}:${ballot}:${province}` }).lean<ColumnMap>();
    return doc ? { election, ballot, province, columns: doc.columns, fetchedAt: doc.fetchedAt } : null;
  }

  async escalateMany(escalations: Omit<Escalation, 'id'>[]): Promise<void> {
    for (const e of escalations) await this.escalate(e);
  }

  async escalate(e: Omit<Escalation, 'id'>): Promise<Escalation> {
    const doc = await upsertRetrying(() =>
      this.m.escalations
        .findOneAndUpdate({ key: e.key, reason: e.reason }, { $setOnInsert: e }, { upsert: true, returnDocument: 'after' })
        .lean<Escalation & { _id: mongoose.Types.ObjectId }>(),
    );
    return { id: doc!._id.toHexString(), key: doc!.key, province: doc!.province, district: doc!.district, reason: doc!.reason, at: doc!.at };
  }

  async escalations(filter: { province?: number; district?: number }, limit = 1000): Promise<Escalation[]> {
    const docs = await this.m.escalations
      .find(scopeQuery(filter))
      .sort({ at: 1, _id: 1 })
      .limit(limit)
      .lean<(Escalation & { _id: mongoose.Types.ObjectId })[]>();
    return docs.map((d) => ({ id: d._id.toHexString(), key: d.key, province: d.province, district: d.district, reason: d.reason, at: d.at }));
  }

  async openIncident(incident: NewIncident): Promise<Incident> {
    const [doc] = await this.m.incidents.insertMany([{ ...incident, endedAt: null }]);
    return toIncident(doc.toObject() as IncidentDoc);
  }

  async closeIncident(id: string, endedAt: string): Promise<void> {
    await this.m.incidents.updateOne({ _id: new mongoose.Types.ObjectId(id), endedAt: null }, { $set: { endedAt } });
  }

  async incidents(opts: { open?: boolean; limit?: number } = {}): Promise<Incident[]> {
    const query = opts.open === undefined ? {} : opts.open ? { endedAt: null } : { endedAt: { $ne: null } };
    const docs = await this.m.incidents
      .find(query)
      .sort({ _id: -1 })
      .limit(opts.limit ?? 100)
      .lean<IncidentDoc[]>();
    return docs.map(toIncident);
  }

  async createUser(u: UserRecord): Promise<UserRecord | null> {
    const { id, ...rest } = u;
    try {
      await this.m.users.insertMany([{ _id: id, ...rest }]);
      return { ...u };
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return null;
      throw e;
    }
  }

  async userById(id: string): Promise<UserRecord | null> {
    const doc = await this.m.users.findById(id).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async userByName(username: string): Promise<UserRecord | null> {
    const doc = await this.m.users.findOne({ username }).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async users(filter: UserFilter, page: { after?: string; limit?: number } = {}): Promise<UserRecord[]> {
    const query: Record<string, unknown> = {};
    if (filter.role !== undefined) query.role = filter.role;
    if (filter.province !== undefined) query['scope.province'] = filter.province;
    if (filter.district !== undefined) query['scope.district'] = filter.district;
    if (page.after !== undefined) query.username = { $gt: page.after };
    const docs = await this.m.users
      .find(query)
      .sort({ username: 1 })
      .limit(page.limit ?? 1000)
      .lean<UserDoc[]>();
    return docs.map(toUser);
  }

  async updateUser(id: string, patch: UserPatch): Promise<UserRecord | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const doc = await this.m.users.findOneAndUpdate({ _id: id }, Object.keys(set).length ? { $set: set } : {}, { returnDocument: 'after' }).lean<UserDoc>();
    return doc ? toUser(doc) : null;
  }

  async countFailedLogin(id: string): Promise<number> {
    const doc = await this.m.users.findOneAndUpdate({ _id: id }, { $inc: { failedLogins: 1 } }, { returnDocument: 'after' }).lean<UserDoc>();
    return doc?.failedLogins ?? 0;
  }

  async putRefreshToken(t: RefreshTokenRecord): Promise<void> {
    const { hash, ...rest } = t;
    await this.m.refreshTokens.insertMany([{ _id: hash, ...rest }]);
  }

  async refreshToken(hash: string): Promise<RefreshTokenRecord | null> {
    const doc = await this.m.refreshTokens.findById(hash).lean<Omit<RefreshTokenRecord, 'hash'> & { _id: string }>();
    return doc ? { hash: doc._id, userId: doc.userId, createdAt: doc.createdAt, expiresAt: doc.expiresAt, revokedAt: doc.revokedAt ?? null } : null;
  }

  async revokeRefreshToken(hash: string, at: string): Promise<boolean> {
    const res = await this.m.refreshTokens.updateOne({ _id: hash, revokedAt: null }, { $set: { revokedAt: at } });
    return res.modifiedCount === 1;
  }

  async revokeRefreshTokens(userId: string, at: string): Promise<number> {
    const res = await this.m.refreshTokens.updateMany({ userId, revokedAt: null }, { $set: { revokedAt: at } });
    return res.modifiedCount;
  }

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const [doc] = await this.m.audit.insertMany([{ ...e, before: e.before ?? null, after: e.after ?? null }]);
    return toAudit(doc.toObject() as AuditDoc);
  }

  async audit(filter: AuditFilter, page: { before?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const query: Record<string, unknown> = {};
    if (filter.actor !== undefined) query['actor.username'] = filter.actor;
    if (filter.action !== undefined) query.action = filter.action;
    if (filter.target !== undefined) query.target = { $regex: `^${escapeRegex(filter.target)}` };
    if (filter.since !== undefined || filter.until !== undefined) {
      query.at = { ...(filter.since !== undefined ? { $gte: filter.since } : {}), ...(filter.until !== undefined ? { $lt: filter.until } : {}) };
    }
    if (page.before !== undefined) query._id = { $lt: new mongoose.Types.ObjectId(page.before) };
    const docs = await this.m.audit
      .find(query)
      .sort({ _id: -1 })
      .limit(page.limit ?? 100)
      .lean<AuditDoc[]>();
    return docs.map(toAudit);
  }

  async setting<T = unknown>(key: string): Promise<T | null> {
    const doc = await this.m.settings.findById(key).lean<{ value: T }>();
    return doc ? doc.value : null;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    await upsertRetrying(() => this.m.settings.updateOne({ _id: key }, { $set: { value } }, { upsert: true }));
  }

  async putVoters(voters: VoterRecord[]): Promise<number> {
    if (!voters.length) return 0;
    const res = await this.bulk(
      this.m.voters,
      voters.map(({ hash, ...rest }) => ({ updateOne: { filter: { _id: hash }, update: { $set: rest }, upsert: true } })),
    );
    return res.upserted + res.matched;
  }

  async voterByHash(hash: string): Promise<VoterRecord | null> {
    const doc = await this.m.voters.findById(hash).lean<Omit<VoterRecord, 'hash'> & { _id: string }>();
    return doc ? { hash: doc._id, province: doc.province, district: doc.district, boxNo: doc.boxNo, importedAt: doc.importedAt } : null;
  }

  async voterCount(): Promise<number> {
    return this.m.voters.estimatedDocumentCount();
  }

  async createComplaint(c: ComplaintRecord): Promise<ComplaintRecord> {
    const { id, ...rest } = c;
    await this.m.complaints.insertMany([{ _id: id, ...rest }]);
    return { ...c };
  }

  private toComplaint(d: (Omit<ComplaintRecord, 'id'> & { _id: string }) | null): ComplaintRecord | null {
    if (!d) return null;
    const c = withId<ComplaintRecord>(d);
    return {
      ...c,
      ballot: c.ballot ?? null,
      key: c.key ?? null,
      contact: c.contact ?? null,
      filedBy: c.filedBy ?? null,
      petitionId: c.petitionId ?? null,
      routedTo: [...(c.routedTo ?? [])],
      history: c.history ?? [],
    };
  }

  async complaint(id: string): Promise<ComplaintRecord | null> {
    return this.toComplaint(await this.m.complaints.findById(id).lean());
  }

  async complaintByCode(trackingCode: string): Promise<ComplaintRecord | null> {
    return this.toComplaint(await this.m.complaints.findOne({ trackingCode }).lean());
  }

  async updateComplaint(id: string, expected: ComplaintRecord['status'], patch: ComplaintPatch): Promise<ComplaintRecord | null> {
    const set: Record<string, unknown> = { updatedAt: patch.updatedAt };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.petitionId !== undefined) set.petitionId = patch.petitionId;
    const update: Record<string, unknown> = { $set: set };
    if (patch.step) update.$push = { history: patch.step };
    return this.toComplaint(await this.m.complaints.findOneAndUpdate({ _id: id, status: expected }, update, { returnDocument: 'after' }).lean());
  }

  async complaints(filter: ComplaintFilter, limit = 1000): Promise<ComplaintRecord[]> {
    const docs = await this.m.complaints.find(complaintQuery(filter)).sort({ createdAt: -1, _id: -1 }).limit(limit).lean();
    return docs.map((d) => this.toComplaint(d as never)!);
  }

  async complaintCounts(filter: ComplaintFilter): Promise<Partial<Record<ComplaintRecord['status'], number>>> {
    const rows = await this.m.complaints.aggregate<{ _id: ComplaintRecord['status']; n: number }>([
      { $match: complaintQuery(filter) },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((r) => [r._id, r.n]));
  }

  async putAttachment(a: AttachmentRecord): Promise<void> {
    const { id, ...rest } = a;
    await this.m.attachments.insertMany([{ _id: id, ...rest }]);
  }

  private toAttachment(d: (Omit<AttachmentRecord, 'id'> & { _id: string }) | null): AttachmentRecord | null {
    if (!d) return null;
    const a = withId<AttachmentRecord>(d);
    return { ...a, key: a.key ?? null, width: a.width ?? null, height: a.height ?? null, uploadedBy: a.uploadedBy ?? null };
  }

  async attachment(id: string): Promise<AttachmentRecord | null> {
    return this.toAttachment(await this.m.attachments.findById(id).lean());
  }

  async attachments(filter: AttachmentFilter): Promise<AttachmentRecord[]> {
    const q: Record<string, unknown> = { owner: filter.owner };
    if (filter.ownerId !== undefined) q.ownerId = filter.ownerId;
    if (filter.key !== undefined) q.key = filter.key;
    const docs = await this.m.attachments.find(q).sort({ uploadedAt: 1, _id: 1 }).lean();
    return docs.map((d) => this.toAttachment(d as never)!);
  }

  private bucket() {
    return new mongoose.mongo.GridFSBucket(this.conn.db!, { bucketName: 'blobs' });
  }

  async putBlob(id: string, data: Buffer): Promise<void> {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    const bucket = this.bucket();
    if (await bucket.find({ filename: id }).limit(1).hasNext()) return;
    await new Promise<void>((resolve, reject) => {
      const up = bucket.openUploadStream(id);
      up.once('error', reject).once('finish', () => resolve());
      up.end(data);
    });
  }

  async blob(id: string): Promise<Buffer | null> {
    if (!BLOB_ID.test(id)) throw new RangeError('a blob id is a SHA-256 hex digest');
    const bucket = this.bucket();
    if (!(await bucket.find({ filename: id }).limit(1).hasNext())) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of bucket.openDownloadStreamByName(id)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async createPetition(p: PetitionRecord): Promise<PetitionRecord> {
    const { id, ...rest } = p;
    await this.m.petitions.insertMany([{ _id: id, ...rest }]);
    return { ...p };
  }

  private toPetition(d: (Omit<PetitionRecord, 'id'> & { _id: string }) | null): PetitionRecord | null {
    if (!d) return null;
    const p = withId<PetitionRecord>(d);
    return { ...p, complaintId: p.complaintId ?? null, filedAt: p.filedAt ?? null, filedBy: p.filedBy ?? null, reference: p.reference ?? null };
  }

  async petition(id: string): Promise<PetitionRecord | null> {
    return this.toPetition(await this.m.petitions.findById(id).lean());
  }

  async updatePetition(id: string, expected: PetitionRecord['status'], patch: PetitionPatch): Promise<PetitionRecord | null> {
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return this.toPetition(await this.m.petitions.findOneAndUpdate({ _id: id, status: expected }, { $set: set }, { returnDocument: 'after' }).lean());
  }

  async petitions(filter: PetitionFilter, limit = 1000): Promise<PetitionRecord[]> {
    const q: Record<string, unknown> = {};
    if (filter.province !== undefined) q.province = filter.province;
    if (filter.district !== undefined) q.district = filter.district;
    if (filter.key !== undefined) q.key = filter.key;
    if (filter.complaintId !== undefined) q.complaintId = filter.complaintId;
    if (filter.statuses !== undefined) q.status = { $in: filter.statuses };
    const docs = await this.m.petitions.find(q).sort({ deadline: 1, createdAt: 1, _id: 1 }).limit(limit).lean();
    return docs.map((d) => this.toPetition(d as never)!);
  }

  /**
   * Entries with their audit record, without a multi-document transaction (FerretDB has none):
   * the new entries are found and given their ids first, the audit record is made from them (an
   * audit that throws writes nothing) and written before the entries, so no entry is ever stored
   * without its record. A crash between the two leaves a record of entries not yet stored, which a
   * retry with the same idempotency keys then stores (with a record of its own).
   */
  async appendEntriesAudited(entries: NewEntry[], audit: (stored: Entry[]) => NewAuditEntry | null): Promise<EntryOutcome[]> {
    const held = await this.m.entries.find({ idempotencyKey: { $in: entries.map((e) => e.idempotencyKey) } }).lean<EntryDoc[]>();
    const known = new Map(held.map((d) => [d.idempotencyKey, toEntry(d)]));
    const outcomes: EntryOutcome[] = [];
    const fresh: { box: BoxInfo; doc: EntryDoc }[] = [];
    for (const entry of entries) {
      const prior = known.get(entry.idempotencyKey);
      if (prior) {
        outcomes.push({ kind: 'duplicate', entry: prior });
        continue;
      }
      const { box, ...rest } = entry;
      const doc = { ...rest, _id: new mongoose.Types.ObjectId() } as EntryDoc;
      const stored = toEntry(doc);
      known.set(entry.idempotencyKey, stored);
      fresh.push({ box, doc });
      outcomes.push({ kind: 'stored', entry: stored });
    }
    const record = audit(outcomes.filter((o) => o.kind === 'stored').map((o) => o.entry));
    if (record) await this.m.audit.insertMany([{ ...record, before: record.before ?? null, after: record.after ?? null }]);
    if (fresh.length) {
      await this.upsertBoxesChanged(fresh.map((f) => f.box));
      for (const { doc } of fresh) {
        try {
          await this.m.entries.insertMany([doc]);
        } catch (e) {
          if ((e as { code?: number }).code !== 11000) throw e; // another node stored the same key first: a duplicate
          const raced = await this.m.entries.findOne({ idempotencyKey: doc.idempotencyKey }).lean<EntryDoc>();
          const i = outcomes.findIndex((o) => o.entry.idempotencyKey === doc.idempotencyKey && o.kind === 'stored');
          if (raced && i >= 0) outcomes[i] = { kind: 'duplicate', entry: toEntry(raced) };
        }
      }
    }
    return outcomes;
  }

  // --- audited changes (issue 13, finding 15), without a multi-document transaction (FerretDB has
  // none), as appendEntriesAudited: the change is checked first, its record written, then the
  // change made idempotently; one that loses a race after its record is followed by a record saying so.

  private async writeRecord(record: NewAuditEntry): Promise<mongoose.Types.ObjectId> {
    const _id = new mongoose.Types.ObjectId();
    await this.m.audit.insertMany([{ _id, ...record, before: record.before ?? null, after: record.after ?? null }]);
    return _id;
  }

  /** The change of a written record was not made (or only in part): append-only, so a record that says so. */
  private async voidRecord(id: mongoose.Types.ObjectId, record: NewAuditEntry, reason: string, extra: Record<string, unknown> = {}): Promise<void> {
    await this.m.audit.insertMany([
      {
        at: new Date().toISOString(),
        actor: record.actor,
        action: Object.keys(extra).length ? 'audit.amend' : 'audit.void',
        target: record.target,
        before: null,
        after: { [Object.keys(extra).length ? 'amends' : 'voids']: id.toHexString(), action: record.action, reason, ...extra },
      },
    ]);
  }

  async createUserAudited(user: UserRecord, audit: AuditOf<UserRecord>): Promise<UserRecord | null> {
    if (await this.m.users.exists({ $or: [{ _id: user.id }, { username: user.username }] })) return null;
    const record = audit({ ...user });
    const id = record ? await this.writeRecord(record) : null;
    const created = await this.createUser(user);
    if (!created && id) await this.voidRecord(id, record!, 'the username was taken meanwhile');
    return created;
  }

  async updateUserAudited(
    id: string,
    patch: UserPatch,
    audit: AuditOf<Changed<UserRecord>>,
    opts: { revokeRefreshTokensAt?: string } = {},
  ): Promise<UserRecord | null> {
    const before = await this.userById(id);
    if (!before) return null;
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as UserPatch;
    const record = audit({ before, after: { ...before, ...set } });
    if (record) await this.writeRecord(record);
    const after = await this.updateUser(id, set);
    if (opts.revokeRefreshTokensAt) await this.revokeRefreshTokens(id, opts.revokeRefreshTokensAt);
    return after;
  }

  async putSettingAudited(key: string, value: unknown, audit: AuditOf<Changed<unknown>>): Promise<void> {
    const before = await this.setting(key);
    const record = audit({ before, after: value });
    if (record) await this.writeRecord(record);
    await this.putSetting(key, value);
  }

  async createComplaintAudited(complaint: ComplaintRecord, attachments: AttachmentRecord[], audit: AuditOf<ComplaintRecord>): Promise<ComplaintRecord> {
    const record = audit({ ...complaint });
    if (record) await this.writeRecord(record);
    const { id, ...rest } = complaint;
    await upsertRetrying(() => this.m.complaints.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    if (attachments.length) {
      await this.bulk(
        this.m.attachments,
        attachments.map(({ id: aid, ...a }) => ({ updateOne: { filter: { _id: aid }, update: { $setOnInsert: a }, upsert: true } })),
      );
    }
    return { ...complaint };
  }

  async updateComplaintAudited(
    id: string,
    expected: ComplaintRecord['status'],
    patch: ComplaintPatch,
    audit: AuditOf<Changed<ComplaintRecord>>,
  ): Promise<ComplaintRecord | null> {
    const before = await this.complaint(id);
    if (!before || before.status !== expected) return null;
    const after: ComplaintRecord = {
      ...before,
      status: patch.status ?? before.status,
      petitionId: patch.petitionId !== undefined ? patch.petitionId : before.petitionId,
      updatedAt: patch.updatedAt,
      history: patch.step ? [...before.history, patch.step] : before.history,
    };
    const record = audit({ before, after });
    const rid = record ? await this.writeRecord(record) : null;
    const done = await this.updateComplaint(id, expected, patch);
    if (!done && rid) await this.voidRecord(rid, record!, `the complaint was no longer ${expected}`);
    return done;
  }

  async createPetitionAudited(petition: PetitionRecord, audit: AuditOf<PetitionRecord>): Promise<PetitionRecord> {
    const record = audit({ ...petition });
    if (record) await this.writeRecord(record);
    const { id, ...rest } = petition;
    await upsertRetrying(() => this.m.petitions.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    return { ...petition };
  }

  async updatePetitionAudited(
    id: string,
    expected: PetitionRecord['status'],
    patch: PetitionPatch,
    audit: AuditOf<Changed<PetitionRecord>>,
    also: { setting?: { key: string; value: unknown } } = {},
  ): Promise<PetitionRecord | null> {
    const before = await this.petition(id);
    if (!before || before.status !== expected) return null;
    const after: PetitionRecord = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    const record = audit({ before, after });
    const rid = record ? await this.writeRecord(record) : null;
    const done = await this.updatePetition(id, expected, patch);
    if (!done) {
      if (rid) await this.voidRecord(rid, record!, `the petition was no longer ${expected}`);
      return null;
    }
    if (also.setting) await this.putSetting(also.setting.key, also.setting.value);
    return done;
  }

  async moveDraftDeadlinesAudited(
    setting: { key: string; value: unknown },
    drafts: { province: number; district: number; deadline: string; updatedAt: string },
    audit: AuditOf<{ before: unknown; moved: string[] }>,
  ): Promise<string[]> {
    const before = await this.setting(setting.key);
    const ids = (await this.petitions({ province: drafts.province, district: drafts.district, statuses: ['draft'] }, 100_000)).map((p) => p.id);
    const record = audit({ before, moved: ids });
    const rid = record ? await this.writeRecord(record) : null;
    await this.putSetting(setting.key, setting.value);
    const moved: string[] = [];
    for (const id of ids) if (await this.updatePetition(id, 'draft', { deadline: drafts.deadline, updatedAt: drafts.updatedAt })) moved.push(id);
    if (rid && moved.length < ids.length)
      await this.voidRecord(rid, record!, 'drafts filed meanwhile keep their deadline', { notMoved: ids.filter((i) => !moved.includes(i)) });
    return moved;
  }

  // --- alerts (issue 15): plain collections, no multi-document transactions (FerretDB has none):
  // one document per alert, unique on its dedupe key; compare-and-set by rev; idempotent upserts.
  private alertIndexes: Promise<void> | null = null;

  private async alertCols() {
    const db = this.conn.db!;
    const cols = {
      alerts: db.collection<AlertRecord & { _id: string }>('alerts'),
      reads: db.collection<{ _id: string; userId: string; alertId: string; at: string }>('alert_reads'),
      subs: db.collection<{ _id: string; userId: string; keys: PushSubscriptionRecord['keys']; createdAt: string }>('push_subscriptions'),
    };
    this.alertIndexes ??= (async () => {
      await cols.alerts.createIndex({ dedupe: 1 }, { unique: true });
      await cols.alerts.createIndex({ province: 1, district: 1, createdAt: -1 });
      await cols.alerts.createIndex({ status: 1, escalateAt: 1 });
      await cols.reads.createIndex({ userId: 1, alertId: 1 });
      await cols.subs.createIndex({ userId: 1 });
    })();
    await this.alertIndexes;
    return cols;
  }

  async createAlert(alert: AlertRecord): Promise<{ alert: AlertRecord; created: boolean }> {
    const { alerts } = await this.alertCols();
    try {
      const res = await alerts.updateOne({ dedupe: alert.dedupe }, { $setOnInsert: { ...alert, _id: alert.id } }, { upsert: true });
      if (res.upsertedCount === 1) return { alert: { ...alert }, created: true };
    } catch (e) {
      // two nodes upserting the same dedupe key at once: one wins, the other reads the winner
      if ((e as { code?: number }).code !== 11000) throw e;
    }
    const held = await alerts.findOne({ dedupe: alert.dedupe });
    return { alert: stripId(held!), created: false };
  }

  async alert(id: string): Promise<AlertRecord | null> {
    const { alerts } = await this.alertCols();
    const doc = await alerts.findOne({ _id: id });
    return doc ? stripId(doc) : null;
  }

  async updateAlert(id: string, rev: number, patch: Partial<Omit<AlertRecord, 'id' | 'dedupe' | 'rev'>>): Promise<AlertRecord | null> {
    const { alerts } = await this.alertCols();
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const doc = await alerts.findOneAndUpdate({ _id: id, rev }, { $set: { ...set, rev: rev + 1 } }, { returnDocument: 'after' });
    return doc ? stripId(doc) : null;
  }

  async alerts(filter: AlertFilter, limit = 200): Promise<AlertRecord[]> {
    const { alerts } = await this.alertCols();
    const q: Record<string, unknown> = {};
    if (filter.province !== undefined) q.province = filter.province;
    if (filter.district !== undefined) q.district = filter.district;
    if (filter.levels !== undefined) q.level = { $in: filter.levels };
    if (filter.status !== undefined) q.status = filter.status;
    if (filter.kind !== undefined) q.kind = filter.kind;
    if (filter.box !== undefined) q.box = filter.box;
    if (filter.digestId !== undefined) q.digestId = filter.digestId;
    if (filter.dueBefore !== undefined) Object.assign(q, { status: 'open', ack: null, escalateAt: { $ne: null, $lte: filter.dueBefore } });
    const docs = await alerts.find(q).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray();
    return docs.map(stripId);
  }

  async heldAlertDedupes(kind: AlertRecord['kind']): Promise<string[]> {
    const { alerts } = await this.alertCols();
    const docs = await alerts.find({ kind, status: { $ne: 'resolved' } }, { projection: { dedupe: 1 } }).toArray();
    return docs.map((d) => (d as unknown as { dedupe: string }).dedupe);
  }

  async markAlertsRead(userId: string, ids: string[], at: string): Promise<void> {
    if (!ids.length) return;
    const { reads } = await this.alertCols();
    await bulkWriteChunked(
      reads,
      ids.map((alertId) => ({ updateOne: { filter: { _id: `${userId}|${alertId}` }, update: { $setOnInsert: { userId, alertId, at } }, upsert: true } })),
      this.updateStatements,
    );
  }

  async readAlertIds(userId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const { reads } = await this.alertCols();
    const docs = await reads.find({ _id: { $in: ids.map((id) => `${userId}|${id}`) } }).toArray();
    return docs.map((d) => d.alertId);
  }

  async putPushSubscription(sub: PushSubscriptionRecord): Promise<void> {
    const { subs } = await this.alertCols();
    await subs.updateOne({ _id: sub.endpoint }, { $set: { userId: sub.userId, keys: sub.keys, createdAt: sub.createdAt } }, { upsert: true });
  }

  async pushSubscriptions(userIds: string[]): Promise<PushSubscriptionRecord[]> {
    if (!userIds.length) return [];
    const { subs } = await this.alertCols();
    const docs = await subs
      .find({ userId: { $in: userIds } })
      .sort({ createdAt: 1, _id: 1 })
      .toArray();
    return docs.map((d) => ({ endpoint: d._id, userId: d.userId, keys: d.keys, createdAt: d.createdAt }));
  }

  async deletePushSubscription(endpoint: string): Promise<boolean> {
    const { subs } = await this.alertCols();
    return (await subs.deleteOne({ _id: endpoint })).deletedCount > 0;
  }
  // --- more audited changes (issue 13, finding 15), as above: checked, recorded, then made idempotently

  async putAttachmentAudited(attachment: AttachmentRecord, audit: AuditOf<AttachmentRecord>): Promise<AttachmentRecord> {
    const record = audit({ ...attachment });
    if (record) await this.writeRecord(record);
    const { id, ...rest } = attachment;
    await upsertRetrying(() => this.m.attachments.updateOne({ _id: id }, { $setOnInsert: rest }, { upsert: true }));
    return { ...attachment };
  }

  async putPushSubscriptionAudited(sub: PushSubscriptionRecord, audit: AuditOf<Changed<PushSubscriptionRecord | null>>): Promise<void> {
    const { subs } = await this.alertCols();
    const held = await subs.findOne({ _id: sub.endpoint });
    const before = held ? { endpoint: held._id, userId: held.userId, keys: held.keys, createdAt: held.createdAt } : null;
    const record = audit({ before, after: { ...sub } });
    if (record) await this.writeRecord(record);
    await this.putPushSubscription(sub);
  }

  async deletePushSubscriptionAudited(endpoint: string, userId: string, audit: AuditOf<PushSubscriptionRecord>): Promise<boolean> {
    const { subs } = await this.alertCols();
    const held = await subs.findOne({ _id: endpoint, userId });
    if (!held) return false;
    const record = audit({ endpoint: held._id, userId: held.userId, keys: held.keys, createdAt: held.createdAt });
    const rid = record ? await this.writeRecord(record) : null;
    const gone = (await subs.deleteOne({ _id: endpoint, userId })).deletedCount > 0;
    if (!gone && rid) await this.voidRecord(rid, record!, 'the subscription was gone (or moved to another user) meanwhile');
    return gone;
  }

  /** A digest's members, each compare-and-set on its rev (one that moved on meanwhile is left as it is). */
  private async patchMembers(members: AlertMemberPatch[] = []): Promise<void> {
    for (const m of members) await this.updateAlert(m.id, m.rev, m.patch);
  }

  async createAlertAudited(
    alert: AlertRecord,
    audit: AuditOf<AlertRecord>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<{ alert: AlertRecord; created: boolean }> {
    const { alerts } = await this.alertCols();
    const held = await alerts.findOne({ dedupe: alert.dedupe });
    if (held) return { alert: stripId(held), created: false };
    const record = audit({ ...alert });
    const rid = record ? await this.writeRecord(record) : null;
    const made = await this.createAlert(alert);
    if (!made.created) {
      if (rid) await this.voidRecord(rid, record!, 'another node raised the same alert meanwhile');
      return made;
    }
    await this.patchMembers(also.members);
    return made;
  }

  async updateAlertAudited(
    id: string,
    rev: number,
    patch: AlertPatch,
    audit: AuditOf<Changed<AlertRecord>>,
    also: { members?: AlertMemberPatch[] } = {},
  ): Promise<AlertRecord | null> {
    const before = await this.alert(id);
    if (!before || before.rev !== rev) return null;
    const after: AlertRecord = {
      ...before,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      id: before.id,
      dedupe: before.dedupe,
      rev: rev + 1,
    };
    const record = audit({ before, after });
    const rid = record ? await this.writeRecord(record) : null;
    const done = await this.updateAlert(id, rev, patch);
    if (!done) {
      if (rid) await this.voidRecord(rid, record!, `the alert was no longer at rev ${rev}`);
      return null;
    }
    await this.patchMembers(also.members);
    return done;
  }

  async putVotersAudited(voters: VoterRecord[], audit: AuditOf<number>): Promise<number> {
    // upserts by hash: a retry after a crash between the record and the lines writes the same lines
    const record = audit(voters.length);
    if (record) await this.writeRecord(record);
    return this.putVoters(voters);
  }
}

const ALERT_NULLABLE = ['box', 'province', 'district', 'escalatedAt', 'resolvedAt', 'ack', 'digestCount', 'digestId', 'figures', 'escalateAt'] as const;

/** The stored alert without `_id`; a null field a server left out (FerretDB drops them from $setOnInsert) reads as null. */
function stripId<T extends { _id: unknown }>(doc: T): AlertRecord {
  const { _id, ...rest } = doc;
  void _id;
  const out = rest as unknown as Record<string, unknown>;
  for (const k of ALERT_NULLABLE) if (out[k] === undefined) out[k] = null;
  return out as unknown as AlertRecord;
}
