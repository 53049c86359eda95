/** `close()`: dispose, and a promise that settles once the storage's last writes have landed. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateError } from '../../src/errors';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import type { Params } from '../../src/space/types';
import { FileJournalBackend, MemoryJournalBackend, type AppendOptions } from '../../src/storage';
import { Lifecycle } from '../../src/optimizer/lifecycle';
import { FAST, PB, quad } from './fixtures/journal-study';
import { rejection } from './caught';

const records = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
const closingMarks = (path: string) => records(path).filter((r) => r.op_code === 3 && Object.keys(r.system_attr ?? {}).some((k) => k.startsWith('wbo:closed:')));

describe('close()', () => {
  it('resolves after the closing mark of the suggestions it leaves pending is in the file, so the folder can go at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'close-test-'));
    const path = join(dir, 'study.jsonl');
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3, journal: path });
    await opt.suggest();
    await opt.suggest();
    await opt.close();
    expect(closingMarks(path)).toHaveLength(1);
    // nothing is still writing there: a removal without retries succeeds, and the file stays gone
    rmSync(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 50));
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('waits for a register not awaited before it, and is idempotent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'close-test-'));
    try {
      const path = join(dir, 'study.jsonl');
      const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 4, journal: path });
      const p = await opt.suggest();
      void opt.register(p, quad(p));
      const [a, b] = [opt.close(), opt.close()];
      await Promise.all([a, b]);
      await opt.close();
      const told = records(path).filter((r) => r.op_code === 6); // set_trial_state_values
      expect(told).toHaveLength(1);
      expect(told[0].values).toEqual([quad(p)]);
      expect(closingMarks(path)).toHaveLength(0); // nothing was left pending
      const e = await rejection(opt.suggest());
      expect(e).toBeInstanceOf(StateError);
      expect(e.message).toBe('optimizer has been disposed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('during maximize: ends the wait for the objective and leaves the running trial to be retried, then resolves', async () => {
    const backend = new MemoryJournalBackend();
    let release!: () => void;
    const never = new Promise<void>((r) => (release = r));
    let calls = 0;
    const f = async (p: Params): Promise<number> => {
      if (++calls === 3) await never; // hangs until the test ends
      return quad(p);
    };
    const opt = new RandomSearch({ f, pbounds: PB, randomState: 5, journal: backend, log: () => undefined });
    const run = opt.maximize({ initPoints: 5, nIter: 0 });
    while (calls < 3) await new Promise((r) => setTimeout(r, 1));
    await opt.close();
    const e = await rejection(run);
    expect(e).toBeInstanceOf(StateError);
    const states = () => backend.text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)).filter((r) => r.op_code === 6).map((r) => r.state);
    // two complete (Optuna's TrialState: COMPLETE 1); the running one was cut by the shutdown, not by
    // its objective: it was recorded as failed (FAIL 3), took its place in the budget and was never retried
    expect(states()).toEqual([1, 1]);
    expect(opt.trials.map((t) => t.status)).toEqual(['complete', 'complete', 'pending']);
    release();
    // the next run retries it at once (the closing mark), in its place of the budget
    const again = new RandomSearch({ f: quad, pbounds: PB, randomState: 5, journal: backend, log: () => undefined });
    await again.maximize({ initPoints: 5, nIter: 0, resume: true });
    const cut = again.trials.find((t) => t.id === 2)!;
    const retry = again.trials.find((t) => t.retryOf === 2)!;
    expect(cut.status).toBe('failed');
    // its reason says the optimizer closed (its closing mark is in the journal), not that its process ended
    expect(cut.error).toMatch(/^interrupted: worker \S+ stopped mid-trial \(its optimizer closed while it ran\); its params are retried as a new trial$/);
    expect(retry.params).toEqual(cut.params);
    expect(again.res.filter((t) => t.status === 'complete')).toHaveLength(5);
    await again.close();
  });

  it('during an ask of maximize: the objective of the trial asked is not started, and maximize and close() settle', async () => {
    // An objective that never settles; close() after 1 to 20 turns of the event loop, while the first
    // trial's ask is writing to the journal: the ask ended after dispose, and its objective started
    // with nothing left to abort it (maximize and close() hung). The journal file's appends wait 30
    // turns first, so every close() lands within the ask (its steps are synchronous calls, done in a
    // turn or two: the ask ended before the later closes, which then found the objective running)
    class SlowAppends extends FileJournalBackend {
      override async append(lines: string, options?: AppendOptions): Promise<void> {
        for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
        return super.append(lines, options);
      }
    }
    const within = <T>(p: Promise<T>, what: string): Promise<T> => Promise.race([
      p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: still pending after 5 s`)), 5000)),
    ]);
    for (const ticks of [1, 2, 3, 5, 8, 12, 20]) {
      const dir = mkdtempSync(join(tmpdir(), 'close-test-'));
      try {
        let calls = 0;
        const backend = new SlowAppends(join(dir, 'study.jsonl'));
        const opt = new RandomSearch({
          f: () => (calls++, new Promise<number>(() => undefined)), pbounds: PB, randomState: 6, journal: backend, log: () => undefined,
        });
        await opt.ready();
        const run = rejection(opt.maximize({ initPoints: 3, nIter: 0 }));
        for (let i = 0; i < ticks; i++) await new Promise((r) => setImmediate(r));
        await within(opt.close(), `close() after ${ticks} ticks`);
        const e = await within(run, `maximize after ${ticks} ticks`);
        expect([ticks, e.constructor.name, e.message]).toEqual([ticks, 'StateError', 'optimizer has been disposed']);
        expect([ticks, calls]).toEqual([ticks, 0]);
        // the trial asked, its objective never started, is left for the next run to retry (it was failed, and lost)
        expect(opt.trials.map((t) => t.status)).toEqual(opt.trials.map(() => 'pending'));
        await backend.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 60_000);
});

describe('close() inside maximize({ onTrial })', () => {
  // the callback awaited close(), close() waited for the maximize, the maximize for the callback: none settled
  const within = <T>(p: Promise<T>, what: string): Promise<T> => Promise.race([
    p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: still pending after 5 s`)), 5000)),
  ]);

  it('resolves, and maximize rejects with StateError after recording the trials before it', async () => {
    const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 1, log: () => undefined });
    let closed = false;
    const run = rejection(opt.maximize({
      initPoints: 10, nIter: 0,
      onTrial: async (t, o) => {
        if (t.id === 2) {
          await o.close();
          closed = true;
        }
      },
    }));
    const e = await within(run, 'maximize');
    expect([e.constructor.name, e.message]).toEqual(['StateError', 'optimizer has been disposed']);
    await within(opt.close(), 'close() after it');
    expect(closed).toBe(true);
    expect(opt.res.map((t) => t.id)).toEqual([0, 1, 2]);
  });

  it('on a journal with concurrent trials: close() resolves once the storage closed', async () => {
    const backend = new MemoryJournalBackend();
    const f = async (p: Params): Promise<number> => (await new Promise((r) => setTimeout(r, 2)), quad(p));
    const opt = new RandomSearch({ f, pbounds: PB, randomState: 2, journal: backend, log: () => undefined });
    let inside: Promise<void> | undefined;
    const run = rejection(opt.maximize({
      initPoints: 10, nIter: 0, concurrency: 3,
      onTrial: (t, o) => {
        if (inside === undefined) inside = o.close();
        return inside;
      },
    }));
    const e = await within(run, 'maximize');
    expect(e).toBeInstanceOf(StateError);
    await within(inside!, 'close() in onTrial');
    // the storage closed: a second optimizer on the backend reads every trial the first one recorded
    const again = new RandomSearch({ f: quad, pbounds: PB, randomState: 2, journal: backend, log: () => undefined });
    await again.ready();
    expect(again.res.length).toBe(opt.res.length);
    expect(opt.res.length).toBeGreaterThanOrEqual(1);
    await again.close();
  });
});

describe('dispose() while suggest() or suggestBatch() is choosing', () => {
  it('rejects the call with StateError instead of handing out a point no later call can register', async () => {
    // dispose() some microtasks or event-loop turns into the choice: the call resolved with a
    // point, though every later method throws (register too)
    let checked = 0;
    for (const batch of [false, true]) {
      for (const ticks of [1, 2, 3, 5, 8, 13, 21, 34, -1, -2, -4]) {
        const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, log: () => undefined });
        for (let i = 0; i < 6; i++) {
          const p = await opt.suggest();
          await opt.register(p, quad(p as Params));
        }
        let settled = false;
        // settled either way, so that a choice ending first leaves no rejection unhandled
        const call = (batch ? opt.suggestBatch(2) : opt.suggest()).then(
          (value) => ({ value }), (error: unknown) => ({ error })).finally(() => (settled = true));
        // ticks > 0: microtasks; < 0: turns of the event loop
        for (let i = 0; i < Math.abs(ticks) && !settled; i++) await (ticks > 0 ? Promise.resolve() : new Promise((r) => setImmediate(r)));
        if (settled) {
          opt.dispose();
          continue; // the choice ended first: nothing to check at this many turns
        }
        opt.dispose();
        const e = await rejection(call.then((r) => ('error' in r ? Promise.reject(r.error) : r.value)));
        expect([batch, ticks, e.constructor.name, e.message]).toEqual([batch, ticks, 'StateError', 'optimizer has been disposed']);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('dispose() in the last turns of a queued call', () => {
  it('a dispose() right after suggest() or suggestBatch() handed out its point fails the call', async () => {
    for (const batch of [false, true]) {
      const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 3, log: () => undefined });
      const inner = opt as unknown as { handOut(t: unknown): unknown };
      const handOut = inner.handOut.bind(opt);
      // the point is handed out (the trial is the caller's from here), then dispose() comes before the call resolves
      inner.handOut = (t) => {
        const p = handOut(t);
        opt.dispose();
        return p;
      };
      const e = await rejection(batch ? opt.suggestBatch(2) : opt.suggest());
      expect([batch, e.constructor.name, e.message]).toEqual([batch, 'StateError', 'optimizer has been disposed']);
    }
  });

  it('a refresh() whose read is running when dispose() comes rejects with StateError', async () => {
    // reads wait for `gate` once it is set: dispose() lands while the refresh's read is in flight
    let gate: Promise<void> | null = null;
    let reading!: () => void;
    class SlowBackend extends MemoryJournalBackend {
      override async readWindow(after: unknown) {
        if (gate) {
          reading();
          await gate;
        }
        return super.readWindow(after);
      }
      override async readAll() {
        if (gate) {
          reading();
          await gate;
        }
        return super.readAll();
      }
    }
    const opt = new RandomSearch({ pbounds: PB, randomState: 1, storage: new SlowBackend(), log: () => undefined });
    await opt.ready();
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    const started = new Promise<void>((r) => (reading = r));
    const running = opt.refresh();
    await started;
    opt.dispose();
    open();
    await expect(running).rejects.toThrow(new StateError('optimizer has been disposed'));
  });
});

describe('Lifecycle.close', () => {
  it('settles only after what the release returned has settled, and never rejects', async () => {
    let finish!: () => void;
    const order: string[] = [];
    const life = new Lifecycle(() => new Promise<void>((r) => (finish = () => (order.push('released'), r()))));
    const closed = life.close().then(() => order.push('closed'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    finish();
    await closed;
    expect(order).toEqual(['released', 'closed']);
    const failing = new Lifecycle(() => Promise.reject(new Error('storage gone')));
    await expect(failing.close()).resolves.toBeUndefined();
    const throwing = new Lifecycle(() => {
      throw new Error('engine gone');
    });
    await expect(throwing.close()).resolves.toBeUndefined();
  });

  it('fails a queued call when dispose() comes after its work ended but before the call resolved', async () => {
    // dispose() `turns` microtasks after fn's end: the call was settled with fn's value when
    // dispose() landed in the turns its wrappers took after their last check
    const runs: { got: unknown; seen: boolean }[] = [];
    for (let turns = 0; turns <= 10; turns++) {
      const life = new Lifecycle(() => undefined);
      let resolved = false;
      let disposed!: Promise<boolean>;
      const call = life.queue(async () => {
        disposed = (async () => {
          for (let i = 0; i < turns; i++) await Promise.resolve();
          const seen = resolved; // what a caller could have seen: the call's value, one turn after it
          life.dispose();
          return seen;
        })();
        return 7;
      });
      void call.then(() => (resolved = true), () => undefined);
      const got = await call.then((v) => v, (e: Error) => `${e.constructor.name}: ${e.message}`);
      runs.push({ got, seen: await disposed });
    }
    const first = runs.findIndex((r) => r.got === 7);
    // the work ends with the value ready, yet a dispose() in the same turn or the next ones fails the call
    expect(first).toBeGreaterThanOrEqual(2);
    for (const [turns, r] of runs.entries()) expect([turns, r.got]).toEqual([turns, turns < first ? 'StateError: optimizer has been disposed' : 7]);
    // and the value is handed out the turn it is checked: a caller sees it one turn later, no more
    expect(runs[first + 1].seen).toBe(true);
  });

  it('waits for a queued call to end before releasing', async () => {
    let released = false;
    const life = new Lifecycle(() => void (released = true));
    let end!: () => void;
    const running = life.queue(() => new Promise<void>((r) => (end = r)));
    await new Promise((r) => setTimeout(r, 0));
    const closed = life.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(released).toBe(false);
    end();
    // closed before it resolved: the call fails, as every later one does
    await expect(running).rejects.toThrow(new StateError('optimizer has been disposed'));
    await closed;
    expect(released).toBe(true);
  });
});

describe('getEngine() and dispose()', () => {
  it('rejects after dispose(), whether the engine was made before, never, or was being made then', async () => {
    const made = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu' });
    const engine = await made.getEngine();
    await made.close();
    await expect(made.getEngine()).rejects.toThrow(new StateError('optimizer has been disposed'));
    // the engine it had is disposed with it: using it is an error, not a silent second life
    await expect(engine.evaluate(null as never, new Float64Array(0), 0, { kind: 'ucb', kappa: 1 } as never, 0)).rejects.toThrow(new StateError('engine: used after dispose()'));

    const never = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu' });
    await never.close();
    await expect(never.getEngine()).rejects.toThrow(new StateError('optimizer has been disposed'));

    const racing = new BayesianOptimization({ pbounds: PB, randomState: 1, engine: 'cpu' });
    const pending = racing.getEngine();
    racing.dispose();
    await expect(pending).rejects.toThrow(new StateError('optimizer has been disposed'));
  });
});
