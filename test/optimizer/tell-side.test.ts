/**
 * The tell side's calls return promises, so every error they raise is a
 * rejection (`.catch()` sees it), never a synchronous throw, and a rejected
 * call records nothing.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import { MemoryJournalBackend } from '../../src/storage';

const PB = { x: [0, 1] } as const;

/** How `call()` ended: 'threw' synchronously, or the error its promise rejected with. */
async function how(call: () => Promise<unknown>): Promise<unknown> {
  let p: Promise<unknown>;
  try {
    p = call();
  } catch {
    return 'threw';
  }
  return p.then(() => 'resolved', (e: unknown) => e);
}

describe('register, registerFailure, report, registerPruned', () => {
  it('reject, naming the problem, where they threw synchronously: bad input, and any call after dispose()', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu' });
    const p = await opt.suggest();
    const bad: [() => Promise<unknown>, Error][] = [
      [() => opt.register({ x: 2 }, 1), new InvalidPointError('parameter "x": value 2 is outside [0, 1]', 'x')],
      [() => opt.register(p, '1' as never), new InvalidPointError('target: expected a number, got "1"', 'target')],
      [() => opt.register(p, 1, { userAttrs: { a: NaN } }), new InvalidOptionError('option "userAttrs": userAttrs.a is NaN (a journal stores JSON: strings, finite numbers, booleans, null, arrays and plain objects)', 'userAttrs')],
      [() => opt.registerFailure({ x: -1 }), new InvalidPointError('parameter "x": value -1 is outside [0, 1]', 'x')],
      [() => opt.report(p, 1, 0.5, { final: 'yes' } as never), new InvalidOptionError('report: option "final": expected a boolean, got "yes"', 'final')],
      [() => opt.report({ x: 3 }, 1, 0.5), new InvalidPointError('parameter "x": value 3 is outside [0, 1]', 'x')],
      [() => opt.registerPruned({ x: 3 }), new InvalidPointError('parameter "x": value 3 is outside [0, 1]', 'x')],
    ];
    for (const [call, want] of bad) {
      const got = await how(call);
      expect(got).toBeInstanceOf(want.constructor);
      expect((got as Error).message).toBe(want.message);
      if (want instanceof InvalidPointError) expect((got as InvalidPointError).param).toBe(want.param);
    }
    // nothing was recorded: the suggestion is still pending, alone
    expect(opt.trials.map((t) => t.status)).toEqual(['pending']);
    opt.dispose();
    for (const call of [() => opt.register(p, 1), () => opt.registerFailure(p), () => opt.report(p, 1, 1), () => opt.registerPruned(p)]) {
      expect(await how(call)).toEqual(new StateError('optimizer has been disposed'));
    }
  });

  it('still record before returning on a study in memory (a register not awaited)', async () => {
    const opt = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu' });
    const p = await opt.suggest();
    const done = opt.register(p, 0.5);
    expect(opt.res.map((t) => [t.status, t.target])).toEqual([['complete', 0.5]]);
    await done;
    opt.dispose();
  });

  it('not awaited, land before a suggest() or suggestBatch() called after them: the point is the one a study in memory gives', async () => {
    // with a journal the suggestion was chosen from the study as the first register left it (1 point, not 5)
    const chosen = async (journal: MemoryJournalBackend | undefined, batch: boolean) => {
      const opt = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu', initPoints: 2, ...(journal ? { journal } : {}) });
      await opt.ready();
      const regs = [0, 1, 2, 3, 4].map((i) => opt.register({ x: i / 10 }, -((i / 10 - 0.35) ** 2)));
      const p = batch ? await opt.suggestBatch(2) : [await opt.suggest()];
      const seen = [opt.res.length, opt.fitStats?.fitPoints];
      await Promise.all(regs);
      await opt.close();
      return { p, seen };
    };
    for (const batch of [false, true]) {
      const memory = await chosen(undefined, batch);
      const journal = await chosen(new MemoryJournalBackend(), batch);
      expect(journal.seen).toEqual([5, 5]);
      expect(journal).toEqual(memory);
    }
    // random search too: its trials come after the registered ones
    const backend = new MemoryJournalBackend();
    const rs = new RandomSearch({ pbounds: PB, randomState: 1, journal: backend });
    await rs.ready();
    for (let i = 0; i < 3; i++) void rs.register({ x: i / 10 }, i);
    await rs.suggest();
    expect(rs.trials.map((t) => t.source)).toEqual(['register', 'register', 'register', 'init']);
    await rs.close();
  });
});
