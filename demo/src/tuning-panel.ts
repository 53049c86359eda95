/**
 * The tuning panel: study (taxi fares or digits) and budget/epochs/rows
 * inputs, a best-so-far chart of the strategies, the table of trials and the
 * winning configuration. TensorFlow.js is loaded when the first run starts.
 * The panel runs the study and draws the charts; the settings form is
 * ./tuning-inputs', the table and the winner ./tuning-table's.
 */
import type { Engine } from '../../src/acquisition/engine';
import { COLOURS, LineChart } from './charts';
import type { StatusBar } from './status';
import { STRATEGY_LABELS, type Strategy } from './strategies';
import type { DemoStudy, EpochReport, TrialRecord, TuningResult } from './tuning';
import { $, ALL, readSettings, SETTING_IDS } from './tuning-inputs';
import { headerRow, showWinner, trialRow, VIEW } from './tuning-table';

/** The strategy whose study the Report button saves: Bayesian search when it ran, else the first. */
const reportStrategy = (r: TuningResult | null): Strategy | undefined => (r === null ? undefined : ALL.find((s) => r.studies[s] !== undefined));

/** One trial's learning curve as the lower chart draws it. */
interface Curve {
  strategy: Strategy;
  index: number;
  values: number[];
  pruned: boolean;
}

export class TuningPanel {
  result: TuningResult | null = null;
  private readonly chart: LineChart;
  /** every trial's validation metric per epoch, drawn as the trials train */
  private readonly curvesChart: LineChart;
  private curves: Curve[] = [];
  private running = false;
  /** aborts the run in progress (the Stop button) */
  private abort: AbortController | null = null;
  private study: DemoStudy = 'taxi';

  constructor(
    private readonly engine: Engine,
    private readonly device: GPUDevice | null,
    private readonly status: StatusBar,
    private readonly onError: (e: unknown) => void,
  ) {
    this.chart = new LineChart($('tuning-chart') as HTMLCanvasElement, {
      xTitle: 'trials', yTitle: 'best validation RMSE so far ($)',
    });
    this.curvesChart = new LineChart($('curves-chart') as HTMLCanvasElement, {
      xTitle: 'epoch', yTitle: 'validation RMSE after each epoch ($)', legend: false,
    });
    $('tune').addEventListener('click', () => void this.run());
    $('tune-stop').addEventListener('click', () => this.stop());
    $('tune-report').addEventListener('click', () => void this.report());
    document.body.dataset.tuning = 'idle';
  }

  /** Runs the study with the inputs' settings; resolves when done (errors are reported, not thrown). */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    $('error').hidden = true;
    document.body.dataset.tuning = 'running';
    const abort = new AbortController();
    this.abort = abort;
    this.setRunning(true);
    let ran = 0;
    try {
      const { budget, epochs, rows, seed, study, pruner, concurrency, strategies } = readSettings();
      this.progress(`loading TensorFlow.js and the ${study} data…`);
      const runner = await import('./tuning-runner');
      const tf = await runner.tfjsBackend(this.device, (line) => console.info(line));
      this.status.set('tfjs', tf.backend === 'webgpu'
        ? `webgpu, ${tf.ownsDevice ? 'own device' : 'same device as the engine'}`
        : `${tf.backend} (${this.device === null ? 'no WebGPU' : tf.reason})`);
      let data: Awaited<ReturnType<typeof runner.taxiData>> | Awaited<ReturnType<typeof runner.digitsData>>['splits'];
      let source = 'the taxi sample';
      if (study === 'digits') {
        const d = await runner.digitsData();
        data = d.splits;
        source = d.source;
      } else {
        data = await runner.taxiData();
      }
      const byStrategy: Record<Strategy, TrialRecord[]> = { bayes: [], random: [], grid: [] };
      this.study = study;
      this.clear();
      // the first report comes after a whole epoch (a minute on a slow device): say what runs meanwhile
      this.progress(`training: ${strategies.map((st) => STRATEGY_LABELS[st]).join(', ')}, ${budget} trial(s) each, ${epochs} epoch(s) per trial…`);
      this.result = await runner.runTuning({
        engine: this.engine, study, data, budget, epochs, rows, seed, strategies, pruner, concurrency,
        onEpoch: (r) => {
          this.addEpoch(r);
          this.progress(`${STRATEGY_LABELS[r.strategy]}: trial ${r.index} / ${budget}, epoch ${r.step} / ${epochs}`);
        },
        signal: abort.signal,
        onTrial: (t) => {
          ran++;
          byStrategy[t.strategy].push(t);
          this.addRow(t);
          this.endCurve(t);
          this.plot(byStrategy, strategies);
          this.progress(`${STRATEGY_LABELS[t.strategy]}: trial ${t.index} / ${budget} ${t.pruned ? 'pruned' : 'done'}, training the next…`);
        },
      });
      showWinner($('winner'), this.result, this.study);
      this.showReportButton(this.result);
      const pruned = strategies.reduce((n, st) => n + this.result!.trials[st].filter((t) => t.pruned).length, 0);
      // a grid may hold fewer points than the budget (its largest balanced grid within it)
      this.progress(`done: ${ran} trials${pruner === 'none' ? '' : ` (${pruned} pruned by ${this.result.pruner})`} on ${data.train.n > rows ? rows : data.train.n} training rows, ${data.val.n} validation rows (${source})`);
      document.body.dataset.tuning = 'done';
    } catch (err) {
      if (abort.signal.aborted) {
        // stopped: the trials that finished stay in the table and the charts
        document.body.dataset.tuning = 'stopped';
        this.progress(`stopped after ${ran} trial(s)`);
      } else {
        document.body.dataset.tuning = 'error';
        this.progress('failed');
        this.onError(err);
      }
    } finally {
      this.running = false;
      this.abort = null;
      this.setRunning(false);
    }
  }

  /** The report of the run's Bayesian search (else its first strategy's), saved as an HTML file. */
  private async report(): Promise<void> {
    const strategy = reportStrategy(this.result);
    if (this.result === null || strategy === undefined) return;
    try {
      const { downloadStudyReport } = await import('./tuning-report');
      await downloadStudyReport(this.result.studies[strategy]!, `${this.study}-${strategy}-report.html`);
    } catch (err) {
      this.onError(err);
    }
  }

  private showReportButton(r: TuningResult): void {
    const s = reportStrategy(r);
    $('tune-report').hidden = s === undefined;
    if (s !== undefined) $('tune-report').textContent = `Report (${STRATEGY_LABELS[s]})`;
  }

  /** Stops the run in progress: trainings end at their next batch, no new trial starts. */
  stop(): void {
    if (this.abort === null || this.abort.signal.aborted) return;
    this.abort.abort(new Error('stopped'));
    this.progress('stopping…');
  }

  /** Run is disabled and Stop shown while a run is in progress; so are the settings, read once at its start. */
  private setRunning(on: boolean): void {
    ($('tune') as HTMLButtonElement).disabled = on;
    $('tune-stop').hidden = !on;
    if (on) $('tune-report').hidden = true;
    for (const id of SETTING_IDS) {
      ($(id) as HTMLInputElement).disabled = on;
    }
  }

  private progress(text: string): void {
    $('tune-progress').textContent = text;
  }

  private clear(): void {
    const view = VIEW[this.study];
    ($('trials').querySelector('thead') as HTMLElement).replaceChildren(headerRow(this.study));
    const y = this.chart.chart.options.scales?.y;
    if (y?.title) y.title.text = view.chart;
    ($('tuning-chart') as HTMLCanvasElement).setAttribute('aria-label', view.chart);
    ($('trials').querySelector('tbody') as HTMLElement).replaceChildren();
    $('winner').replaceChildren();
    this.chart.set([]);
    const cy = this.curvesChart.chart.options.scales?.y;
    if (cy?.title) cy.title.text = view.curves;
    this.curves = [];
    this.curvesChart.set([]);
  }

  /** A trial's epoch: extends its curve (starting it at its first epoch) and redraws. */
  private addEpoch(r: EpochReport): void {
    let c = this.curves.find((k) => k.strategy === r.strategy && k.index === r.index);
    if (c === undefined) {
      c = { strategy: r.strategy, index: r.index, values: [], pruned: false };
      this.curves.push(c);
    }
    c.values.push(r.value);
    this.drawCurves();
  }

  /** A finished trial: its curve is the recorded one, greyed and dashed when it was pruned. */
  private endCurve(t: TrialRecord): void {
    const c = this.curves.find((k) => k.strategy === t.strategy && k.index === t.index);
    if (c === undefined) this.curves.push({ strategy: t.strategy, index: t.index, values: [...t.curve], pruned: t.pruned });
    else c.pruned = t.pruned;
    this.drawCurves();
  }

  private drawCurves(): void {
    this.curvesChart.set(this.curves.map((c) => ({
      label: `${c.strategy === 'bayes' ? 'BO' : c.strategy} #${c.index}${c.pruned ? ' (pruned)' : ''}`,
      colour: c.pruned ? COLOURS.muted : COLOURS[c.strategy],
      values: c.values,
      dashed: c.pruned,
      stepped: false,
    })));
  }

  private plot(by: Record<Strategy, TrialRecord[]>, strategies: readonly Strategy[]): void {
    this.chart.set(strategies.filter((s) => by[s].length > 0).map((s) => ({
      label: STRATEGY_LABELS[s], colour: COLOURS[s], values: by[s].map((t) => t.bestSoFar),
    })));
  }

  private addRow(t: TrialRecord): void {
    ($('trials').querySelector('tbody') as HTMLElement).appendChild(trialRow(t, this.study));
  }
}
