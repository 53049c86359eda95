/**
 * Round two of misuse: maximize's arguments (bayes_opt ports included), bad
 * storage targets, importBayesOpt(''), probe options, recommend after
 * dispose, rounded registrations, and objectives that never resolve.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPointError, StateError, StorageError } from '../../src/errors';
import { BayesianOptimization, GridSearch, RandomSearch } from '../../src/optimizer';
import { MemoryJournalBackend } from '../../src/storage';
import type { Params } from '../../src/space/types';
import { FC_SEED } from '../space/arbitraries';
import { rejection, thrown } from './caught';

const PB = { x: [2, 4], y: [-3, 3] } as const;
const quad = ({ x, y }: Params): number => -((x as number) ** 2) - ((y as number) - 1) ** 2 + 1;
const FAST = { engine: 'cpu', candidates: 100, gp: { restarts: 1 }, log: () => undefined } as const;
const optionError = (e: Error, option: string, message: string) => {
  expect(e).toBeInstanceOf(InvalidOptionError);
  expect((e as InvalidOptionError).option).toBe(option);
  expect(e.message).toBe(message);
};

describe('maximize arguments', () => {
  it("bayes_opt's snake_case names are refused, naming the camelCase one, and nothing runs", async () => {
    const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 1, log: () => undefined });
    optionError(await rejection(opt.maximize({ init_points: 2, n_iter: 3 } as never)), 'init_points',
      'option "init_points": unknown option of maximize (known: initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress); bayes_opt\'s init_points is "initPoints" here');
    optionError(await rejection(opt.maximize({ initPoints: 1, n_iter: 3 } as never)), 'n_iter',
      'option "n_iter": unknown option of maximize (known: initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress); bayes_opt\'s n_iter is "nIter" here');
    optionError(await rejection(opt.maximize({ iterations: 3 } as never)), 'iterations',
      'option "iterations": unknown option of maximize (known: initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress)');
    expect(opt.trials).toEqual([]);
    // and the constructor's
    for (const [k, camel] of [['random_state', 'randomState'], ['acquisition_function', 'acquisition']]) {
      const e = thrown(() => new BayesianOptimization({ f: quad, pbounds: PB, [k]: 1 } as never));
      expect((e as InvalidOptionError).option).toBe(k);
      expect(e.message).toMatch(new RegExp(`^option "${k}": unknown option \\(known: f, pbounds, .*\\); bayes_opt's ${k} is "${camel}" here$`));
    }
    expect(thrown(() => new BayesianOptimization({ f: quad, pbounds: PB, seed: 1 } as never)).message).not.toMatch(/bayes_opt/);
  });

  it('null, non-objects, negative, fractional and non-finite counts are InvalidOptionErrors naming the key', async () => {
    const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 1, log: () => undefined });
    optionError(await rejection(opt.maximize(null as never)), 'options', 'maximize: options must be an object like { initPoints: 5, nIter: 25 }, got null');
    optionError(await rejection(opt.maximize(5 as never)), 'options', 'maximize: options must be an object like { initPoints: 5, nIter: 25 }, got number');
    optionError(await rejection(opt.maximize([] as never)), 'options', 'maximize: options must be an object like { initPoints: 5, nIter: 25 }, got an array');
    optionError(await rejection(opt.maximize({ initPoints: -1 })), 'initPoints', 'option "initPoints": expected an integer >= 0, got -1');
    optionError(await rejection(opt.maximize({ nIter: 2.5 })), 'nIter', 'option "nIter": expected an integer >= 0, got 2.5');
    optionError(await rejection(opt.maximize({ nIter: Infinity })), 'nIter', 'option "nIter": expected an integer >= 0, got Infinity');
    optionError(await rejection(opt.maximize({ resume: 'yes' } as never)), 'resume', 'option "resume": expected a boolean, got "yes"');
    optionError(await rejection(opt.maximize({ signal: {} } as never)), 'signal', 'option "signal": expected an AbortSignal, got {}');
    optionError(await rejection(opt.maximize({ concurrency: 0 })), 'concurrency', 'option "concurrency": expected an integer >= 1, got 0');
    optionError(await rejection(opt.maximize({ concurrency: 1.5 })), 'concurrency', 'option "concurrency": expected an integer >= 1, got 1.5');
    optionError(await rejection(opt.maximize({ concurrency: '2' } as never)), 'concurrency', 'option "concurrency": expected an integer >= 1, got "2"');
    optionError(await rejection(opt.maximize({ maxTimeMs: -1 })), 'maxTimeMs', 'option "maxTimeMs": expected a number of milliseconds >= 0, got -1');
    optionError(await rejection(opt.maximize({ maxTimeMs: NaN })), 'maxTimeMs', 'option "maxTimeMs": expected a number of milliseconds >= 0, got NaN');
    // a bigint by its literal ("got 1" read as a valid value)
    optionError(await rejection(opt.maximize({ maxTimeMs: 1n } as never)), 'maxTimeMs', 'option "maxTimeMs": expected a number of milliseconds >= 0, got 1n');
    optionError(await rejection(opt.maximize({ maxTimeMs: '60000' } as never)), 'maxTimeMs', 'option "maxTimeMs": expected a number of milliseconds >= 0, got "60000"');
    optionError(await rejection(opt.maximize({ targetValue: Infinity })), 'targetValue', 'option "targetValue": expected a finite number, got Infinity');
    optionError(await rejection(opt.maximize({ targetValue: null } as never)), 'targetValue', 'option "targetValue": expected a finite number, got null');
    // null is a value, refused as the constructor refuses it (it ran the default: nIter: null was 25 trials)
    for (const [k, expected] of [['initPoints', 'an integer >= 0'], ['nIter', 'an integer >= 0'], ['resume', 'a boolean'], ['concurrency', 'an integer >= 1'], ['progress', 'a boolean']]) {
      optionError(await rejection(opt.maximize({ [k]: null } as never)), k, `option "${k}": expected ${expected}, got null`);
    }
    optionError(await rejection(opt.maximize({ onTrial: 'log' } as never)), 'onTrial', 'option "onTrial": expected a function (trial, optimizer) => void, got "log"');
    optionError(await rejection(opt.maximize({ progress: 1 } as never)), 'progress', 'option "progress": expected a boolean, got 1');
    optionError(await rejection(opt.maximize({ max_time_ms: 5 } as never)), 'max_time_ms',
      'option "max_time_ms": unknown option of maximize (known: initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress); bayes_opt\'s max_time_ms is "maxTimeMs" here');
    optionError(await rejection(opt.maximize({ n_jobs: 2 } as never)), 'n_jobs',
      'option "n_jobs": unknown option of maximize (known: initPoints, nIter, resume, signal, concurrency, maxTimeMs, targetValue, onTrial, progress)');
    // an initial design past 2^16 points: drawn at once, it once blocked for minutes (1e7) or threw a RangeError (2^32)
    const tooMany = 'option "initPoints": expected at most 65536 points of initial design (drawn at once; use nIter for more), got ';
    optionError(await rejection(opt.maximize({ initPoints: 2 ** 32, maxTimeMs: 50 })), 'initPoints', `${tooMany}4294967296`);
    optionError(thrown(() => new BayesianOptimization({ f: quad, pbounds: PB, initPoints: 1e7 })), 'initPoints', `${tooMany}10000000`);
    const grid = new GridSearch({ f: quad, pbounds: PB, log: () => undefined, initPoints: 70_000 }); // its default budget, not a design
    expect((await grid.maximize({ initPoints: 65_537, nIter: 0, maxTimeMs: 0 })).trials).toHaveLength(0); // a grid's budget: no design
    expect(opt.trials).toEqual([]);
  });

  it('fuzz: random argument objects are refused naming one of their keys, or run exactly initPoints + nIter trials', async () => {
    const val = fc.oneof(fc.integer({ min: -2, max: 3 }), fc.double({ min: -2, max: 3 }), fc.boolean(), fc.constantFrom(null, undefined, 'x', NaN, Infinity));
    const key = fc.constantFrom('initPoints', 'nIter', 'resume', 'concurrency', 'init_points', 'n_iter', 'acq', 'verbose', '__proto__x');
    const args = fc.oneof(fc.dictionary(key, val, { maxKeys: 3 }), fc.constantFrom(null, 3, 'x', [] as unknown));
    let ran = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(args, async (a) => {
        const opt = new RandomSearch({ f: quad, pbounds: PB, randomState: 2, log: () => undefined });
        try {
          await opt.maximize(a as never);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidOptionError);
          const named = (e as InvalidOptionError).option;
          const keys = a !== null && typeof a === 'object' ? Object.keys(a) : [];
          expect(named === 'options' || keys.includes(named), `${named} for ${JSON.stringify(a)}`).toBe(true);
          const msg = (e as Error).message;
          expect(named === 'options' ? msg.startsWith('maximize: options must be an object') : msg.startsWith(`option "${named}": `)).toBe(true);
          expect(opt.trials).toEqual([]);
          refused++;
          return;
        }
        const o = a as Record<string, unknown>;
        expect(opt.trials).toHaveLength(((o.initPoints as number | undefined) ?? 5) + ((o.nIter as number | undefined) ?? 25));
        ran++;
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
    expect(ran).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(50);
    console.log(`maximize fuzz: ${ran + refused} argument objects, ${refused} refused with an InvalidOptionError naming one of their keys (nothing run), ${ran} ran exactly initPoints + nIter trials`);
  });
});

describe('storage targets', () => {
  for (const [journal, shown] of [[42, '42'], [{}, '{}'], [true, 'true'], ['', '""'], ['a\0b.log', 'a NUL']] as const) {
    it(`journal: ${shown} is an InvalidOptionError naming journal, at construction`, () => {
      const e = thrown(() => new BayesianOptimization({ ...FAST, pbounds: PB, journal: journal as never }));
      if (journal === '') optionError(e, 'journal', 'option "journal": expected a path, got ""');
      else if (journal === 'a\0b.log') optionError(e, 'journal', 'option "journal": a path cannot hold a NUL character, got "a\\u0000b.log"');
      else optionError(e, 'journal', `option "journal": expected a path, a JournalBackend (readAll, append, withLock) or a StudyStorage (load, askWith, tell), got ${shown}`);
    });
  }
  it('storage: 42 names storage; both given is refused', () => {
    optionError(thrown(() => new BayesianOptimization({ ...FAST, pbounds: PB, storage: 42 as never })), 'storage',
      'option "storage": expected a path, a JournalBackend (readAll, append, withLock) or a StudyStorage (load, askWith, tell), got 42');
    optionError(thrown(() => new BayesianOptimization({ ...FAST, pbounds: PB, storage: 'a.jsonl', journal: 'b.jsonl' })), 'journal',
      'option "journal": give "storage" or its alias "journal", not both');
  });
  // these made a folder named after the scheme and a journal file in it: workers meant to share a server each wrote their own
  for (const [target, message] of [
    ['redis:/localhost:6379', 'a Redis URL is redis://host[:port][/db] or rediss://..., got "redis:/localhost:6379"'],
    ['REDISS:localhost', 'a Redis URL is redis://host[:port][/db] or rediss://..., got "REDISS:localhost"'],
    ['http://h:8080/study.log', 'the only URLs taken are redis:// and rediss:// (a journal file is a path without a scheme), got "http://h:8080/study.log"'],
    ['valkey://:secret@h:6379', 'the only URLs taken are redis:// and rediss:// (a journal file is a path without a scheme), got "valkey://:***@h:6379"'],
  ] as const) {
    it(`storage: ${JSON.stringify(target)} is refused at construction, its password hidden`, () => {
      optionError(thrown(() => new RandomSearch({ pbounds: PB, f: (p: Params) => p.x as number, storage: target })), 'storage', `option "storage": ${message}`);
    });
  }
  it('storage: a Redis URL in capitals is a Redis URL (a scheme is case-insensitive), not a file named REDIS:', () => {
    // an unknown URL parameter proves it was read as a Redis URL: a file path has no parameters
    optionError(thrown(() => new RandomSearch({ pbounds: PB, f: (p: Params) => p.x as number, storage: 'REDIS://127.0.0.1:1?nope=1' })), 'nope',
      'storage URL parameter "nope": unknown; expected one of heartbeatMs, reconnectMs, lockTimeoutMs, gapWaitMs, prefix');
  });
});

describe('importBayesOpt, probe options, recommend after dispose', () => {
  it("importBayesOpt('') and text with no bayes_opt line throw StorageError, registering nothing", async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB });
    const e = await rejection(opt.importBayesOpt(''));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe('bayes_opt import: not a bayes_opt state or log: the text is empty');
    expect((await rejection(opt.importBayesOpt('hello\n[]\n'))).message).toBe(
      'bayes_opt import: not a bayes_opt state or log: no line is a bayes_opt point (line 1: invalid JSON; line 2: not a JSON object)',
    );
    // not text at all is a bad argument, not a bad file
    optionError(await rejection(opt.importBayesOpt(42 as never)), 'text', "text: expected the bayes_opt file's text (a string), got 42");
    expect(opt.trials).toEqual([]);
  });

  it("probe(p, { lazy: 'no' }) and unknown probe options are InvalidOptionErrors; nothing is queued", async () => {
    const opt = new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 1 });
    optionError(await rejection(opt.probe({ x: 3, y: 0 }, { lazy: 'no' } as never)), 'lazy', 'option "lazy": expected a boolean, got "no"');
    optionError(await rejection(opt.probe({ x: 3, y: 0 }, { eager: true } as never)), 'eager', 'option "eager": unknown option of probe (known: lazy)');
    optionError(await rejection(opt.probe({ x: 3, y: 0 }, null as never)), 'options', 'probe: options must be an object like { lazy: false }, got null');
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(opt.trials.map((t) => t.source)).toEqual(['init']);
  });

  it('an eager probe without an objective is a StateError that records nothing, in a journal either', async () => {
    const journal = new MemoryJournalBackend();
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 1, journal });
    await opt.ready();
    const e = await rejection(opt.probe({ x: 3, y: 0 }, { lazy: false }));
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe('probe: no objective to evaluate the point with; pass `f` to the constructor');
    expect(opt.trials).toEqual([]);
    expect(journal.text).not.toContain('"op_code": 4'); // no trial was created
    opt.dispose();
  });

  it('option values in messages: NaN and Infinity by name, strings quoted', async () => {
    for (const [o, option, message] of [
      [{ randomState: NaN }, 'randomState', 'option "randomState": expected a finite number, got NaN'],
      [{ gp: { noiseFloor: Infinity } }, 'gp.noiseFloor', 'option "gp.noiseFloor": expected a number in (0, 1), got Infinity'],
      // the GP's own range: a floor of 1 was refused by the GP under a top-level "noiseFloor" the caller never passed
      [{ gp: { noiseFloor: 1 } }, 'gp.noiseFloor', 'option "gp.noiseFloor": expected a number in (0, 1), got 1'],
      [{ gp: { maxFitPoints: 0 } }, 'gp.maxFitPoints', 'option "gp.maxFitPoints": expected an integer >= 1, got 0'],
      [{ gp: { restarts: 1e9 } }, 'gp.restarts', 'option "gp.restarts": expected an integer from 0 to 1000, got 1000000000'],
      [{ gp: [] }, 'gp', 'option "gp": expected an object, got []'],
    ] as const) {
      optionError(thrown(() => new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, ...(o as object) })), option, message);
    }
  });

  it('recommend() after dispose() is a StateError', async () => {
    for (const opt of [new BayesianOptimization({ ...FAST, f: quad, pbounds: PB, randomState: 1 }), new RandomSearch({ f: quad, pbounds: PB, randomState: 1, log: () => undefined })]) {
      await opt.maximize({ initPoints: 4, nIter: 0 });
      opt.dispose();
      const e = await rejection(opt.recommend());
      expect(e).toBeInstanceOf(StateError);
      expect(e.message).toBe('optimizer has been disposed');
    }
  });
});

describe('registers not awaited, with a journal', () => {
  it('dispose() right after them still records every one', async () => {
    const journal = new MemoryJournalBackend();
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, journal });
    await opt.ready();
    const writes = [2.5, 3, 3.5].map((x) => opt.register({ x, y: 0 }, x));
    opt.dispose();
    expect((await Promise.all(writes)).map((t) => t.status)).toEqual(['complete', 'complete', 'complete']);
    const again = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, journal: new MemoryJournalBackend(journal.text) });
    await again.ready();
    expect(again.res.map((r) => r.target)).toEqual([2.5, 3, 3.5]);
    again.dispose();
  });

  it("an object suggest() returned and the caller then changed is matched by its values, as a copy is (it was told at the values suggested)", async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5 });
    const p = await opt.suggest();
    const suggested = { ...p };
    p.x = 2;
    p.y = 0.5;
    const t = await opt.register(p, 42);
    expect([t.params, t.source, t.target]).toEqual([{ x: 2, y: 0.5 }, 'register', 42]);
    expect(opt.trials.find((x) => x.status === 'pending')?.params).toEqual(suggested);
    // report and registerPruned on a changed object name no trial
    const q = await opt.suggest();
    q.x = 4;
    await expect(opt.report(q, 1, 0.5)).rejects.toThrow(StateError);
    // changed back, it names its trial again
    const r = await opt.suggest();
    const y = r.y;
    r.y = 0.25;
    r.y = y;
    expect((await opt.register(r, 1)).source).not.toBe('register');
    opt.dispose();
  });

  it('two registers of one suggestion: the first completes it, the second is a trial of its own', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 5, journal: new MemoryJournalBackend() });
    const p = await opt.suggest();
    const [a, b] = await Promise.all([opt.register(p, 1), opt.register(p, 2)]);
    expect([a.id, a.source, a.target]).toEqual([0, 'init', 1]);
    expect([b.id, b.source, b.target]).toEqual([1, 'register', 2]);
    expect(opt.trials.map((t) => t.status)).toEqual(['complete', 'complete']);
    opt.dispose();
  });
});

describe('registering a suggestion with rounded values', () => {
  it('completes the suggestion it rounds (within 1e-4 of each float range), leaving nothing pending', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3 });
    for (let i = 0; i < 6; i++) {
      const p = await opt.suggest();
      const rounded = { x: Number((p.x as number).toPrecision(5)), y: Number((p.y as number).toFixed(4)) };
      const t = await opt.register(rounded, quad(rounded));
      expect(t.source).not.toBe('register');
      expect(t.params).toEqual(p); // the suggestion's own params are kept
    }
    expect(opt.trials.filter((t) => t.status === 'pending')).toEqual([]);
    expect(opt.trials).toHaveLength(6);
  });

  it('a rounded copy just past a bound or a fixed value (f32, 4 digits) completes the suggestion, as inside the space', async () => {
    // 0.3 as f32 is 0.30000001192092896, outside [0.3, 0.3]: refused as out of bounds, the suggestion left pending
    const space = { x: { type: 'float', low: 0, high: 1 }, c: { type: 'float', low: 0.3, high: 0.3 }, k: { type: 'float', low: 0.1, high: 0.123456 } } as const;
    const opt = new BayesianOptimization({ ...FAST, space, randomState: 1 });
    for (const round of [Math.fround, (v: number) => Number(v.toPrecision(4))]) {
      await opt.enqueue({ x: 0.5, c: 0.3, k: 0.123456 });
      const p = await opt.suggest();
      const copy = { x: round(p.x as number), c: round(p.c as number), k: round(p.k as number) };
      expect(copy.c === 0.3 && copy.k === 0.123456).toBe(false); // outside the space, each rounding at least once
      const t = await opt.register(copy, 1);
      expect(t.params).toEqual(p);
      expect(t.status).toBe('complete');
    }
    expect(opt.trials.filter((t) => t.status === 'pending')).toEqual([]);
    // a value that is no rounded copy of a pending suggestion is still refused, naming its parameter
    await expect(async () => opt.register({ x: 0.5, c: 0.31, k: 0.1 }, 1)).rejects.toThrow('parameter "c": value 0.31 is outside [0.3, 0.3]');
  });

  it('an f32 rounding that overflows or underflows is no rounded copy (x = 0 completed a suggestion at 59% of the range; Infinity was taken)', async () => {
    const tiny = new BayesianOptimization({ ...FAST, space: { x: { type: 'float', low: 0, high: 1e-300 } }, randomState: 3 });
    const s = await tiny.suggest();
    expect(Math.fround(s.x as number)).toBe(0);
    const t = await tiny.register({ x: 0 }, 123);
    expect(t.params).toEqual({ x: 0 }); // a point of its own
    expect(tiny.trials.map((u) => u.status)).toEqual(['pending', 'complete']);
    const huge = new BayesianOptimization({ ...FAST, space: { x: { type: 'float', low: 1e-300, high: 1e300, log: true } }, randomState: 3 });
    await huge.enqueue({ x: 7.7e55 });
    await huge.suggest();
    const e = await rejection(huge.register({ x: Infinity }, 1));
    expect(e).toBeInstanceOf(InvalidPointError);
    expect(huge.trials.map((u) => u.status)).toEqual(['pending']);
  });

  it('of two pending suggestions that both match, the nearer one in the range is completed', async () => {
    const opt = new BayesianOptimization({ ...FAST, space: { x: { type: 'float', low: 0, high: 1 } }, randomState: 1 });
    for (const x of [0.001, 0.00115]) {
      await opt.enqueue({ x });
      expect(await opt.suggest()).toEqual({ x });
    }
    // 7.4e-5 from the first, 7.6e-5 from the second: both within 1e-4 of the range; the second is nearer relative to its value
    const t = await opt.register({ x: 0.001074 }, 1);
    expect(t.params).toEqual({ x: 0.001 });
    expect(opt.trials.filter((x) => x.status === 'pending').map((x) => x.params)).toEqual([{ x: 0.00115 }]);
    // on a log parameter the tolerance is relative to the value, and so is "nearer"
    const log = new BayesianOptimization({ ...FAST, space: { x: { type: 'float', low: 1e-6, high: 1, log: true } }, randomState: 1 });
    for (const x of [1e-3, 1.00015e-3]) {
      await log.enqueue({ x });
      await log.suggest();
    }
    expect((await log.register({ x: 1.00009e-3 }, 1)).params).toEqual({ x: 1.00015e-3 }); // 9e-5 and 6e-5 of the value
  });

  it('a point farther than that is a new trial, and the suggestion stays pending', async () => {
    const opt = new BayesianOptimization({ ...FAST, pbounds: PB, randomState: 3 });
    const p = await opt.suggest();
    const moved = { x: p.x as number, y: Math.min(3, (p.y as number) + 0.01) === p.y ? (p.y as number) - 0.01 : Math.min(3, (p.y as number) + 0.01) };
    const t = await opt.register(moved, 1);
    expect(t.source).toBe('register');
    expect(opt.trials.filter((x) => x.status === 'pending')).toHaveLength(1);
  });
});

describe('a synchronous objective, which never lets the event loop turn by itself', () => {
  const busy = (ms: number) => {
    for (const t0 = Date.now(); Date.now() - t0 < ms;);
  };

  it('an AbortSignal.timeout still stops maximize, between trials, and what ran is recorded', async () => {
    let calls = 0;
    const opt = new RandomSearch({ f: ({ x }: Params) => (calls++, busy(40), x as number), pbounds: PB, randomState: 1, log: () => undefined });
    const e = await rejection(opt.maximize({ initPoints: 3, nIter: 37, signal: AbortSignal.timeout(150) }));
    expect(e).toBeInstanceOf(StateError);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThan(40);
    expect(opt.res).toHaveLength(calls);
  });

  it('a trial longer than trialTimeoutMs fails as timed out, though no timer could fire during it', async () => {
    const opt = new RandomSearch({ f: ({ x }: Params) => (busy(60), x as number), pbounds: PB, randomState: 1, trialTimeoutMs: 20, log: () => undefined });
    await opt.maximize({ initPoints: 2, nIter: 0 });
    expect(opt.res.map((r) => [r.status, r.error])).toEqual([['failed', 'objective timed out after 20 ms'], ['failed', 'objective timed out after 20 ms']]);
  });

  it('a dispose() from a timer stops it too', async () => {
    let calls = 0;
    const opt = new RandomSearch({ f: ({ x }: Params) => (calls++, busy(40), x as number), pbounds: PB, randomState: 1, log: () => undefined });
    setTimeout(() => opt.dispose(), 150);
    await rejection(opt.maximize({ initPoints: 3, nIter: 37 }));
    expect(calls).toBeLessThan(40);
  });
});

describe('an objective that never resolves', () => {
  it('dispose() ends the wait: the trial is recorded as failed and maximize rejects with StateError', async () => {
    let signalled = false;
    const never = (_p: Params, ctx: { signal: AbortSignal }) => new Promise<number>(() => ctx.signal.addEventListener('abort', () => { signalled = true; }));
    const opt = new RandomSearch({ f: never, pbounds: PB, randomState: 1, log: () => undefined });
    const run = opt.maximize({ initPoints: 3, nIter: 0 });
    await new Promise((r) => setTimeout(r, 30));
    opt.dispose();
    const e = await rejection(run);
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe('optimizer has been disposed');
    expect(signalled).toBe(true);
    expect(opt.trials.map((t) => [t.status, t.error])).toEqual([['failed', 'optimizer has been disposed']]);
  });

  it('dispose() also ends an eager probe waiting on it', async () => {
    const opt = new RandomSearch({ f: () => new Promise<number>(() => undefined), pbounds: PB, randomState: 1, log: () => undefined });
    const probing = opt.probe({ x: 3, y: 0 }, { lazy: false });
    await new Promise((r) => setTimeout(r, 30));
    opt.dispose();
    expect((await rejection(probing)).message).toBe('optimizer has been disposed');
    expect(opt.trials.map((t) => [t.source, t.status])).toEqual([['probe', 'failed']]);
  });

  it('an AbortSignal passed to maximize does the same, and the optimizer stays usable', async () => {
    let calls = 0;
    const hangOnSecond = (p: Params) => (++calls === 2 ? new Promise<number>(() => undefined) : quad(p));
    const opt = new RandomSearch({ f: hangOnSecond, pbounds: PB, randomState: 1, log: () => undefined });
    const ac = new AbortController();
    const run = opt.maximize({ initPoints: 4, nIter: 0, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    const e = await rejection(run);
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe('maximize: aborted by its signal');
    expect(opt.trials.map((t) => t.status)).toEqual(['complete', 'failed']);
    expect(opt.trials[1].error).toBe('maximize: aborted by its signal');
    // an already aborted signal runs nothing; without it, maximize goes on: the cut-off point first (its retry), then its own
    expect((await rejection(opt.maximize({ initPoints: 1, nIter: 0, signal: ac.signal }))).message).toBe('maximize: aborted by its signal');
    await opt.maximize({ initPoints: 1, nIter: 0 });
    expect(opt.trials.map((t) => [t.status, t.retryOf])).toEqual([['complete', undefined], ['failed', undefined], ['complete', 1], ['complete', undefined]]);
    expect(opt.trials[2].params).toEqual(opt.trials[1].params);
  });
});

describe('plannedTrials names itself', () => {
  it('bad options name plannedTrials and its own keys (they said maximize, and took its other options)', () => {
    const opt = new RandomSearch({ pbounds: PB, f: (p: Params) => p.x as number });
    optionError(thrown(() => opt.plannedTrials(null as never)), 'options', 'plannedTrials: options must be an object, got null');
    optionError(thrown(() => opt.plannedTrials({ foo: 1 } as never)), 'foo', 'option "foo": unknown option of plannedTrials (known: initPoints, nIter, resume)');
    optionError(thrown(() => opt.plannedTrials({ signal: AbortSignal.timeout(10) } as never)), 'signal', 'option "signal": unknown option of plannedTrials (known: initPoints, nIter, resume)');
    optionError(thrown(() => opt.plannedTrials({ nIter: -1 })), 'nIter', 'option "nIter": expected an integer >= 0, got -1');
    expect(opt.plannedTrials({ initPoints: 2, nIter: 3 })).toBe(5);
  });
});

describe('random and grid search beside Bayesian search', () => {
  it('suggestBatch takes a greedy batch\'s q (they fill a batch one point at a time; 65 was refused as too large for a joint batch)', async () => {
    const opt = new RandomSearch({ pbounds: PB, randomState: 1 });
    const batch = await opt.suggestBatch(65);
    expect(batch).toHaveLength(65);
    expect(new Set(batch.map((p) => JSON.stringify(p))).size).toBe(65);
    expect((await rejection(opt.suggestBatch(1025))).message).toBe('q: 1025 is more than a batch takes (1024); ask for several batches');
    expect((await rejection(new BayesianOptimization({ ...FAST, pbounds: PB }).suggestBatch(65))).message).toMatch(/^q: 65 is more than a 'joint' batch takes \(64\)/);
    await opt.dispose();
  });
  it('plannedTrials after dispose is a StateError (it counted trials for a maximize that could only throw)', async () => {
    const opt = new RandomSearch({ pbounds: PB, f: (p: Params) => p.x as number });
    await opt.close();
    const e = thrown(() => opt.plannedTrials({ nIter: 10 }));
    expect(e).toBeInstanceOf(StateError);
    await opt.ready(); // documented as allowed: the storage's opening has finished
  });
});
