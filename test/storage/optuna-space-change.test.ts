/**
 * Continuing a study Optuna created with another space: its trials'
 * distributions are checked leniently (bounds may differ), and a trial whose
 * point the space given now does not take is skipped. When that is every
 * trial (a parameter added that they all lack, or Optuna's conditional
 * parameters), the open is refused, and nothing is written: the run would
 * have searched afresh beside them. Python's Optuna 3.1 is the peer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import { Journal } from '../../src/storage';
import type { SpaceSpec } from '../../src/space/types';
import { maybe, pythonOnJournal, useJournalPaths } from './optuna-peer';

const newPath = useJournalPaths();

const PLAIN = `
study = optuna.create_study(study_name='plain', storage=storage, sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(lambda t: t.suggest_float('x', 0, 1) + t.suggest_int('n', 1, 9), n_trials=int(sys.argv[2]))
`;

const CONDITIONAL = `
def objective(t):
    if t.suggest_categorical('optimizer', ['adam', 'sgd']) == 'adam':
        return t.suggest_float('adam_lr', 1e-4, 1e-1, log=True)
    return t.suggest_float('sgd_lr', 1e-3, 1.0, log=True) + t.suggest_float('momentum', 0.0, 0.99)
study = optuna.create_study(study_name='cond', storage=storage, sampler=optuna.samplers.RandomSampler(seed=2))
study.optimize(objective, n_trials=8)
`;

const XN: SpaceSpec = { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 9 } };
const message = /^journal ".*": none of the study's (\d+) trial\(s\) fits the space given now \(line (\d+): set state: trial 0: point: missing parameter "(\w+)"\): a study cannot gain a parameter its trials lack, and one whose trials use different parameters \(Optuna's conditional parameters\) is read and reported here but not searched; continue in a new study, under another study name, enqueuing or registering the points to keep$/;

async function refusal(open: () => Promise<unknown>): Promise<RegExpMatchArray> {
  const err = await open().then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(StorageError);
  const m = (err as Error).message.match(message);
  expect(m, (err as Error).message).not.toBeNull();
  return m as RegExpMatchArray;
}

describe('continuing an Optuna study in another space', () => {
  maybe('a parameter every trial lacks is refused, nothing written; the same space continues the study', async () => {
    const path = newPath();
    pythonOnJournal(PLAIN, path, '5');
    const before = readFileSync(path, 'utf8');
    const withZ = { ...XN, z: { type: 'float', low: 0, high: 1 } } as SpaceSpec;
    expect((await refusal(() => Journal.open(path, { studyName: 'plain', space: withZ, direction: 'minimize' })))[1]).toBe('5');
    const opt = new RandomSearch({ space: withZ, f: () => 1, randomState: 1, storage: path, studyName: 'plain', direction: 'minimize', verbose: 0 });
    const m = await refusal(() => opt.maximize({ initPoints: 0, nIter: 2 }));
    expect(m[3]).toBe('z');
    expect(readFileSync(path, 'utf8')).toBe(before);
    // read-only, and the space it was tuned in, open as before
    expect((await (await Journal.open(path, { studyName: 'plain', space: withZ, readOnly: true })).load()).trials).toHaveLength(0);
    const same = new RandomSearch({ space: XN, f: (p) => (p.x as number) + (p.n as number), randomState: 1, storage: path, studyName: 'plain', direction: 'minimize', verbose: 0 });
    await same.maximize({ initPoints: 0, nIter: 7, resume: true });
    expect(same.res).toHaveLength(7); // Optuna's 5 and 2 new
  });

  maybe('a narrower bound skips the trials outside it and continues with the rest', async () => {
    const path = newPath();
    pythonOnJournal(PLAIN, path, '12');
    const narrow = { ...XN, x: { type: 'float', low: 0, high: 0.5 } } as SpaceSpec;
    const j = await Journal.open(path, { studyName: 'plain', space: narrow, direction: 'minimize' });
    const s = await j.load();
    expect(s.trials.length).toBeGreaterThan(0);
    expect(s.trials.length).toBeLessThan(12);
    expect(s.trials.every((t) => (t.params.x as number) <= 0.5)).toBe(true);
    await j.close();
  });

  maybe("a conditional study's trials fit no single space: refused", async () => {
    const path = newPath();
    pythonOnJournal(CONDITIONAL, path);
    const flat: SpaceSpec = {
      optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
      adam_lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
      sgd_lr: { type: 'float', low: 1e-3, high: 1.0, log: true },
      momentum: { type: 'float', low: 0, high: 0.99 },
    };
    const m = await refusal(() => Journal.open(path, { studyName: 'cond', space: flat, direction: 'minimize' }));
    expect(m[1]).toBe('8');
    expect(['adam_lr', 'sgd_lr', 'momentum']).toContain(m[3]);
  });
});

const TWO_GRIDS = `
from optuna.distributions import FloatDistribution, IntDistribution
study = optuna.create_study(study_name='grids', storage=storage, direction='maximize')
fx = FloatDistribution(0, 1)
on2 = optuna.trial.create_trial(params={'x': 0.5, 'n': 4}, distributions={'x': fx, 'n': IntDistribution(0, 10, step=2)}, value=1.0)
on1 = optuna.trial.create_trial(params={'x': 0.25, 'n': 3}, distributions={'x': fx, 'n': IntDistribution(1, 10)}, value=2.0)
logx = optuna.trial.create_trial(params={'x': 0.5, 'n': 5}, distributions={'x': FloatDistribution(0.1, 1, log=True), 'n': IntDistribution(1, 10)}, value=3.0)
for t in {'step-first': (on2, on1), 'step-second': (on1, on2), 'log-second': (on1, logx)}[sys.argv[2]]:
    study.add_trial(t)
`;

describe('every trial\'s distributions are checked, whichever came first', () => {
  // only the first trial's distribution of each parameter was compared: the
  // same trials in another order opened silently
  const N1: SpaceSpec = { x: { type: 'float', low: 0, high: 1 }, n: { type: 'int', low: 1, high: 10 } };
  for (const order of ['step-first', 'step-second'] as const) {
    maybe(`a parameter asked on two grids (${order}) is refused with either order, nothing written`, async () => {
      const path = newPath();
      pythonOnJournal(TWO_GRIDS, path, order);
      const before = readFileSync(path, 'utf8');
      const err = await Journal.open(path, { studyName: 'grids', space: N1 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/: the search space differs from the one the study was created with: parameter "n": step 2 in the journal but none now \(a study keeps its space/);
      expect(readFileSync(path, 'utf8')).toBe(before);
    });
  }
  maybe('a log scale on a later trial is refused too; read-only opens read every trial', async () => {
    const path = newPath();
    pythonOnJournal(TWO_GRIDS, path, 'log-second');
    const err = await Journal.open(path, { studyName: 'grids', space: N1 }).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toMatch(/parameter "x": log true in the journal but false now/);
    const j = await Journal.open(path, { studyName: 'grids', readOnly: true });
    expect((await j.load()).trials.map((t) => t.params)).toEqual([{ x: 0.25, n: 3 }, { x: 0.5, n: 5 }]);
    await j.close();
  });
});
