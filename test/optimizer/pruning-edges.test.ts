/**
 * The edges of reporting found by black-box testing: reports not awaited
 * after a timeout or an abort, a refused final report, the study name a
 * pruner sees, a custom pruner named 'none', an abort after a prune, a
 * custom pruner's non-boolean answer, and refused calls not awaited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperbandPruner, MedianPruner, MemoryJournalBackend, RandomSearch, StateError, type Pruner } from '../../src/index';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('reporting at the edges', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('reports not awaited after a timeout or an abort resolve "stop" and record nothing; no rejection goes unhandled', async () => {
    const answers: boolean[] = [];
    const answered = new Map<number, boolean>(); // trial 0: step -> the report's answer
    const ac = new AbortController();
    const f = async ({ x }: Record<string, unknown>, ctx: { trialId: number; report(s: number, v: number): Promise<boolean> }) => {
      // trial 0 outlives the timeout by far (step 4 would come at 160 ms); trial 1 is aborted at 30 ms,
      // far inside it (steps of 15 ms against a 50 ms timeout flaked under load: the timeout came first)
      for (let s = 1; s <= 8; s++) {
        await sleep(ctx.trialId === 0 ? 40 : 10);
        void ctx.report(s, x as number).then((a) => {
          answers.push(a);
          if (ctx.trialId === 0) answered.set(s, a);
        }); // fire and forget
        if (ctx.trialId === 1 && s === 3) ac.abort();
      }
      return x as number;
    };
    const opt = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 1, trialTimeoutMs: 150, f, log: () => undefined });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    const e = await opt.maximize({ initPoints: 2, nIter: 0, signal: ac.signal }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('maximize: aborted by its signal');
    await sleep(400); // the objectives run on and report (trial 0 for about 140 ms more)
    expect(unhandled).toEqual([]);
    expect(opt.res.map((t) => [t.id, t.status, t.error])).toEqual([
      [0, 'failed', 'objective timed out after 150 ms'], [1, 'failed', 'maximize: aborted by its signal'],
    ]);
    // what was recorded before the cut stays; nothing after it
    const steps = (id: number) => Object.keys(opt.trials[id].intermediate ?? {}).map(Number);
    expect(steps(0).length).toBeGreaterThan(0);
    // recorded: exactly the reports answered "go on", made before the timeout ended the trial; which
    // step that is depends on the machine's load (the timeout's check gives waiting I/O one more turn)
    expect(steps(0)).toEqual([...answered].filter(([, stop]) => !stop).map(([step]) => step));
    expect(Math.max(...steps(0))).toBeLessThan(8);
    expect(steps(1)).toEqual([1, 2, 3]);
    expect(answers.filter((a) => a).length).toBeGreaterThan(0);
    opt.dispose();
  });

  it('a refused report or user attr the objective does not await neither ends the process nor the trial; awaited, it rejects', async () => {
    const got: string[] = [];
    const opt = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 3, log: () => undefined,
      f: async (_p, ctx) => {
        void ctx.setUserAttr('k', NaN); // fire and forget, each refused
        void ctx.setUserAttr('', 1);
        void ctx.report(1, NaN);
        await ctx.setUserAttr('k', Infinity).catch((e: Error) => got.push(e.constructor.name));
        await ctx.report(1, -Infinity).catch((e: Error) => got.push(e.constructor.name));
        return 0.5;
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    await sleep(20);
    expect(unhandled).toEqual([]);
    expect(got).toEqual(['InvalidOptionError', 'InvalidPointError']);
    const [t] = opt.trials;
    expect([t.status, t.target, t.intermediate ?? {}, t.userAttrs ?? {}]).toEqual(['complete', 0.5, {}, {}]);
    opt.dispose();
  });

  it('a final report that is refused does not end the reporting: the corrected one is recorded', async () => {
    const got: string[] = [];
    const opt = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 2, log: () => undefined,
      f: async (_p, ctx) => {
        await ctx.report(1, 0.9);
        for (const [step, value] of [[1, 0.8], [2, NaN], [2, 0.8]] as const) {
          try {
            await ctx.report(step, value, { final: true });
            got.push(`ok ${step}`);
          } catch (e) {
            got.push(`${(e as Error).constructor.name} ${step}`);
          }
        }
        return 0.8;
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(got).toEqual(['InvalidPointError 1', 'InvalidPointError 2', 'ok 2']);
    expect(opt.trials[0].intermediate).toEqual({ 1: 0.9, 2: 0.8 });
    expect(opt.trials[0].status).toBe('complete');
    opt.dispose();
  });

  it('the pruner sees the study name: the studyName option, else \'default\' in memory as in a journal', async () => {
    const seen: (string | undefined)[] = [];
    const spy: Pruner = { name: 'spy', prune: (input) => (seen.push(input.studyName), false) };
    const f = async ({ x }: Record<string, unknown>, ctx: { report(s: number, v: number): Promise<boolean> }) => (await ctx.report(1, x as number), x as number);
    for (const extra of [{ studyName: 'my-study' }, {}, { storage: new MemoryJournalBackend() }, { storage: new MemoryJournalBackend(), studyName: 'other' }]) {
      const opt = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 3, pruner: spy, f, log: () => undefined, ...extra });
      await opt.maximize({ initPoints: 1, nIter: 0 });
      opt.dispose();
    }
    // in memory it was '', so a seeded Hyperband run stopped other trials than on a journal
    expect(seen).toEqual(['my-study', 'default', 'default', 'other']);
    // so a Hyperband trial's bracket is the one Optuna gives it in that study (crc32 of "my-study_<id>")
    const hb = new HyperbandPruner({ maxResource: 27 });
    expect(Array.from({ length: 8 }, (_, i) => hb.bracketOf(i, 'my-study'))).toEqual([2, 2, 2, 1, 0, 0, 1, 1]);
  });

  it('a custom pruner is asked whatever its name, and must answer a boolean', async () => {
    let asked = 0;
    const named: Pruner = { name: 'none', prune: () => (asked++, true) };
    const f = async ({ x }: Record<string, unknown>, ctx: { report(s: number, v: number): Promise<boolean> }) => (await ctx.report(1, x as number), x as number);
    const a = new RandomSearch({ pbounds: { x: [0, 1] }, randomState: 4, pruner: named, f, log: () => undefined });
    await a.maximize({ initPoints: 2, nIter: 0 });
    expect(asked).toBe(2);
    expect(a.res.map((t) => t.status)).toEqual(['pruned', 'pruned']);
    a.dispose();
    const odd = { name: 'odd', prune: () => 'yes' } as unknown as Pruner;
    let err: unknown = null;
    const b = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 4, pruner: odd, log: () => undefined,
      f: async ({ x }, ctx) => {
        await ctx.report(1, x as number).catch((e: unknown) => (err = e));
        return x as number;
      },
    });
    await b.maximize({ initPoints: 1, nIter: 0 });
    expect(err).toBeInstanceOf(StateError);
    expect((err as Error).message).toBe('pruner "odd": prune() must return a boolean, got "yes"');
    b.dispose();
  });

  it('a trial the pruner stopped ends pruned, at its last value, even when an abort comes before its objective returns', async () => {
    const ac = new AbortController();
    const opt = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 1, direction: 'minimize', pruner: new MedianPruner({ startupTrials: 1 }), log: () => undefined,
      f: async (_p, ctx) => {
        if (ctx.trialId === 0) return (await ctx.report(1, 1), 1);
        if (await ctx.report(1, 9)) {
          setTimeout(() => ac.abort(), 10);
          await sleep(80); // cleaning up after the prune when the abort comes
        }
        return 9;
      },
    });
    const e = await opt.maximize({ initPoints: 3, nIter: 0, signal: ac.signal }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('maximize: aborted by its signal');
    expect(opt.res.map((t) => [t.id, t.status, t.target, t.step])).toEqual([[0, 'complete', 1, undefined], [1, 'pruned', 9, 1]]);
    opt.dispose();
  });

  it('a pruner that fails (throws, answers 1 or a Promise) rejects the report and records nothing: the same step can be reported again', async () => {
    const answers: unknown[] = [() => { throw new Error('boom'); }, () => 1, () => Promise.resolve(true), () => false];
    let call = 0;
    const flaky = { name: 'flaky', prune: () => (answers[call++] as () => unknown)() } as unknown as Pruner;
    const errors: string[] = [];
    const backend = new MemoryJournalBackend();
    const opt = new RandomSearch({
      pbounds: { x: [0, 1] }, randomState: 4, pruner: flaky, storage: backend, log: () => undefined,
      f: async ({ x }, ctx) => {
        for (;;) {
          try {
            await ctx.report(1, x as number);
            return x as number;
          } catch (e) {
            errors.push(`${(e as Error).constructor.name}: ${(e as Error).message}`);
          }
        }
      },
    });
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(errors).toEqual([
      'Error: boom',
      'StateError: pruner "flaky": prune() must return a boolean, got 1',
      'StateError: pruner "flaky": prune() must return a boolean, got a Promise (pruners answer synchronously)',
    ]);
    expect(opt.res.map((t) => [t.status, t.intermediate])).toEqual([['complete', { 1: opt.res[0].target }]]);
    // one intermediate value in the journal: the accepted report's
    expect(backend.text.split('\n').filter((l) => l.includes('"op_code":7'))).toHaveLength(1);
    await opt.close();
  });
});
