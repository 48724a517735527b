/**
 * A Chart.js canvas owned by a React component. Charts are the picture; every chart in the panels
 * sits beside a table holding the same numbers, which is what keyboard and screen-reader users get.
 */
import { useEffect, useRef } from 'react';
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineElement, PointElement, ScatterController, Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { chartColors } from './theme';

// LineElement: scatter datasets with `showLine` (the quadrant guides) draw lines.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, ScatterController, PointElement, LineElement, Tooltip, Legend);

export function ChartCanvas({ config, label, height = 220 }: { config: ChartConfiguration; label: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return; // no canvas support (component tests): the table beside the chart carries the data
    const colors = chartColors();
    Chart.defaults.color = colors.foreground;
    Chart.defaults.borderColor = colors.grid;
    const chart = new Chart(ctx, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
}
