import type mongoose from 'mongoose';
import type { Escalation, EscalationsRepository } from '../store.port';
import type { MongoContext } from './context';
import { scopeQuery, upsertRetrying } from './docs';

/** Stale boxes escalated to the district. */
export class MongoEscalations implements EscalationsRepository {
  constructor(private readonly c: MongoContext) {}

  private get m() {
    return this.c.m;
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
}
