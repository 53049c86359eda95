/**
 * The journal is Optuna's: Debian's python3-optuna (3.1, /usr/bin/python3) is
 * the peer, not a mock. A study tuned here loads in Optuna with every param
 * and value equal; a study Optuna started is continued here and Optuna sees
 * the new trials; Python and Node write one file at the same time under the
 * same lock. Pruned trials and intermediate values: ./optuna-pruning-interop.test.ts.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { StorageError } from '../../src/errors';
import { BayesianOptimization } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { Journal } from '../../src/storage';
import { NEW_STUDY_HINT } from '../../src/storage/journal-ops';
import { maybe, python, PYTHON, pythonOnJournal, useJournalPaths } from './optuna-peer';

/** Python that prints a study's trials as JSON: number, state name, value, params, system attrs. */
const DUMP = `
import json, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.load_study(study_name=sys.argv[2], storage=storage)
print(json.dumps({
  'direction': study.direction.name,
  'trials': [{'number': t.number, 'state': t.state.name, 'value': t.value, 'params': t.params,
              'source': t.system_attrs.get('wbo:source'), 'error': t.system_attrs.get('wbo:error')} for t in study.trials],
}))
`;

interface PyTrial {
  number: number;
  state: string;
  value: number | null;
  params: Params;
  source: string | null;
  error: string | null;
}

const dump = (path: string, study = 'default'): { direction: string; trials: PyTrial[] } => JSON.parse(python(DUMP, [path, study]));

const SPACE: SpaceSpec = {
  x: { type: 'float', low: -2, high: 2 },
  lr: { type: 'float', low: 1e-5, high: 1e-1, log: true },
  n: { type: 'int', low: 1, high: 5 },
  act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
  bn: { type: 'categorical', choices: [true, false] },
};
const f = (p: Params): number => {
  if (p.act === 'gelu' && p.n === 5) throw new Error('diverged');
  return ((p.x as number) - 0.5) ** 2 + Math.log10(p.lr as number) ** 2 / 25 + (p.n as number) / 10 + (p.act === 'tanh' ? 0 : 0.3) + (p.bn ? 0 : 0.1);
};
const FAST = { engine: 'cpu', candidates: 300, gp: { restarts: 1 }, log: () => undefined } as const;

/** The same space as Optuna suggests it. */
const PY_OBJECTIVE = `
def objective(trial):
    x = trial.suggest_float('x', -2, 2)
    lr = trial.suggest_float('lr', 1e-5, 1e-1, log=True)
    n = trial.suggest_int('n', 1, 5)
    act = trial.suggest_categorical('act', ['relu', 'tanh', 'gelu'])
    bn = trial.suggest_categorical('bn', [True, False])
    return (x - 0.5) ** 2 + math.log10(lr) ** 2 / 25 + n / 10 + (0 if act == 'tanh' else 0.3) + (0 if bn else 0.1)
`;

const journalPath = useJournalPaths();

describe('Optuna reads and writes our journal (python3-optuna 3.1)', () => {
  maybe('a study tuned here loads in Optuna with every trial, state, param and value equal', async () => {
    const path = journalPath();
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, direction: 'minimize', f, randomState: 3, storage: path });
    await opt.probe({ x: 0, lr: 0.01, n: 5, act: 'gelu', bn: true }); // fails
    await opt.maximize({ initPoints: 5, nIter: 5 });
    const pending = await opt.suggest(); // stays running
    const py = dump(path);
    expect(py.direction).toBe('MINIMIZE');
    expect(py.trials).toHaveLength(12);
    const state = { complete: 'COMPLETE', failed: 'FAIL', pruned: 'PRUNED', pending: 'RUNNING', waiting: 'WAITING' } as const;
    expect(py.trials).toEqual(opt.trials.map((t) => ({
      number: t.id, state: state[t.status], value: t.target, params: t.params, source: t.source, error: t.error ?? null,
    })));
    expect(py.trials[0]).toMatchObject({ state: 'FAIL', error: 'objective threw: diverged', source: 'probe' });
    expect(py.trials[11].params).toEqual(pending);
    opt.dispose();
    // the pending suggestion's journal writes that it closed (see the test below): let it land before the folder goes
    for (let i = 0; i < 100 && !readFileSync(path, 'utf8').includes('"wbo:closed:'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(path, 'utf8')).toContain('"wbo:closed:');
  });

  maybe('a journal torn by a crash mid-write stays readable by Optuna after this library appends to it', async () => {
    const path = journalPath();
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, direction: 'minimize', f, randomState: 5, storage: path });
    await opt.maximize({ initPoints: 3, nIter: 0 });
    opt.dispose();
    // a writer killed mid-line: the first 40 bytes of a tell
    const torn = '{"op_code":6,"worker_id":"gone","trial_id":';
    appendFileSync(path, torn);
    // Optuna 3.1 reads up to the torn tail
    expect(dump(path).trials).toHaveLength(3);
    const next = new BayesianOptimization({ ...FAST, space: SPACE, direction: 'minimize', f, randomState: 6, storage: path });
    await next.maximize({ initPoints: 0, nIter: 2 });
    // closed with a newline instead, the broken line in mid-file would make Optuna refuse the whole journal
    const py = dump(path);
    expect(py.trials.map((t) => [t.number, t.state, t.value])).toEqual(next.trials.map((t) => [t.id, 'COMPLETE', t.target]));
    expect(py.trials).toHaveLength(5);
    expect(readFileSync(`${path}.torn`, 'utf8')).toBe(torn + '\n');
    next.dispose();
  });

  maybe('an optimizer disposed with a suggestion pending writes that it closed, and Optuna still loads the study', async () => {
    const path = journalPath();
    const opt = new BayesianOptimization({ ...FAST, space: SPACE, direction: 'minimize', f, randomState: 7, storage: path });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    const pending = await opt.suggest();
    opt.dispose();
    // dispose() closes the journal without waiting: the mark lands soon after
    const marked = () => readFileSync(path, 'utf8').includes('"wbo:closed:');
    for (let i = 0; i < 100 && !marked(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(marked()).toBe(true);
    const py = dump(path);
    expect(py.trials.map((t) => t.state)).toEqual(['COMPLETE', 'COMPLETE', 'RUNNING']);
    expect(py.trials[2].params).toEqual(pending);
  });

  maybe('Optuna\'s bare Infinity and NaN (a trial told inf, a report of nan, an attr) are read, not skipped as damaged lines', async () => {
    const path = journalPath();
    python(`import math, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.create_study(study_name='inf', storage=storage, direction='maximize')
for v in [1.0, float('inf'), 2.0]:
    t = study.ask()
    t.suggest_float('x', 0, 1)
    t.report(float('nan'), 0)
    t.report(v if v != float('inf') else 5.0, 1)
    t.set_user_attr('spread', float('-inf'))
    study.tell(t, v)
`, [path]);
    expect(readFileSync(path, 'utf8')).toContain('[Infinity]');
    const lines: string[] = [];
    const opt = new BayesianOptimization({ ...FAST, pbounds: { x: [0, 1] }, f: (p) => p.x as number, randomState: 1, storage: path, studyName: 'inf', log: (l) => lines.push(l) });
    await opt.ready();
    expect(lines.join('\n')).not.toContain('damaged');
    // complete with inf is, as an objective returning it here, a failed trial; the other two are complete
    expect(opt.res.map((t) => [t.status, t.target])).toEqual([['complete', 1], ['failed', null], ['complete', 2]]);
    expect(opt.res[1].error).toBe('completed with the value Infinity, not a finite number: read as failed');
    // the NaN report is kept, as Optuna keeps it (its pruners count it; the models leave it out), beside the finite one
    expect(opt.res.map((t) => t.intermediate)).toEqual([{ 0: NaN, 1: 1 }, { 0: NaN, 1: 5 }, { 0: NaN, 1: 2 }]);
    // nothing is left running: a resumed budget of 4 runs exactly one new trial
    await opt.maximize({ initPoints: 0, nIter: 4, resume: true });
    expect(opt.res).toHaveLength(4);
    opt.dispose();
  });

  maybe('a categorical whose choices hold NaN and the infinities (json.dumps writes them bare) keeps its parameter in every trial', async () => {
    const path = journalPath();
    pythonOnJournal(`import math
study = optuna.create_study(study_name='odd', storage=storage, direction='maximize')
nan = float('nan')
choices = [1.0, nan, math.inf, -math.inf]
for i, c in enumerate([nan, math.inf, 1.0, -math.inf]):
    t = study.ask()
    t.suggest_categorical('c', choices)
    study.add_trial(optuna.trial.create_trial(params={'c': c, 'x': i / 4}, value=float(i),
        distributions={'c': optuna.distributions.CategoricalDistribution(choices), 'x': optuna.distributions.FloatDistribution(0, 1)}))
    study.tell(t, 0.0)
`, path);
    expect(readFileSync(path, 'utf8')).toContain('[1.0, NaN, Infinity, -Infinity]');
    const state = await (await Journal.open(path, { studyName: 'odd', readOnly: true })).load();
    expect(state.skipped).toEqual([]);
    const added = state.trials.filter((t) => 'x' in t.params);
    expect(added.map((t) => [t.params.c, t.params.x])).toEqual([[NaN, 0], [Infinity, 0.25], [1, 0.5], [-Infinity, 0.75]]);
    expect(state.trials.every((t) => 'c' in t.params)).toBe(true);
  });

  maybe('a study Optuna started is continued here, and Optuna sees the new trials', async () => {
    const path = journalPath();
    python(`import math, sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
${PY_OBJECTIVE}
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.create_study(study_name='from-python', storage=storage, direction='minimize', sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(objective, n_trials=8)
`, [path]);
    const before = dump(path, 'from-python');
    expect(before.trials).toHaveLength(8);

    const opt = new BayesianOptimization({ ...FAST, space: SPACE, direction: 'minimize', f, randomState: 4, storage: path, studyName: 'from-python' });
    await opt.ready();
    expect(opt.res.map((t) => [t.id, t.status, t.target, t.params, t.source])).toEqual(
      before.trials.map((t) => [t.number, 'complete', t.value, t.params, 'register']),
    );
    await opt.maximize({ initPoints: 0, nIter: 4 });
    const after = dump(path, 'from-python');
    expect(after.trials).toHaveLength(12);
    expect(after.trials.slice(0, 8)).toEqual(before.trials);
    expect(after.trials.slice(8)).toEqual(opt.res.slice(8).map((t) => ({
      number: t.id, state: t.status === 'complete' ? 'COMPLETE' : 'FAIL', value: t.target, params: t.params, source: 'suggest', error: t.error ?? null,
    })));
    opt.dispose();

    // a study whose distributions have a step is continued on its grid; a space without the step is refused
    const stepped = journalPath();
    python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.create_study(study_name='stepped', storage=storage)
study.optimize(lambda t: t.suggest_float('x', 0, 1, step=0.25) + t.suggest_int('n', 0, 20, step=5), n_trials=3)
`, [stepped]);
    await expect(Journal.open(stepped, { space: { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 0, high: 20 } }, studyName: 'stepped' }))
      .rejects.toThrow(new StorageError(`journal ${JSON.stringify(stepped)}: the search space differs from the one the study was created with: parameter "x": step 0.25 in the journal but none now${NEW_STUDY_HINT}`));
    const grid = { x: { type: 'float', low: 0, high: 1, step: 0.25 }, n: { type: 'int', low: 0, high: 20, step: 5 } } as const;
    const on = new BayesianOptimization({ ...FAST, space: grid, direction: 'minimize', f: (p) => (p.x as number) + (p.n as number), randomState: 2, storage: stepped, studyName: 'stepped' });
    await on.maximize({ initPoints: 0, nIter: 5 });
    on.dispose();
    const py = dump(stepped, 'stepped').trials;
    expect(py).toHaveLength(8);
    // Optuna reads every trial on its grid (its own 3 and these 5), with its distributions' steps
    for (const t of py) {
      expect([0, 0.25, 0.5, 0.75, 1]).toContain(t.params.x);
      expect([0, 5, 10, 15, 20]).toContain(t.params.n);
    }
    expect(JSON.parse(python(`import sys, json, warnings
warnings.simplefilter('ignore')
import optuna
s = optuna.load_study(study_name='stepped', storage=optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1])))
print(json.dumps([[t.distributions['x'].step, t.distributions['n'].step] for t in s.trials[3:]]))
`, [stepped]))).toEqual(Array(5).fill([0.25, 5]));

    // Optuna's values on a float grid (low + k step: -0.19999999999999996) are this library's levels (-0.2):
    // a continued study does not ask again the levels Optuna tried
    const tenths = journalPath();
    python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.create_study(study_name='tenths', storage=storage, sampler=optuna.samplers.RandomSampler(seed=7))
study.optimize(lambda t: abs(t.suggest_float('x', -1, 1, step=0.1) - 0.05), n_trials=40)
`, [tenths]);
    const tried = new Set(dump(tenths, 'tenths').trials.map((t) => Math.round((t.params.x as number) * 10)));
    const more = new BayesianOptimization({ ...FAST, space: { x: { type: 'float', low: -1, high: 1, step: 0.1 } }, direction: 'minimize', f: (p) => Math.abs((p.x as number) - 0.05), randomState: 3, storage: tenths, studyName: 'tenths' });
    await more.ready();
    expect(more.res.every((t) => Number.isInteger(Math.round((t.params.x as number) * 1e6) / 1e5) && String(t.params.x).length <= 4)).toBe(true);
    const left = 21 - tried.size;
    await more.maximize({ initPoints: 0, nIter: Math.min(6, left) });
    const asked = more.res.slice(40).map((t) => Math.round((t.params.x as number) * 10));
    expect(asked.filter((k) => tried.has(k))).toEqual([]);
    more.dispose();

    // a space that does not match the study's distributions is refused
    const ints = { ...SPACE, x: { type: 'int', low: -2, high: 2 } } as SpaceSpec;
    await expect(Journal.open(path, { space: ints, studyName: 'from-python' })).rejects.toThrow(
      new StorageError(`journal ${JSON.stringify(path)}: the search space differs from the one the study was created with: parameter "x": float in the journal but int now${NEW_STUDY_HINT}`),
    );
    await expect(Journal.open(path, { space: SPACE, direction: 'maximize', studyName: 'from-python' })).rejects.toThrow('the study was created to minimize, not to maximize');
  });

  maybe('Python and Node write one file at once under the same lock: every trial there once', async () => {
    const path = journalPath();
    // Optuna creates the study; both sides then add trials to it at the same time
    python(`import sys, warnings
warnings.simplefilter('ignore')
import optuna
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
optuna.create_study(study_name='shared', storage=storage, direction='minimize')
`, [path]);
    const py = spawn(PYTHON, ['-c', `import math, sys, time, warnings
warnings.simplefilter('ignore')
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
${PY_OBJECTIVE}
def slow(trial):
    # the first trial waits until Node has asked one (its create op carries wbo: attrs), so Python cannot be done first
    t0 = time.time()
    while trial.number == 0 and 'wbo:source' not in open(sys.argv[1]).read() and time.time() - t0 < 60:
        time.sleep(0.01)
    time.sleep(0.01)
    return objective(trial)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.load_study(study_name='shared', storage=storage, sampler=optuna.samplers.RandomSampler(seed=2))
study.optimize(slow, n_trials=30)
`, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    /** trials Optuna created (its json.dumps writes '"op_code": 4'; this library writes no space) */
    const pythonAsks = () => (readFileSync(path, 'utf8').match(/"op_code": 4\b/g) ?? []).length;
    let stderr = '';
    py.stderr.on('data', (d) => (stderr += d));
    const pyDone = new Promise<number | null>((resolve) => py.on('exit', resolve));

    // start once Python is running trials
    for (let t0 = Date.now(); pythonAsks() === 0 && Date.now() - t0 < 60_000;) await new Promise((r) => setTimeout(r, 20));
    let calls = 0;
    const node = new BayesianOptimization({
      space: SPACE, direction: 'minimize', randomState: 5, storage: path, studyName: 'shared', engine: 'cpu', candidates: 200, gp: { restarts: 0 }, log: () => undefined,
      f: async (p) => {
        // Node's first trial waits for Python's second, asked after it: the writers interleave however they are scheduled
        const first = ++calls === 1;
        for (let t0 = Date.now(); first && pythonAsks() < 2 && Date.now() - t0 < 60_000;) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 30));
        return f(p);
      },
    });
    const RandomOnly = { initPoints: 20, nIter: 0 };
    await node.maximize(RandomOnly);
    expect(await pyDone, stderr).toBe(0);
    node.dispose();

    const all = dump(path, 'shared');
    expect(all.trials).toHaveLength(50);
    expect(all.trials.map((t) => t.number)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(all.trials.filter((t) => t.source === 'init')).toHaveLength(20);
    expect(all.trials.every((t) => t.state === 'COMPLETE' || t.state === 'FAIL')).toBe(true);
    const ours = await (await Journal.open(path, { readOnly: true, studyName: 'shared' })).load();
    expect(ours.skipped).toEqual([]);
    expect(ours.trials.map((t) => [t.id, t.target, t.params])).toEqual(all.trials.map((t) => [t.number, t.value, t.params]));
    // the writers did interleave: Node's trials are not one block (a Python trial between Node's first two)
    const nodeIds = all.trials.filter((t) => t.source === 'init').map((t) => t.number);
    expect(nodeIds[nodeIds.length - 1] - nodeIds[0]).toBeGreaterThan(nodeIds.length - 1);
  });
});

/** Python that prints each trial's state, params, `fail_reason`, and the trial and history Optuna's RetryFailedTrialCallback says it retries. */
const DUMP_RETRIES = `
import json, sys, warnings
warnings.simplefilter('ignore')
import optuna
from optuna.storages import RetryFailedTrialCallback
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.load_study(study_name='default', storage=storage)
print(json.dumps([[t.number, t.state.name, t.params, t.system_attrs.get('fail_reason'), RetryFailedTrialCallback.retried_trial_number(t), RetryFailedTrialCallback.retry_history(t)] for t in study.trials]))
`;

describe('a stopped worker\'s trial, failed and retried, reads as Optuna\'s fail_stale_trials + RetryFailedTrialCallback (python3-optuna 3.1)', () => {
  maybe('the stale trial is FAIL with its fail_reason; the retry names it as retried_trial_number, with its retry_history, along a chain too', async () => {
    const path = journalPath();
    const space: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };
    const a = await Journal.open(path, { worker: 'A', space });
    const { trial } = await a.ask({ x: 0.25 });
    await a.close();
    const b = await Journal.open(path, { worker: 'B', space });
    const first = await b.reclaim(trial.id, { force: true });
    const second = await b.reclaim(first!.retry!.id); // B's own retry, retried again: the chain keeps trial 0
    await b.tell(second!.retry!.id, { target: 1.5 });
    await b.close();
    const reason = (w: string) => `interrupted: worker ${w} stopped mid-trial (its process ended or its heartbeat expired); its params are retried as a new trial`;
    expect(JSON.parse(python(DUMP_RETRIES, [path]))).toEqual([
      [0, 'FAIL', { x: 0.25 }, reason('A'), null, []],
      [1, 'FAIL', { x: 0.25 }, reason('B'), 0, [0]],
      [2, 'COMPLETE', { x: 0.25 }, null, 0, [0, 1]],
    ]);
  });
});
