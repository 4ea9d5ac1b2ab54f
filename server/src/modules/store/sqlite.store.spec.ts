import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from './sqlite.store';
import { box, describeStoreContract, entry, sheet, version } from './store.contract';

const dir = mkdtempSync(join(tmpdir(), 'gozcu-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeStoreContract('sqlite', async () => {
  const store = new SqliteStore(join(dir, `store-${n++}.sqlite`));
  await store.init();
  return store;
});

// the same contract with appended boxes held in memory, folded into `boxes` only at close (the default folds every batch)
describeStoreContract('sqlite, holding boxes unfolded', async () => {
  const store = new SqliteStore(join(dir, `store-${n++}.sqlite`), { foldAt: 1_000_000 });
  await store.init();
  return store;
});

/** The boxes rows as the file holds them (what another connection sees). */
function fileRows(file: string): { key: string; latest_seq: number; latest_hash: string | null; ysk_box_id: number | null; kind: string | null }[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare(`SELECT key, latest_seq, latest_hash, ysk_box_id, kind FROM boxes ORDER BY key`).all() as ReturnType<typeof fileRows>;
  } finally {
    raw.close();
  }
}

describe('SqliteStore append path (boxes folded later)', () => {
  it('answers the rebuild’s read of boxes it has not folded yet as boxes does', async () => {
    const store = new SqliteStore(join(dir, 'rebuild-unfolded.sqlite'), { foldAt: 1000 });
    await store.init();
    const [x, y] = [box(2001), box(2002)];
    await store.appendVersions([version(x, sheet(10, 1), 'x1'), version(y, sheet(20, 2), 'y1')]);
    await store.appendVersions([version(x, sheet(11, 1), 'x2', '2024-03-31T19:00:00.000Z', 2)]);
    const rebuilt = await store.rebuildBoxes('e1');
    expect(rebuilt.map((r) => [r.key, r.latest?.seq, r.latest?.sheet])).toEqual([
      [x.key, 2, sheet(11, 1)],
      [y.key, 1, sheet(20, 2)],
    ]);
    await store.close();
    const reopened = new SqliteStore(join(dir, 'rebuild-unfolded.sqlite'));
    await reopened.init();
    expect(await reopened.rebuildBoxes('e1')).toEqual(rebuilt);
    await reopened.close();
  });

  it('answers boxes it has not folded yet, and folds what a killed process left at the next open', async () => {
    const file = join(dir, 'unfolded.sqlite');
    const store = new SqliteStore(file, { foldAt: 1000 });
    await store.init();
    const [x, y, z] = [box(2001), box(2002), box(2003)];
    await store.appendEntry(entry(z, sheet(1, 1), 'idem-z'));
    await store.appendVersions([version(x, sheet(10, 1), 'x1'), version(y, sheet(20, 2), 'y1'), version(z, sheet(30, 3), 'z1')]);
    await store.appendVersions([
      version(x, sheet(11, 1), 'x2', '2024-03-31T19:00:00.000Z', 2),
      version({ ...y, yskBoxId: 77, kind: 'prison' }, sheet(21, 2), 'y2'),
    ]);
    // nothing of this batch in the file's boxes yet, but every read answers it
    expect(fileRows(file)).toEqual([expect.objectContaining({ key: z.key, latest_seq: 0 })]);
    const seen = {
      x: await store.box(x.key),
      y: await store.box(y.key),
      z: await store.box(z.key),
      versions: (await store.versions(x.key)).map((v) => v.hash),
      latest: await store.latestVersion(y.key),
    };
    expect(seen.x).toMatchObject({ versions: 2, latest: { seq: 2, hash: 'x2' }, firstPublishedAt: '2024-03-31T18:00:00.000Z', first: { yskVersion: 1 } });
    expect(seen.y).toMatchObject({ box: { yskBoxId: 77, kind: 'prison' }, versions: 2, latest: { hash: 'y2' } });
    expect(seen.z).toMatchObject({ versions: 1, latest: { hash: 'z1' } });
    expect(seen.versions).toEqual(['x1', 'x2']);
    expect(seen.latest).toMatchObject({ seq: 2, hash: 'y2', sheet: sheet(21, 2) });
    expect(await store.appendVersions([version(x, sheet(10, 1), 'x1'), version(y, sheet(21, 2), 'y2')])).toEqual([
      { kind: 'stale', key: x.key, matchesSeq: 1 },
      { kind: 'unchanged', key: y.key },
    ]);

    // killed: the connection goes without a fold
    (store as unknown as { db: Database.Database }).db.close();
    expect(fileRows(file).map((r) => r.latest_seq)).toEqual([0]);

    const reopened = new SqliteStore(file);
    await reopened.init();
    expect(fileRows(file)).toEqual([
      { key: x.key, latest_seq: 2, latest_hash: 'x2', ysk_box_id: null, kind: null },
      { key: y.key, latest_seq: 2, latest_hash: 'y2', ysk_box_id: 77, kind: 'prison' },
      { key: z.key, latest_seq: 1, latest_hash: 'z1', ysk_box_id: null, kind: null },
    ]);
    expect(await reopened.box(x.key)).toEqual(seen.x);
    expect(await reopened.box(y.key)).toEqual(seen.y);
    expect(await reopened.box(z.key)).toEqual(seen.z);
    expect(await reopened.boxes({ election: 'e1' })).toEqual([seen.x, seen.y, seen.z]);
    expect((await reopened.entries(z.key)).map((e) => e.idempotencyKey)).toEqual(['idem-z']);
    await reopened.close();
  });

  it('by default keeps the file current after every batch: another connection on it sees each version', async () => {
    const file = join(dir, 'shared.sqlite');
    const [worker, api] = [new SqliteStore(file), new SqliteStore(file)];
    await worker.init();
    await api.init();
    await worker.appendVersions([version(box(1), sheet(1, 1), 'a'), version(box(2), sheet(1, 1), 'b')]);
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a', 'b']);
    await worker.appendVersions([version(box(1), sheet(2, 2), 'a2')]);
    expect(await api.box(box(1).key)).toMatchObject({ versions: 2, latest: { hash: 'a2', sheet: sheet(2, 2) } });
    expect((await api.boxes({})).map((b) => b.latest?.hash)).toEqual(['a2', 'b']);
    expect((await api.versions(box(1).key)).map((v) => v.hash)).toEqual(['a', 'a2']);
    await api.close();
    await worker.close();
  });

  it('folds once it holds foldAt boxes, when an entry is stored for one of them, and at close; lists scopes without folding', async () => {
    const file = join(dir, 'fold-at.sqlite');
    const store = new SqliteStore(file, { foldAt: 3 });
    await store.init();
    await store.appendVersions([version(box(1), sheet(1, 1), 'a'), version(box(2), sheet(1, 1), 'b')]);
    expect(fileRows(file)).toEqual([]);
    await store.appendVersions([version(box(3), sheet(1, 1), 'c')]);
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a', 'b', 'c']);

    await store.appendVersions([version(box(1), sheet(2, 2), 'a2')]);
    await store.appendEntry(entry(box(2), sheet(1, 1), 'idem-2'));
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a', 'b', 'c']);
    await store.appendEntry(entry(box(1), sheet(1, 1), 'idem-1'));
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a2', 'b', 'c']);

    // a revision and a new box whose key sorts between the file's: pages merge both, by key
    await store.appendVersions([version(box(2), sheet(2, 2), 'b2'), version(box(10), sheet(3, 3), 'n')]);
    const hashes = async (...args: Parameters<SqliteStore['boxes']>) => (await store.boxes(...args)).map((b) => b.latest?.hash);
    expect(await hashes({})).toEqual(['a2', 'n', 'b2', 'c']);
    expect(await hashes({}, { limit: 2 })).toEqual(['a2', 'n']);
    expect(await hashes({}, { after: box(1).key, limit: 2 })).toEqual(['n', 'b2']);
    expect(await hashes({ province: 69, district: 681 }, { after: box(10).key })).toEqual(['b2', 'c']);
    expect(await hashes({ province: 1 })).toEqual([]);
    expect(await hashes({ election: 'e2' })).toEqual([]);
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a2', 'b', 'c']);

    await store.close();
    expect(fileRows(file).map((r) => r.latest_hash)).toEqual(['a2', 'n', 'b2', 'c']);
  });
});

describe('SqliteStore sheets', () => {
  it('keeps figures as int32s with their vote names once, JSON for what does not fit, and forgets names a rolled-back batch stored', async () => {
    const file = join(dir, 'sheets.sqlite');
    const store = new SqliteStore(file, { foldAt: 1 });
    await store.init();
    const many = { ...sheet(1, 2), votes: { 'AK PARTİ': 1, CHP: 2, '10': 3, İYİ: 2_000_000_000, Z: 0 } };
    const fraction = { ...sheet(1, 2), valid: 2.5 };
    const extra = { ...sheet(1, 2), note: 'x' } as unknown as typeof many;
    // a batch that fails after storing new names (a null hash breaks NOT NULL): all of it rolled back
    const broken = { ...version(box(9), { ...sheet(1, 2), votes: { Q: 1 } }, 'q'), hash: null as unknown as string };
    // (the message, not toThrow: once another test file in the same jest worker has loaded
    // better-sqlite3, its SqliteError comes from that file's realm and is no Error of this one)
    const failure = await store.appendVersions([version(box(8), { ...sheet(1, 2), votes: { Q: 1 } }, 'q8'), broken]).then(
      () => null,
      (e: { message?: unknown }) => String(e?.message),
    );
    expect(failure).toMatch(/NOT NULL constraint failed: box_versions\.hash/);
    await store.appendVersions([
      version(box(1), many, 'm1'),
      version(box(2), many, 'm2'),
      version(box(3), fraction, 'f'),
      version(box(4), extra, 'e'),
      version(box(5), { ...sheet(0, 0), votes: { Q: 7 } }, 'q5'),
    ]);
    const read = async (n: number) => (await store.latestVersion(box(n).key))!.sheet;
    expect(await read(1)).toEqual(many);
    expect(Object.keys((await read(2)).votes)).toEqual(Object.keys(many.votes));
    expect(await read(3)).toEqual(fraction);
    expect(await read(4)).toEqual(extra);
    expect(await read(5)).toEqual({ ...sheet(0, 0), votes: { Q: 7 } });
    expect(await store.latestVersion(box(8).key)).toBeNull();
    await store.close();

    const raw = new Database(file, { readonly: true });
    const kinds = raw.prepare(`SELECT hash, typeof(sheet) AS t FROM box_versions ORDER BY id`).all();
    const names = raw.prepare(`SELECT names FROM vote_names ORDER BY id`).all();
    raw.close();
    expect(kinds).toEqual([
      { hash: 'm1', t: 'blob' },
      { hash: 'm2', t: 'blob' },
      { hash: 'f', t: 'text' },
      { hash: 'e', t: 'text' },
      { hash: 'q5', t: 'blob' },
    ]);
    expect(names).toEqual([{ names: JSON.stringify(Object.keys(many.votes)) }, { names: '["Q"]' }]);
    const again = new SqliteStore(file);
    await again.init();
    expect((await again.versions(box(1).key))[0].sheet).toEqual(many);
    expect((await again.box(box(5).key))?.latest?.sheet).toEqual({ ...sheet(0, 0), votes: { Q: 7 } });
    await again.close();
  });
});

describe('SqliteStore file', () => {
  it('keeps one file under the data directory, in WAL mode', async () => {
    const file = join(dir, 'nested', 'gozcu.sqlite');
    const store = new SqliteStore(file);
    await store.init();
    await store.upsertProvinces([{ plate: 69, name: 'Bayburt' }]);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(true);
    await store.close();
  });
});

/** The schema of `boxes` and `versions` as files written before issue 16 hold them. */
const OLD_SCHEMA = `
CREATE TABLE boxes (
  key TEXT PRIMARY KEY, election TEXT NOT NULL, ballot INTEGER NOT NULL, province INTEGER NOT NULL,
  district INTEGER NOT NULL, box_no INTEGER NOT NULL, ysk_box_id INTEGER, neighbourhood INTEGER,
  latest_seq INTEGER NOT NULL DEFAULT 0, latest_hash TEXT, first_published_at TEXT,
  kind TEXT, first_ysk_version INTEGER, first_change_reason INTEGER);
CREATE INDEX boxes_scope ON boxes (province, district, key);
CREATE TABLE versions (
  key TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, sheet TEXT NOT NULL,
  ysk_version INTEGER, ysk_changed_at TEXT, change_reason INTEGER, fetched_at TEXT NOT NULL,
  PRIMARY KEY (key, seq), UNIQUE (key, hash)) WITHOUT ROWID;`;

describe('SqliteStore migration', () => {
  it('moves the versions of a file written with the old schema, chains and latest intact, and appends on', async () => {
    const file = join(dir, 'old-schema.sqlite');
    const old = new Database(file);
    old.exec(OLD_SCHEMA);
    const [a, b, c] = [box(1001), box(1002), box(1003)];
    const row = old.prepare(
      `INSERT INTO boxes (key, election, ballot, province, district, box_no, latest_seq, latest_hash, first_published_at, first_ysk_version, first_change_reason) VALUES (?, 'e1', 2, 69, 681, ?, ?, ?, ?, ?, ?)`,
    );
    const put = old.prepare(`INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    row.run(a.key, 1001, 3, 'a3', '2024-03-31T18:00:00.000Z', 1, 0);
    // written out of order: the migration follows (key, seq), not the order rows were inserted
    put.run(a.key, 3, 'a3', JSON.stringify(sheet(30, 3)), 3, '2024-03-31T20:00:00.000Z', '2', '2024-03-31T20:00:00.000Z');
    put.run(a.key, 1, 'a1', JSON.stringify(sheet(10, 1)), 1, '2024-03-31T18:00:00.000Z', 0, '2024-03-31T18:00:00.000Z');
    put.run(a.key, 2, 'a2', JSON.stringify(sheet(20, 2)), 2, '2024-03-31T19:00:00.000Z', 2, '2024-03-31T19:00:00.000Z');
    row.run(b.key, 1002, 1, 'b1', '2024-03-31T18:05:00.000Z', 1, null);
    put.run(b.key, 1, 'b1', JSON.stringify(sheet(5, 5)), 1, null, null, '2024-03-31T18:05:00.000Z');
    row.run(c.key, 1003, 0, null, null, null, null);
    old.close();

    const store = new SqliteStore(file);
    await store.init();
    expect((await store.versions(a.key)).map((v) => [v.seq, v.hash, v.sheet.votes['AK PARTİ'], v.changeReason])).toEqual([
      [1, 'a1', 10, 0],
      [2, 'a2', 20, 2],
      [3, 'a3', 30, 2],
    ]);
    expect(await store.latestVersion(b.key)).toMatchObject({ seq: 1, hash: 'b1', sheet: sheet(5, 5), yskChangedAt: null });
    expect(await store.latestVersion(c.key)).toBeNull();
    expect((await store.boxes({ election: 'e1' })).map((x) => [x.box.key, x.versions, x.latest?.hash ?? null])).toEqual([
      [a.key, 3, 'a3'],
      [b.key, 1, 'b1'],
      [c.key, 0, null],
    ]);
    // the outcome rule reads the moved history: unchanged, stale against an older version, a revision after the latest
    expect(
      await store.appendVersions([
        version(a, sheet(30, 3), 'a3'),
        version(a, sheet(10, 1), 'a1'),
        version(b, sheet(6, 6), 'b2'),
        version(c, sheet(7, 7), 'c1'),
      ]),
    ).toEqual([
      { kind: 'unchanged', key: a.key },
      { kind: 'stale', key: a.key, matchesSeq: 1 },
      expect.objectContaining({
        kind: 'revised',
        version: expect.objectContaining({ seq: 2, hash: 'b2' }),
        previous: expect.objectContaining({ seq: 1, hash: 'b1' }),
      }),
      expect.objectContaining({ kind: 'first', version: expect.objectContaining({ seq: 1, hash: 'c1' }) }),
    ]);
    await store.close();

    // the old table is gone, and a reopen migrates nothing twice
    const raw = new Database(file);
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'versions'`).all()).toEqual([]);
    expect(raw.prepare(`SELECT COUNT(*) AS n FROM box_versions`).get()).toEqual({ n: 6 });
    raw.close();
    const again = new SqliteStore(file);
    await again.init();
    expect((await again.versions(a.key)).map((v) => v.seq)).toEqual([1, 2, 3]);
    expect((await again.versions(b.key)).map((v) => v.hash)).toEqual(['b1', 'b2']);
    await again.close();
  });
});

describe('SqliteStore change log (the reconciliation snapshot’s watermark)', () => {
  it('names the boxes with a version or an entry after a watermark, and refuses one it cannot catch up from', async () => {
    const store = new SqliteStore(join(dir, 'watermark.sqlite'));
    await store.init();
    const [x, y, z] = [box(3001), box(3002), box(3003)];
    await store.appendVersions([version(x, sheet(10, 1), 'x1'), version(y, sheet(20, 2), 'y1')]);
    const mark = await store.watermark();
    expect(mark).toEqual({ store: expect.any(Number), versions: expect.any(Number), entries: 0, boxes: 0 });
    expect(await store.changedSince('e1', mark, 10)).toEqual([]);

    await store.appendVersions([version(y, sheet(21, 2), 'y2'), version(z, sheet(30, 3), 'z1')]);
    await store.appendEntry(entry(x, sheet(10, 1), 'ex'));
    // another election's box changes nothing here
    await store.appendVersions([version(box(3001, { election: 'e2' }), sheet(1, 1), 'o1')]);
    expect((await store.changedSince('e1', mark, 10))!.sort()).toEqual([x.key, y.key, z.key].sort());
    expect(await store.changedSince('e1', mark, 2)).toBeNull();
    const later = await store.watermark();
    expect(later.versions).toBeGreaterThan(mark.versions);
    expect(later.entries).toBeGreaterThan(0);
    // a mark from the future (an older file than the snapshot) and another store's mark
    expect(await store.changedSince('e1', { ...later, versions: later.versions + 1 }, 10)).toBeNull();
    expect(await store.changedSince('e1', { ...later, store: later.store + 1 }, 10)).toBeNull();
    // registered boxes have no id of their own: a mark from before it cannot be caught up from
    await store.upsertBoxes([box(3004)]);
    expect(await store.changedSince('e1', later, 10)).toBeNull();
    const now = await store.watermark();
    expect(now.boxes).toBe(later.boxes + 1);
    // the same boxes registered again (a feed's discovery at every start): nothing changed, the mark holds
    await store.upsertBoxes([box(3004), box(3001)]);
    expect(await store.watermark()).toEqual(now);
    expect(await store.changedSince('e1', now, 10)).toEqual([]);
    await store.close();

    // the id stays with the file
    const again = new SqliteStore(join(dir, 'watermark.sqlite'));
    await again.init();
    expect(await again.watermark()).toEqual(now);
    await again.close();
  });
});
