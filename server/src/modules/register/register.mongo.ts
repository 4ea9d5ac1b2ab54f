import mongoose, { type Connection, type mongo } from 'mongoose';
import type { RegisterStatus } from '@gozcu/shared';
import { bulkWriteChunked, UPDATE_STATEMENTS, updateStatementsFor } from '../store/mongo-bulk';
import type {
  LostVoterCaseRecord,
  RegisterAddressRow,
  RegisterAddressStat,
  RegisterAgeStat,
  RegisterAnomalyRecord,
  RegisterBoxRow,
  RegisterBoxStat,
  RegisterDuplicateStat,
  RegisterFilter,
  RegisterImportRecord,
  RegisterMergedVoter,
  RegisterStatusCount,
  RegisterStore,
  RegisterVoterFound,
  RegisterVoterRow,
} from './register.port';

type Document = mongo.Document;
type Collection<T extends Document> = mongo.Collection<T>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const filterOf = (f: RegisterFilter): Record<string, unknown> => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));

/**
 * The register in MongoDB (also FerretDB): no multi-document transactions. Every write is an
 * idempotent upsert by a natural key (the voter's hash, the box, the address key, the anomaly id)
 * or a conditional update; import ids come from one atomic counter.
 */
export class MongoRegisterStore implements RegisterStore {
  private conn!: Connection;
  /** update statements per bulk command (see UPDATE_STATEMENTS) */
  private updateStatements: number = UPDATE_STATEMENTS.ferretdb;
  private c!: Record<'counters' | 'imports' | 'voters' | 'boxes' | 'addresses' | 'anomalies' | 'cases', Collection<Doc>>;

  constructor(
    private readonly url: string,
    private readonly dbName?: string,
  ) {}

  async init(): Promise<void> {
    this.conn = await mongoose.createConnection(this.url, { dbName: this.dbName, serverSelectionTimeoutMS: 5000 }).asPromise();
    const db = this.conn.db!;
    const names = ['counters', 'imports', 'voters', 'boxes', 'addresses', 'anomalies', 'cases'] as const;
    this.c = Object.fromEntries(names.map((n) => [n, db.collection<Doc>(`register_${n}`)])) as typeof this.c;
    await Promise.all([
      this.c.voters.createIndex({ province: 1, district: 1, boxNo: 1, firstImport: 1 }),
      this.c.voters.createIndex({ province: 1, addressKey: 1 }),
      this.c.voters.createIndex({ province: 1, nameKey: 1, birthYear: 1 }),
      this.c.voters.createIndex({ province: 1, birthYear: 1 }),
      this.c.anomalies.createIndex({ province: 1, district: 1, kind: 1, status: 1 }),
      this.c.cases.createIndex({ trackingCode: 1 }, { unique: true }),
      this.c.cases.createIndex({ province: 1, district: 1, status: 1 }),
    ]);
    this.updateStatements = await updateStatementsFor(db);
  }

  async close(): Promise<void> {
    await this.conn?.close();
  }

  async beginImport(startedAt: string, by: string | null): Promise<number> {
    const counter = await this.c.counters.findOneAndUpdate({ _id: 'imports' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    const id = Number(counter?.seq);
    await this.c.imports.updateOne(
      { _id: id },
      { $setOnInsert: { startedAt, by, finishedAt: null, rows: 0, stored: 0, rejected: 0, provinces: [] } },
      { upsert: true },
    );
    return id;
  }

  async finishImport(id: number, p: Pick<RegisterImportRecord, 'finishedAt' | 'rows' | 'stored' | 'rejected' | 'provinces'>): Promise<void> {
    await this.c.imports.updateOne({ _id: id }, { $set: p });
  }

  async imports(limit = 100): Promise<RegisterImportRecord[]> {
    const docs = await this.c.imports.find({}).sort({ _id: -1 }).limit(limit).toArray();
    return docs.map((d) => ({
      id: d._id,
      startedAt: d.startedAt,
      finishedAt: d.finishedAt ?? null,
      by: d.by ?? null,
      rows: d.rows,
      stored: d.stored,
      rejected: d.rejected,
      provinces: d.provinces ?? [],
    }));
  }

  async putVoters(rows: RegisterVoterRow[], importId: number): Promise<number> {
    if (!rows.length) return 0;
    const res = await bulkWriteChunked(
      this.c.voters,
      rows.map(({ hash, ...rest }) => ({
        updateOne: { filter: { _id: hash }, update: { $set: { ...rest, lastImport: importId }, $setOnInsert: { firstImport: importId } }, upsert: true },
      })),
      this.updateStatements,
    );
    return res.upserted + res.matched;
  }

  private readonly staged = new Set<number>();

  /** Written at once (upserts by natural key are the bulk path here); the merge only reads back. */
  async stageVoters(rows: RegisterVoterRow[], addresses: RegisterAddressRow[], importId: number): Promise<void> {
    this.staged.add(importId);
    await this.putVoters(rows, importId);
    await this.putAddresses(addresses);
  }

  async *mergeStaged(importId: number): AsyncGenerator<RegisterMergedVoter[]> {
    if (!this.staged.delete(importId)) return;
    const cursor = this.c.voters
      .find({ lastImport: importId }, { projection: { province: 1, district: 1, boxNo: 1 } })
      .sort({ _id: 1 })
      .batchSize(5000);
    let page: RegisterMergedVoter[] = [];
    try {
      for await (const v of cursor) {
        page.push({ hash: v._id, province: v.province, district: v.district, boxNo: v.boxNo });
        if (page.length >= 5000) {
          yield page;
          page = [];
        }
      }
      if (page.length) yield page;
    } finally {
      await cursor.close();
    }
  }

  async putBoxes(rows: RegisterBoxRow[]): Promise<void> {
    if (!rows.length) return;
    await bulkWriteChunked(
      this.c.boxes,
      rows.map((b) => ({
        updateOne: {
          filter: { _id: `${b.province}:${b.district}:${b.boxNo}` },
          update: {
            $set: {
              province: b.province,
              district: b.district,
              boxNo: b.boxNo,
              ...(b.neighbourhood !== null ? { neighbourhood: b.neighbourhood } : {}),
              ...(b.school !== null ? { school: b.school } : {}),
            },
          },
          upsert: true,
        },
      })),
      this.updateStatements,
    );
  }

  async putAddresses(rows: RegisterAddressRow[]): Promise<void> {
    if (!rows.length) return;
    await bulkWriteChunked(
      this.c.addresses,
      rows.map((a) => ({
        updateOne: { filter: { _id: a.addressKey }, update: { $setOnInsert: { province: a.province, district: a.district, text: a.text } }, upsert: true },
      })),
      this.updateStatements,
    );
  }

  async voterByHash(hash: string): Promise<RegisterVoterFound | null> {
    const v = await this.c.voters.findOne({ _id: hash });
    if (!v) return null;
    const b = await this.c.boxes.findOne({ _id: `${v.province}:${v.district}:${v.boxNo}` });
    return { province: v.province, district: v.district, boxNo: v.boxNo, neighbourhood: b?.neighbourhood ?? null, school: b?.school ?? null };
  }

  async voterCount(province?: number): Promise<number> {
    return province === undefined ? this.c.voters.countDocuments({}) : this.c.voters.countDocuments({ province });
  }

  async address(addressKey: string): Promise<RegisterAddressRow | null> {
    const a = await this.c.addresses.findOne({ _id: addressKey });
    return a ? { addressKey, province: a.province, district: a.district, text: a.text } : null;
  }

  private aggregate(pipeline: Document[]): Promise<Doc[]> {
    return this.c.voters.aggregate<Doc>(pipeline, { allowDiskUse: true }).toArray();
  }

  // The aggregations use only $match, $group with $sum and $sort (what FerretDB also has);
  // the few rows a finding concerns are then read with find().

  async boxStats(province: number, importId: number): Promise<RegisterBoxStat[]> {
    const group = { $group: { _id: { d: '$district', b: '$boxNo' }, n: { $sum: 1 } } };
    const [all, fresh] = await Promise.all([
      this.aggregate([{ $match: { province } }, group]),
      this.aggregate([{ $match: { province, firstImport: importId } }, group]),
    ]);
    const freshOf = new Map(fresh.map((f) => [`${f._id.d}:${f._id.b}`, f.n as number]));
    return all
      .map((d) => ({ district: d._id.d as number, boxNo: d._id.b as number, voters: d.n as number, fresh: freshOf.get(`${d._id.d}:${d._id.b}`) ?? 0 }))
      .sort((a, b) => a.district - b.district || a.boxNo - b.boxNo);
  }

  async crowdedAddresses(province: number, moreThan: number): Promise<RegisterAddressStat[]> {
    const keys = await this.aggregate([{ $match: { province } }, { $group: { _id: '$addressKey', n: { $sum: 1 } } }, { $match: { n: { $gt: moreThan } } }]);
    const out: RegisterAddressStat[] = [];
    for (const k of keys) {
      const docs = await this.c.voters.find({ province, addressKey: k._id }, { projection: { district: 1, boxNo: 1 } }).toArray();
      out.push({
        district: Math.min(...docs.map((d) => d.district)),
        addressKey: k._id,
        voters: docs.length,
        boxes: [...new Set(docs.map((d) => d.boxNo as number))].sort((a, b) => a - b),
      });
    }
    return out.sort((a, b) => a.district - b.district || b.voters - a.voters);
  }

  async implausibleAges(province: number, minYear: number, maxYear: number): Promise<RegisterAgeStat[]> {
    const byBox = new Map<string, RegisterAgeStat>();
    for await (const d of this.c.voters.find(
      { province, $or: [{ birthYear: { $lt: minYear } }, { birthYear: { $gt: maxYear } }] },
      { projection: { district: 1, boxNo: 1, birthYear: 1 } },
    )) {
      const id = `${d.district}:${d.boxNo}`;
      const g = byBox.get(id) ?? byBox.set(id, { district: d.district, boxNo: d.boxNo, birthYears: [] }).get(id)!;
      g.birthYears.push(d.birthYear);
    }
    return [...byBox.values()]
      .map((g) => ({ ...g, birthYears: g.birthYears.sort((a, b) => a - b) }))
      .sort((a, b) => a.district - b.district || a.boxNo - b.boxNo);
  }

  async birthYearCounts(province: number): Promise<{ birthYear: number; n: number }[]> {
    const groups = await this.aggregate([{ $match: { province } }, { $group: { _id: '$birthYear', n: { $sum: 1 } } }]);
    return groups.map((g) => ({ birthYear: g._id as number, n: g.n as number })).sort((a, b) => a.birthYear - b.birthYear);
  }

  async duplicates(province: number, maxHolders = Number.MAX_SAFE_INTEGER): Promise<RegisterDuplicateStat[]> {
    const names = new Set(
      (await this.aggregate([{ $match: { province } }, { $group: { _id: '$nameKey', n: { $sum: 1 } } }, { $match: { n: { $gt: 1, $lte: maxHolders } } }])).map(
        (g) => g._id as string,
      ),
    );
    const pairs = (
      await this.aggregate([{ $match: { province } }, { $group: { _id: { n: '$nameKey', y: '$birthYear' }, n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }])
    ).filter((p) => names.has(p._id.n));
    const out: RegisterDuplicateStat[] = [];
    for (let i = 0; i < pairs.length; i += 500) {
      const batch = pairs.slice(i, i + 500);
      const wanted = new Set(batch.map((p) => `${p._id.n}|${p._id.y}`));
      const found = new Map<string, RegisterDuplicateStat>();
      const holders = new Map<string, number>();
      for await (const d of this.c.voters.find(
        { province, nameKey: { $in: batch.map((p) => p._id.n) } },
        { projection: { nameKey: 1, birthYear: 1, district: 1, boxNo: 1 } },
      )) {
        holders.set(d.nameKey, (holders.get(d.nameKey) ?? 0) + 1);
        const id = `${d.nameKey}|${d.birthYear}`;
        if (!wanted.has(id)) continue;
        const g = found.get(id) ?? found.set(id, { nameKey: d.nameKey, birthYear: d.birthYear, holders: 0, registrations: [] }).get(id)!;
        g.registrations.push({ district: d.district, boxNo: d.boxNo });
      }
      for (const g of found.values())
        out.push({ ...g, holders: holders.get(g.nameKey) ?? 0, registrations: g.registrations.sort((a, b) => a.district - b.district || a.boxNo - b.boxNo) });
    }
    return out;
  }

  private upsertOp(a: RegisterAnomalyRecord) {
    const { id, evidence, updatedAt, status, petitionId, detectedAt, ...fixed } = a;
    return {
      filter: { _id: id },
      update: { $set: { evidence, updatedAt }, $setOnInsert: { ...fixed, box: a.box ?? null, status, petitionId, detectedAt } },
      upsert: true,
    };
  }

  async upsertAnomaly(a: RegisterAnomalyRecord): Promise<void> {
    const op = this.upsertOp(a);
    await this.c.anomalies.updateOne(op.filter, op.update, { upsert: true });
  }

  async upsertAnomalies(list: RegisterAnomalyRecord[]): Promise<void> {
    await bulkWriteChunked(
      this.c.anomalies,
      list.map((a) => ({ updateOne: this.upsertOp(a) })),
      this.updateStatements,
    );
  }

  private toAnomaly(d: Doc | null): RegisterAnomalyRecord | null {
    if (!d) return null;
    const { _id, box, ...rest } = d;
    return {
      id: _id,
      kind: rest.kind,
      province: rest.province,
      district: rest.district,
      ...(box !== null && box !== undefined ? { box } : {}),
      evidence: rest.evidence,
      status: rest.status,
      detectedAt: rest.detectedAt,
      updatedAt: rest.updatedAt,
      petitionId: rest.petitionId ?? null,
    };
  }

  async anomaly(id: string): Promise<RegisterAnomalyRecord | null> {
    return this.toAnomaly(await this.c.anomalies.findOne({ _id: id }));
  }

  async anomalies(filter: RegisterFilter, limit = 1000): Promise<RegisterAnomalyRecord[]> {
    const docs = await this.c.anomalies.find(filterOf(filter)).sort({ province: 1, district: 1, kind: 1, box: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => this.toAnomaly(d)!);
  }

  async setAnomalyStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<RegisterAnomalyRecord | null> {
    const d = await this.c.anomalies.findOneAndUpdate(
      { _id: id, status: expected },
      { $set: { status, updatedAt: at, ...(petitionId ? { petitionId } : {}) } },
      { returnDocument: 'after' },
    );
    return this.toAnomaly(d);
  }

  async createCase(c: LostVoterCaseRecord): Promise<void> {
    const { id, ...rest } = c;
    await this.c.cases.insertOne({ _id: id, ...rest });
  }

  private toCase(d: Doc | null): LostVoterCaseRecord | null {
    if (!d) return null;
    const { _id, ...rest } = d;
    return { id: _id, ...(rest as Omit<LostVoterCaseRecord, 'id'>) };
  }

  async case(id: string): Promise<LostVoterCaseRecord | null> {
    return this.toCase(await this.c.cases.findOne({ _id: id }));
  }

  async cases(filter: Omit<RegisterFilter, 'kind'>, limit = 1000): Promise<LostVoterCaseRecord[]> {
    const docs = await this.c.cases.find(filterOf(filter)).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map((d) => this.toCase(d)!);
  }

  async setCaseStatus(id: string, expected: RegisterStatus, status: RegisterStatus, at: string, petitionId?: string): Promise<LostVoterCaseRecord | null> {
    const d = await this.c.cases.findOneAndUpdate(
      { _id: id, status: expected },
      { $set: { status, updatedAt: at, ...(petitionId ? { petitionId } : {}) } },
      { returnDocument: 'after' },
    );
    return this.toCase(d);
  }

  async anomalyCounts(province?: number): Promise<RegisterStatusCount[]> {
    return this.counts(this.c.anomalies, province);
  }

  async caseCounts(province?: number): Promise<RegisterStatusCount[]> {
    return this.counts(this.c.cases, province);
  }

  private async counts(c: Collection<Doc>, province?: number): Promise<RegisterStatusCount[]> {
    const docs = await c
      .aggregate<Doc>([
        { $match: province === undefined ? {} : { province } },
        { $group: { _id: { p: '$province', d: '$district', s: '$status' }, n: { $sum: 1 } } },
        { $sort: { '_id.p': 1, '_id.d': 1, '_id.s': 1 } },
      ])
      .toArray();
    return docs.map((d) => ({ province: d._id.p, district: d._id.d, status: d._id.s, n: d.n }));
  }
}
