/** The page's line charts, drawn with Chart.js (bundled: the page loads nothing from the network). */
import {
  Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip,
  type ChartDataset,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip, Filler);
Chart.defaults.color = '#aab4c3';
Chart.defaults.borderColor = 'rgba(170, 180, 195, 0.18)';
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

export const COLOURS = {
  bayes: '#4cc9f0',
  random: '#f8961e',
  grid: '#b5179e',
  muted: '#8d99ae',
} as const;

export interface Series {
  label: string;
  colour: string;
  /** y values at x = 1, 2, ... unless `xs` is given */
  values: readonly number[];
  /** the x of each value (a learning curve's epochs, a fraction where a trial stopped inside one) */
  xs?: readonly number[];
  dashed?: boolean;
  /** draw as steps (a best-so-far curve) rather than straight segments [true] */
  stepped?: boolean;
}

/** A line chart of series against the evaluation number. */
export class LineChart {
  readonly chart: Chart<'line', { x: number; y: number }[]>;

  /** `xMin`: where the x axis starts [1; 0 for epochs, where a trial may stop inside its first] */
  constructor(canvas: HTMLCanvasElement, opts: { xTitle: string; yTitle: string; logY?: boolean; legend?: boolean; xMin?: number }) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: opts.xTitle }, ticks: { precision: 0 }, min: opts.xMin ?? 1 },
          y: { type: opts.logY ? 'logarithmic' : 'linear', title: { display: true, text: opts.yTitle } },
        },
        plugins: { legend: { display: opts.legend ?? true, position: 'bottom', labels: { boxWidth: 14, boxHeight: 2 } } },
      },
    });
  }

  /** Replaces the plotted series. */
  set(series: readonly Series[]): void {
    this.chart.data.datasets = series.map((s): ChartDataset<'line', { x: number; y: number }[]> => ({
      label: s.label,
      data: s.values.map((y, i) => ({ x: s.xs?.[i] ?? i + 1, y })),
      borderColor: s.colour,
      backgroundColor: s.colour,
      borderWidth: 2,
      borderDash: s.dashed ? [6, 4] : [],
      pointRadius: s.values.length > 40 ? 0 : 2.5,
      stepped: s.stepped === false ? false : 'before',
      tension: 0,
    }));
    this.chart.update();
  }
}
