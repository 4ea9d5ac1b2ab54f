import mongoose from 'mongoose';
import type { ColumnMap, FeedRepository, Incident, NewIncident } from '../store.port';
import type { MongoContext } from './context';
import { toIncident, upsertRetrying } from './docs';
import type { IncidentDoc } from './schema';

/** The feed's column maps and incidents. */
export class MongoFeed implements FeedRepository {
  constructor(private readonly c: MongoContext) {}

  private get m() {
    return this.c.m;
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
}
