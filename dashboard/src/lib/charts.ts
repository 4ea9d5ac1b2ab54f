/** chart.js set up once for the wall: only the pieces we draw, animation off, dark theme. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartType,
} from 'chart.js';
import { ChoroplethController, ColorScale, GeoFeature, ProjectionScale } from 'chartjs-chart-geo';
import { THEME } from './palette';

let done = false;
export function setupCharts(): void {
  if (done) return;
  done = true;
  Chart.register(
    BarController,
    BarElement,
    CategoryScale,
    LinearScale,
    LineController,
    LineElement,
    PointElement,
    Tooltip,
    Legend,
    ChoroplethController,
    GeoFeature,
    ColorScale,
    ProjectionScale,
  );
  Chart.defaults.animation = false;
  Chart.defaults.color = THEME.text;
  Chart.defaults.borderColor = THEME.border;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  Chart.defaults.font.family = 'system-ui, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';
}

/** The root font size, so chart text scales with the wall (1080p → 4K) like the rest. */
export function baseFontPx(): number {
  if (typeof document === 'undefined') return 14;
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 14;
}

export { Chart };
export type AnyChartConfig = ChartConfiguration<ChartType, unknown[], unknown>;
