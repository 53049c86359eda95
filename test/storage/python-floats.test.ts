/**
 * Floats in the journal read back in Python as floats (see src/storage/op-json.ts):
 * a float parameter at a whole value, whole objective and intermediate values,
 * pruners' rung values and an enqueued float parameter, with Debian's
 * python3-optuna (3.1) as the reader, as in ./optuna-interop.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SpaceSpec } from '../../src/space/types';
import { Journal, OP } from '../../src/storage';
import { opJson } from '../../src/storage/op-json';
import { maybe, pythonOnJournal, useJournalPaths } from './optuna-peer';

const journalPath = useJournalPaths();

const SPACE: SpaceSpec = {
  x: { type: 'float', low: -2, high: 2 },
  n: { type: 'int', low: 1, high: 5 },
  c: { type: 'categorical', choices: ['a', 'b'] },
};
const FLOAT = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: -2, high: 2, log: false } });
const CAT = JSON.stringify({ name: 'CategoricalDistribution', attributes: { choices: ['a', 'b'] } });

describe('opJson', () => {
  it('writes the float fields as Python floats and parses back to the same operation', () => {
    const op = {
      op_code: OP.CREATE_TRIAL, worker_id: 'w', study_id: 0, state: 1, value: 2, values: [2, -0, 0.5], datetime_start: null,
      params: { x: 1, c: 1 }, distributions: { x: FLOAT, c: CAT }, intermediate_values: { 3: 4 },
      user_attrs: { u: 5 }, system_attrs: { completed_rung_0: 4, 'wbo:rng': [1, 2], fixed_params: { x: 1, n: 2 } },
    };
    const text = opJson(op, SPACE);
    expect(text).toBe(
      '{"op_code":4,"worker_id":"w","study_id":0,"state":1,"value":2.0,"values":[2.0,-0.0,0.5],"datetime_start":null,' +
      `"params":{"x":1.0,"c":1},"distributions":${JSON.stringify({ x: FLOAT, c: CAT })},"intermediate_values":{"3":4.0},` +
      '"user_attrs":{"u":5},"system_attrs":{"completed_rung_0":4.0,"wbo:rng":[1,2],"fixed_params":{"x":1.0,"n":2}}}',
    );
    expect(JSON.parse(text)).toEqual(op); // -0 included
    // a categorical SET_TRIAL_PARAM keeps its index an int, a numeric one is a float; a stray rung-like key is not a rung
    expect(opJson({ op_code: OP.SET_TRIAL_PARAM, worker_id: 'w', trial_id: 0, param_name: 'c', param_value_internal: 1, distribution: CAT })).toContain('"param_value_internal":1,');
    expect(opJson({ op_code: OP.SET_TRIAL_PARAM, worker_id: 'w', trial_id: 0, param_name: 'x', param_value_internal: 1, distribution: FLOAT })).toContain('"param_value_internal":1.0,');
    expect(opJson({ op_code: OP.SET_TRIAL_SYSTEM_ATTR, worker_id: 'w', trial_id: 0, system_attr: { completed_rung_x: 1 } })).toContain('{"completed_rung_x":1}');
    // without the space an enqueued point's types are unknown: written as given
    expect(opJson({ op_code: OP.CREATE_TRIAL, worker_id: 'w', system_attrs: { fixed_params: { x: 1 } } })).toContain('{"x":1}');
  });
});

describe('Python reads the journal\'s floats as floats', () => {
  maybe('a float parameter at a whole value, whole values, rungs, an enqueued float', async () => {
    const path = journalPath();
    const j = await Journal.open(path, { space: SPACE, studyName: 's' });
    const { trial } = await j.ask({ x: 1, n: 2, c: 'b' });
    await j.report(trial.id, 1, 3, { completed_rung_0: 3 });
    await j.tell(trial.id, { target: 2 });
    await j.enqueue({ x: -2, n: 4 });
    const { trial: zero } = await j.ask({ x: -0, n: 1, c: 'a' });
    await j.tell(zero.id, { target: -0 });
    await j.close();
    const out = pythonOnJournal(`
import math
study = optuna.load_study(study_name='s', storage=storage)
t, w, z = study.trials
name = lambda v: type(v).__name__
print(json.dumps({
  'x': name(t.params['x']), 'n': name(t.params['n']), 'c': t.params['c'], 'value': name(t.value),
  'intermediate': name(t.intermediate_values[1]), 'rung': name(t.system_attrs['completed_rung_0']),
  'fixed_x': name(w.system_attrs['fixed_params']['x']), 'fixed_n': name(w.system_attrs['fixed_params']['n']),
  'zero_x': math.copysign(1, z.params['x']), 'zero_value': math.copysign(1, z.value),
}))
`, path);
    expect(JSON.parse(out)).toEqual({
      x: 'float', n: 'int', c: 'b', value: 'float', intermediate: 'float', rung: 'float', fixed_x: 'float', fixed_n: 'int', zero_x: -1, zero_value: -1,
    });
  });
});

it('keeps the journal readable by this library (a reopen folds the same trials)', async () => {
  const path = journalPath();
  const j = await Journal.open(path, { space: SPACE, studyName: 's' });
  const { trial } = await j.ask({ x: 1.5, n: 3, c: 'a' });
  await j.report(trial.id, 2, 0.25);
  await j.tell(trial.id, { target: 4 });
  await j.close();
  const again = await Journal.open(path, { readOnly: true, studyName: 's' });
  const [t] = (await again.load()).trials;
  await again.close();
  expect([t.params, t.target, t.intermediate]).toEqual([{ x: 1.5, n: 3, c: 'a' }, 4, { 2: 0.25 }]);
});
