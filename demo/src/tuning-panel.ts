/**
 * The tuning panel: budget/epochs/rows inputs, a best-so-far chart of the
 * strategies, the table of trials and the winning configuration. TensorFlow.js
 * is loaded when the first run starts.
 */
import type { Engine } from '../../src/acquisition/engine';
import { COLOURS, LineChart } from './charts';
import { formatMs, formatValue } from './format';
import { InputError } from './input-error';
import type { StatusBar } from './status';
import { STRATEGY_LABELS, type Strategy } from './strategies';
import type { TrialRecord, TuningResult } from './tuning';

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page is missing #${id}`);
  return el;
}

function readInt(id: string, label: string, min: number, max: number): number {
  const raw = ($(id) as HTMLInputElement).value;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new InputError(`${label}: expected an integer in ${min}..${max}, got "${raw}"`);
  return v;
}

const ALL: readonly Strategy[] = ['bayes', 'random', 'grid'];

export class TuningPanel {
  result: TuningResult | null = null;
  private readonly chart: LineChart;
  private running = false;

  constructor(
    private readonly engine: Engine,
    private readonly device: GPUDevice | null,
    private readonly status: StatusBar,
    private readonly onError: (e: unknown) => void,
  ) {
    this.chart = new LineChart($('tuning-chart') as HTMLCanvasElement, {
      xTitle: 'trials', yTitle: 'best validation RMSE so far ($)',
    });
    $('tune').addEventListener('click', () => void this.run());
    document.body.dataset.tuning = 'idle';
  }

  /** Runs the study with the inputs' settings; resolves when done (errors are reported, not thrown). */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    $('error').hidden = true;
    document.body.dataset.tuning = 'running';
    ($('tune') as HTMLButtonElement).disabled = true;
    try {
      const budget = readInt('budget', 'budget', 2, 50);
      const epochs = readInt('epochs', 'epochs', 1, 50);
      const rows = readInt('rows', 'training rows', 50, 4000);
      const seed = readInt('tune-seed', 'seed', 0, 2 ** 31 - 1);
      const strategies = ALL.filter((s) => ($(`use-${s}`) as HTMLInputElement).checked);
      if (strategies.length === 0) throw new InputError('strategies: tick at least one');
      this.progress('loading TensorFlow.js and the taxi data…');
      const runner = await import('./tuning-runner');
      const tf = await runner.tfjsBackend(this.device, (line) => console.info(line));
      this.status.set('tfjs', tf.backend === 'webgpu'
        ? `webgpu, ${tf.ownsDevice ? 'own device' : 'same device as the engine'}`
        : `${tf.backend} (${this.device === null ? 'no WebGPU' : tf.reason})`);
      const data = await runner.taxiData();
      const byStrategy: Record<Strategy, TrialRecord[]> = { bayes: [], random: [], grid: [] };
      this.clear();
      this.result = await runner.runTuning({
        engine: this.engine, data, budget, epochs, rows, seed, strategies,
        onTrial: (t) => {
          byStrategy[t.strategy].push(t);
          this.addRow(t);
          this.plot(byStrategy, strategies);
          this.progress(`${STRATEGY_LABELS[t.strategy]}: trial ${t.index} / ${budget}`);
        },
      });
      this.showWinner(this.result);
      this.progress(`done: ${strategies.length * budget} trials on ${data.train.n > rows ? rows : data.train.n} training rows, ${data.val.n} validation rows`);
      document.body.dataset.tuning = 'done';
    } catch (err) {
      document.body.dataset.tuning = 'error';
      this.progress('failed');
      this.onError(err);
    } finally {
      this.running = false;
      ($('tune') as HTMLButtonElement).disabled = false;
    }
  }

  private progress(text: string): void {
    $('tune-progress').textContent = text;
  }

  private clear(): void {
    ($('trials').querySelector('tbody') as HTMLElement).replaceChildren();
    $('winner').replaceChildren();
    this.chart.set([]);
  }

  private plot(by: Record<Strategy, TrialRecord[]>, strategies: readonly Strategy[]): void {
    this.chart.set(strategies.filter((s) => by[s].length > 0).map((s) => ({
      label: STRATEGY_LABELS[s], colour: COLOURS[s], values: by[s].map((t) => t.bestSoFar),
    })));
  }

  private addRow(t: TrialRecord): void {
    const tr = document.createElement('tr');
    tr.dataset.strategy = t.strategy;
    const cells = [
      `${t.strategy === 'bayes' ? 'BO' : t.strategy} #${t.index}`,
      t.source,
      formatValue(t.params.learning_rate as number),
      formatValue(t.params.l2 as number),
      Number.isFinite(t.rmse) ? t.rmse.toFixed(3) : 'failed',
      formatMs(t.trainMs),
      t.suggestMs !== undefined && t.source === 'suggest' ? `${formatMs(t.suggestMs)} (${t.engine ?? '?'})` : '–',
    ];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    ($('trials').querySelector('tbody') as HTMLElement).appendChild(tr);
  }

  private showWinner(r: TuningResult): void {
    const w = r.winner;
    const el = $('winner');
    if (!w) {
      el.textContent = 'Every trial failed.';
      return;
    }
    const bests = (Object.keys(r.trials) as Strategy[])
      .filter((s) => r.trials[s].length > 0)
      .map((s) => `${STRATEGY_LABELS[s]}: ${formatValue(r.trials[s][r.trials[s].length - 1].bestSoFar)}`);
    el.innerHTML = `
      <div class="winner-title">Winning configuration <span class="tag">${STRATEGY_LABELS[w.strategy]}, trial ${w.index}</span></div>
      <dl>
        <dt>learning rate</dt><dd>${formatValue(w.params.learning_rate as number)}</dd>
        <dt>L2 penalty</dt><dd>${formatValue(w.params.l2 as number)}</dd>
        <dt>validation RMSE</dt><dd>$${w.rmse.toFixed(3)}</dd>
      </dl>
      <div class="muted">best per strategy: ${bests.join(' · ')}</div>`;
  }
}
