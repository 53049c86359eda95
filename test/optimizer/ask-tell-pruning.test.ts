/** Pruning in ask/tell (Optuna's trial.report / should_prune / tell(state=PRUNED)): `report` and `registerPruned`. */
import { describe, expect, it } from 'vitest';
import { InvalidPointError, StateError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Pruner } from '../../src/pruners';
import { MemoryJournalBackend } from '../../src/storage';
import { rejection } from './caught';
import { CrashedWorkers } from './fixtures/journal-study';

const PB = { x: [0, 1] } as const;
/** Loss after `epoch` epochs at x: lower near x = 0.3. */
const loss = (x: number, epoch: number) => (x - 0.3) ** 2 * 10 + 1 / epoch;

describe('ask/tell with a pruner', () => {
  it('asynchronous workers report each epoch; ASHA stops the bad ones, which end pruned at their last report', async () => {
    const backend = new MemoryJournalBackend();
    const opt = new RandomSearch({ pbounds: PB, randomState: 7, direction: 'minimize', pruner: 'asha', storage: backend, log: () => undefined });
    const worker = async () => {
      for (let n = 0; n < 5; n++) {
        const p = await opt.suggest();
        let stopped = false;
        for (let epoch = 1; epoch <= 4 && !stopped; epoch++) {
          await new Promise((r) => setTimeout(r, 1));
          stopped = await opt.report(p, epoch, loss(p.x as number, epoch));
        }
        if (stopped) await opt.registerPruned(p);
        else await opt.register(p, loss(p.x as number, 4));
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const res = opt.res;
    expect(res).toHaveLength(15);
    const pruned = res.filter((t) => t.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(2);
    for (const t of pruned) {
      const steps = Object.keys(t.intermediate ?? {}).map(Number);
      expect(t.step).toBe(steps[steps.length - 1]);
      expect(t.target).toBe(t.intermediate![t.step!]);
    }
    // a pruned trial is never max; every complete one reported all 4 epochs
    expect(pruned.some((t) => t.target === opt.max!.target && t.params.x === opt.max!.params.x)).toBe(false);
    for (const t of res.filter((r) => r.status === 'complete')) expect(Object.keys(t.intermediate ?? {})).toEqual(['1', '2', '3', '4']);
    // every report is in the journal, with ASHA's rung values beside them (Optuna's completed_rung_<k>)
    const ops = backend.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    expect(ops.filter((o) => o.op_code === 7)).toHaveLength(res.reduce((n, t) => n + Object.keys(t.intermediate ?? {}).length, 0));
    expect(ops.some((o) => o.op_code === 9 && 'completed_rung_0' in (o.system_attr ?? {}))).toBe(true);
    await opt.close();
  });

  it('a report is judged before it is recorded: registerPruned ends the trial at its last report', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 3, direction: 'minimize', pruner: 'median', engine: 'cpu', log: () => undefined });
    // five finished curves, then one far worse at step 1
    for (let i = 0; i < 5; i++) {
      const p = await opt.suggest();
      expect(await opt.report(p, 1, 1 + i * 0.01)).toBe(false); // fewer than 5 finished: the median pruner waits
      await opt.register(p, 1 + i * 0.01);
    }
    const bad = await opt.suggest();
    expect(await opt.report(bad, 1, 50)).toBe(true);
    const t = await opt.registerPruned(bad);
    expect([t.status, t.target, t.step]).toEqual(['pruned', 50, 1]);
    expect(opt.trials.filter((r) => r.status === 'pending')).toEqual([]);
    await opt.close();
  });

  it('bad input: typed errors, nothing recorded', async () => {
    const opt = new RandomSearch({ pbounds: PB, randomState: 1, pruner: 'asha', log: () => undefined });
    const p = await opt.suggest();
    await opt.report(p, 1, 0.5);
    const errors = [
      await rejection(opt.report(p, 1, 0.4)),
      await rejection(opt.report(p, 2, NaN)),
      await rejection(opt.report({ x: 0.123456 }, 1, 0.5)),
      await rejection(opt.registerPruned({ x: 0.987654 })),
    ];
    expect(errors.map((e) => [e.constructor, e.message])).toEqual([
      [InvalidPointError, 'report: step: 1 must be greater than the last reported step (1)'],
      [InvalidPointError, 'report: value: expected a finite number, got NaN'],
      [StateError, 'report: no pending suggestion of this optimizer matches {"x":0.123456}'],
      [StateError, 'registerPruned: no pending suggestion of this optimizer matches {"x":0.987654}'],
    ]);
    expect(await rejection(opt.report({ x: 2 }, 1, 0.5))).toBeInstanceOf(InvalidPointError);
    // a suggestion with no report cannot end pruned
    const q = await opt.suggest();
    const e = await rejection(opt.registerPruned(q));
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe(`registerPruned: trial ${opt.trials.find((t) => t.params.x === q.x)!.id} reported no intermediate value; register its result, or registerFailure`);
    await opt.register(q, 0.1);
    // after it ended, a report is refused and nothing recorded
    const done = opt.trials.find((t) => t.params.x === q.x)!;
    expect((await rejection(opt.report(q, 1, 0.1))).message).toBe(`report: no pending suggestion of this optimizer matches ${JSON.stringify(q)}; trial ${done.id} at that point has ended (complete)`);
    expect(opt.res.find((t) => t.params.x === q.x)!.intermediate).toBeUndefined();
    // and after it ended pruned, the message says so
    const r = await opt.suggest();
    await opt.report(r, 1, 0.2);
    const prunedTrial = await opt.registerPruned(r);
    expect((await rejection(opt.report(r, 2, 0.1))).message).toBe(`report: no pending suggestion of this optimizer matches ${JSON.stringify(r)}; trial ${prunedTrial.id} at that point has ended (pruned)`);
    expect(opt.trials.filter((t) => t.status === 'pending').map((t) => t.intermediate)).toEqual([{ 1: 0.5 }]);
    await opt.close();
    expect((await rejection(opt.report(p, 2, 0.3))).message).toBe('optimizer has been disposed');
  });

  it("{ final: true } as ctx.report's: recorded with no verdict (ASHA's rung value kept), later reports refused, options checked", async () => {
    let asked = 0;
    const always = new RandomSearch({ pbounds: PB, randomState: 4, pruner: { name: 'always', prune: () => (asked++, true) }, log: () => undefined });
    const p = await always.suggest();
    expect(await always.report(p, 1, 5, { final: true })).toBe(false);
    expect(asked).toBe(0);
    const e = await rejection(always.report(p, 2, 4));
    expect([e.constructor.name, e.message]).toEqual(['StateError', 'report: trial 0 reported its final step 1; nothing was recorded']);
    expect((await always.register(p, 5)).intermediate).toEqual({ 1: 5 });
    const q = await always.suggest();
    expect([await rejection(always.report(q, 1, 0.5, { final: 'yes' } as never)), await rejection(always.report(q, 1, 0.5, { foo: 1 } as never))]
      .map((x) => [x.constructor.name, x.message])).toEqual([
      ['InvalidOptionError', 'report: option "final": expected a boolean, got "yes"'],
      ['InvalidOptionError', 'report: option "foo": unknown option (known: final)'],
    ]);
    expect(await always.report(q, 1, 0.5, { final: false })).toBe(true);
    await always.close();
    // ASHA, minimizing: the final 0.1 at the rung (step 1) holds rung 0, so 0.9 there is stopped
    const asha = new RandomSearch({ pbounds: PB, randomState: 1, direction: 'minimize', pruner: 'asha', log: () => undefined });
    const a = await asha.suggest();
    expect(await asha.report(a, 1, 0.1, { final: true })).toBe(false);
    await asha.register(a, 0.1);
    const b = await asha.suggest();
    expect(await asha.report(b, 1, 0.9)).toBe(true);
    expect((await asha.registerPruned(b)).rungs).toEqual({ 0: 0.9 });
    expect(asha.res.map((t) => [t.status, t.rungs ?? null])).toEqual([['complete', { 0: 0.1 }], ['pruned', { 0: 0.9 }]]);
    await asha.close();
  });

  it('two pending trials at one point (an enqueued point taken twice) stay apart: the object suggest() returned names its trial', async () => {
    const opt = new RandomSearch({ pbounds: PB, randomState: 2, pruner: 'median', log: () => undefined });
    await opt.enqueue({ x: 0.5 });
    await opt.enqueue({ x: 0.5 });
    const [a, b] = [await opt.suggest(), await opt.suggest()];
    expect(a).toEqual(b);
    expect(await opt.report(a, 1, 0.1)).toBe(false);
    expect(await opt.report(b, 1, 0.2)).toBe(false); // before: "step: 1 must be greater than the last reported step (1)"
    expect(await opt.report(b, 2, 0.3)).toBe(false);
    await opt.register(b, 0.3);
    await opt.register(a, 0.1);
    expect(opt.res.map((t) => [t.target, t.intermediate])).toEqual([[0.3, { 1: 0.2, 2: 0.3 }], [0.1, { 1: 0.1 }]]);
    // a copy of the point still finds the pending suggestion there (as register always has)
    const c = await opt.suggest();
    expect(await opt.report({ ...c }, 1, 0.4)).toBe(false);
    expect((await opt.registerFailure({ ...c }, 'crashed')).intermediate).toEqual({ 1: 0.4 });
    await opt.close();
  });

  it('a stop verdict is marked as ctx.report marks it: a worker ended before registerPruned leaves a trial a resume ends pruned, not one it evaluates again', async () => {
    const first: Pruner = { name: 'first', prune: ({ trial }) => trial.id === 0 };
    const backend = new CrashedWorkers();
    const a = new RandomSearch({ pbounds: PB, randomState: 4, pruner: first, storage: backend, log: () => undefined });
    const p = await a.suggest();
    expect(await a.report(p, 1, 0.7)).toBe(true);
    a.dispose(); // the worker ends here, before registerPruned
    const evaluated: number[] = [];
    const b = new RandomSearch({ pbounds: PB, randomState: 4, storage: new CrashedWorkers(backend.text), f: ({ x }) => (evaluated.push(x as number), 0), log: () => undefined });
    await b.maximize({ initPoints: 3, nIter: 0, resume: true });
    expect(b.trials.map((t) => [t.id, t.status, t.step, t.retryOf])).toEqual([[0, 'pruned', 1, undefined], [1, 'complete', undefined, undefined], [2, 'complete', undefined, undefined]]);
    expect(b.trials[0].target).toBe(0.7);
    expect(evaluated).not.toContain(p.x);
    await b.close();
  });

  it('a trial trained on after a stop verdict (its mark written) still registers complete, and stays so on resume', async () => {
    const first: Pruner = { name: 'first', prune: ({ trial }) => trial.id === 0 };
    const backend = new CrashedWorkers();
    const opt = new RandomSearch({ pbounds: PB, randomState: 4, pruner: first, storage: backend, log: () => undefined });
    const p = await opt.suggest();
    expect(await opt.report(p, 1, 0.7)).toBe(true);
    expect(await opt.report(p, 2, 0.8)).toBe(true);
    const t = await opt.register(p, 0.9);
    expect([t.status, t.target, t.intermediate]).toEqual(['complete', 0.9, { 1: 0.7, 2: 0.8 }]);
    await opt.close();
    const ops = backend.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    expect(ops.filter((o) => o.op_code === 9 && 'wbo:pruned_step' in o.system_attr).map((o) => o.system_attr['wbo:pruned_step'])).toEqual([1, 2]);
    const b = new RandomSearch({ pbounds: PB, randomState: 4, storage: new CrashedWorkers(backend.text), f: () => 0, log: () => undefined });
    await b.maximize({ initPoints: 2, nIter: 0, resume: true });
    expect(b.trials.map((r) => [r.id, r.status, r.target])).toEqual([[0, 'complete', 0.9], [1, 'complete', 0]]);
    await b.close();
  });
});
