/** Prints benchmark rows as an aligned table. */
export type Row = Record<string, string | number>;

export function printTable(title: string, rows: Row[]): void {
  if (!rows.length) return;
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c] ?? '')).length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(`\n## ${title}\n\n${line(cols)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => String(cell(r[c] ?? ''))))}\n`);
}

export function rssMb(): number {
  return Math.round(process.memoryUsage().rss / 1024 / 1024);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The benchmark contract (issue 16): every headline figure as
 * `{ "<name>": { value, unit, anchor?, target? } }`. `anchor` is a floor measured in the same
 * run (a typed-array pass over the same data, raw SQLite inserts of the same rows, a raw
 * broadcast to the same sockets); `target` is what the figure should reach (lower is better).
 * A figure no bench produced is written with `value: null` and printed as not measured.
 */
export interface Figure {
  value: number | null;
  unit: string;
  anchor?: number;
  target?: number;
  /** what was measured, at what size (printed, and written to the JSON) */
  note?: string;
}

/** The figures `npm run bench` always reports, with their unit and target. */
export const REQUIRED_FIGURES: Record<string, { unit: string; target: number; what: string }> = {
  reconcile_cold_800k_ms: { unit: 'ms', target: 150, what: 'cold reconciliation of 800,000 box-results' },
  reconcile_incremental_us: { unit: 'µs', target: 5, what: 'incremental update per box-result' },
  store_append_us_per_version: { unit: 'µs', target: 5, what: 'store append per version, batched' },
  restart_national_healthy_s: { unit: 's', target: 5, what: 'restart to healthy with the national store, four ballot types' },
  live_10k_p99_ms: { unit: 'ms', target: 200, what: '10,000 sockets, one delta batch a second: commit → receipt p99' },
  server_rss_national_mb: { unit: 'MB', target: 400, what: 'server RSS on a national night, four ballot types' },
  wall_burst_10k_visible_ms: { unit: 'ms', target: 1000, what: 'wall: a burst of 10,000 box changes until on screen' },
  wall_burst_longest_frame_ms: { unit: 'ms', target: 50, what: 'wall: longest frame during that burst' },
};

const figures = new Map<string, Figure>();

/** Records a figure (a later call for the same name replaces it). */
export function recordFigure(name: string, figure: Figure): void {
  const value = figure.value !== null && Number.isFinite(figure.value) ? figure.value : null;
  const required = REQUIRED_FIGURES[name];
  figures.set(name, { ...figure, value, target: figure.target ?? required?.target });
}

/** Every figure recorded, plus the required ones nobody measured (value null). */
export function allFigures(): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  for (const [name, req] of Object.entries(REQUIRED_FIGURES)) {
    out[name] = figures.get(name) ?? { value: null, unit: req.unit, target: req.target, note: 'not measured in this run' };
  }
  for (const [name, f] of figures) if (!(name in out)) out[name] = f;
  return out;
}

/** The figures table: value, anchor and value/anchor, target and whether it is met. */
export function printFigures(): void {
  const rows: Row[] = Object.entries(allFigures()).map(([name, f]) => ({
    figure: name,
    value: f.value === null ? 'not measured' : f.value,
    unit: f.unit,
    anchor: f.anchor ?? '',
    '× anchor': f.value !== null && f.anchor ? `${(f.value / f.anchor).toFixed(1)}×` : '',
    target: f.target ?? '',
    met: f.value === null || f.target === undefined ? '' : f.value <= f.target ? 'yes' : 'no',
    note: f.note ?? REQUIRED_FIGURES[name]?.what ?? '',
  }));
  printTable('Figures (issue 16 contract; anchor = floor measured in the same run)', rows);
}
