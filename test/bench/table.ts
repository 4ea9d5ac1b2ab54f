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

/** One figure for `BENCH_JSON=FILE`: `{"<name>": {"value": n, "unit": "...", "target": n?}}`. */
export const results: Record<string, { value: number; unit: string; target?: number }> = {};

export function record(name: string, value: number, unit: string, target?: number): void {
  results[name] = { value: Number.isFinite(value) ? Math.round(value * 1000) / 1000 : value, unit, ...(target !== undefined ? { target } : {}) };
}
