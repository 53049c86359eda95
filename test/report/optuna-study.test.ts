/**
 * Reports of studies Optuna created (no `wbo:` space): the space comes from
 * the trials' distributions, an empty study reports 0 trials, and the
 * summary counts pruned trials.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeStudy } from '../../src/report/analysis';
import { readStudy, renderStudyReport, trialsCsv } from '../../src/report';
import { maybe, python, pythonOnJournal } from '../storage/optuna-peer';

const dir = mkdtempSync(join(tmpdir(), 'report-optuna-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 'w-1';
const dist = (o: object) => JSON.stringify(o);
/** Optuna's journal lines for one study: trials of (lr, u) with a state (1 complete, 2 pruned) and value. */
function optunaJournal(trials: [number, number, number, number][]): string {
  const ops: object[] = [{ op_code: 0, worker_id: W, study_name: 'default', directions: [1] }];
  trials.forEach(([lr, u, state, value], id) => {
    ops.push({ op_code: 4, worker_id: W, study_id: 0, datetime_start: '2026-12-04T15:22:54.253251' });
    ops.push({ op_code: 5, worker_id: W, trial_id: id, param_name: 'lr', param_value_internal: lr, distribution: dist({ name: 'FloatDistribution', attributes: { step: null, low: 1e-5, high: 0.1, log: true } }) });
    ops.push({ op_code: 5, worker_id: W, trial_id: id, param_name: 'u', param_value_internal: u, distribution: dist({ name: 'IntDistribution', attributes: { log: true, step: 1, low: 16, high: 512 } }) });
    if (state === 2) ops.push({ op_code: 8, worker_id: W, trial_id: id, step: 1, intermediate_value: value });
    ops.push({ op_code: 6, worker_id: W, trial_id: id, state, values: [value], datetime_complete: '2026-12-04T15:22:54.256859' });
  });
  return ops.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

describe('a study Optuna created', () => {
  it('is reported on the space its distributions say (log scales, integers), not one guessed from the values', async () => {
    const path = join(dir, 'optuna.jsonl');
    writeFileSync(path, optunaJournal([[4.6e-4, 193, 1, 0.09], [1.6e-4, 40, 1, 0.05], [3e-3, 300, 2, 0.01], [2e-5, 20, 1, 0.02]]));
    const s = await readStudy(path);
    expect(s.space).toEqual({ lr: { type: 'float', low: 1e-5, high: 0.1, log: true }, u: { type: 'int', low: 16, high: 512, log: true } });
    expect(renderStudyReport(s)).toContain('4 trial(s): 3 complete, 1 pruned.');
  });

  it('with no trial yet is a report of 0 trials, not an error', async () => {
    const path = join(dir, 'empty.jsonl');
    writeFileSync(path, optunaJournal([]));
    const s = await readStudy(path);
    expect(s.trials).toEqual([]);
    expect(renderStudyReport(s)).toContain('0 trial(s): 0 complete.');
  });

  maybe('with a conditional parameter, a range widened between trials and a None choice (python3-optuna 3.1) is reported', async () => {
    const path = join(dir, 'mixed.log');
    python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
from optuna.distributions import FloatDistribution as F, CategoricalDistribution as Cat
optuna.logging.set_verbosity(optuna.logging.WARNING)
st = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
s = optuna.create_study(study_name='mixed', storage=st, direction='minimize')
rows = [(0.2, 'a', 1.0, 0.5), (0.4, 'a', 2.0, 0.3), (0.6, 'a', 3.0, 0.2), (0.8, 'b', None, 0.4), (7.5, 'a', 4.0, 0.1), (3.0, None, None, 0.6)]
for i, (x, k, c, v) in enumerate(rows):
    params = {'x': x, 'kind': k}
    dists = {'x': F(0, 1 if i < 4 else 10), 'kind': Cat([None, 'a', 'b'])}
    if c is not None:
        params['C'] = c
        dists['C'] = F(0, 5)
    s.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=v))
# enqueued with a None choice: one left waiting, one taken (RUNNING) by a worker that sets its params
s.enqueue_trial({'x': 0.5, 'kind': None})
s.enqueue_trial({'x': 0.7, 'kind': None})
t = s.ask({'x': F(0, 10), 'kind': Cat([None, 'a', 'b'])})
`, [path]);
    const study = await readStudy(path, { studyName: 'mixed' });
    // a None choice is a valid value in Optuna: its lines are sound, not damaged ones (an enqueued
    // trial's fixed_params too)
    expect(study.skipped).toEqual([]);
    expect(study.trials.slice(6).map((t) => [t.status, t.params])).toEqual([['pending', { x: 0.5 }], ['waiting', { x: 0.7 }]]);
    // the first trial's range, widened to the values later trials took; None left out of the choices
    expect(study.space).toEqual({
      x: { type: 'float', low: 0, high: 7.5, log: false },
      kind: { type: 'categorical', choices: ['a', 'b'] },
      C: { type: 'float', low: 0, high: 5, log: false },
    });
    const html = renderStudyReport(study);
    expect(html).toContain('8 trial(s): 6 complete');
    expect(html).not.toContain('>undefined<'); // a missing C, a None kind: a dash
    // C twice and kind once among the completed trials; each enqueued one has no value, kind (None), C or duration
    expect(html.match(/<td data-v="">&ndash;<\/td>/g)).toHaveLength(3 + 2 * 4);
    // the model-based panels read the 4 trials the space holds whole (C given, kind not None)
    const a = analyzeStudy(study.space, study.trials);
    expect(a.importance.map((p) => p.name).sort()).toEqual(['C', 'kind', 'x']);
    expect(a.contour).not.toBeNull();
  });

  maybe('with fixed parameters (low == high, python3-optuna 3.1) keeps every distribution, and draws no contour axis for them', async () => {
    const path = join(dir, 'fixed.log');
    pythonOnJournal(`
s = optuna.create_study(study_name='default', storage=storage, sampler=optuna.samplers.RandomSampler(seed=3))
def f(t):
    x = t.suggest_float('x', 0, 1)
    k = t.suggest_int('k', 1, 100, log=True)
    c = t.suggest_float('c', 2.5, 2.5)
    lr = t.suggest_float('lr', 1e-3, 1e-3, log=True)
    n = t.suggest_int('n', 7, 7)
    return (x - 0.3) ** 2 + k / 100 + c + lr + n
s.optimize(f, n_trials=8)
`, path);
    const study = await readStudy(path);
    expect(study.space).toEqual({
      x: { type: 'float', low: 0, high: 1, log: false },
      k: { type: 'int', low: 1, high: 100, log: true },
      c: { type: 'float', low: 2.5, high: 2.5, log: false },
      lr: { type: 'float', low: 1e-3, high: 1e-3, log: true },
      n: { type: 'int', low: 7, high: 7, log: false },
    });
    const a = analyzeStudy(study.space, study.trials);
    expect(a.contour!.params.sort()).toEqual(['k', 'x']);
    for (const fixed of ['c', 'lr', 'n']) expect(a.importance.find((p) => p.name === fixed)!.importance).toBe(0);
    // one parameter that varies: importance, and no contour
    const one = analyzeStudy({ x: study.space.x, c: study.space.c }, study.trials.map((t) => ({ ...t, params: { x: t.params.x, c: t.params.c } })));
    expect(one.importance.map((p) => p.name).sort()).toEqual(['c', 'x']);
    expect(one.contour).toBeNull();
  });
  maybe('with a float over the whole double range (python3-optuna 3.1) reports, the analysis going on without it', async () => {
    const path = join(dir, 'huge.log');
    pythonOnJournal(`
s = optuna.create_study(study_name='default', storage=storage, sampler=optuna.samplers.RandomSampler(seed=5))
def f(t):
    h = t.suggest_float('h', -1.7976931348623157e308, 1.7976931348623157e308)
    return t.suggest_float('x', 0, 1) + t.suggest_float('y', 0, 1)
for h in [1e308, -1e308, 0.0, 5e-324, 2.5, -7.0]:
    s.enqueue_trial({'h': h})  # Optuna's own sampler overflows on that range
    s.optimize(f, n_trials=1)
`, path);
    const study = await readStudy(path);
    // the page was refused whole, naming a parameter "p0" the study does not have
    const html = renderStudyReport(study);
    expect(html).toContain('Left out of the analysis: <bdi>h</bdi> (high - low overflows float64');
    const a = analyzeStudy(study.space, study.trials);
    expect(a.importance.map((p) => p.name).sort()).toEqual(['x', 'y']);
    expect(a.left?.map((l) => l.name)).toEqual(['h']);
    expect(a.contour?.params.sort()).toEqual(['x', 'y']);
  });

  maybe('with a tree of conditional parameters (python3-optuna 3.1) analyses the parameters every completed trial holds', async () => {
    const path = join(dir, 'tree.log');
    pythonOnJournal(`
s = optuna.create_study(study_name='default', storage=storage, sampler=optuna.samplers.RandomSampler(seed=4))
def f(t):
    lr = t.suggest_float('lr', 0, 1)
    if t.suggest_categorical('model', ['svm', 'tree']) == 'svm':
        return lr + t.suggest_float('c', 0, 1)
    return lr * 10 + t.suggest_int('depth', 1, 8)
s.optimize(f, n_trials=12)
`, path);
    const study = await readStudy(path);
    // no trial holds c and depth both: the analysis had nothing to read ("Needs at least 3 completed trials.")
    const a = analyzeStudy(study.space, study.trials);
    expect(a.shared).toEqual(['lr', 'model']);
    expect(a.importance.map((p) => p.name).sort()).toEqual(['lr', 'model']);
    expect(a.contour!.params.slice().sort()).toEqual(['lr', 'model']);
    const html = renderStudyReport(study);
    expect(html).toContain('Over the parameters every completed trial holds (<bdi>lr</bdi>, <bdi>model</bdi>): fewer than 3 hold them all.');
    expect(html).not.toContain('Needs at least 3 completed trials.');
  });

  maybe('with parameters and attributes named __proto__, constructor and toString (python3-optuna 3.1) keeps every one', async () => {
    const path = join(dir, 'proto.log');
    pythonOnJournal(`
s = optuna.create_study(study_name='default', storage=storage, sampler=optuna.samplers.RandomSampler(seed=5))
def f(t):
    a = t.suggest_float('__proto__', 0, 1)
    b = t.suggest_float('constructor', 0, 1)
    t.suggest_categorical('toString', ['p', 'q'])
    t.set_user_attr('__proto__', 'attr')
    return a + b
s.optimize(f, n_trials=3)
`, path);
    const study = await readStudy(path);
    expect(Object.keys(study.space).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    for (const t of study.trials) {
      expect(Object.keys(t.params).sort()).toEqual(['__proto__', 'constructor', 'toString']);
      expect(Object.getPrototypeOf(t.params)).toBe(Object.prototype);
      expect(t.target).toBeCloseTo((t.params.__proto__ as unknown as number) + (t.params.constructor as unknown as number), 12);
    }
    const [head, first] = trialsCsv(study).split('\n');
    expect(head).toContain('params___proto__,params_constructor,params_toString,user_attrs___proto__');
    const t0 = study.trials[0]!;
    expect(first).toContain(`${String(t0.params.__proto__)},${String(t0.params.constructor)},${String(t0.params.toString)},attr`);
    expect(renderStudyReport(study)).toContain(`<td data-v="${String(t0.params.__proto__)}">`);
  });
});
