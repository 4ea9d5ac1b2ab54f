/* One contract every RegisterStore adapter must pass; run by register.sqlite.spec.ts and register.mongo.spec.ts. */
import type { LostVoterCaseRecord, RegisterAnomalyRecord, RegisterStore, RegisterVoterRow } from './register.port';

const h = (n: number, len = 64) => n.toString(16).padStart(len, '0');
export const voterRow = (n: number, over: Partial<RegisterVoterRow> = {}): RegisterVoterRow => ({
  hash: h(n),
  province: 69,
  district: 681,
  boxNo: 1001,
  nameKey: h(1000 + n, 32),
  birthYear: 1980,
  addressKey: h(5000 + n, 32),
  ...over,
});

const anomaly = (id: string, over: Partial<RegisterAnomalyRecord> = {}): RegisterAnomalyRecord => ({
  id,
  kind: 'box_oversized',
  province: 69,
  district: 681,
  box: 1001,
  evidence: {
    rule: 'r',
    threshold: { name: 'REGISTER_BOX_SIZE_FACTOR', value: 1.5 },
    observed: 520,
    boxes: [{ district: 681, box: 1001 }],
    details: { medianBox: 260 },
  },
  status: 'open',
  detectedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  petitionId: null,
  ...over,
});

/**
 * An adapter's own durability check: voters and the import report written by one store are read
 * back by a second opened on the same file or database (`open` opens a fresh store on it).
 */
export async function expectKeptAcrossReopen(open: () => Promise<RegisterStore>): Promise<void> {
  const first = await open();
  const id = await first.beginImport('2026-01-01T00:00:00.000Z', 'admin');
  expect(await first.putVoters([voterRow(1), voterRow(2, { boxNo: 1002 })], id)).toBe(2);
  await first.close();
  const again = await open();
  try {
    expect(await again.voterCount()).toBe(2);
    expect(await again.voterByHash(voterRow(2).hash)).toMatchObject({ province: 69, district: 681, boxNo: 1002 });
    expect((await again.imports()).map((i) => i.id)).toEqual([id]);
  } finally {
    await again.close();
  }
}

export function describeRegisterStoreContract(name: string, open: () => Promise<RegisterStore>): void {
  describe(`RegisterStore contract: ${name}`, () => {
    let store: RegisterStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('numbers imports in order and keeps their report', async () => {
      const a = await store.beginImport('2026-01-01T00:00:00.000Z', 'admin');
      const b = await store.beginImport('2026-01-02T00:00:00.000Z', null);
      expect(b).toBeGreaterThan(a);
      await store.finishImport(a, { finishedAt: '2026-01-01T00:01:00.000Z', rows: 3, stored: 2, rejected: 1, provinces: [6, 69] });
      const held = await store.imports();
      expect(held.map((i) => i.id)).toEqual([b, a]);
      expect(held[1]).toEqual({
        id: a,
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:01:00.000Z',
        by: 'admin',
        rows: 3,
        stored: 2,
        rejected: 1,
        provinces: [6, 69],
      });
    });

    it('upserts voters by hash, keeping the import they were first seen in, and answers a look-up with the box', async () => {
      expect(await store.putVoters([voterRow(1), voterRow(2), voterRow(3, { boxNo: 1002 })], 1)).toBe(3);
      await store.putBoxes([{ province: 69, district: 681, boxNo: 1001, neighbourhood: 'KARŞIYAKA', school: 'Karşıyaka İlkokulu' }]);
      // import 2: voter 1 moves to box 1002, voter 4 is new
      expect(await store.putVoters([voterRow(1, { boxNo: 1002 }), voterRow(4, { boxNo: 1002 })], 2)).toBe(2);
      expect(await store.voterByHash(h(1))).toEqual({ province: 69, district: 681, boxNo: 1002, neighbourhood: null, school: null });
      expect(await store.voterByHash(h(2))).toEqual({ province: 69, district: 681, boxNo: 1001, neighbourhood: 'KARŞIYAKA', school: 'Karşıyaka İlkokulu' });
      expect(await store.voterByHash(h(99))).toBeNull();
      expect(await store.voterCount()).toBe(4);
      expect(await store.voterCount(6)).toBe(0);
      expect(await store.boxStats(69, 2)).toEqual([
        { district: 681, boxNo: 1001, voters: 1, fresh: 0 },
        { district: 681, boxNo: 1002, voters: 3, fresh: 1 },
      ]);
      expect(await store.putVoters([], 3)).toBe(0);
    });

    it('stages a bulk load and merges it as putVoters would: the last repeat of a hash wins, the first text of an address stays, the voters handed back in hash order', async () => {
      expect(await store.putVoters([voterRow(1), voterRow(2)], 1)).toBe(2);
      const a = h(7001, 32);
      await store.stageVoters(
        [voterRow(3), voterRow(1, { boxNo: 1002 }), voterRow(4, { addressKey: a })],
        [{ addressKey: a, province: 69, district: 681, text: 'Gül Sokak No: 1' }],
        2,
      );
      await store.stageVoters([voterRow(4, { boxNo: 1003, addressKey: a })], [{ addressKey: a, province: 69, district: 681, text: 'later text' }], 2);
      const pages: { hash: string; province: number; district: number; boxNo: number }[][] = [];
      for await (const page of store.mergeStaged(2)) pages.push(page);
      const merged = pages.flat();
      // each voter of import 2 once at least, in hash order (a repeat may be handed back twice, the last one last)
      expect([...new Set(merged.map((v) => v.hash))]).toEqual([h(1), h(3), h(4)]);
      expect(merged.filter((v) => v.hash === h(4)).at(-1)).toEqual({ hash: h(4), province: 69, district: 681, boxNo: 1003 });
      expect(await store.voterCount()).toBe(4);
      expect(await store.voterByHash(h(1))).toMatchObject({ boxNo: 1002 });
      expect(await store.voterByHash(h(4))).toMatchObject({ boxNo: 1003 });
      expect(await store.address(a)).toEqual({ addressKey: a, province: 69, district: 681, text: 'Gül Sokak No: 1' });
      // voter 1 was first seen in import 1, 3 and 4 in import 2
      expect(await store.boxStats(69, 2)).toEqual([
        { district: 681, boxNo: 1001, voters: 2, fresh: 1 },
        { district: 681, boxNo: 1002, voters: 1, fresh: 0 },
        { district: 681, boxNo: 1003, voters: 1, fresh: 1 },
      ]);
      // nothing staged: nothing to merge
      for await (const page of store.mergeStaged(3)) throw new Error(`unexpected page of ${page.length}`);
    });

    it('aggregates crowded addresses, implausible ages and duplicates per province', async () => {
      const shared = h(7777, 32);
      await store.putVoters(
        [
          voterRow(1, { addressKey: shared }),
          voterRow(2, { addressKey: shared, boxNo: 1002 }),
          voterRow(3, { addressKey: shared }),
          voterRow(4, { birthYear: 1890 }),
          voterRow(5, { birthYear: 2015, boxNo: 1002 }),
          voterRow(6, { nameKey: h(42, 32), birthYear: 1970 }),
          voterRow(7, { nameKey: h(42, 32), birthYear: 1970, district: 682, boxNo: 2001 }),
          voterRow(8, { nameKey: h(42, 32), birthYear: 1971 }),
          voterRow(9, { province: 6, district: 1, addressKey: shared, nameKey: h(42, 32), birthYear: 1970 }),
        ],
        1,
      );
      await store.putAddresses([
        { addressKey: shared, province: 69, district: 681, text: 'Gül Sokak No: 1' },
        { addressKey: shared, province: 69, district: 681, text: 'another text' },
      ]);
      expect(await store.address(shared)).toEqual({ addressKey: shared, province: 69, district: 681, text: 'Gül Sokak No: 1' });
      expect(await store.crowdedAddresses(69, 2)).toEqual([{ district: 681, addressKey: shared, voters: 3, boxes: [1001, 1002] }]);
      expect(await store.crowdedAddresses(69, 3)).toEqual([]);
      expect(await store.implausibleAges(69, 1916, 2008)).toEqual([
        { district: 681, boxNo: 1001, birthYears: [1890] },
        { district: 681, boxNo: 1002, birthYears: [2015] },
      ]);
      // holders: every voter of the province with the name, whatever the year (6, 7 and 8)
      expect(await store.duplicates(69)).toEqual([
        {
          nameKey: h(42, 32),
          birthYear: 1970,
          holders: 3,
          registrations: [
            { district: 681, boxNo: 1001 },
            { district: 682, boxNo: 2001 },
          ],
        },
      ]);
      expect(await store.duplicates(6)).toEqual([]);
      // a name held by more voters than maxHolders is skipped
      expect(await store.duplicates(69, 3)).toHaveLength(1);
      expect(await store.duplicates(69, 2)).toEqual([]);
      expect(await store.birthYearCounts(69)).toEqual([
        { birthYear: 1890, n: 1 },
        { birthYear: 1970, n: 2 },
        { birthYear: 1971, n: 1 },
        { birthYear: 1980, n: 3 },
        { birthYear: 2015, n: 1 },
      ]);
      expect(await store.birthYearCounts(7)).toEqual([]);
    });

    it('keeps an anomaly’s status across re-detection and changes it only from the expected status', async () => {
      await store.upsertAnomaly(anomaly('a1'));
      await store.upsertAnomaly(anomaly('a2', { kind: 'influx', district: 682, box: undefined }));
      expect(await store.setAnomalyStatus('a1', 'open', 'checked', '2026-01-02T00:00:00.000Z')).toMatchObject({ id: 'a1', status: 'checked' });
      expect(await store.setAnomalyStatus('a1', 'open', 'objected', '2026-01-02T00:00:00.000Z')).toBeNull();
      await store.upsertAnomaly(anomaly('a1', { evidence: { ...anomaly('a1').evidence, observed: 530 }, updatedAt: '2026-01-03T00:00:00.000Z' }));
      expect(await store.anomaly('a1')).toMatchObject({ status: 'checked', evidence: { observed: 530 }, updatedAt: '2026-01-03T00:00:00.000Z' });
      expect((await store.anomaly('a2'))!.box).toBeUndefined();
      expect((await store.anomalies({ district: 682 })).map((a) => a.id)).toEqual(['a2']);
      expect((await store.anomalies({ status: 'checked' })).map((a) => a.id)).toEqual(['a1']);
      expect((await store.anomalies({ kind: 'influx', province: 69 })).map((a) => a.id)).toEqual(['a2']);
      expect(await store.setAnomalyStatus('a2', 'open', 'objected', '2026-01-04T00:00:00.000Z', 'p1')).toMatchObject({ status: 'objected', petitionId: 'p1' });
      expect(await store.anomalyCounts(69)).toEqual([
        { province: 69, district: 681, status: 'checked', n: 1 },
        { province: 69, district: 682, status: 'objected', n: 1 },
      ]);
      expect(await store.anomaly('nope')).toBeNull();
      // many at once: new ones inserted, a known one refreshed, its status kept
      await store.upsertAnomalies([
        anomaly('a1', { evidence: { ...anomaly('a1').evidence, observed: 540 } }),
        anomaly('a3', { district: 683 }),
        anomaly('a4', { district: 683, kind: 'implausible_age' }),
      ]);
      expect(await store.anomaly('a1')).toMatchObject({ status: 'checked', evidence: { observed: 540 } });
      expect((await store.anomalies({ district: 683 })).map((a) => [a.id, a.status])).toEqual([
        ['a3', 'open'],
        ['a4', 'open'],
      ]);
      await store.upsertAnomalies([]);
    });

    it('keeps lost-voter cases with a unique tracking code', async () => {
      const c: LostVoterCaseRecord = {
        id: 'c1',
        trackingCode: 'SK-AAAAA-BBBBB',
        kind: 'missing',
        hash: h(1),
        province: 69,
        district: 681,
        neighbourhood: 'KARŞIYAKA',
        registeredDistrict: null,
        registeredBox: null,
        note: null,
        contact: null,
        status: 'open',
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
        petitionId: null,
      };
      await store.createCase(c);
      // (matched by message: an error thrown by a native module can come from another realm than jest's Error)
      await expect(store.createCase({ ...c, id: 'c2' })).rejects.toHaveProperty('message', expect.stringMatching(/unique|duplicate/i));
      expect(await store.case('c1')).toEqual(c);
      expect(await store.cases({ district: 681 })).toEqual([c]);
      expect(await store.cases({ district: 682 })).toEqual([]);
      expect(await store.setCaseStatus('c1', 'open', 'objected', '2026-01-02T00:00:00.000Z', 'p9')).toMatchObject({ status: 'objected', petitionId: 'p9' });
      expect(await store.setCaseStatus('c1', 'open', 'checked', '2026-01-02T00:00:00.000Z')).toBeNull();
      expect(await store.caseCounts()).toEqual([{ province: 69, district: 681, status: 'objected', n: 1 }]);
    });
  });
}
