/**
 * Pruned trials and intermediate values (src/storage/trial-curves.ts) are
 * Optuna's: Debian's python3-optuna (3.1, /usr/bin/python3) is the peer, as
 * in ./optuna-interop.test.ts.
 */
import { describe, expect } from 'vitest';
import { Journal } from '../../src/storage';
import { maybe, python, pythonOnJournal, useJournalPaths } from './optuna-peer';

const journalPath = useJournalPaths();

/** Python that prints a study's trials with their state, value, intermediate values and last step. */
const DUMP_CURVES = `
import json, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
print(json.dumps([{'number': t.number, 'state': t.state.name, 'value': t.value, 'last_step': t.last_step,
                   'intermediate': [[k, v] for k, v in sorted(t.intermediate_values.items())]} for t in study.trials]))
`;

describe('pruned trials and intermediate values are Optuna\'s (python3-optuna 3.1)', () => {
  /** Loss after `epoch` epochs for x: (x - 0.5)^2 + 1 / epoch. */
  const curve = (x: number, epoch: number) => (x - 0.5) ** 2 + 1 / epoch;

  /** 12 random trials of `epochs` epochs each, minimizing `curve`, pruned by ASHA, in a journal file; closed. */
  async function prunedHere(randomState: number, epochs: number) {
    const path = journalPath();
    const { RandomSearch } = await import('../../src/optimizer');
    const opt = new RandomSearch({
      space: { x: { type: 'float', low: -2, high: 2 } }, direction: 'minimize', randomState, storage: path, pruner: 'asha', log: () => undefined,
      f: async (p, ctx) => {
        let v = NaN;
        for (let epoch = 1; epoch <= epochs; epoch++) {
          v = curve(p.x as number, epoch);
          if (await ctx.report(epoch, v)) return v;
        }
        return v;
      },
    });
    await opt.maximize({ initPoints: 12, nIter: 0 });
    await opt.close();
    return { path, opt };
  }

  maybe('a study pruned here: Optuna reads PRUNED trials with their last value and every report', async () => {
    const { path, opt } = await prunedHere(2, 9);
    const ours = opt.res;
    expect(ours.filter((t) => t.status === 'pruned').length).toBeGreaterThan(2);
    const py = JSON.parse(python(DUMP_CURVES, [path, 'default']));
    const state = { complete: 'COMPLETE', pruned: 'PRUNED', failed: 'FAIL', pending: 'RUNNING', waiting: 'WAITING' } as const;
    expect(py).toEqual(ours.map((t) => {
      const steps = Object.entries(t.intermediate ?? {}).map(([k, v]) => [Number(k), v]);
      return { number: t.id, state: state[t.status], value: t.target, last_step: steps.length ? steps[steps.length - 1][0] : null, intermediate: steps };
    }));
  });

  maybe('a study Optuna pruned: its PRUNED trials load here as pruned at their last value and step', async () => {
    const path = journalPath();
    python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.create_study(study_name='pruned-in-python', storage=storage, direction='minimize',
                            sampler=optuna.samplers.RandomSampler(seed=3), pruner=optuna.pruners.MedianPruner(n_startup_trials=2))
def objective(trial):
    x = trial.suggest_float('x', -2, 2)
    v = None
    for epoch in range(1, 10):
        v = (x - 0.5) ** 2 + 1 / epoch
        trial.report(v, epoch)
        if trial.should_prune():
            raise optuna.TrialPruned()
    return v
study.optimize(objective, n_trials=12)
`, [path]);
    const py: { number: number; state: string; value: number | null; last_step: number | null; intermediate: [number, number][] }[] =
      JSON.parse(python(DUMP_CURVES, [path, 'pruned-in-python']));
    expect(py.filter((t) => t.state === 'PRUNED').length).toBeGreaterThan(0);
    const loaded = await (await Journal.open(path, { readOnly: true, studyName: 'pruned-in-python' })).load();
    expect(loaded.skipped).toEqual([]);
    expect(loaded.trials.map((t) => [t.id, t.status, t.target, t.step ?? null, Object.entries(t.intermediate ?? {}).map(([k, v]) => [Number(k), v])]))
      .toEqual(py.map((t) => [t.number, t.state === 'PRUNED' ? 'pruned' : 'complete', t.value, t.state === 'PRUNED' ? t.last_step : null, t.intermediate]));
  });

  maybe('ASHA here records its rung values as Optuna does (completed_rung_<k>): an Optuna worker sharing the study prunes against them', async () => {
    const { path, opt } = await prunedHere(5, 6);
    const out = JSON.parse(pythonOnJournal(`study = optuna.load_study(study_name='default', storage=storage, pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4))
rungs = [{k: v for k, v in t.system_attrs.items() if k.startswith('completed_rung_')} for t in study.trials]
verdicts = []
for value in (100.0, 1e-9):
    trial = study.ask({'x': optuna.distributions.FloatDistribution(-2, 2)})
    trial.report(value, 1)
    verdicts.append(trial.should_prune())
    study.tell(trial, state=optuna.trial.TrialState.PRUNED if verdicts[-1] else optuna.trial.TrialState.COMPLETE, values=None if verdicts[-1] else [value])
print(json.dumps({'rungs': rungs, 'verdicts': verdicts}))
`, path));
    // each trial's value at rung 0 (step 1) and, past step 4, at rung 1: as Optuna's pruner would have kept them
    expect(out.rungs).toEqual(opt.res.map((t) => {
      const at = t.intermediate ?? {};
      return { completed_rung_0: at[1], ...(at[4] !== undefined ? { completed_rung_1: at[4] } : {}) };
    }));
    expect(opt.res.some((t) => t.status === 'pruned') && opt.res.some((t) => t.intermediate?.[4] !== undefined)).toBe(true);
    // the worst value at rung 0 is stopped by Optuna's ASHA, the best goes on (before, Optuna saw an empty rung and kept both)
    expect(out.verdicts).toEqual([true, false]);
    // and Optuna's records read back here
    const loaded = await (await Journal.open(path, { readOnly: true })).load();
    expect(loaded.skipped).toEqual([]);
    expect(loaded.trials.slice(12).map((t) => t.status)).toEqual(['pruned', 'complete']);
  });
  maybe('an Optuna worker\'s ±inf reports count in the decisions here as in Optuna\'s (a median of [inf, 2] is no bar; a rung of inf is the one to beat)', async () => {
    const path = journalPath();
    // each study's decision on the next trial (5 at step 3; 5 at step 1), asked of Optuna itself
    const ref = python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
D = {'x': optuna.distributions.FloatDistribution(0, 1)}
a = optuna.create_study(study_name='med', storage=storage, direction='minimize', pruner=optuna.pruners.MedianPruner(n_startup_trials=1))
t = a.ask(D); [t.report(v, s) for s, v in [(1, 1.0), (2, 1.0), (3, float('inf')), (4, 1.0)]]; a.tell(t, 1.0)
t = a.ask(D); [t.report(v, s) for s, v in [(1, 2.0), (2, 2.0), (3, 2.0), (4, 2.0)]]; a.tell(t, 2.0)
b = optuna.create_study(study_name='asha', storage=storage, direction='maximize', pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=4))
t = b.ask(D); t.report(float('inf'), 1); t.should_prune(); b.tell(t, 1.0)
out = []
c = optuna.create_study(study_name='copied', storage=storage, direction='minimize')
c.add_trial(optuna.trial.create_trial(params={'x': 0.5}, distributions=D, value=1.0, intermediate_values={0: float('inf'), 1: 1.0}))
for st, step in ((a, 3), (b, 1)):
    t = st.ask(D); t.report(5.0, step); out.append(t.should_prune())
    st.tell(t, state=optuna.trial.TrialState.FAIL)
print(out)
`, [path]).trim();
    expect(ref).toBe('[False, True]');
    const { RandomSearch } = await import('../../src/optimizer');
    const { MedianPruner } = await import('../../src/pruners');
    const got: boolean[] = [];
    for (const [name, step, direction] of [['med', 3, 'minimize'], ['asha', 1, 'maximize']] as const) {
      const opt = new RandomSearch({
        space: { x: { type: 'float', low: 0, high: 1 } }, direction, randomState: 1, storage: path, studyName: name, log: () => undefined,
        pruner: name === 'med' ? new MedianPruner({ startupTrials: 1 }) : 'asha',
      });
      const p = await opt.suggest();
      got.push(await opt.report(p, step, 5));
      // the infinite report is in the curve (the pruners read it), and the models leave it out
      expect(opt.res[0].intermediate![name === 'med' ? 3 : 1]).toBe(Infinity);
      await opt.close();
    }
    expect(got).toEqual([false, true]);
    // a whole trial's intermediate values (add_trial, copy_study) read as its reports are: inf kept
    const copied = await Journal.open(path, { readOnly: true, studyName: 'copied' });
    expect((await copied.load()).trials[0].intermediate).toEqual({ 0: Infinity, 1: 1 });
    await copied.close();
    // the models fit on finite values only: a suggestion from the curves with the inf in them
    const { BayesianOptimization } = await import('../../src/optimizer');
    for (const prunedTrials of ['fidelity', 'extrapolate'] as const) {
      const opt = new BayesianOptimization({
        space: { x: { type: 'float', low: 0, high: 1 } }, direction: 'minimize', randomState: 2, storage: path, studyName: 'med',
        engine: 'cpu', candidates: 200, initPoints: 2, prunedTrials, log: () => undefined,
      });
      const p = await opt.suggest();
      expect(Number.isFinite(p.x)).toBe(true);
      await opt.close();
    }
  });

  maybe('an Optuna worker\'s NaN reports count as reports here as in Optuna\'s (last step, minTrials), left out of the percentile', async () => {
    const path = journalPath();
    // each study's decision on a next trial, asked of Optuna itself (the step it is pruned at, or None): the
    // median with n_min_trials 3 over [NaN, NaN, 0.5, 0.6] at step 1; ASHA 'auto' (r = 800 // 100 = 8) and
    // Hyperband 'auto' (R = 81) set by a completed trial whose last report, NaN, is at step 800 (80), then a
    // second completed trial judged at every step (its rungs recorded), then the new trial
    const ref = pythonOnJournal(`D = {'x': optuna.distributions.FloatDistribution(0, 1)}
nan = float('nan')
def run(st, reports, value=None):
    t = st.ask(D)
    at = None
    for s, v in reports:
        t.report(v, s)
        if value is None and t.should_prune():
            at = s
            break
    if value is None: st.tell(t, state=optuna.trial.TrialState.FAIL)
    else: st.tell(t, value)
    return at
m = optuna.create_study(study_name='med', storage=storage, direction='minimize', pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_min_trials=3))
for v in (nan, nan, 0.5, 0.6): run(m, [(1, v)], 1.0)
a = optuna.create_study(study_name='asha', storage=storage, direction='minimize', pruner=optuna.pruners.SuccessiveHalvingPruner())
h = optuna.create_study(study_name='hb', storage=storage, direction='minimize', pruner=optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3))
for st, last in ((a, 800), (h, 80)):
    run(st, [(s, 1.0 / s) for s in range(1, 9)] + [(last, nan)], 0.1)
    t = st.ask(D)
    for s in range(1, 10): t.report(2.0, s); t.should_prune()
    st.tell(t, 2.0)
print([run(m, [(1, 0.9)]), run(a, [(s, 5.0) for s in range(1, 10)]), run(h, [(s, 5.0) for s in range(1, 10)])])
`, path).trim();
    const want = JSON.parse(ref.replace(/None/g, 'null'));
    expect(want[0]).toBe(1);
    const { RandomSearch } = await import('../../src/optimizer');
    const { HyperbandPruner, MedianPruner, SuccessiveHalvingPruner } = await import('../../src/pruners');
    const nine = Array.from({ length: 9 }, (_, i) => [i + 1, 5] as const);
    const studies = [
      ['med', new MedianPruner({ startupTrials: 4, minTrials: 3 }), [[1, 0.9] as const]],
      ['asha', new SuccessiveHalvingPruner({ minResource: 'auto' }), nine],
      ['hb', new HyperbandPruner({ minResource: 1, reductionFactor: 3 }), nine],
    ] as const;
    const got: (number | null)[] = [];
    for (const [name, pruner, reports] of studies) {
      const opt = new RandomSearch({
        space: { x: { type: 'float', low: 0, high: 1 } }, direction: 'minimize', randomState: 1, storage: path, studyName: name, pruner, log: () => undefined,
      });
      const p = await opt.suggest();
      let at: number | null = null;
      for (const [step, v] of reports) if (await opt.report(p, step, v)) { at = step; break; }
      got.push(at);
      // the NaN reports are in the curves, as Optuna keeps them
      expect(Number.isNaN(opt.res[0].intermediate![{ med: 1, asha: 800, hb: 80 }[name]])).toBe(true);
      await opt.close();
    }
    expect(got).toEqual(want);
    // the models fit on finite values only
    const { BayesianOptimization } = await import('../../src/optimizer');
    for (const prunedTrials of ['fidelity', 'extrapolate'] as const) {
      const opt = new BayesianOptimization({
        space: { x: { type: 'float', low: 0, high: 1 } }, direction: 'minimize', randomState: 2, storage: path, studyName: 'asha',
        engine: 'cpu', candidates: 200, initPoints: 1, prunedTrials, log: () => undefined,
      });
      expect(Number.isFinite((await opt.suggest()).x)).toBe(true);
      await opt.close();
    }
  });
});
