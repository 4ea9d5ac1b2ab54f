import mongoose from 'mongoose';
import type { BoxInfo, Entry } from '@gozcu/shared';
import type { BoxFilter, EntriesRepository, EntryOutcome, NewAuditEntry, NewEntry, RebuildEntry } from '../store.port';
import { rebuildEntryOf } from '../store.port';
import type { MongoContext } from './context';
import { scopeQuery, toEntry } from './docs';
import type { MongoGeography } from './geography.repo';
import type { EntryDoc } from './schema';

/** The observers' entries. */
export class MongoEntries implements EntriesRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly geography: MongoGeography,
  ) {}

  private get m() {
    return this.c.m;
  }

  async appendEntry(entry: NewEntry): Promise<EntryOutcome> {
    const existing = await this.m.entries.findOne({ idempotencyKey: entry.idempotencyKey }).lean<EntryDoc>();
    if (existing) return { kind: 'duplicate', entry: toEntry(existing) };
    const { box, ...rest } = entry;
    await this.geography.upsertBoxesChanged([box]);
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

  async rebuildEntries(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildEntry[]> {
    return (await this.entriesOf({ election }, page)).map(rebuildEntryOf);
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
      await this.geography.upsertBoxesChanged(fresh.map((f) => f.box));
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
}
