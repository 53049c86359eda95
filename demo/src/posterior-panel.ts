/**
 * The posterior panel: controls, the four heatmaps (true f, posterior mean,
 * posterior std, acquisition) and the regret chart, driving a BoSession.
 */
import type { Engine } from '../../src/acquisition/engine';
import type { AcquisitionKind, AcquisitionSpec } from '../../src/acquisition/functions';
import { DEFAULT_CANDIDATES } from '../../src/acquisition/engine';
import { DEFAULT_KAPPA, DEFAULT_XI } from '../../src/optimizer/options';
import { BoSession, randomSearchRegret, type Surfaces } from './bo-session';
import { COLOURS, LineChart } from './charts';
import { colourRange } from './colormap';
import { formatMs, formatValue } from './format';
import { HeatmapView, type UnitPoint } from './heatmap';
import { InputError } from './input-error';
import { expressionProblem, PROBLEMS, type Problem2D } from './problems';
import type { StatusBar } from './status';

const ACQ_TITLES: Record<AcquisitionKind, string> = {
  ei: 'Acquisition: log EI(x)',
  logei: 'Acquisition: log-EI(x)',
  pi: 'Acquisition: log PI(x)',
  ucb: 'Acquisition: UCB(x) = μ + κσ',
};

function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page is missing #${id}`);
  return el;
}

function intInput(id: string, min: number, max: number): number {
  const el = $(id) as HTMLInputElement;
  const v = Number(el.value);
  // Number('') is 0: an emptied field is refused, not read as 0
  if (el.value.trim() === '' || !Number.isInteger(v) || v < min || v > max) {
    throw new InputError(`${el.dataset.label ?? id}: expected an integer in ${min}..${max}, got "${el.value}"`);
  }
  return v;
}

export class PosteriorPanel {
  session: BoSession | null = null;
  /** what the session was started for (problemKey): a step with other controls starts a new one */
  private sessionKey = '';
  /** the acquisition the session runs with (JSON): a refused ξ or κ leaves the one before */
  private appliedSpec = '';
  surfaces: Surfaces | null = null;
  /** one entry per heatmap redraw: checksums of the surfaces (test hook) */
  readonly drawLog: { evaluations: number; mean: number; std: number; acq: number; ms: number }[] = [];
  private readonly maps: Record<'truth' | 'mean' | 'std' | 'acq', HeatmapView>;
  private readonly regret: LineChart;
  private busy = false;
  private stopRequested = false;

  constructor(private readonly engine: Engine, private readonly status: StatusBar, private readonly onError: (e: unknown) => void) {
    const grid = $('heatmaps');
    this.maps = {
      truth: new HeatmapView(grid, 'truth', 'True function f(x)'),
      mean: new HeatmapView(grid, 'mean', 'Posterior mean μ(x)'),
      std: new HeatmapView(grid, 'std', 'Posterior std σ(x)'),
      acq: new HeatmapView(grid, 'acq', ACQ_TITLES.ei, 0.05),
    };
    this.regret = new LineChart($('regret-chart') as HTMLCanvasElement, {
      xTitle: 'evaluations', yTitle: 'simple regret  f(best) − f*', logY: true,
    });
    const fnSelect = $('fn') as HTMLSelectElement;
    for (const p of PROBLEMS) fnSelect.add(new Option(p.label, p.id));
    fnSelect.add(new Option('Your expression…', 'custom'));
    fnSelect.addEventListener('change', () => {
      $('custom-fn').hidden = fnSelect.value !== 'custom';
      if (fnSelect.value !== 'custom') this.guard(() => this.reset());
    });
    ($('acq') as HTMLSelectElement).addEventListener('change', () => {
      this.syncAcqParam(true);
      this.guard(() => this.reconfigure());
    });
    ($('acq-param') as HTMLInputElement).addEventListener('change', () => this.guard(() => this.reconfigure()));
    ($('cands') as HTMLSelectElement).addEventListener('change', () => this.guard(() => this.reconfigure()));
    $('step').addEventListener('click', () => this.guard(() => this.run(1)));
    $('run').addEventListener('click', () => this.guard(() => this.run(intInput('run-n', 1, 200))));
    $('reset').addEventListener('click', () => this.guard(() => this.reset()));
    $('stop').addEventListener('click', () => { this.stopRequested = true; });
    $('custom-apply').addEventListener('click', () => this.guard(() => this.reset()));
    const auto = ($('cands') as HTMLSelectElement).options[0];
    auto.text = `auto (${DEFAULT_CANDIDATES[engine.kind].toLocaleString('en-US')})`;
    this.syncAcqParam(true);
  }

  /** Runs `fn` unless busy; disables the controls meanwhile; reports errors. */
  async guard(fn: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.setBusy(true);
    $('posterior-error').hidden = true;
    try {
      await fn();
    } catch (err) {
      this.onError(err);
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(b: boolean): void {
    this.busy = b;
    document.body.dataset.posterior = b ? 'busy' : 'idle';
    for (const id of ['step', 'run', 'reset', 'fn', 'acq', 'acq-param', 'cands', 'seed', 'custom-apply']) {
      ($(id) as HTMLButtonElement).disabled = b;
    }
    $('stop').hidden = !b;
  }

  private syncAcqParam(setDefault: boolean): void {
    const kind = ($('acq') as HTMLSelectElement).value as AcquisitionKind;
    const input = $('acq-param') as HTMLInputElement;
    $('acq-param-label').textContent = kind === 'ucb' ? 'κ' : 'ξ';
    input.title = kind === 'ucb'
      ? 'UCB exploration weight κ (in posterior standard deviations)'
      : 'exploration margin ξ (in standardized target units)';
    if (setDefault) input.value = String(kind === 'ucb' ? DEFAULT_KAPPA : DEFAULT_XI);
  }

  private acquisition(): AcquisitionSpec {
    const kind = ($('acq') as HTMLSelectElement).value as AcquisitionKind;
    const raw = ($('acq-param') as HTMLInputElement).value;
    const v = Number(raw);
    if (!(raw.trim() !== '' && Number.isFinite(v) && v >= 0)) {
      throw new InputError(`${kind === 'ucb' ? 'κ' : 'ξ'}: expected a number >= 0, got "${raw}"`);
    }
    return kind === 'ucb' ? { kind, xi: DEFAULT_XI, kappa: v } : { kind, xi: v, kappa: DEFAULT_KAPPA };
  }

  /** Candidates per suggestion from the select; undefined: the engine's default. */
  private candidates(): number | undefined {
    const v = ($('cands') as HTMLSelectElement).value;
    return v === 'auto' ? undefined : Number(v);
  }

  private problem(): Problem2D {
    const id = ($('fn') as HTMLSelectElement).value;
    if (id !== 'custom') return PROBLEMS.find((p) => p.id === id) as Problem2D;
    const num = (k: string, label: string) => {
      const raw = ($(k) as HTMLInputElement).value;
      // Number('') is 0: an emptied bound is refused, not read as 0
      if (raw.trim() === '') throw new InputError(`${label}: expected a number, got ""`);
      return Number(raw);
    };
    return expressionProblem(($('custom-expr') as HTMLInputElement).value,
      [[num('custom-xlo', 'x low'), num('custom-xhi', 'x high')], [num('custom-ylo', 'y low'), num('custom-yhi', 'y high')]]);
  }

  /** The function and seed the controls choose, as text: a typed expression with its box, and the seed (a new one starts a new session). */
  private problemKey(): string {
    const id = ($('fn') as HTMLSelectElement).value;
    const seed = ($('seed') as HTMLInputElement).value;
    if (id !== 'custom') return `${id}\u0000${seed}`;
    return ['custom-expr', 'custom-xlo', 'custom-xhi', 'custom-ylo', 'custom-yhi', 'seed'].map((k) => ($(k) as HTMLInputElement).value).join('\u0000');
  }

  /** A new session: initial design, first suggestion, heatmaps. */
  async reset(): Promise<void> {
    // forgotten first: after a refused function no step goes on with the one before
    this.session = null;
    const key = this.problemKey();
    const problem = this.problem();
    const seed = intInput('seed', 0, 2 ** 31 - 1);
    const acquisition = this.acquisition();
    const before = this.status.values.suggest ?? '–';
    this.status.set('suggest', 'fitting the GP…');
    try {
      this.session = await BoSession.start({ problem, engine: this.engine, acquisition, seed, candidates: this.candidates() });
    } catch (err) {
      // refused (a function not finite on its box): the surfaces shown are the previous function's
      this.status.set('suggest', before);
      $('bo-info').textContent = 'The function was refused (see the error); the maps show the previous one.';
      throw err;
    }
    this.sessionKey = key;
    this.appliedSpec = JSON.stringify(acquisition);
    this.maps.acq.setTitle(ACQ_TITLES[acquisition.kind]);
    await this.redraw();
  }

  private async reconfigure(): Promise<void> {
    if (this.session === null || this.problemKey() !== this.sessionKey) return this.reset();
    const spec = this.acquisition();
    const candidates = this.candidates() ?? DEFAULT_CANDIDATES[this.engine.kind];
    await this.session.configure({ acquisition: spec, candidates });
    this.appliedSpec = JSON.stringify(spec);
    this.maps.acq.setTitle(ACQ_TITLES[spec.kind]);
    await this.redraw();
  }

  /** `n` Bayesian steps, redrawing after each. */
  async run(n: number): Promise<void> {
    // a new session where the controls now choose another function (or the last one was refused)
    if (this.session === null || this.problemKey() !== this.sessionKey) await this.reset();
    // a refused ξ or κ is said again rather than stepped over with the one before
    if (JSON.stringify(this.acquisition()) !== this.appliedSpec) await this.reconfigure();
    this.stopRequested = false;
    for (let i = 0; i < n && !this.stopRequested; i++) {
      $('progress').textContent = n > 1 ? `step ${i + 1} / ${n}` : '';
      await (this.session as BoSession).step();
      await this.redraw();
      // a task boundary between steps: the page paints the step and takes clicks (Stop) and input;
      // on the CPU engine a step never waits on anything else, and a run held the tab to its end
      if (i + 1 < n) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    $('progress').textContent = '';
  }

  private async redraw(): Promise<void> {
    const s = this.session as BoSession;
    const surf = await s.surfaces();
    this.surfaces = surf;
    const [[a1, b1], [a2, b2]] = s.problem.bounds;
    const unit = (x1: number, x2: number): UnitPoint => [(x1 - a1) / (b1 - a1), (x2 - a2) / (b2 - a2)];
    const obs = s.observations.map((o) => unit(o.x1, o.x2));
    const last = s.observations[s.observations.length - 1];
    const sug = s.suggestion;
    const markers = {
      observations: obs,
      latest: s.observations.length > s.initPoints ? unit(last.x1, last.x2) : undefined,
      next: sug ? unit(sug.x1, sug.x2) : undefined,
    };
    const truth = s.trueSurface();
    const truthRange = colourRange(truth);
    this.maps.truth.draw(truth, s.g, { ...markers, minimizers: s.problem.argmins.map(([x, y]) => unit(x, y)) }, truthRange);
    // The mean on the true function's colour scale, so the two compare at a glance.
    const meanRange = colourRange(surf.mean);
    this.maps.mean.draw(surf.mean, s.g, markers, {
      lo: truthRange.lo, hi: truthRange.hi, clippedLow: meanRange.lo < truthRange.lo, clippedHigh: meanRange.hi > truthRange.hi,
    });
    this.maps.std.draw(surf.std, s.g, markers);
    this.maps.acq.draw(surf.acq, s.g, markers);
    this.drawLog.push({
      evaluations: s.observations.length, mean: checksum(surf.mean), std: checksum(surf.std), acq: checksum(surf.acq), ms: surf.ms,
    });

    const curve = s.regretCurve();
    const { value: fmin, exact } = s.minimum();
    this.regret.set([
      { label: 'Bayesian optimization (this run)', colour: COLOURS.bayes, values: curve },
      {
        label: 'random search (mean of 32 runs)', colour: COLOURS.random, dashed: true,
        values: randomSearchRegret(s.problem, Math.max(curve.length, 20), fmin),
      },
    ]);
    const best = Math.min(...s.observations.map((o) => o.f));
    $('bo-info').innerHTML = [
      `<b>${s.observations.length}</b> evaluations (${s.initPoints} initial)`,
      `best f = <b>${formatValue(best)}</b>`,
      `f* = ${formatValue(fmin)}${exact ? '' : ' (grid estimate)'}`,
      `regret = <b>${formatValue(curve[curve.length - 1])}</b>`,
      sug ? `next: (${formatValue(sug.x1)}, ${formatValue(sug.x2)})` : '',
    ].filter(Boolean).join(' · ');
    if (sug) {
      this.status.set('candidates', sug.scored.toLocaleString('en-US'));
      this.status.set('suggest', `${formatMs(sug.fitMs + sug.proposeMs)} (GP fit ${formatMs(sug.fitMs)} + scoring ${formatMs(sug.proposeMs)})`);
    }
    this.status.set('heatmap', `${formatMs(surf.ms)} for ${(s.g * s.g).toLocaleString('en-US')} points`);
  }
}

/** A position-weighted sum, to tell surfaces apart cheaply. */
function checksum(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) s += v[i] * (1 + (i % 97) / 97);
  return s;
}
