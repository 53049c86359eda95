/**
 * Enqueued trials are Optuna's: Debian's python3-optuna (3.1, /usr/bin/python3)
 * is the peer, as in ./optuna-interop.test.ts. `study.enqueue_trial` writes a
 * WAITING trial with its point in system attr `fixed_params`; this library's
 * `enqueue` writes the same; either side's workers take it (RUNNING, then the
 * params), each enqueued trial once.
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { BayesianOptimization } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { Journal } from '../../src/storage';
import { maybe, python, useJournalPaths } from './optuna-peer';

const journalPath = useJournalPaths();

/** Python's imports and the study's storage (sys.argv[1], the journal). */
const PRELUDE = `import json, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
`;

/** Python that prints a study's trials: number, state name, value, params, user attrs, fixed_params, wbo:source. */
const DUMP = `${PRELUDE}
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
print(json.dumps([{'number': t.number, 'state': t.state.name, 'value': t.value, 'params': t.params, 'user_attrs': t.user_attrs,
                   'fixed_params': t.system_attrs.get('fixed_params'), 'source': t.system_attrs.get('wbo:source')} for t in study.trials]))
`;

interface PyTrial {
  number: number;
  state: string;
  value: number | null;
  params: Params;
  user_attrs: Record<string, unknown>;
  fixed_params: Params | null;
  source: string | null;
}

const dump = (path: string, study = 'default'): PyTrial[] => JSON.parse(python(DUMP, [path, study]));

const SPACE: SpaceSpec = {
  x: { type: 'float', low: 0, high: 1 },
  n: { type: 'int', low: 1, high: 5 },
};
/** The objective, here and (PY_OBJECTIVE) in Python. */
const f = (p: Params): number => (p.x as number) + (p.n as number) / 10;
const PY_OBJECTIVE = `
def objective(trial):
    x = trial.suggest_float('x', 0, 1)
    n = trial.suggest_int('n', 1, 5)
    return x + n / 10
`;
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 } } as const;

/** The journal's operations, one a line. */
const ops = (path: string): Record<string, unknown>[] => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

describe('enqueued trials are Optuna\'s (python3-optuna 3.1, enqueue_trial)', () => {
  maybe('an enqueued trial an Optuna worker took and left (it died before asking anything) is failed and retried at its point', async () => {
    const path = journalPath();
    python(`${PRELUDE}
study = optuna.create_study(study_name='default', storage=storage, direction='maximize')
t = study.ask(); t.suggest_float('x', 0, 1); t.suggest_int('n', 1, 5); study.tell(t, 0.5)
study.enqueue_trial({'x': 0.25, 'n': 3})
t = study.ask()
`, [path]);
    const j = await Journal.open(path, { space: SPACE });
    const r = await j.reclaim(1, { force: true }); // it threw a TypeError once the failed trial's params were cut
    expect([r?.failed.status, r?.failed.params, r?.retry?.params, r?.retry?.retryOf]).toEqual(['failed', { x: 0.25, n: 3 }, { x: 0.25, n: 3 }, 1]);
    await j.close();
  });

  maybe('an enqueued trial Optuna took holds the params its objective set, not every fixed one (those it never asked for showed as params)', async () => {
    const path = journalPath();
    python(`${PRELUDE}
study = optuna.create_study(study_name='default', storage=storage, direction='maximize')
study.enqueue_trial({'x': 0.25, 'n': 3})
t = study.ask()
t.suggest_int('n', 1, 5)
study.tell(t, 1.0)
study.enqueue_trial({'x': 0.5, 'n': 2})
t = study.ask()
t.suggest_float('x', 0, 1)
t.suggest_int('n', 1, 5)
study.tell(t, 0.7)
`, [path]);
    const j = await Journal.open(path, { readOnly: true, checkSpace: false });
    const [t] = (await j.load()).trials;
    const py = dump(path);
    expect(py.map((x) => x.params)).toEqual([{ n: 3 }, { x: 0.5, n: 2 }]);
    expect([t.status, t.params]).toEqual(['complete', { n: 3 }]);
    await j.close();
    // in this space (x and n) the first lacks x: left out of the study, with the reason, not given x = 0.25
    const lines: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, f, randomState: 7, storage: path, log: (l) => lines.push(l) });
    await opt.ready();
    expect(opt.trials.map((x) => [x.id, x.params, x.target])).toEqual([[1, { x: 0.5, n: 2 }, 0.7]]);
    expect(lines.join('\n')).toContain('missing parameter "x"');
    opt.dispose();
  });


  maybe('trials Optuna enqueued are evaluated here first, at their points; Optuna sees them COMPLETE with their user attrs', async () => {
    const path = journalPath();
    python(`${PRELUDE}
study = optuna.create_study(study_name='default', storage=storage, direction='maximize')
study.enqueue_trial({'x': 0.25, 'n': 3}, user_attrs={'note': 'full', 'rank': 1})
study.enqueue_trial({'x': 0.75}, user_attrs={'note': 'partial'})
`, [path]);
    const lines: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, f, randomState: 7, storage: path, log: (l) => lines.push(l) });
    await opt.ready();
    expect(opt.trials.map((t) => [t.id, t.status, t.source, t.params, t.target])).toEqual([
      [0, 'waiting', 'enqueue', { x: 0.25, n: 3 }, null],
      [1, 'waiting', 'enqueue', { x: 0.75 }, null],
    ]);
    expect(opt.res).toEqual([]);

    await opt.maximize({ initPoints: 2, nIter: 1 });
    opt.dispose();
    expect(lines.join('\n')).not.toContain('damaged');
    // the two enqueued trials are extra evaluations, before the initial design's two and the model's one
    expect(opt.trials.map((t) => [t.id, t.status, t.source])).toEqual([
      [0, 'complete', 'enqueue'], [1, 'complete', 'enqueue'], [2, 'complete', 'init'], [3, 'complete', 'init'], [4, 'complete', 'suggest'],
    ]);
    const [t0, t1] = opt.trials;
    expect(t0.params).toEqual({ x: 0.25, n: 3 });
    expect(t0.target).toBe(0.25 + 3 / 10);
    // the missing "n" is drawn in the space; "x" is the enqueued one
    expect(Object.keys(t1.params).sort()).toEqual(['n', 'x']);
    expect(t1.params.x).toBe(0.75);
    expect(Number.isInteger(t1.params.n)).toBe(true);
    expect(t1.params.n).toBeGreaterThanOrEqual(1);
    expect(t1.params.n).toBeLessThanOrEqual(5);
    expect(t1.target).toBe(f(t1.params));
    // evaluated first, in order
    const finished = opt.trials.map((t) => t.finishedAt as number);
    expect(finished.every((v) => typeof v === 'number')).toBe(true);
    expect(finished[0]).toBeLessThan(finished[1]);
    expect(finished[1]).toBeLessThan(Math.min(...finished.slice(2)));
    expect(opt.res.map((t) => t.id)).toEqual([0, 1, 2, 3, 4]);

    const py = dump(path);
    expect(py.map((t) => [t.number, t.state, t.value, t.params])).toEqual(opt.trials.map((t) => [t.id, 'COMPLETE', t.target, t.params]));
    expect(py[0].user_attrs).toEqual({ note: 'full', rank: 1 });
    expect(py[1].user_attrs).toEqual({ note: 'partial' });
    expect(py[0].fixed_params).toEqual({ x: 0.25, n: 3 });
    expect(py[1].fixed_params).toEqual({ x: 0.75 });
    expect(py.map((t) => t.source)).toEqual(['enqueue', 'enqueue', 'init', 'init', 'suggest']);
  });

  maybe('a trial enqueued here is taken by Optuna\'s optimize at exactly its point, with its user attrs; it loads here complete', async () => {
    const path = journalPath();
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, randomState: 8, storage: path, log: () => undefined });
    const waiting = await opt.enqueue({ x: 0.3, n: 2 }, { userAttrs: { note: 'x' } });
    expect([waiting.id, waiting.status, waiting.source, waiting.params, waiting.target]).toEqual([0, 'waiting', 'enqueue', { x: 0.3, n: 2 }, null]);
    expect(opt.trials.map((t) => [t.id, t.status])).toEqual([[0, 'waiting']]);
    opt.dispose();
    const create = ops(path).find((o) => o.op_code === 4) as Record<string, unknown>;
    expect(create).toMatchObject({ state: 4, params: {}, distributions: {}, user_attrs: { note: 'x' }, system_attrs: { fixed_params: { x: 0.3, n: 2 } } });

    python(`${PRELUDE}${PY_OBJECTIVE}
study = optuna.load_study(study_name='default', storage=storage, sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(objective, n_trials=1)
`, [path]);
    const py = dump(path);
    expect(py).toEqual([{ number: 0, state: 'COMPLETE', value: 0.3 + 2 / 10, params: { x: 0.3, n: 2 }, user_attrs: { note: 'x' }, fixed_params: { x: 0.3, n: 2 }, source: null }]);

    const again = new BayesianOptimization({ ...FAST, space: SPACE, randomState: 9, storage: path, log: () => undefined });
    await again.ready();
    expect(again.trials.map((t) => [t.id, t.status, t.params, t.target])).toEqual([[0, 'complete', { x: 0.3, n: 2 }, py[0].value]]);
    again.dispose();
  });

  maybe('an Optuna worker and this library share three enqueued trials: each is taken once, in order, then the design goes on', async () => {
    const path = journalPath();
    const enqueued = [{ x: 0.1, n: 1 }, { x: 0.2, n: 2 }, { x: 0.3, n: 3 }];
    // Optuna enqueues three, and its ask takes the first (left RUNNING)
    const asked = JSON.parse(python(`${PRELUDE}
study = optuna.create_study(study_name='default', storage=storage, direction='maximize')
for p in json.loads(sys.argv[2]):
    study.enqueue_trial(p)
t = study.ask()
t.suggest_float('x', 0, 1)
t.suggest_int('n', 1, 5)
print(json.dumps({'number': t.number, 'params': t.params}))
`, [path, JSON.stringify(enqueued)]));
    expect(asked).toEqual({ number: 0, params: enqueued[0] });

    const opt = new BayesianOptimization({ ...FAST, space: SPACE, randomState: 10, storage: path, log: () => undefined });
    await opt.ready();
    expect(opt.trials.map((t) => [t.id, t.status, t.source, t.params])).toEqual([
      [0, 'pending', 'enqueue', enqueued[0]], [1, 'waiting', 'enqueue', enqueued[1]], [2, 'waiting', 'enqueue', enqueued[2]],
    ]);
    const p1 = await opt.suggest();
    const p2 = await opt.suggest();
    const p3 = await opt.suggest();
    expect([p1, p2]).toEqual([enqueued[1], enqueued[2]]);
    expect(enqueued).not.toContainEqual(p3);
    expect(opt.trials.map((t) => [t.id, t.status, t.source])).toEqual([
      [0, 'pending', 'enqueue'], [1, 'pending', 'enqueue'], [2, 'pending', 'enqueue'], [3, 'pending', 'init'],
    ]);
    for (const p of [p1, p2, p3]) await opt.register(p, f(p));
    opt.dispose();

    python(`${PRELUDE}
study = optuna.load_study(study_name='default', storage=storage)
study.tell(0, 0.1 + 1 / 10)
`, [path]);
    const py = dump(path);
    expect(py.map((t) => [t.number, t.state, t.params, t.value, t.source])).toEqual([
      [0, 'COMPLETE', enqueued[0], 0.1 + 1 / 10, null],
      [1, 'COMPLETE', enqueued[1], f(p1), 'enqueue'],
      [2, 'COMPLETE', enqueued[2], f(p2), 'enqueue'],
      [3, 'COMPLETE', p3, f(p3), 'init'],
    ]);
    expect(py.filter((t) => t.state === 'WAITING')).toEqual([]);
    // each enqueued trial was taken once: one RUNNING and one value per parameter, both by its taker
    // (Optuna's ask for trial 0, this library's worker for 1 and 2)
    const all = ops(path);
    const takers = [0, 1, 2].map((id) => {
      const on = all.filter((o) => o.trial_id === id);
      const running = on.filter((o) => o.op_code === 6 && o.state === 0);
      expect(running, `trial ${id}`).toHaveLength(1);
      const params = on.filter((o) => o.op_code === 5);
      expect(params.map((o) => o.param_name).sort(), `trial ${id}`).toEqual(['n', 'x']);
      expect(params.map((o) => o.worker_id), `trial ${id}`).toEqual([running[0].worker_id, running[0].worker_id]);
      return running[0].worker_id;
    });
    expect(takers[1]).toBe(takers[2]);
    expect(takers[0]).not.toBe(takers[1]);
    expect(all.filter((o) => o.op_code === 4).map((o) => o.state)).toEqual([4, 4, 4, 0]);
  });

  maybe('a point Optuna enqueued outside the space is skipped with its reason, not evaluated; Optuna still sees it WAITING', async () => {
    const path = journalPath();
    const space: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
    python(`${PRELUDE}
study = optuna.create_study(study_name='default', storage=storage, direction='maximize')
study.enqueue_trial({'x': 7.5})
`, [path]);
    const createLine = ops(path).findIndex((o) => o.op_code === 4) + 1;
    const reason = 'create trial 0: enqueued parameter "x": value 7.5 is outside [0, 1]';
    const loaded = await (await Journal.open(path, { space, readOnly: true })).load();
    expect(loaded.skipped).toEqual([{ line: createLine, reason }]);
    expect(loaded.trials).toEqual([]);

    const lines: string[] = [];
    const evaluated: number[] = [];
    const g = (p: Params) => {
      evaluated.push(p.x as number);
      return -(((p.x as number) - 0.3) ** 2);
    };
    const opt = new BayesianOptimization({ ...FAST, space, f: g, randomState: 11, storage: path, log: (l) => lines.push(l) });
    await opt.maximize({ initPoints: 2, nIter: 1 });
    opt.dispose();
    expect(lines.join('\n')).toContain(`1 damaged line(s) skipped (line ${createLine}: ${reason})`);
    expect(evaluated).toHaveLength(3);
    expect(evaluated.every((x) => x >= 0 && x <= 1)).toBe(true);
    // trial 0's number stays taken
    expect(opt.trials.map((t) => [t.id, t.status, t.source])).toEqual([[1, 'complete', 'init'], [2, 'complete', 'init'], [3, 'complete', 'suggest']]);
    expect(opt.res.map((t) => t.params.x)).toEqual(evaluated);

    const py = dump(path);
    expect(py.map((t) => [t.number, t.state, t.params, t.fixed_params])).toEqual([
      [0, 'WAITING', {}, { x: 7.5 }],
      ...opt.trials.map((t) => [t.id, 'COMPLETE', t.params, null]),
    ]);
  });
});
