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
import { $, ALL, readSettings, SETTING_IDS, type TuningSettings } from './tuning-inputs';
import { headerRow, showWinner, trialRow, VIEW } from './tuning-table';

/** The strategy whose study the Report button saves: Bayesian search when it ran, else the first. */
const reportStrategy = (r: TuningResult | null): Strategy | undefined => (r === null ? undefined : ALL.find((s) => r.studies[s] !== undefined));

/** One trial's learning curve as the lower chart draws it. */
interface Curve {
  strategy: Strategy;
  index: number;
  values: number[];
  /** the epoch of each value (a fraction where it was pruned inside one) */
  xs: number[];
  pruned: boolean;
  /** whether its trial finished (a table row); a stopped run's unfinished ones are taken off the chart */
  ended: boolean;
}

/** The winner box's text while no run has picked a winner. */
const WINNER_NOTE = {
  waiting: 'The winning configuration appears here when the run ends.',
  stopped: 'Stopped: a stopped run picks no winner (its finished trials are in the table).',
  failed: 'The run failed: no winning configuration.',
} as const;

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
      // from 0: a trial pruned inside its first epoch (digits reports every 1/3 or 1/4 epoch) ends before 1
      xTitle: 'epoch', yTitle: 'validation RMSE after each epoch ($)', legend: false, xMin: 0,
    });
    $('tune').addEventListener('click', () => void this.run());
    $('tune-stop').addEventListener('click', () => this.stop());
    $('tune-report').addEventListener('click', () => void this.report());
    document.body.dataset.tuning = 'idle';
  }

  /** Runs the study with the inputs' settings; resolves when done (errors are reported, not thrown). */
  async run(): Promise<void> {
    if (this.running) return;
    $('tune-error').hidden = true;
    // read before anything changes: a typo is said under the controls, and the previous run's
    // table, winner and Report stay (the panel switched to running first and hid the Report)
    let settings: TuningSettings;
    try {
      settings = readSettings();
    } catch (err) {
      document.body.dataset.tuning = 'error';
      this.onError(err);
      return;
    }
    this.running = true;
    document.body.dataset.tuning = 'running';
    const abort = new AbortController();
    this.abort = abort;
    this.setRunning(true);
    let ran = 0;
    try {
      const { budget, epochs, rows, seed, study, pruner, concurrency, strategies } = settings;
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
          this.progress(`${STRATEGY_LABELS[r.strategy]}: trial ${r.index} / ${budget}, epoch ${Number(r.step.toFixed(2))} / ${epochs}`);
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
        // stopped: the trials that finished stay in the table and the charts; the trainings cut
        // short land nowhere, so their curves leave the chart too (they had no row behind them)
        this.curves = this.curves.filter((c) => c.ended);
        this.drawCurves();
        this.winnerNote(WINNER_NOTE.stopped);
        document.body.dataset.tuning = 'stopped';
        this.progress(`stopped after ${ran} trial(s)`);
      } else {
        document.body.dataset.tuning = 'error';
        this.progress('failed (the error is below)');
        // failed before the table was cleared: the previous run's winner and Report stay
        if (this.result === null) this.winnerNote(WINNER_NOTE.failed);
        this.onError(err);
      }
    } finally {
      this.running = false;
      this.abort = null;
      this.setRunning(false);
      // the Report of the run the table shows: this one's, or the previous one's where this one failed before clearing it
      if (this.result !== null) this.showReportButton(this.result);
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

  private winnerNote(text: string): void {
    const note = document.createElement('span');
    note.className = 'muted';
    note.textContent = text;
    $('winner').replaceChildren(note);
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
    // the table no longer shows the previous run: neither does the Report, nor the winner
    this.result = null;
    this.winnerNote(WINNER_NOTE.waiting);
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
      c = { strategy: r.strategy, index: r.index, values: [], xs: [], pruned: false, ended: false };
      this.curves.push(c);
    }
    c.values.push(r.value);
    c.xs.push(r.step);
    this.drawCurves();
  }

  /** A finished trial: its curve is the recorded one, greyed and dashed when it was pruned. */
  private endCurve(t: TrialRecord): void {
    const c = this.curves.find((k) => k.strategy === t.strategy && k.index === t.index);
    const done = { values: [...t.curve], xs: [...t.curveEpochs], pruned: t.pruned, ended: true };
    if (c === undefined) this.curves.push({ strategy: t.strategy, index: t.index, ...done });
    else Object.assign(c, done);
    this.drawCurves();
  }

  private drawCurves(): void {
    this.curvesChart.set(this.curves.map((c) => ({
      label: `${c.strategy === 'bayes' ? 'BO' : c.strategy} #${c.index}${c.pruned ? ' (pruned)' : ''}`,
      colour: c.pruned ? COLOURS.muted : COLOURS[c.strategy],
      values: c.values,
      xs: c.xs,
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
