import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { boxKey, ReconciliationState, type BallotCode, type BoxRef, type EntryInput, type Scope, type Sheet } from '@gozcu/shared';
import { readSnapshot, writeSnapshot } from '../../server/src/infra/reconcile-snapshot';
import { percentile, printTable, recordFigure, rssMb, type Row } from './table';

const BALLOTS: BallotCode[] = [2, 3, 4, 6];
const PARTIES = 30;
const STALE_MS = 30 * 60_000;
const COUNTRY: Scope = { level: 'country' };

/** A seeded PRNG, so every run measures the same state. */
function prng(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** The JSON text of `count` sheets (as the store keeps them), 30 parties each. */
function sheetTexts(count: number, rand: () => number): string[] {
  const names = Array.from({ length: PARTIES }, (_, p) => `PARTİ ${p + 1}`);
  return Array.from({ length: count }, () => {
    const votes: Record<string, number> = {};
    let valid = 0;
    for (const name of names) valid += votes[name] = Math.floor(rand() * 20);
    const invalid = Math.floor(rand() * 10);
    return JSON.stringify({ registered: valid + invalid + 40, voted: valid + invalid, validUncontested: valid, validAfterObjection: 0, valid, invalid, votes });
  });
}

/** One YSK sheet moved by one vote (the observer's copy of a mismatching box). */
function shiftedText(text: string): string {
  const sheet = JSON.parse(text) as Sheet;
  return JSON.stringify({ ...sheet, votes: { ...sheet.votes, 'PARTİ 1': sheet.votes['PARTİ 1']! + 1 } });
}

/**
 * A page as the store hands it over: JSON.parse of stored text, fresh objects per row (V8
 * makes those fast-mode objects; a 30-key object built by `votes[name] = …` is a dictionary).
 */
function page<T>(rows: string[]): T[] {
  return JSON.parse(`[${rows.join(',')}]`) as T[];
}

/** Runs `fn` `n` times, timing each call: p50, p99 and mean in µs. */
function timeEach(n: number, fn: (k: number) => void): { p50: number; p99: number; mean: number } {
  const samples = new Float64Array(n);
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < n; k++) {
    const t = process.hrtime.bigint();
    fn(k);
    samples[k] = Number(process.hrtime.bigint() - t) / 1000;
  }
  const total = Number(process.hrtime.bigint() - t0) / 1000;
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: total / n };
}

/**
 * The floors (issue 16's anchors), over data of the same size: one pass over `rows` × PARTIES
 * int32 figures adding each row into its district's totals, and a three-level (district,
 * province, country) typed-array update of one row's PARTIES figures. Best of 3 ms, mean µs.
 */
function typedArrayFloors(rows: number, districtOf: (i: number) => number): { passMs: number; updateUs: number } {
  const DISTRICTS = 973;
  const figures = new Int32Array(rows * PARTIES);
  for (let k = 0; k < figures.length; k++) figures[k] = (k * 2654435761) >>> 27;
  const district = new Int32Array(rows);
  for (let i = 0; i < rows; i++) district[i] = districtOf(i);
  const provinceOf = new Int32Array(DISTRICTS + 1);
  for (let d = 0; d <= DISTRICTS; d++) provinceOf[d] = d % 81;
  const byDistrict = new Int32Array((DISTRICTS + 1) * PARTIES);
  const byProvince = new Int32Array(81 * PARTIES);
  const country = new Int32Array(PARTIES);
  let passMs = Infinity;
  for (let run = 0; run < 3; run++) {
    byDistrict.fill(0);
    const t = process.hrtime.bigint();
    for (let i = 0; i < rows; i++) {
      const at = district[i]! * PARTIES;
      const from = i * PARTIES;
      for (let p = 0; p < PARTIES; p++) byDistrict[at + p]! += figures[from + p]!;
    }
    passMs = Math.min(passMs, Number(process.hrtime.bigint() - t) / 1e6);
  }
  const N = 200_000;
  const fresh = new Int32Array(PARTIES);
  const t = process.hrtime.bigint();
  for (let k = 0; k < N; k++) {
    const i = (k * 7919) % rows;
    const from = i * PARTIES;
    const d = district[i]!;
    const dAt = d * PARTIES;
    const pAt = provinceOf[d]! * PARTIES;
    for (let p = 0; p < PARTIES; p++) fresh[p] = (k + p) & 31;
    for (let p = 0; p < PARTIES; p++) {
      const delta = fresh[p]! - figures[from + p]!;
      figures[from + p] = fresh[p]!;
      byDistrict[dAt + p]! += delta;
      byProvince[pAt + p]! += delta;
      country[p]! += delta;
    }
  }
  const updateUs = Number(process.hrtime.bigint() - t) / 1000 / N;
  return { passMs, updateUs };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** A full GC before memory is read (`npm run bench` runs node without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * ReconciliationState at national scale: cold rebuild through the bulk path (as the server's
 * start-up rebuild does: every box with its latest YSK version, then every entry), then
 * incremental updates and the queries the live rooms make.
 */
export async function run(): Promise<void> {
  const boxes = Number(process.env.BENCH_BOXES ?? 200_000);
  const rand = prng(42);
  const election = 'bench';
  const t0 = 1_711_900_000_000;
  let clock = t0;

  // The server's rebuild reads the boxes page by page in key order, then the entries page by
  // page in commit order (random across boxes). Pages are parsed before their timing starts.
  const refs: BoxRef[] = [];
  for (let b = 0; b < boxes; b++) {
    const district = 1 + (b % 973); // 973 districts, each inside one of 81 provinces
    const province = 1 + (district % 81);
    for (const ballot of BALLOTS) refs.push({ election, ballot, province, district, boxNo: 1001 + Math.floor(b / 973) });
  }
  const keys = refs.map(boxKey);
  const byKey = Array.from(refs.keys()).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const commitOrder = Array.from(refs.keys()).filter((i) => i % 5 !== 4); // ~80 % entered
  for (let k = commitOrder.length - 1; k > 0; k--) {
    const j = Math.floor(rand() * (k + 1));
    [commitOrder[k], commitOrder[j]] = [commitOrder[j]!, commitOrder[k]!];
  }
  const texts = sheetTexts(4096, rand);
  const shifted = texts.map(shiftedText);
  const sheetText = (i: number) => texts[i % texts.length]!;
  const pool = texts.map((text) => JSON.parse(text) as Sheet);
  const sheetOf = (i: number) => pool[i % pool.length]!;
  // first published over the 40 minutes before t0: at t0 the ones older than 30 minutes and not entered are stale
  const published = refs.map((_, i) => t0 - Math.floor(rand() * 40 * 60_000) - (i % 1000));
  const refText = (i: number) => JSON.stringify(refs[i]);
  const PAGE = 5000;

  let state!: ReconciliationState;
  const rebuild = (): { ms: number; heapMb: number; arrayBuffersMb: number; rss: number } => {
    clock = t0;
    collectGarbage();
    const baseHeap = process.memoryUsage().heapUsed;
    state = new ReconciliationState({ election, staleAfterMs: STALE_MS, now: () => clock, expectedBoxResults: refs.length });
    let ns = 0n;
    const bulk = state.beginBulk();
    for (let from = 0; from < byKey.length; from += PAGE) {
      const ids = byKey.slice(from, from + PAGE);
      const rows = page<{ ref: BoxRef; sheet: Sheet; publishedAt: number }>(
        ids.map((i) => `{"ref":${refText(i)},"sheet":${sheetText(i)},"publishedAt":${published[i]}}`),
      );
      const t = process.hrtime.bigint();
      for (const row of rows) bulk.box(row.ref, { sheet: row.sheet, seq: 1, publishedAt: row.publishedAt });
      ns += process.hrtime.bigint() - t;
    }
    for (let from = 0; from < commitOrder.length; from += PAGE) {
      const ids = commitOrder.slice(from, from + PAGE);
      // every 10th entered box-result disagrees with YSK by one vote
      const rows = page<{ ref: BoxRef; entry: EntryInput }>(
        ids.map(
          (i) =>
            `{"ref":${refText(i)},"entry":{"id":"e${i}","observer":"o${i % 7}","source":"observer","createdAt":${t0},"sheet":${i % 10 === 0 ? shifted[i % shifted.length] : sheetText(i)}}}`,
        ),
      );
      const t = process.hrtime.bigint();
      for (const row of rows) bulk.entry(row.ref, row.entry);
      ns += process.hrtime.bigint() - t;
    }
    const t = process.hrtime.bigint();
    bulk.end();
    ns += process.hrtime.bigint() - t;
    collectGarbage();
    const memory = process.memoryUsage();
    return { ms: Number(ns) / 1e6, heapMb: (memory.heapUsed - baseHeap) / 1048576, arrayBuffersMb: memory.arrayBuffers / 1048576, rss: rssMb() };
  };

  // three cold rebuilds, each into a fresh state (the first one also warms the JIT up)
  // memory is read after the first one, while no other state is around
  const memory = rebuild();
  const rebuildMs = [memory.ms, rebuild().ms, rebuild().ms];
  const country = state.counters(COUNTRY, null);

  const rows: Row[] = [];
  const row = (what: string, value: number, unit: string, target = '', note = '') => rows.push({ measure: what, value, unit, target, note });
  row(
    `cold rebuild (bulk), ${state.size.toLocaleString('en-US')} box-results: first run`,
    Math.round(rebuildMs[0]!),
    'ms',
    '< 1,000 ms',
    `${country.entered.toLocaleString('en-US')} entries; ${country.mismatch.toLocaleString('en-US')} mismatch, ${country.stale.toLocaleString('en-US')} stale`,
  );
  row(
    '  best of 3 (warm JIT)',
    Math.round(Math.min(...rebuildMs)),
    'ms',
    '< 1,000 ms',
    `runs: ${rebuildMs.map((ms) => Math.round(ms)).join(', ')} ms; store page parsing not timed`,
  );
  row(
    'heap with the state loaded (Δ from before)',
    Math.round(memory.heapMb),
    'MB',
    '',
    `+ ${Math.round(memory.arrayBuffersMb)} MB typed arrays (all of the process)`,
  );
  row('RSS with the state loaded', memory.rss, 'MB', '< 500 MB (server)', 'whole bench process, its input included');

  // the restart's path (issue 16): the state written as its snapshot file and restored from it
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gozcu-snapshot-'));
  let snapshot: { writeMs: number; mb: number; restoreMs: number[] };
  try {
    const file = join(dir, 'state.snapshot');
    const t = process.hrtime.bigint();
    const bytes = writeSnapshot(file, null, state);
    const writeMs = Number(process.hrtime.bigint() - t) / 1e6;
    const restoreMs: number[] = [];
    for (let run = 0; run < 3; run++) {
      collectGarbage();
      const r = process.hrtime.bigint();
      const restored = readSnapshot(file, { election, staleAfterMs: STALE_MS, now: () => clock })!.state;
      restoreMs.push(Number(process.hrtime.bigint() - r) / 1e6);
      if (JSON.stringify(restored.coverage(COUNTRY, null)) !== JSON.stringify(state.coverage(COUNTRY, null))) throw new Error('the restored state differs');
    }
    snapshot = { writeMs, mb: bytes / 1048576, restoreMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  row('snapshot written (v8 header + typed arrays as sections, fsync)', round(snapshot.writeMs, 0), 'ms', '', `${round(snapshot.mb, 0)} MB`);
  row(
    'restored from the snapshot: best of 3',
    round(Math.min(...snapshot.restoreMs), 0),
    'ms',
    '≤ 150 ms',
    `runs: ${snapshot.restoreMs.map((ms) => Math.round(ms)).join(', ')} ms; file in the page cache; coverage checked equal`,
  );

  const first = timeEach(1, () => state.heads(COUNTRY, 2));
  row('heads(country, ballot) first call after the load', round(first.mean / 1000, 1), 'ms', '', 'takes every district’s heads once');

  // incremental: YSK revises box-results, observers enter
  const N = Math.min(50_000, refs.length);
  const step = 7919;
  const ysk = timeEach(N, (k) => {
    const i = (k * step) % refs.length;
    state.applyYsk(refs[i]!, { sheet: sheetOf(i + 1), seq: 2 + k, publishedAt: t0, changedAt: clock + k });
  });
  row(`incremental YSK version, ${N.toLocaleString('en-US')} revisions: p50`, round(ysk.p50, 2), 'µs', '< 50 µs');
  row('  p99 / mean', round(ysk.p99, 2), 'µs', '', `mean ${round(ysk.mean, 2)} µs`);
  const entry = timeEach(N, (k) => {
    const i = (k * 104_729) % refs.length;
    state.applyEntry(refs[i]!, { id: `x${k}`, observer: `o${i % 7}`, source: 'observer', sheet: sheetOf(i + 3), createdAt: clock + k });
  });
  row(`incremental entry, ${N.toLocaleString('en-US')} entries: p50`, round(entry.p50, 2), 'µs', '< 50 µs');
  row('  p99 / mean', round(entry.p99, 2), 'µs', '', `mean ${round(entry.mean, 2)} µs`);

  const floors = typedArrayFloors(state.size, (i) => refs[i]!.district);
  row(
    `floor: typed-array pass, ${state.size.toLocaleString('en-US')} × ${PARTIES} int32 into district totals`,
    round(floors.passMs, 1),
    'ms',
    '',
    'best of 3; the anchor of the cold rebuild',
  );
  row('floor: three-level typed-array update of one box-result', round(floors.updateUs, 2), 'µs', '', 'mean of 200,000; the anchor of the incremental update');
  const cold = Math.min(...rebuildMs);
  const restore = Math.min(...snapshot.restoreMs);
  recordFigure(state.size === 800_000 ? 'reconcile_cold_800k_ms' : `reconcile_cold_${state.size}_ms`, {
    value: round(restore, 0),
    unit: 'ms',
    anchor: round(floors.passMs, 1),
    ...(state.size === 800_000 ? {} : { target: 150 }),
    note: `best of 3 restores of ${state.size.toLocaleString('en-US')} box-results from the state's snapshot (${round(snapshot.mb, 0)} MB, page cache); the bulk rebuild from parsed JSON rows takes ${round(cold, 0)} ms`,
  });
  recordFigure('reconcile_incremental_us', {
    value: round(ysk.mean, 2),
    unit: 'µs',
    anchor: round(floors.updateUs, 2),
    note: `mean of ${N.toLocaleString('en-US')} YSK revisions (p50 ${round(ysk.p50, 2)}; entries mean ${round(entry.mean, 2)}) at ${state.size.toLocaleString('en-US')} box-results`,
  });

  // live queries: a batch of 100 revisions, then what a room fan-out asks for
  const cycles = 200;
  let next = 0;
  const batch = () => {
    for (let k = 0; k < 100; k++, next++) {
      const i = (next * 15_485_863) % refs.length;
      state.applyYsk(refs[i]!, { sheet: sheetOf(i + 5), seq: 100_000 + next, publishedAt: t0, changedAt: clock + N + next });
    }
  };
  let afterBatch = 0;
  let afterBatchAll = 0;
  for (let c = 0; c < cycles; c++) {
    batch();
    afterBatch += timeEach(1, () => state.heads(COUNTRY, 2)).mean;
    afterBatchAll += timeEach(1, () => state.heads(COUNTRY, null)).mean;
  }
  const warm = timeEach(1000, () => state.heads(COUNTRY, 2));
  const heads = state.heads(COUNTRY, 2);
  const headsNote = `${heads.stale.length}/${heads.altered.length}/${heads.mismatches.length} of ${state.counters(COUNTRY, 2).altered.toLocaleString('en-US')} altered`;
  row('heads(country, ballot) after a batch of 100 revisions', round(afterBatch / cycles, 0), 'µs', '', headsNote);
  row('heads(country, all ballots) after a batch of 100 revisions', round(afterBatchAll / cycles, 0), 'µs');
  row('heads(country, ballot) unchanged: p50', round(warm.p50, 0), 'µs', '', 'cached heads and summaries');
  const coverage = timeEach(1000, () => state.coverage(COUNTRY, 2));
  row('coverage(country, ballot): p50', round(coverage.p50, 1), 'µs');
  const coverageAll = timeEach(1000, () => state.coverage(COUNTRY, null));
  row('coverage(country, all ballots): p50', round(coverageAll.p50, 1), 'µs');
  const regions = timeEach(200, () => state.regions(COUNTRY, 2));
  row('regions(country, ballot) (81 provinces): p50', round(regions.p50, 1), 'µs');
  const listCountry = timeEach(20, () => state.list({ ballot: 2, sort: 'difference', limit: 50 }));
  row(
    'list page, country, sort by difference: p50',
    round(listCountry.p50 / 1000, 1),
    'ms',
    '',
    `scans ${(refs.length / BALLOTS.length).toLocaleString('en-US')} box-results`,
  );
  const listDistrict = timeEach(200, (k) => state.list({ province: 1 + ((1 + (k % 973)) % 81), district: 1 + (k % 973), sort: 'key', limit: 50 }));
  row('list page, one district: p50', round(listDistrict.p50, 0), 'µs');

  // staleness: nothing due, then the clock jumps and the due ones turn stale at once
  const idle = timeEach(1000, () => state.tick());
  row('tick, nothing due: p50', round(idle.p50, 2), 'µs');
  clock += 15 * 60_000;
  let turned = 0;
  const tick = timeEach(1, () => (turned = state.tick().length));
  row(
    `tick turning ${turned.toLocaleString('en-US')} box-results stale`,
    round(tick.mean / 1000, 1),
    'ms',
    '',
    `${round(tick.mean / Math.max(1, turned), 2)} µs each`,
  );

  const [one, five] = loadavg();
  printTable(
    `Reconciliation: ${state.size.toLocaleString('en-US')} box-results (${boxes.toLocaleString('en-US')} boxes × ${BALLOTS.length} ballot types, ${PARTIES} parties, ~80 % entered); load average ${one!.toFixed(2)} / ${five!.toFixed(2)}`,
    rows,
  );
}
