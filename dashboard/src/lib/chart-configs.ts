/** Chart configs built from plain data (no animation, pre-parsed for the wall). */
import type { AnyChartConfig } from './charts';
import type { HealthSample } from './health';
import { THEME, OKABE_ITO } from './palette';
import type { PartyVotesRow } from './sheets';

export function votesConfig(
  rows: readonly PartyVotesRow[],
  labels: { ysk: string; org: string },
  fmtInt: (n: number) => string,
  fmtSigned: (n: number) => string,
): AnyChartConfig {
  return {
    type: 'bar',
    data: {
      // a differing party carries its difference in its label: never colour alone
      labels: rows.map((r) => (r.diff !== 0 && r.org > 0 ? `${r.party}  ≠ ${fmtSigned(r.diff)}` : r.party)),
      datasets: [
        { label: labels.ysk, data: rows.map((r) => r.ysk), backgroundColor: THEME.ysk, borderWidth: 0, barPercentage: 0.9, categoryPercentage: 0.8 },
        { label: labels.org, data: rows.map((r) => r.org), backgroundColor: THEME.org, borderWidth: 0, barPercentage: 0.9, categoryPercentage: 0.8 },
      ],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      maintainAspectRatio: false,
      plugins: {
        legend: { position: 'top', labels: { color: THEME.text, boxWidth: 14 } },
        tooltip: { callbacks: { label: (ctx: { dataset: { label?: string }; parsed: { x: number } }) => `${ctx.dataset.label}: ${fmtInt(ctx.parsed.x)}` } },
      },
      scales: {
        x: {
          ticks: { color: THEME.muted, maxTicksLimit: 5, maxRotation: 0, callback: (v: number | string) => fmtInt(Number(v)) },
          grid: { color: THEME.border },
        },
        y: {
          ticks: {
            color: (ctx: { index: number }) => (rows[ctx.index] && rows[ctx.index]!.diff !== 0 && rows[ctx.index]!.org > 0 ? THEME.mismatch : THEME.text),
            font: { weight: 'bold' },
          },
          grid: { display: false },
        },
      },
    } as never,
  } as AnyChartConfig;
}

const SERIES_COLOURS = [OKABE_ITO.skyBlue, OKABE_ITO.orange, OKABE_ITO.bluishGreen, OKABE_ITO.yellow, OKABE_ITO.reddishPurple, OKABE_ITO.vermilion, '#ffffff'];
const DASH: Record<'p50' | 'p95' | 'p99', number[]> = { p50: [2, 3], p95: [], p99: [8, 4] };

function endpointNames(history: readonly HealthSample[]): string[] {
  const s = new Set<string>();
  for (const h of history) for (const n of Object.keys(h.endpoints)) s.add(n);
  return [...s].sort();
}

function timeAxis(fmtTime: (t: number) => string, now: number) {
  return {
    type: 'linear',
    min: now - 3_600_000,
    max: now,
    ticks: { color: THEME.muted, stepSize: 600_000, callback: (v: number | string) => fmtTime(Number(v)) },
    grid: { color: THEME.border },
  };
}

/** p50/p95/p99 per endpoint over the last hour: colour = endpoint, dash = percentile (legend names both). */
export function latencyConfig(history: readonly HealthSample[], fmtTime: (t: number) => string, fmtMs: (n: number) => string, now: number): AnyChartConfig {
  const names = endpointNames(history);
  const datasets = names.flatMap((name, i) =>
    (['p50', 'p95', 'p99'] as const).map((p) => ({
      label: `${name} ${p}`,
      data: history.filter((h) => h.endpoints[name]?.[p] != null).map((h) => ({ x: h.t, y: h.endpoints[name]![p]! })),
      borderColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
      backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
      borderDash: DASH[p],
      borderWidth: p === 'p95' ? 3 : 2,
      pointRadius: 1.5,
      spanGaps: false,
    })),
  );
  return {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false as never,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        legend: { position: 'bottom', labels: { color: THEME.text, boxWidth: 18 } },
        tooltip: { callbacks: { label: (c: { dataset: { label?: string }; parsed: { y: number } }) => `${c.dataset.label}: ${fmtMs(c.parsed.y)}` } },
      },
      scales: {
        x: timeAxis(fmtTime, now),
        y: { beginAtZero: true, ticks: { color: THEME.muted, callback: (v: number | string) => fmtMs(Number(v)) }, grid: { color: THEME.border } },
      },
    } as never,
  } as AnyChartConfig;
}

export function errorRateConfig(history: readonly HealthSample[], fmtTime: (t: number) => string, fmtPct: (r: number) => string, now: number): AnyChartConfig {
  const names = endpointNames(history);
  return {
    type: 'line',
    data: {
      datasets: names.map((name, i) => ({
        label: name,
        data: history.filter((h) => h.endpoints[name]?.errorRate != null).map((h) => ({ x: h.t, y: h.endpoints[name]!.errorRate! })),
        borderColor: SERIES_COLOURS[i % SERIES_COLOURS.length],
        backgroundColor: SERIES_COLOURS[i % SERIES_COLOURS.length] + '55',
        fill: false,
        borderWidth: 2,
        pointRadius: 1.5,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      parsing: false as never,
      normalized: true,
      plugins: {
        legend: { position: 'bottom', labels: { color: THEME.text } },
        tooltip: { callbacks: { label: (c: { dataset: { label?: string }; parsed: { y: number } }) => `${c.dataset.label}: ${fmtPct(c.parsed.y)}` } },
      },
      scales: {
        x: timeAxis(fmtTime, now),
        y: {
          beginAtZero: true,
          suggestedMax: 0.05,
          ticks: { color: THEME.muted, callback: (v: number | string) => fmtPct(Number(v)) },
          grid: { color: THEME.border },
        },
      },
    } as never,
  } as AnyChartConfig;
}
