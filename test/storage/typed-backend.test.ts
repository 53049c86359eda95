/**
 * A caller's own JournalBackend that fails with its driver's errors: the
 * library reports them as StorageError naming the journal and the
 * operation, the locked step's own errors pass through unchanged, and a
 * result the storage could not take is kept and written by the next call.
 */
import { describe, expect, it } from 'vitest';
import { StateError, StorageError } from '../../src/errors';
import { RandomSearch } from '../../src/optimizer';
import type { Params, SpaceSpec } from '../../src/space/types';
import { Journal, MemoryJournalBackend, type JournalBackend } from '../../src/storage';
import { typedBackend } from '../../src/storage/typed-backend';
import { rejection } from '../optimizer/caught';

const SPACE: SpaceSpec = { x: { type: 'float', low: -2, high: 2 } };
const f = (p: Params): number => -(((p.x as number) - 0.5) ** 2);

/**
 * A caller's backend (readAll, append and a lock only: no incremental
 * reads) over a memory journal, whose next `append`, `readAll` or lock
 * fails with a plain driver error when armed.
 */
class Flaky implements JournalBackend {
  readonly name = 'bucket';
  failNext: 'append' | 'readAll' | 'lock' | null = null;
  thrownValue: unknown = null;
  private readonly inner = new MemoryJournalBackend('', 'bucket');
  get text(): string {
    return this.inner.text;
  }
  private trip(op: 'append' | 'readAll' | 'lock'): void {
    if (this.failNext !== op) return;
    this.failNext = null;
    throw this.thrownValue ?? new Error(`${op}: socket hang up`);
  }
  async readAll(): Promise<string> {
    this.trip('readAll');
    return this.inner.readAll();
  }
  async append(lines: string): Promise<void> {
    this.trip('append');
    return this.inner.append(lines);
  }
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.trip('lock');
    } catch (e) {
      return Promise.reject(e);
    }
    return this.inner.withLock(fn);
  }
}

describe('a custom backend\'s failures are StorageErrors', () => {
  it('names the journal and the operation, and keeps the driver\'s error as its cause', async () => {
    for (const op of ['readAll', 'lock', 'append'] as const) {
      const b = new Flaky();
      b.failNext = op;
      const e = await rejection(Journal.open(b, { space: SPACE }));
      expect(e).toBeInstanceOf(StorageError);
      const opName = op === 'lock' ? 'withLock' : op;
      expect(e.message).toBe(`journal "bucket": ${opName} failed: ${op}: socket hang up`);
      expect((e.cause as Error).message).toBe(`${op}: socket hang up`);
      expect(b.text).toBe(''); // nothing half written
    }
  });

  it('a thrown non-Error value is named by its string, and the backend\'s own BayesOptErrors pass as they are', async () => {
    const b = new Flaky();
    b.failNext = 'readAll';
    b.thrownValue = 'EIO';
    expect((await rejection(Journal.open(b))).message).toBe('journal "bucket": readAll failed: EIO');
    const own = new StorageError('journal "bucket": quota exceeded');
    b.failNext = 'readAll';
    b.thrownValue = own;
    expect(await rejection(Journal.open(b))).toBe(own);
  });

  it('errors of the step run under the lock are the caller\'s: unchanged', async () => {
    const j = await Journal.open(new Flaky(), { space: SPACE });
    const e = await rejection(j.tell(42, { target: 1 }));
    expect(e).toBeInstanceOf(StateError);
    expect(e.message).toBe('journal "bucket": tell: unknown trial id 42');
    const mine = new RangeError('mine');
    expect(await rejection(j.writeOps(() => { throw mine; }))).toBe(mine);
    await j.close();
  });

  it('a backend whose lock retries on its own errors still sees them untyped, and one that gives up is typed', async () => {
    class Conflict extends Error {}
    /** Refuses the first `conflicts` appends with its own Conflict, which its withLock answers by running the step again. */
    class Retrying extends MemoryJournalBackend {
      conflicts = 2;
      seen: unknown[] = [];
      constructor(readonly maxTries: number) {
        super('', 'retrying');
      }
      override async append(lines: string): Promise<void> {
        if (this.conflicts-- > 0) throw new Conflict('moved on');
        return super.append(lines);
      }
      override async withLock<T>(fn: () => Promise<T>): Promise<T> {
        for (let i = 1; ; i++) {
          try {
            return await super.withLock(fn);
          } catch (e) {
            this.seen.push(e);
            if (!(e instanceof Conflict) || i >= this.maxTries) throw e;
          }
        }
      }
    }
    const ok = new Retrying(5);
    const j = await Journal.open(ok, { space: SPACE });
    expect(ok.seen.map((e) => (e as Error).constructor.name)).toEqual(['Conflict', 'Conflict']);
    expect(ok.text).toContain('"op_code":0');
    await j.close();
    const gives = new Retrying(1);
    const e = await rejection(Journal.open(gives, { space: SPACE }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe('journal "retrying": append failed: moved on');
    expect(e.cause).toBeInstanceOf(Conflict);
  });

  it('a primitive the backend throws under its lock reaches its retrying lock as it was thrown', async () => {
    let conflicts = 1;
    const inner = new MemoryJournalBackend('', 'prim');
    const seen: unknown[] = [];
    const b: JournalBackend = {
      name: 'prim',
      readAll: () => inner.readAll(),
      append: (l) => (conflicts-- > 0 ? Promise.reject('CONFLICT') : inner.append(l)),
      async withLock(fn) {
        for (;;) {
          try {
            return await inner.withLock(fn);
          } catch (e) {
            seen.push(e);
            if (e !== 'CONFLICT') throw e;
          }
        }
      },
    };
    await (await Journal.open(b, { space: SPACE })).close();
    expect(seen).toEqual(['CONFLICT']);
    expect(inner.text).toContain('"op_code":0');
  });

  it('a failure outside the lock is typed while another call holds the lock', async () => {
    const inner = new MemoryJournalBackend('', 'busy');
    let failReads = false;
    const t = typedBackend({
      name: 'busy', append: (l) => inner.append(l), withLock: (fn) => inner.withLock(fn),
      readAll: () => (failReads ? Promise.reject(new Error('read timeout')) : inner.readAll()),
    });
    let release!: () => void;
    const holding = t.withLock(() => new Promise<void>((r) => (release = r)));
    failReads = true;
    const e = await rejection(t.readAll());
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe('journal "busy": readAll failed: read timeout');
    release();
    await holding;
  });

  it('optional methods stay absent, wrapping twice wraps once, and the caller\'s backend stays the journal\'s `backend`', async () => {
    const b = new Flaky();
    const t = typedBackend(b);
    expect(t.readFrom).toBeUndefined();
    expect(t.isWorkerAlive).toBeUndefined();
    expect(t.workerId).toBeUndefined();
    expect(typedBackend(t)).toBe(t);
    expect(t.name).toBe('bucket');
    const j = await Journal.open(b);
    expect(j.backend).toBe(b);
    await j.close();
  });

  it('an optimizer\'s result the backend could not take is kept, said so, and written by the next call', async () => {
    const b = new Flaky();
    const opt = new RandomSearch({
      space: SPACE, storage: b, randomState: 3, log: () => undefined,
      f: (p, ctx) => {
        if (ctx.trialId === 1) b.failNext = 'append'; // trial 1's tell is the next append
        return f(p);
      },
    });
    const e = await rejection(opt.maximize({ initPoints: 3, nIter: 0 }));
    expect(e).toBeInstanceOf(StorageError);
    expect(e.message).toBe('journal "bucket": append failed: append: socket hang up; the result of trial 1 is kept: its write may have landed, and the next call that reaches the storage checks and writes it only if not');
    expect(opt.study.get(1)?.status).toBe('pending');
    await opt.study.load();
    const j = await Journal.open(b, { readOnly: true });
    const s = await j.load();
    await j.close();
    expect(s.trials.map((t) => [t.id, t.status])).toEqual([[0, 'complete'], [1, 'complete']]);
    expect(s.trials[1].target).toBe(f(s.trials[1].params));
    opt.dispose();
  });
});

describe('what a custom backend returns is checked', () => {
  /** A memory backend with one method replaced. */
  const over = (patch: Partial<Record<keyof JournalBackend, unknown>>): JournalBackend & { inner: MemoryJournalBackend } => {
    const inner = new MemoryJournalBackend('', 'kv');
    return {
      inner, name: 'kv',
      readAll: () => inner.readAll(), append: (l) => inner.append(l), withLock: (fn) => inner.withLock(fn),
      ...patch,
    } as JournalBackend & { inner: MemoryJournalBackend };
  };
  const cases: [string, Partial<Record<keyof JournalBackend, unknown>>, string][] = [
    // a key-value store's GET of a missing key: a TypeError about `trim` deep in the reader
    ['readAll null', { readAll: async () => null }, 'journal "kv": readAll returned null, not the journal\'s text (a string)'],
    ['readAll a number', { readAll: async () => 5 }, 'journal "kv": readAll returned number 5, not the journal\'s text (a string)'],
    ['readAll a Buffer', { readAll: async () => Buffer.from('') }, 'journal "kv": readAll returned Buffer object, not the journal\'s text (a string)'],
    ['readFrom a number', { readFrom: async () => 5 }, 'journal "kv": readFrom returned number 5, not the journal\'s text (a string)'],
    ['readWindow null', { readWindow: async () => null }, 'journal "kv": readWindow returned null, not a window ({ text, start, mark })'],
    ['readWindow without text', { readWindow: async () => ({ start: 0, mark: 0 }) }, 'journal "kv": readWindow returned a window whose text is undefined, not a string'],
    ['a lock that never runs the step', { withLock: async () => undefined }, 'journal "kv": withLock returned without running the step it was given'],
    ['a lock that returns a value, not a promise, without running the step', { withLock: () => 1 }, 'journal "kv": withLock returned without running the step it was given'],
    // these wrote "worker_id":5, lines the reader then skipped as damaged, and the run went on to a TypeError
    ['workerId a number', { workerId: () => 5 }, 'journal "kv": workerId returned number 5, not a worker id (a non-empty string)'],
    ['workerId empty', { workerId: async () => '' }, 'journal "kv": workerId returned "", not a worker id (a non-empty string)'],
  ];
  for (const [what, patch, message] of cases) {
    it(`${what}: a StorageError naming the method, nothing written`, async () => {
      const b = over(patch);
      const opt = new RandomSearch({ pbounds: { x: [0, 1] }, f: (p: Params) => p.x as number, storage: b, randomState: 1 });
      const e = await rejection(opt.maximize({ initPoints: 2, nIter: 0 }));
      expect(e).toBeInstanceOf(StorageError);
      expect(e.message).toBe(message);
      expect(b.inner.text).toBe('');
      await opt.dispose();
    });
  }
  it('exists and isWorkerAlive answers other than booleans are refused too', async () => {
    const io = typedBackend(over({ exists: async () => 'yes', isWorkerAlive: () => 0 }));
    expect((await rejection(io.exists!())).message).toBe('journal "kv": exists returned "yes", not a boolean');
    expect((await rejection(Promise.resolve(io.isWorkerAlive!('w')))).message).toBe('journal "kv": isWorkerAlive returned number 0, not true, false or undefined');
    expect(await typedBackend(over({ isWorkerAlive: () => undefined })).isWorkerAlive!('w')).toBeUndefined();
  });
});
