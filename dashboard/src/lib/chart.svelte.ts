import { untrack } from 'svelte';
import { Chart, setupCharts, baseFontPx, type AnyChartConfig } from './charts';

/**
 * The one attachment that owns a chart.js chart: created when the canvas mounts, fed new
 * data/options (no animation) whenever what `getConfig` reads changes, destroyed on unmount.
 *   <canvas {@attach chart(() => config)}></canvas>
 */
export function chart(getConfig: () => AnyChartConfig) {
  return (canvas: HTMLCanvasElement) => {
    setupCharts();
    let instance: Chart | null = null;
    let type: unknown = null;
    $effect(() => {
      const cfg = getConfig();
      untrack(() => {
        Chart.defaults.font.size = Math.round(baseFontPx() * 0.8);
        if (!instance || type !== cfg.type) {
          instance?.destroy();
          instance = new Chart(canvas, cfg as never);
          type = cfg.type;
          return;
        }
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
