/** The 81-province choropleth: shapes from the TopoJSON (islet dropped, names fixed) and its chart config. */
import { topojson } from 'chartjs-chart-geo';
import type { Feature } from 'geojson';
import topology from '../geo/tr-provinces.topo.json';
import { provinceGeometries, type TopoGeometry } from './geo';
import { metricDomain, type MapRow } from './map-data';
import { RAMPS, THEME, ramp } from './palette';
import { isRatioMetric, type MapMetric } from './status';
import type { AnyChartConfig, Chart } from './charts';

export type ProvinceFeature = Feature & { properties: { name: string; plate: number } };

let features: ProvinceFeature[] | null = null;

/** The province features, computed once. */
export function provinceFeatures(): ProvinceFeature[] {
  if (features) return features;
  const topo = topology as unknown as { objects: { tur: { type: 'GeometryCollection'; geometries: TopoGeometry[] } } };
  const collection = { ...topo.objects.tur, geometries: provinceGeometries(topo.objects.tur.geometries) };
  const fc = topojson.feature(topology as never, collection as never) as unknown as { features: ProvinceFeature[] };
  features = fc.features;
  return features;
}

const RAMP_OF: Record<MapMetric, readonly string[]> = {
  yskCoverage: RAMPS.coverage,
  orgCoverage: RAMPS.orgCoverage,
  mismatch: RAMPS.mismatch,
  pending: RAMPS.pending,
};

export interface MapConfigInput {
  rows: readonly MapRow[];
  metric: MapMetric;
  label: string;
  formatValue: (v: number | null) => string;
  onSelect: (plate: number) => void;
}

/**
 * After each draw, the colour each province was actually painted with (and its centre, in CSS
 * pixels) goes onto the canvas as `data-colours` / `data-centres` (JSON by plate), and
 * `data-draws` counts draws: what the browser tests compare with the API's figures.
 */
const drawnColours = {
  id: 'gozcuDrawnColours',
  afterDraw(chart: { canvas: HTMLCanvasElement; getDatasetMeta(i: number): { data: unknown[] }; data: { datasets: Array<{ data: unknown[] }> } }) {
    const meta = chart.getDatasetMeta(0);
    const colours: Record<number, string> = {};
    const centres: Record<number, [number, number]> = {};
    meta.data.forEach((el, i) => {
      const d = chart.data.datasets[0]?.data[i] as { feature?: ProvinceFeature } | undefined;
      const plate = d?.feature?.properties.plate;
      if (plate == null) return;
      const e = el as { options?: { backgroundColor?: unknown }; getCenterPoint?: () => { x: number; y: number } };
      if (typeof e.options?.backgroundColor === 'string') colours[plate] = e.options.backgroundColor;
      const c = e.getCenterPoint?.();
      if (c && Number.isFinite(c.x)) centres[plate] = [Math.round(c.x), Math.round(c.y)];
    });
    const ds = chart.canvas.dataset;
    ds.colours = JSON.stringify(colours);
    ds.centres = JSON.stringify(centres);
    ds.draws = String((Number(ds.draws) || 0) + 1);
  },
};

interface ProjectionScaleLike {
  options: { projection?: unknown };
  outlineBounds: unknown;
  projection: { scale(): number; translate(): [number, number] };
  computeBounds(outline: unknown): void;
  updateBounds(): boolean;
  gozcuKeptFit?: true;
}

/**
 * chartjs-chart-geo fits the projection to the whole outline at every update (linkScales →
 * computeBounds: every province's coordinates projected and clipped, twice), which was nearly all
 * of a live update's cost. The fit depends only on the outline and the projection, the same from
 * one update of the map to the next: it is computed once and kept (updateBounds still places it
 * in the chart area each time).
 *
 * And the provinces' drawn shapes are kept while the map has not moved: chart.js initialises its
 * scales again at every update, which makes updateBounds forget the last chart area and answer
 * "moved" each time, and on that answer the controller drops every province's drawn cache (all 81
 * shapes projected and painted again for a recolour). Moved is now only what changes the
 * projection's placing; a province whose colour changed is still painted again (its cache key).
 */
const keptFit = {
  id: 'gozcuKeptFit',
  beforeUpdate(chart: { scales: Record<string, unknown> }) {
    const scale = chart.scales.projection as ProjectionScaleLike | undefined;
    if (!scale || scale.gozcuKeptFit) return;
    scale.gozcuKeptFit = true;
    const compute = scale.computeBounds.bind(scale);
    let kept: { features: unknown; projection: unknown; bounds: unknown } | null = null;
    scale.computeBounds = (outline: unknown) => {
      const features = (outline as { features?: unknown } | null)?.features ?? outline;
      const projection = scale.options.projection;
      if (kept && kept.features === features && kept.projection === projection && kept.bounds) {
        scale.outlineBounds = kept.bounds;
        return;
      }
      compute(outline);
      kept = { features, projection, bounds: scale.outlineBounds };
    };
    const updateBounds = scale.updateBounds.bind(scale);
    let placed: string | null = null;
    scale.updateBounds = () => {
      const moved = updateBounds();
      const was = placed;
      placed = `${String(scale.options.projection)}|${scale.projection.scale()}|${scale.projection.translate().join(',')}`;
      return moved && placed !== was;
    };
  },
};

export function mapConfig({ rows, metric, label, formatValue, onSelect }: MapConfigInput): AnyChartConfig {
  const fs = provinceFeatures();
  const byPlate = new Map(rows.map((r) => [r.plate, r]));
  const { min, max } = metricDomain(rows, metric);
  const stops = RAMP_OF[metric];
  return {
    type: 'choropleth',
    plugins: [keptFit, drawnColours],
    data: {
      labels: fs.map((f) => f.properties.name),
      datasets: [
        {
          label,
          outline: fs,
          data: fs.map((f) => {
            const v = byPlate.get(f.properties.plate)?.value;
            return { feature: f, value: v == null ? Number.NaN : v };
          }),
          borderColor: THEME.bg,
          borderWidth: 1,
          hoverBorderColor: THEME.focus,
          hoverBorderWidth: 3,
        },
      ],
    },
    options: {
      animation: false,
      showOutline: false,
      showGraticule: false,
      maintainAspectRatio: false,
      onClick: (_evt: unknown, elements: Array<{ index: number }>) => {
        const f = elements?.[0] != null ? fs[elements[0].index] : undefined;
        if (f) onSelect(f.properties.plate);
      },
      onHover: (evt: { native?: { target?: EventTarget | null } }, elements: unknown[]) => {
        const t = evt?.native?.target as HTMLElement | null | undefined;
        if (t?.style) t.style.cursor = elements?.length ? 'pointer' : 'default';
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            // the drawn point's own value (patchMap replaces the points, not this callback)
            label: (ctx: { dataIndex: number; raw?: { value?: number } }) => {
              const f = fs[ctx.dataIndex];
              const v = ctx.raw?.value;
              return `${f?.properties.name ?? ''}: ${formatValue(v != null && Number.isFinite(v) ? v : null)}`;
            },
          },
        },
      },
      scales: {
        projection: { axis: 'x', projection: 'mercator' },
        color: {
          axis: 'x',
          min,
          max,
          interpolate: (t: number) => ramp(stops, t),
          missing: THEME.panelRaised,
          legend: { position: 'bottom-left', align: 'right', length: 160, width: 14, indicatorWidth: 10 },
          ticks: {
            color: THEME.text,
            maxTicksLimit: 5,
            callback: (v: number | string) => formatValue(typeof v === 'number' ? v : Number(v)),
          },
          border: { display: false },
          grid: { display: false },
        },
      },
    } as never,
  } as AnyChartConfig;
}

/**
 * The map's fills in place (chart.js `chart()` with `inPlace`): the new points of the same 81
 * features and the colour scale's bounds; the shapes, projection and the rest of the options stay.
 */
export function patchMap(chart: Chart, cfg: AnyChartConfig): void {
  // a new array, not its values changed in place: chart.js parses a dataset again only when its data is replaced
  const next = cfg.data.datasets[0]?.data;
  if (next && chart.data.datasets[0]) chart.data.datasets[0].data = next as never;
  const bounds = (cfg.options as { scales?: { color?: { min?: number; max?: number } } } | undefined)?.scales?.color;
  const color = (chart.options as { scales?: Record<string, { min?: number; max?: number }> }).scales?.color;
  if (bounds && color) {
    color.min = bounds.min;
    color.max = bounds.max;
  }
}

/** Small helper used by map tooltips and the table: a metric's value as text. */
export function metricText(v: number | null, metric: MapMetric, fmtPct: (r: number | null) => string, fmtInt: (n: number | null) => string): string {
  return isRatioMetric(metric) ? fmtPct(v) : fmtInt(v);
}
