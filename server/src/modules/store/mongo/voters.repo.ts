import type { AuditOf, VoterRecord, VotersRepository } from '../store.port';
import type { MongoAudit } from './audit.repo';
import type { MongoContext } from './context';

/** The citizen look-up's voter lines. */
export class MongoVoters implements VotersRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly log: MongoAudit,
  ) {}

  private get m() {
    return this.c.m;
  }

  async putVoters(voters: VoterRecord[]): Promise<number> {
    if (!voters.length) return 0;
    const res = await this.c.bulk(
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

  async putVotersAudited(voters: VoterRecord[], audit: AuditOf<number>): Promise<number> {
    // upserts by hash: a retry after a crash between the record and the lines writes the same lines
    const record = audit(voters.length);
    if (record) await this.log.writeRecord(record);
    return this.putVoters(voters);
  }
}
