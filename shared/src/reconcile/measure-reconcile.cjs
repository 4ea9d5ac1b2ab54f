/*
 * Local measurement of ReconciliationState at national scale (not a test, not part of the build):
 *   node --expose-gc -r ts-node/register/transpile-only shared/src/reconcile/measure-reconcile.cjs
 * 200,000 boxes × 4 ballot types = 800,000 box-results, 30 parties each, YSK + observer sides.
 */
const { ReconciliationState } = require('./state');

const BOXES = Number(process.env.BOXES ?? 200_000);
const PARTIES = Number(process.env.PARTIES ?? 30);
const BALLOTS = [2, 3, 4, 6];
const election = 'bench';
const names = Array.from({ length: PARTIES }, (_, p) => `PARTY ${p + 1}`);

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

function makeSheet() {
  const votes = {};
  let valid = 0;
  for (const n of names) { const v = Math.floor(rand() * 20); votes[n] = v; valid += v; }
  const invalid = Math.floor(rand() * 10);
  return { registered: valid + invalid + 40, voted: valid + invalid, validUncontested: valid, validAfterObjection: 0, valid, invalid, votes };
}

// Input prepared up front (a restart reads these from the store); only the state is timed.
const refs = [];
for (let b = 0; b < BOXES; b++) {
  const district = 1 + (b % 973); // 973 districts, each inside one province
  const province = 1 + (district % 81);
  for (const ballot of BALLOTS) refs.push({ election, ballot, province, district, boxNo: 1001 + Math.floor(b / 973) });
}
const pool = Array.from({ length: 4096 }, () => makeSheet());
const sheets = refs.map((_, i) => pool[i % pool.length]);
const shifted = pool.map((s) => ({ ...s, votes: { ...s.votes, [names[0]]: s.votes[names[0]] + 1 } }));
const orgSheets = sheets.map((s, i) => (i % 10 === 0 ? shifted[i % pool.length] : s));
global.gc?.();
const baseHeap = process.memoryUsage().heapUsed;

let clock = 1_700_000_000_000;
const t0 = performance.now();
const state = new ReconciliationState({ election, staleAfterMs: 30 * 60_000, now: () => clock, expectedBoxResults: refs.length });
for (let i = 0; i < refs.length; i++) state.registerBox(refs[i]);
for (let i = 0; i < refs.length; i++) state.applyYsk(refs[i], { sheet: sheets[i], seq: 1, publishedAt: clock - 1000 });
for (let i = 0; i < refs.length; i++) {
  if (i % 5 === 4) continue; // 80 % entered
  state.applyEntry(refs[i], { id: `e${i}`, observer: `o${i % 7}`, source: 'observer', sheet: orgSheets[i], createdAt: clock });
}
const rebuildMs = performance.now() - t0;
global.gc?.();
const mem = process.memoryUsage();

const rebuildMemory = process.memoryUsage();
// incremental: YSK revises a box, an observer enters one
const N = 200_000;
const t1 = performance.now();
for (let k = 0; k < N; k++) {
  const i = (k * 7919) % refs.length;
  const s = sheets[(i + 1) % sheets.length];
  state.applyYsk(refs[i], { sheet: s, seq: 2 + k, publishedAt: clock - 1000, changedAt: clock });
}
const yskUs = ((performance.now() - t1) * 1000) / N;
const t2 = performance.now();
for (let k = 0; k < N; k++) {
  const i = (k * 104729) % refs.length;
  state.applyEntry(refs[i], { id: `x${k}`, observer: `o${i % 7}`, source: 'observer', sheet: sheets[(i + 3) % sheets.length], createdAt: clock + k });
}
const entryUs = ((performance.now() - t2) * 1000) / N;
clock += 31 * 60_000;
const t3 = performance.now();
const stale = state.tick();
const tickMs = performance.now() - t3;
const t4 = performance.now();
const cov = state.coverage({ level: 'country' }, 2);
const heads = state.heads({ level: 'country' }, null, 20);
const headsMs = performance.now() - t4;
const t5 = performance.now();
const page = state.list({ sort: 'difference', limit: 50 });
const listMs = performance.now() - t5;

const mb = (n) => (n / 1048576).toFixed(0) + ' MB';
void state.size; // keep the state alive past the measurements
console.log({
  boxResults: state.size,
  parties: PARTIES,
  rebuildMs: Math.round(rebuildMs),
  yskUpdateUs: yskUs.toFixed(2),
  entryUpdateUs: entryUs.toFixed(2),
  tickMs: tickMs.toFixed(1), turnedStale: stale.length,
  countryHeadsMs: headsMs.toFixed(1), countryListMs: listMs.toFixed(1),
  stateHeap: mb(mem.heapUsed - baseHeap), arrayBuffers: mb(mem.arrayBuffers), rss: mb(mem.rss),
  check: { total: cov.boxes.total, match: cov.boxes.match, mismatch: cov.boxes.mismatch, stale: cov.boxes.stale, heads: heads.mismatches.length, page: page.items.length },
});
