import {
  DEFAULT_REFRESH,
  DistrictBoxes,
  DistrictWatch,
  fingerprintOf,
  readAggregate,
  refreshDistrict,
  sameFingerprint,
  type BoxRange,
  type DistrictIO,
} from './aggregate-watch';

type Row = Record<string, unknown>;

const sheet = (n: number, extra = 0, versiyon = 1): Row => ({
  sandik_NO: n,
  versiyon,
  oy_KULLANAN_SECMEN_SAYISI: 200 + (n % 50),
  itirazsiz_GECERLI_OY_SAYISI: 190 + (n % 50) + extra,
  itirazli_GECERLI_OY_SAYISI: 0,
  gecerli_OY_TOPLAMI: 190 + (n % 50) + extra,
  gecersiz_OY_TOPLAMI: 10 - extra,
  parti1_ALDIGI_OY: 100 + (n % 30) + extra,
  parti2_ALDIGI_OY: 90 + (n % 50) - (n % 30),
  parti3_ALDIGI_OY: null,
});

/** A district of YSK's as a fake feed: published rows by box number; counts rows and calls. */
class FakeDistrict implements DistrictIO {
  readonly published = new Map<number, Row>();
  rows = 0;
  fetches = 0;
  probes = 0;
  /** an aggregate that is not the plain sum of the rows (semantics we cannot compare) */
  skew = 0;
  /** an aggregate whose versiyon is the newest box's, not the sum */
  versionIsMax = false;
  /** boxes whose rows the client cannot read (rejected as incidents): counted, not returned */
  readonly unreadable = new Set<number>();
  private unread = 0;
  constructor(readonly register: number[]) {}

  publish(n: number, row = sheet(n)): void {
    this.published.set(n, row);
  }

  aggregate(range?: BoxRange): Row {
    const agg: Row = { acilan_SANDIK_SAYISI: 0, toplam_SANDIK_SAYISI: 0, versiyon: 0, son_ISLEM_TARIHI: null };
    for (const n of this.register) {
      if (range && (n < range[0] || n > range[1])) continue;
      agg['toplam_SANDIK_SAYISI'] = (agg['toplam_SANDIK_SAYISI'] as number) + 1;
      const row = this.published.get(n);
      if (!row) continue;
      agg['acilan_SANDIK_SAYISI'] = (agg['acilan_SANDIK_SAYISI'] as number) + 1;
      for (const [k, v] of Object.entries(row)) if (k !== 'sandik_NO' && typeof v === 'number') agg[k] = ((agg[k] as number | undefined) ?? 0) + v;
    }
    if (this.skew) agg['gecerli_OY_TOPLAMI'] = ((agg['gecerli_OY_TOPLAMI'] as number) ?? 0) + this.skew;
    if (this.versionIsMax) agg['versiyon'] = Math.max(0, ...[...this.published.values()].map((r) => r['versiyon'] as number));
    return agg;
  }

  async fetchBoxes(range: BoxRange | null) {
    this.fetches++;
    const out: Array<{ boxNo: number; fp: Float64Array }> = [];
    for (const [n, row] of [...this.published].sort((a, b) => a[0] - b[0])) {
      if (range && (n < range[0] || n > range[1])) continue;
      if (this.unreadable.has(n)) this.unread++;
      else out.push({ boxNo: n, fp: fingerprintOf(row) });
    }
    this.rows += out.length;
    return out;
  }

  unreadRows(): number {
    return this.unread;
  }

  /** a new refresh counts its own unread rows */
  resetUnread(): void {
    this.unread = 0;
  }

  async probe(range: BoxRange) {
    this.probes++;
    return readAggregate(this.aggregate(range), 0);
  }
}

const REGISTER = Array.from({ length: 60 }, (_, i) => 1001 + i);

function sweep(w: DistrictWatch, feed: FakeDistrict, at: number): 'settled' | 'due' {
  return w.noteAggregate(readAggregate(feed.aggregate(), at)!);
}

describe('fingerprints and aggregates', () => {
  it('sums like the aggregate and tells votes moved between columns apart', () => {
    const a = fingerprintOf({ parti1_ALDIGI_OY: 10, parti2_ALDIGI_OY: 5, gecerli_OY_TOPLAMI: 15 });
    const b = fingerprintOf({ parti1_ALDIGI_OY: 5, parti2_ALDIGI_OY: 10, gecerli_OY_TOPLAMI: 15 });
    expect(sameFingerprint(a, b)).toBe(false);
    expect(sameFingerprint(a, fingerprintOf({ gecerli_OY_TOPLAMI: 15, parti2_ALDIGI_OY: 5, parti1_ALDIGI_OY: 10, parti9_ALDIGI_OY: null }))).toBe(true);
    // the derived independents' total is not a column of its own
    expect(sameFingerprint(a, fingerprintOf({ parti1_ALDIGI_OY: 10, parti2_ALDIGI_OY: 5, gecerli_OY_TOPLAMI: 15, bagimsiz_TOPLAM_OY: 3 }))).toBe(true);
  });

  it('reads only rows with an opened-box counter as aggregates', () => {
    expect(readAggregate({ sandik_NO: 1001, gecerli_OY_TOPLAMI: 3 }, 0)).toBeNull();
    const agg = readAggregate({ acilan_SANDIK_SAYISI: 4, toplam_SANDIK_SAYISI: 9, versiyon: 7, son_ISLEM_TARIHI: '2024-03-31T18:00:00.000+0000' }, 5)!;
    expect(agg).toMatchObject({ opened: 4, total: 9, at: 5 });
    expect(readAggregate({ acilan_SANDIK_SAYISI: 4, toplam_SANDIK_SAYISI: 9, versiyon: 8, son_ISLEM_TARIHI: '2024-03-31T18:00:00.000+0000' }, 5)!.sig).not.toBe(
      agg.sig,
    );
  });
});

describe('DistrictBoxes.unseenRanges', () => {
  it('covers every unseen box, merges across short runs of seen ones, and caps the number of ranges', () => {
    const b = new DistrictBoxes(Array.from({ length: 20 }, (_, i) => 1 + i));
    for (const n of [1, 2, 3, 6, 10, 11, 12, 13, 14, 15, 16, 20]) b.observe(n, fingerprintOf(sheet(n)));
    expect(b.unseenRanges(10, 0)).toEqual([
      [4, 5],
      [7, 9],
      [17, 19],
    ]);
    expect(b.unseenRanges(10, 1)).toEqual([
      [4, 9],
      [17, 19],
    ]);
    expect(b.unseenRanges(1, 0)).toEqual([[4, 19]]);
    expect(b.unseenRanges(2, 0)).toEqual([
      [4, 9],
      [17, 19],
    ]);
    for (const n of [4, 5, 7, 8, 9, 17, 18, 19]) b.observe(n, fingerprintOf(sheet(n)));
    expect(b.unseenRanges(4, 3)).toEqual([]);
    expect(b.seenCount).toBe(20);
  });

  it('sums any box-number range of what it holds, boxes outside the register included', () => {
    const b = new DistrictBoxes([1001, 1002, 1003]);
    b.observe(1001, fingerprintOf(sheet(1001)));
    b.observe(1003, fingerprintOf(sheet(1003)));
    b.observe(1500, fingerprintOf(sheet(1500)));
    expect(b.seenCount).toBe(3);
    expect(b.seenIn([1002, 1600])).toBe(2);
    const want = fingerprintOf(sheet(1003));
    for (let i = 0; i < want.length; i++) want[i]! += fingerprintOf(sheet(1500))[i]!;
    expect(sameFingerprint(b.sum([1002, 1600]), want)).toBe(true);
    expect(b.observe(1003, fingerprintOf(sheet(1003, 2)))).toBe('changed');
    expect(b.observe(1003, fingerprintOf(sheet(1003, 2)))).toBe('same');
  });
});

describe('refreshDistrict against a fake feed', () => {
  it('fetches nothing while a district has no open box, and everything it has on first sight', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    expect(sweep(w, feed, 1)).toBe('settled');
    for (const n of [1003, 1010, 1040, 1041, 1059]) feed.publish(n);
    expect(sweep(w, feed, 2)).toBe('due');
    expect(w.unseen).toBe(5);
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 2);
    expect(out.settled).toBe(true);
    expect(feed.rows).toBe(5);
    expect(w.dueSince).toBeNull();
    expect(w.lastVerifiedAt).toBe(2);
    expect(sweep(w, feed, 3)).toBe('settled');
  });

  it('fetches only ranges of boxes not seen yet when more boxes open', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    for (let n = 1001; n <= 1030; n++) feed.publish(n);
    for (let n = 1045; n <= 1060; n++) feed.publish(n);
    sweep(w, feed, 1);
    await refreshDistrict(w, feed, DEFAULT_REFRESH, 1);
    const before = feed.rows;
    feed.publish(1035);
    feed.publish(1036);
    expect(sweep(w, feed, 2)).toBe('due');
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 2);
    expect(out).toMatchObject({ settled: true, full: false, probes: 0 });
    expect(feed.rows - before).toBe(2);
  });

  it('locates a revised box with aggregate probes instead of fetching the whole list', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER) feed.publish(n);
    sweep(w, feed, 1);
    await refreshDistrict(w, feed, DEFAULT_REFRESH, 1);
    const before = feed.rows;
    feed.publish(1044, sheet(1044, 3)); // a recount: three invalid votes become valid for party 1
    expect(sweep(w, feed, 2)).toBe('due');
    expect(w.unseen).toBe(1);
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 2);
    expect(out.settled).toBe(true);
    expect(out.probes).toBeGreaterThan(0);
    expect(out.probes).toBeLessThanOrEqual(4);
    expect(feed.rows - before).toBeLessThanOrEqual(DEFAULT_REFRESH.leaf);
    expect(sameFingerprint(w.boxes.sum([1044, 1044]), fingerprintOf(sheet(1044, 3)))).toBe(true);
  });

  it('finds a revision that changes no figure by its version, once the district showed versions sum up', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER) feed.publish(n);
    sweep(w, feed, 1);
    await refreshDistrict(w, feed, DEFAULT_REFRESH, 1);
    expect(w.versionSums).toBe(true);
    feed.publish(1021, sheet(1021, 0, 2)); // same figures, versiyon 2 (a corrected header, say)
    expect(sweep(w, feed, 2)).toBe('due');
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 2);
    expect(out.settled).toBe(true);
    expect(out.probes).toBeGreaterThan(0);
    expect(w.boxes.sum([1021, 1021])[7]).toBe(2);
  });

  it('learns that an aggregate versiyon is not a sum, and then settles on the figures', async () => {
    const feed = new FakeDistrict(REGISTER);
    feed.versionIsMax = true;
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER.slice(0, 30)) feed.publish(n, sheet(n, 0, 1 + (n % 3)));
    sweep(w, feed, 1);
    // figures agree, versions do not: a whole list tells a lagging version from other semantics
    expect(await refreshDistrict(w, feed, DEFAULT_REFRESH, 1)).toMatchObject({ settled: false });
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 1);
    expect(out).toMatchObject({ settled: true, full: true });
    expect(w.versionSums).toBe(false);
    expect(w.trustSums).toBe(true);
    feed.publish(REGISTER[40]!);
    sweep(w, feed, 2);
    expect((await refreshDistrict(w, feed, DEFAULT_REFRESH, 2)).settled).toBe(true);
  });

  it('finds a new box and a revision that arrive in the same interval', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER.filter((n) => n !== 1020)) feed.publish(n);
    sweep(w, feed, 1);
    await refreshDistrict(w, feed, DEFAULT_REFRESH, 1);
    feed.publish(1020);
    feed.publish(1050, sheet(1050, 2));
    sweep(w, feed, 2);
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 2);
    // the new box comes first; the revision is then located (this refresh or the next)
    const again = out.settled ? out : (sweep(w, feed, 3), await refreshDistrict(w, feed, DEFAULT_REFRESH, 3));
    expect(again.settled).toBe(true);
    expect(sameFingerprint(w.boxes.sum(), fingerprintOf(feed.aggregate()))).toBe(true);
  });

  it('stops trusting sums an aggregate never matches, and then fetches the whole list on every move', async () => {
    const feed = new FakeDistrict(REGISTER);
    feed.skew = 7;
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER.slice(0, 10)) feed.publish(n);
    for (let i = 0; i < 4 && w.trustSums; i++) {
      sweep(w, feed, 1 + i);
      await refreshDistrict(w, feed, DEFAULT_REFRESH, 1 + i);
    }
    expect(w.trustSums).toBe(false);
    expect(w.dueSince).toBeNull();
    feed.publish(REGISTER[20]!);
    expect(sweep(w, feed, 9)).toBe('due');
    const out = await refreshDistrict(w, feed, DEFAULT_REFRESH, 9);
    expect(out).toMatchObject({ settled: true, full: true });
    expect(w.boxes.seenCount).toBe(11);
  });

  it('keeps a district with a row it could not read due, without ceasing to trust its sums, until the row comes right', async () => {
    const feed = new FakeDistrict(REGISTER);
    const w = new DistrictWatch(REGISTER, 0);
    for (const n of REGISTER.slice(0, 10)) feed.publish(n);
    feed.unreadable.add(REGISTER[3]!);
    for (let i = 0; i < 4; i++) {
      feed.resetUnread();
      expect(sweep(w, feed, 1 + i)).toBe('due');
      expect(await refreshDistrict(w, feed, DEFAULT_REFRESH, 1 + i)).toMatchObject({ settled: false });
    }
    expect(w.trustSums).toBe(true);
    expect(w.dueSince).toBe(1);
    expect(w.boxes.seenCount).toBe(9);
    feed.unreadable.clear();
    feed.resetUnread();
    expect(sweep(w, feed, 9)).toBe('due');
    expect(await refreshDistrict(w, feed, DEFAULT_REFRESH, 9)).toMatchObject({ settled: true, full: true });
    expect(w.boxes.seenCount).toBe(10);
    expect(w.dueSince).toBeNull();
  });

  it('a quiet district is due for a whole-list check now and then', () => {
    const w = new DistrictWatch(REGISTER, 0);
    w.boxes.observe(1001, fingerprintOf(sheet(1001)));
    w.lastMovedAt = 0;
    w.lastFullAt = 0;
    expect(w.quietCheckDue(59_999, 60_000)).toBe(false);
    expect(w.quietCheckDue(60_000, 60_000)).toBe(true);
    w.dueSince = 60_000;
    expect(w.quietCheckDue(60_000, 60_000)).toBe(false);
  });
});
