/**
 * A Chart.js canvas owned by a React component. Charts are the picture; every chart in the panels
 * sits beside a table holding the same numbers, which is what keyboard and screen-reader users get.
 * `build` receives the theme's colours and is called again when the theme changes (the chart is
 * rebuilt with the new colours, no refresh needed).
 */
import { useEffect, useRef } from 'react';
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip,
  type ChartConfiguration, type Plugin,
} from 'chart.js';
import { exportChart } from './export';
import { chartColors, useThemeVersion, type ChartColors } from './theme';

// LineElement: scatter datasets with `showLine` (the quadrant guides) draw lines.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, ScatterController, PointElement, LineElement, Filler, Tooltip, Legend);

export interface ChartProps {
  build: (colors: ChartColors) => ChartConfiguration;
  /** What the chart shows, for screen readers and the PNG's file name. */
  label: string;
  height?: number;
  /** Values `build` depends on besides the theme (like useMemo's dependencies). */
  deps: readonly unknown[];
}

export function ChartCanvas({ build, label, height = 220, deps }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const colors = chartColors();
    const config = build(colors); // built even without a canvas: a bad state fails here, in tests too
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return; // no canvas support (component tests): the table beside the chart carries the data
    Chart.defaults.color = colors.foreground;
    Chart.defaults.borderColor = colors.grid;
    const chart = new Chart(ctx, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => chart.destroy();
  }, [theme, ...deps]);
  return (
    <div className="chart-box">
      <div className="chart" style={{ height }}>
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      <button className="link export-png" title={`Save "${label}" as PNG`} onClick={() => canvas.current && exportChart(label, canvas.current)}>PNG</button>
    </div>
  );
}

/**
 * Draws each point's label beside it (scatter charts): names on the picture, not only in a
 * tooltip. `labels[datasetIndex][pointIndex]`.
 */
export function pointLabels(labels: Record<number, string[]>, color: string): Plugin {
  return {
    id: 'glassboxPointLabels',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.fillStyle = color;
      ctx.font = '10px sans-serif';
      ctx.textBaseline = 'middle';
      for (const [d, names] of Object.entries(labels)) {
        const meta = chart.getDatasetMeta(Number(d));
        meta.data.forEach((el, i) => {
          const name = names[i];
          if (name) ctx.fillText(name, el.x + 5, el.y);
        });
      }
      ctx.restore();
    },
  };
}
