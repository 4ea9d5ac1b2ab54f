import type { Model } from 'mongoose';
import { decideAppend, versionAt, type SheetVersion } from '@gozcu/shared';
import { duplicateIndex } from '../mongo-bulk';
import type { AppendOutcome, BoxFilter, BoxWithLatest, NewVersion, RebuildBox, VersionsRepository } from '../store.port';
import { rebuildBoxOf } from '../store.port';
import type { MongoContext } from './context';
import { scopeQuery, toBox, toVersion } from './docs';
import type { MongoGeography } from './geography.repo';
import type { BoxDoc, VersionDoc } from './schema';

/** conflicting appends of the same box (other nodes) are recomputed at most this often */
const APPEND_ATTEMPTS = 8;

/** Every version of every box-result, the versions collection the truth and `boxes` its cache. */
export class MongoVersions implements VersionsRepository {
  constructor(
    private readonly c: MongoContext,
    private readonly geography: MongoGeography,
  ) {}

  private get m() {
    return this.c.m;
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
    await this.geography.upsertBoxesChanged(versions.map((v) => v.box));
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
        const version = versionAt(v, decision.seq);
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
      if (cache.length) await this.c.bulk(this.m.boxes, cache);
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

  async onRegister(keys: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 1000) {
      const docs = await this.m.boxes
        .find(
          { _id: { $in: keys.slice(i, i + 1000) }, $or: [{ latestSeq: { $gt: 0 } }, { neighbourhood: { $ne: null } }, { yskBoxId: { $ne: null } }] },
          { _id: 1 },
        )
        .lean<Array<{ _id: string }>>();
      for (const d of docs) out.add(d._id);
    }
    return out;
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

  async rebuildBoxes(election: string, page: { after?: string; limit?: number } = {}): Promise<RebuildBox[]> {
    return (await this.boxes({ election }, page)).map(rebuildBoxOf);
  }
}
