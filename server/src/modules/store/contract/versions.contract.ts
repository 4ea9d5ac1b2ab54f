/* A slice of the store contract (store.contract.ts). VersionsRepository: every version of every box-result, and the rebuild’s reads. */
import type { Store } from '../store.port';
import { type StoreFactory, box, entry, sheet, version } from './fixtures.contract';

export function versionsContract(open: StoreFactory): void {
  describe('versions', () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('appends a first version, then a revision with its predecessor, idempotently', async () => {
      const b = box(1001);
      const [first] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(first).toMatchObject({ kind: 'first', version: { seq: 1, hash: 'h1', sheet: sheet(100, 50) } });

      const [again] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(again).toEqual({ kind: 'unchanged', key: b.key });

      const [revised] = await store.appendVersions([version(b, sheet(90, 60), 'h2', '2024-04-01T08:00:00.000Z', 2)]);
      expect(revised).toMatchObject({ kind: 'revised', version: { seq: 2, hash: 'h2', yskVersion: 2 }, previous: { seq: 1, hash: 'h1' } });

      const [regressed] = await store.appendVersions([version(b, sheet(100, 50), 'h1')]);
      expect(regressed).toEqual({ kind: 'stale', key: b.key, matchesSeq: 1 });

      expect((await store.versions(b.key)).map((v) => v.seq)).toEqual([1, 2]);
      expect(await store.latestVersion(b.key)).toMatchObject({ seq: 2, sheet: sheet(90, 60) });
      expect(await store.latestVersion(box(9999).key)).toBeNull();
    });

    it('tells a regression to any older version from a revision, along a longer history', async () => {
      const b = box(1001);
      const hashes = ['h1', 'h2', 'h3', 'h4'];
      const outcomes = await store.appendVersions(hashes.map((h, i) => version(b, sheet(100 + i, 50), h, `2024-04-01T0${i}:00:00.000Z`, i + 1)));
      expect(outcomes.map((o) => o.kind)).toEqual(['first', 'revised', 'revised', 'revised']);
      expect(outcomes[3]).toMatchObject({ version: { seq: 4, hash: 'h4' }, previous: { seq: 3, hash: 'h3', sheet: sheet(102, 50), yskVersion: 3 } });
      for (const [h, seq] of [
        ['h1', 1],
        ['h2', 2],
        ['h3', 3],
      ] as const) {
        expect(await store.appendVersions([version(b, sheet(0, 0), h)])).toEqual([{ kind: 'stale', key: b.key, matchesSeq: seq }]);
      }
      expect(await store.appendVersions([version(b, sheet(0, 0), 'h4')])).toEqual([{ kind: 'unchanged', key: b.key }]);
      const [fifth] = await store.appendVersions([version(b, sheet(1, 1), 'h5')]);
      expect(fifth).toMatchObject({ kind: 'revised', version: { seq: 5 }, previous: { seq: 4, hash: 'h4', sheet: sheet(103, 50) } });
      expect((await store.versions(b.key)).map((v) => [v.seq, v.hash])).toEqual([
        [1, 'h1'],
        [2, 'h2'],
        [3, 'h3'],
        [4, 'h4'],
        [5, 'h5'],
      ]);
      expect(await store.box(b.key)).toMatchObject({ versions: 5, latest: { seq: 5, hash: 'h5', sheet: sheet(1, 1) }, first: { yskVersion: 1 } });
    });

    it('bulk-appends many boxes in one call, outcomes in input order, duplicates inside a batch stored once', async () => {
      const items = Array.from({ length: 300 }, (_, i) => version(box(1001 + i), sheet(i, 10), `h${i}`));
      const outcomes = await store.appendVersions([...items, items[5]]);
      expect(outcomes).toHaveLength(301);
      expect(outcomes.slice(0, 300).every((o) => o.kind === 'first')).toBe(true);
      expect(outcomes[300]).toEqual({ kind: 'unchanged', key: items[5].key });
      const retried = await store.appendVersions(items);
      expect(retried.every((o) => o.kind === 'unchanged')).toBe(true);
      expect(await store.versions(items[7].key)).toHaveLength(1);
    });

    it('stores each version once when the same box is appended concurrently, seqs without gaps', async () => {
      const items = Array.from({ length: 40 }, (_, i) => version(box(2001 + i), sheet(i, 5), `c${i}`));
      const [a, b] = await Promise.all([store.appendVersions(items), store.appendVersions(items)]);
      for (let i = 0; i < items.length; i++) expect([a[i].kind, b[i].kind].sort()).toEqual(['first', 'unchanged']);
      const key = items[0].key;
      const [x, y] = await Promise.all([
        store.appendVersions([version(items[0].box, sheet(1, 1), 'c0-x', '2024-03-31T19:00:00.000Z', 2)]),
        store.appendVersions([version(items[0].box, sheet(2, 2), 'c0-y', '2024-03-31T19:00:01.000Z', 3)]),
      ]);
      expect([x[0].kind, y[0].kind]).toEqual(['revised', 'revised']);
      const stored = await store.versions(key);
      expect(stored.map((v) => v.seq)).toEqual([1, 2, 3]);
      expect(stored.map((v) => v.hash).sort()).toEqual(['c0', 'c0-x', 'c0-y']);
      const second = stored[1];
      const [later] = [x[0], y[0]].filter((o) => o.kind === 'revised' && o.version.seq === 3);
      expect(later).toMatchObject({ previous: { seq: 2, hash: second.hash } });
      expect(await store.box(key)).toMatchObject({ latest: { seq: 3 }, versions: 3, firstPublishedAt: '2024-03-31T18:00:00.000Z' });
    });

    it('lists the boxes of a scope with their latest state, paged by key', async () => {
      const a = box(1001);
      const b = box(1002);
      const other = box(1001, { district: 650, province: 1 });
      await store.upsertBoxes([a, b, other]);
      await store.appendVersions([version(a, sheet(1, 2), 'x1')]);
      await store.appendVersions([version(a, sheet(2, 2), 'x2')]);
      const inDistrict = await store.boxes({ province: 69, district: 681 });
      expect(inDistrict.map((r) => [r.box.key, r.latest?.seq ?? null, r.versions])).toEqual([
        [a.key, 2, 2],
        [b.key, null, 0],
      ]);
      expect(inDistrict[0].firstPublishedAt).toBe('2024-03-31T18:00:00.000Z');
      expect(inDistrict[0].box).toEqual({ ...a, kind: 'domestic' });
      const page1 = await store.boxes({}, { limit: 2 });
      const page2 = await store.boxes({}, { after: page1[1].box.key, limit: 2 });
      expect([...page1, ...page2].map((r) => r.box.key)).toEqual([other.key, a.key, b.key].sort());
      expect(await store.box(a.key)).toMatchObject({ box: a, latest: { seq: 2 } });
      expect(inDistrict[0].first).toEqual({ yskVersion: 1, changeReason: null });
      expect(inDistrict[1].first).toBeNull();
      expect(await store.box('nope')).toBeNull();
    });

    it('tells which boxes are on the register: published by YSK, or with a neighbourhood or YSK box id from discovery', async () => {
      const published = box(1001);
      const discovered = box(1002, { neighbourhood: 17 });
      const counted = box(1003, { yskBoxId: 4242 });
      const named = box(1004);
      const bare = box(1005);
      await store.upsertBoxes([discovered, counted, bare]);
      await store.appendVersions([version(published, sheet(1, 2), 'r1')]);
      await store.appendEntry(entry(named, sheet(1, 2), 'register-named'));
      const keys = [published, discovered, counted, named, bare, box(1006)].map((b) => b.key);
      expect([...(await store.onRegister(keys))].sort()).toEqual([published.key, discovered.key, counted.key].sort());
      expect(await store.onRegister([])).toEqual(new Set());
    });

    it('keeps the kind and rumuz of a box, YSK’s numeric change code, and what the first version said', async () => {
      const abroad = box(1, { province: 99, district: 100118, rumuz: 'B', kind: 'abroad' });
      const prison = box(1092, { kind: 'prison' });
      await store.upsertBoxes([prison]);
      // an observer's entry knows no kind: the stored one stays
      await store.appendEntry(entry({ ...prison, kind: undefined }, sheet(1, 1), 'idem-kind'));
      const revisedBeforeSeen = { ...version(abroad, sheet(3, 4), 'a1', '2023-05-14T20:00:00.000Z', 1804), changeReason: 2 };
      const [first] = await store.appendVersions([revisedBeforeSeen]);
      expect(first).toMatchObject({ kind: 'first', version: { changeReason: 2, yskVersion: 1804 } });
      await store.appendVersions([{ ...version(abroad, sheet(3, 5), 'a2', '2023-05-15T08:00:00.000Z', 1805), changeReason: 5 }]);
      expect((await store.versions(abroad.key)).map((v) => v.changeReason)).toEqual([2, 5]);
      const found = await store.box(abroad.key);
      expect(found).toMatchObject({
        box: { key: 'e1:2:99:100118:1:B', rumuz: 'B', kind: 'abroad', boxNo: 1 },
        first: { yskVersion: 1804, changeReason: 2 },
        versions: 2,
      });
      expect((await store.box(prison.key))?.box.kind).toBe('prison');
      expect((await store.boxes({ province: 99 })).map((r) => r.box.key)).toEqual([abroad.key]);
    });

    it('answers the rebuild’s reads of an election as boxes and entriesOf do, less what the rebuild does not use', async () => {
      const a = box(1001);
      const b = box(1002, { kind: 'prison' });
      const abroad = box(1, { province: 99, district: 100118, rumuz: 'B', kind: 'abroad' });
      const elsewhere = box(1001, { election: 'e2' });
      await store.upsertBoxes([a, b, abroad, elsewhere]);
      await store.appendVersions([
        { ...version(a, sheet(1, 2), 'r1', '2024-03-31T18:00:00.000Z', 1804), changeReason: 2 },
        version(abroad, sheet(5, 6), 'r2'),
        version(elsewhere, sheet(7, 7), 'r3'),
      ]);
      await store.appendVersions([version(a, sheet(2, 2), 'r4', '2024-03-31T18:30:00.000Z', 1805)]);
      await store.appendEntry(entry(a, sheet(2, 2), 'rb-1'));
      await store.appendEntry(entry(elsewhere, sheet(7, 7), 'rb-2'));
      await store.appendEntry({ ...entry(b, sheet(3, 3), 'rb-3', 'obs2'), source: 'confirmation' });
      const boxes = await store.boxes({ election: 'e1' });
      const rebuilt = await store.rebuildBoxes('e1');
      expect(rebuilt).toEqual(
        boxes.map((r) => ({
          key: r.box.key,
          kind: r.box.kind,
          latest: r.latest && { seq: r.latest.seq, sheet: r.latest.sheet, fetchedAt: r.latest.fetchedAt },
          firstPublishedAt: r.firstPublishedAt,
          first: r.first,
        })),
      );
      expect(rebuilt.map((r) => [r.key, r.kind, r.latest?.seq ?? null, r.first])).toEqual(
        [
          [a.key, 'domestic', 2, { yskVersion: 1804, changeReason: 2 }],
          [b.key, 'prison', null, null],
          [abroad.key, 'abroad', 1, { yskVersion: 1, changeReason: null }],
        ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
      );
      expect(rebuilt.find((r) => r.key === a.key)).toEqual({
        key: a.key,
        kind: 'domestic',
        latest: { seq: 2, sheet: sheet(2, 2), fetchedAt: '2024-03-31T18:30:00.000Z' },
        firstPublishedAt: '2024-03-31T18:00:00.000Z',
        first: { yskVersion: 1804, changeReason: 2 },
      });
      const page1 = await store.rebuildBoxes('e1', { limit: 2 });
      const page2 = await store.rebuildBoxes('e1', { after: page1[1].key, limit: 2 });
      expect([...page1, ...page2]).toEqual(rebuilt);
      expect(await store.rebuildBoxes('e3')).toEqual([]);

      const entries = await store.entriesOf({ election: 'e1' });
      const rebuiltEntries = await store.rebuildEntries('e1');
      expect(rebuiltEntries).toEqual(
        entries.map((e) => ({ id: e.id, key: e.key, observer: e.observer, source: e.source, sheet: e.sheet, createdAt: e.createdAt })),
      );
      expect(rebuiltEntries.map((e) => [e.key, e.source, e.sheet.votes.CHP])).toEqual([
        [a.key, 'observer', 2],
        [b.key, 'confirmation', 3],
      ]);
      const first = await store.rebuildEntries('e1', { limit: 1 });
      expect([...first, ...(await store.rebuildEntries('e1', { after: first[0].id }))]).toEqual(rebuiltEntries);
      expect(await store.rebuildEntries('e2')).toEqual([expect.objectContaining({ key: elsewhere.key })]);
    });
  });
}
