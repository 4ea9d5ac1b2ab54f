import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { emptyResultRow, parseQuery, parseRecording, recordKey, YSK_VOTE_COLUMNS, type YskEndpoint, type YskRecord } from '@gozcu/shared';

/** Calls whose answer does not change over a night: asked before they were recorded, they answer the first recording. */
const LISTS: ReadonlySet<YskEndpoint> = new Set(['getIlList', 'getIlceList', 'getMuhtarlikList', 'getSandikSecimSonucBaslikList']);

/**
 * Reads a recording: one JSONL file, or every `*.jsonl` in a directory (`YSK_RECORD_DIR` writes
 * one file per process), merged in time order.
 */
export function readRecording(fileOrDir: string): YskRecord[] {
  const files = statSync(fileOrDir).isDirectory()
    ? readdirSync(fileOrDir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort()
        .map((f) => path.join(fileOrDir, f))
    : [fileOrDir];
  if (!files.length) throw new Error(`no .jsonl recording in ${fileOrDir}`);
  const records: YskRecord[] = [];
  for (const file of files) {
    try {
      records.push(...parseRecording(readFileSync(file, 'utf8')));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return records.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** One answer of the replay. */
export interface ReplayAnswer {
  status: number;
  body: string;
  /** when it was recorded (its Last-Modified) */
  at: number;
  headers?: Record<string, string>;
}

/** A box row as it was recorded, from this time on. */
interface BoxState {
  at: number;
  row: Record<string, unknown>;
}

const FIGURES = [
  'secmen_SAYISI',
  'oy_KULLANAN_SECMEN_SAYISI',
  'itirazsiz_GECERLI_OY_SAYISI',
  'itirazli_GECERLI_OY_SAYISI',
  'gecerli_OY_TOPLAMI',
  'gecersiz_OY_TOPLAMI',
  ...YSK_VOTE_COLUMNS,
];
/** Selectors of the calls for special boxes and single units: those are replayed answer by answer. */
const UNIT_SELECTORS = [
  'beldeId',
  'birimId',
  'muhtarlikId',
  'cezaeviId',
  'ulkeId',
  'disTemsilcilikId',
  'gumrukId',
  'sandikRumuzIlk',
  'sandikRumuzSon',
  'sandikId',
  'sorguTuru',
];
const num = (v: string | undefined): number | undefined => (v === undefined || v === '' || !/^\d+$/.test(v) ? undefined : Number(v));
const yskTime = (v: unknown): number => (typeof v === 'string' ? Date.parse(v.replace('+0000', 'Z')) : NaN);

/**
 * Sums box rows into one aggregate row (`sandik_NO: null`), as the feed's aggregates are: the
 * figures and vote columns summed, `versiyon` summed, the newest `son_ISLEM_TARIHI`, the opened
 * counters. The simulator's engine appends the same kind of row to its box lists.
 */
export function aggregateOfRows(rows: readonly Record<string, unknown>[], district: boolean, totalBoxes?: number): Record<string, unknown> {
  const row = emptyResultRow();
  const first = rows[0] ?? {};
  for (const key of ['il_ID', 'il_ADI', 'secim_ID', 'secim_TURU']) row[key] = first[key] ?? null;
  if (district) {
    row['ilce_ID'] = first['ilce_ID'] ?? null;
    row['ilce_ADI'] = first['ilce_ADI'] ?? null;
  }
  for (const key of FIGURES) {
    let total: number | null = null;
    for (const r of rows) if (typeof r[key] === 'number') total = (total ?? 0) + (r[key] as number);
    row[key] = total;
  }
  if (totalBoxes === undefined) return row;
  // an aggregate with no box opened yet counts zeros, as the feed's do
  for (const key of FIGURES.slice(0, 6)) row[key] ??= 0;
  let versiyon = 0;
  let last = -Infinity;
  let lastText: unknown = null;
  for (const r of rows) {
    if (typeof r['versiyon'] === 'number') versiyon += r['versiyon'];
    const t = yskTime(r['son_ISLEM_TARIHI']);
    if (t > last) [last, lastText] = [t, r['son_ISLEM_TARIHI']];
  }
  return Object.assign(row, {
    sandik_NO: null,
    versiyon,
    son_ISLEM_TARIHI: lastText,
    degisiklik_NEDENI: 0,
    toplam_SANDIK_SAYISI: totalBoxes,
    acilan_SANDIK_SAYISI: rows.length,
    acilan_SECMEN_SAYISI: row['secmen_SAYISI'] ?? 0,
  });
}

/**
 * Replays recorded responses. Box lists and aggregates of a province, a district or a box-number
 * range are answered from the boxes the recording has seen by then (each box row from the time it
 * was recorded), whatever the query: a poller that asks other ranges or aggregates than the one
 * that recorded the night still gets the night. Every other call gets the latest answer recorded
 * for it at or before now (a 304 the client got means "the answer before"); a list asked before it
 * was first recorded gets its first recording, a result call gets `[]` (nothing published yet).
 * Faults of result calls are not replayed (they were incidents, not data).
 */
export class Replay {
  private readonly byKey = new Map<string, YskRecord[]>();
  /** `ballot:province:district` → its boxes, each the list of its recorded rows in time order */
  private readonly boxes = new Map<string, BoxState[][]>();
  private readonly boxIndex = new Map<string, BoxState[]>();
  /** `ballot:province` → district id → its box count (`getIlceList`) */
  private readonly districts = new Map<string, Map<number, number>>();
  readonly start: number;
  readonly end: number;
  readonly size: number;
  constructor(records: readonly YskRecord[]) {
    const sorted = records.filter((r) => r.status !== 304).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    for (const r of sorted) {
      const key = recordKey(r.endpoint, r.query);
      const list = this.byKey.get(key) ?? [];
      list.push(r);
      this.byKey.set(key, list);
    }
    for (const r of sorted) this.learn(r);
    for (const list of this.boxes.values()) list.sort((a, b) => (a[0]!.row['sandik_NO'] as number) - (b[0]!.row['sandik_NO'] as number));
    const times = records.map((r) => Date.parse(r.at));
    this.start = times.length ? Math.min(...times) : Date.now();
    this.end = times.length ? Math.max(...times) : this.start;
    this.size = records.length;
  }

  private learn(r: YskRecord): void {
    if (r.status !== 200) return;
    const { params } = parseQuery(r.endpoint, r.query);
    const p = params as Record<string, string>;
    let rows: unknown;
    try {
      rows = JSON.parse(r.body);
    } catch {
      return;
    }
    if (!Array.isArray(rows)) return;
    const at = Date.parse(r.at);
    if (r.endpoint === 'getIlceList') {
      const key = `${p['secimTuru']}:${p['ilId']}`;
      const map = this.districts.get(key) ?? new Map<number, number>();
      for (const d of rows as Record<string, unknown>[])
        if (typeof d['ilce_ID'] === 'number') map.set(d['ilce_ID'], typeof d['toplam_SANDIK_SAYISI'] === 'number' ? d['toplam_SANDIK_SAYISI'] : 0);
      this.districts.set(key, map);
      return;
    }
    if (r.endpoint !== 'getSecimSandikSonucList' || UNIT_SELECTORS.some((k) => (p[k] ?? '') !== '')) return;
    for (const row of rows as Record<string, unknown>[]) {
      const province = typeof row['il_ID'] === 'number' ? row['il_ID'] : num(p['ilId']);
      if (typeof row['sandik_NO'] !== 'number' || typeof row['ilce_ID'] !== 'number' || province === undefined) continue;
      if (row['sandik_RUMUZ'] !== null && row['sandik_RUMUZ'] !== undefined && row['sandik_RUMUZ'] !== '') continue;
      const district = `${p['secimTuru']}:${province}:${row['ilce_ID']}`;
      const id = `${district}:${row['sandik_NO']}`;
      let states = this.boxIndex.get(id);
      if (!states) {
        states = [];
        this.boxIndex.set(id, states);
        const list = this.boxes.get(district) ?? [];
        list.push(states);
        this.boxes.set(district, list);
      }
      const prev = states[states.length - 1];
      if (prev && prev.row['versiyon'] === row['versiyon'] && JSON.stringify(prev.row) === JSON.stringify(row)) continue;
      states.push({ at, row });
    }
  }

  /** The rows of a district's boxes as of now, in box-number order, within a range. */
  private rowsAt(ballot: string, province: number, district: number, now: number, from?: number, to?: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const states of this.boxes.get(`${ballot}:${province}:${district}`) ?? []) {
      const no = states[0]!.row['sandik_NO'] as number;
      if ((from !== undefined && no < from) || (to !== undefined && no > to)) continue;
      let seen: BoxState | undefined;
      for (const s of states) if (s.at <= now) seen = s;
      if (seen) out.push(seen.row);
    }
    return out;
  }

  private districtsOf(ballot: string, province: number): number[] {
    const known = new Set(this.districts.get(`${ballot}:${province}`)?.keys() ?? []);
    const prefix = `${ballot}:${province}:`;
    for (const key of this.boxes.keys()) if (key.startsWith(prefix)) known.add(Number(key.slice(prefix.length)));
    return [...known].sort((a, b) => a - b);
  }

  /** The answer to one call at `now` (see the class comment). */
  answer(endpoint: YskEndpoint, query: string, now: number): ReplayAnswer | null {
    const { params } = parseQuery(endpoint, query);
    const p = params as Record<string, string>;
    const province = num(p['ilId']);
    const results = endpoint === 'getSecimSandikSonucList' || endpoint === 'getSecimSonucList';
    if (results && province !== undefined && !UNIT_SELECTORS.some((k) => (p[k] ?? '') !== '') && this.districtsOf(p['secimTuru']!, province).length) {
      const ballot = p['secimTuru']!;
      const district = num(p['ilceId']);
      const from = num(p['sandikNoIlk']);
      const to = num(p['sandikNoSon']);
      const total = (d: number, rows: number) =>
        from === undefined && to === undefined ? (this.districts.get(`${ballot}:${province}`)?.get(d) ?? rows) : rows;
      let rows: Record<string, unknown>[];
      if (endpoint === 'getSecimSandikSonucList') {
        rows =
          district === undefined
            ? this.districtsOf(ballot, province).flatMap((d) => this.rowsAt(ballot, province, d, now, from, to))
            : this.rowsAt(ballot, province, district, now, from, to);
        if (rows.length) rows.push(aggregateOfRows(rows, district !== undefined));
      } else if (district === undefined && from === undefined && to === undefined) {
        rows = this.districtsOf(ballot, province).map((d) => {
          const boxes = this.rowsAt(ballot, province, d, now);
          return Object.assign(aggregateOfRows(boxes, true, total(d, boxes.length)), { il_ID: province, ilce_ID: d });
        });
      } else {
        const d = district ?? this.districtsOf(ballot, province)[0]!;
        const boxes = this.rowsAt(ballot, province, d, now, from, to);
        rows = boxes.length ? [aggregateOfRows(boxes, true, total(d, boxes.length))] : [];
      }
      // the ETag (a hash of the body) tells a client whether it changed
      return { status: 200, body: JSON.stringify(rows), at: now };
    }
    const rec = this.find(endpoint, query, now);
    return rec ? { status: rec.status, body: rec.body, at: Date.parse(rec.at), headers: rec.headers } : null;
  }

  find(endpoint: YskEndpoint, query: string, now: number): YskRecord | null {
    const list = this.byKey.get(recordKey(endpoint, query));
    if (!list?.length) return null;
    // binary search: the last record at or before now
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Date.parse(list[mid]!.at) <= now) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) return list[lo - 1]!;
    return LISTS.has(endpoint) ? (list.find((r) => r.status === 200) ?? null) : null;
  }
}
