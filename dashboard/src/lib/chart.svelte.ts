import { untrack } from 'svelte';
import { Chart, setupCharts, baseFontPx, type AnyChartConfig } from './charts';

/**
 * Changing a chart in place: while `shape` answers the same as for the chart's config, `patch`
 * moves the new config's changing parts (data values, a scale's bounds) into the chart and its
 * options are left as they are (chart.js resolves them again only when they are replaced).
 */
export interface ChartPatch {
  shape: () => string;
  patch: (chart: Chart, cfg: AnyChartConfig) => void;
}

/**
 * The one attachment that owns a chart.js chart: created when the canvas mounts, fed new
 * data/options (no animation) whenever what `getConfig` reads changes, destroyed on unmount.
 *   <canvas {@attach chart(() => config)}></canvas>
 */
export function chart(getConfig: () => AnyChartConfig, inPlace?: ChartPatch) {
  return (canvas: HTMLCanvasElement) => {
    setupCharts();
    let instance: Chart | null = null;
    let type: unknown = null;
    let shape: string | null = null;
    $effect(() => {
      const cfg = getConfig();
      const nextShape = inPlace ? inPlace.shape() : null;
      untrack(() => {
        const font = Math.round(baseFontPx() * 0.8);
        const fontChanged = Chart.defaults.font.size !== font;
        Chart.defaults.font.size = font;
        if (!instance || type !== cfg.type) {
          instance?.destroy();
          instance = new Chart(canvas, cfg as never);
          type = cfg.type;
          shape = nextShape;
          return;
        }
        if (inPlace && !fontChanged && nextShape === shape) {
          inPlace.patch(instance, cfg);
          instance.update('none');
          return;
        }
        shape = nextShape;
        instance.data = cfg.data as never;
        instance.options = (cfg.options ?? {}) as never;
        instance.update('none');
      });
    });
    return () => {
      instance?.destroy();
      instance = null;
    };
  };
}
