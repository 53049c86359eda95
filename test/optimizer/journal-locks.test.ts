/**
 * A run on a shared journal takes the storage's lock for its writes only:
 * the ask and the tell of each trial. The reads before each suggestion and
 * the look for enqueued trials take none (each lock of a journal file is a
 * link created and removed, and other workers wait on it).
 */
import { describe, expect, it } from 'vitest';
import { BayesianOptimization, RandomSearch } from '../../src/optimizer';
import { MemoryJournalBackend } from '../../src/storage/index';

class CountingBackend extends MemoryJournalBackend {
  locks = 0;
  override withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.locks++;
    return super.withLock(fn);
  }
}

const PB = { x: [0, 1] as [number, number], y: [0, 1] as [number, number] };
const f = (p: Record<string, unknown>) => -(((p.x as number) - 0.3) ** 2) - (((p.y as number) - 0.6) ** 2);

describe('locks per trial on a shared journal', () => {
  it('random search: two per trial (ask, tell) plus the open', async () => {
    const b = new CountingBackend();
    const opt = new RandomSearch({ pbounds: PB, f, randomState: 3, storage: b, verbose: 0 });
    await opt.maximize({ initPoints: 0, nIter: 30 });
    expect(opt.res).toHaveLength(30);
    expect(b.locks).toBe(2 * 30 + 1);
  });

  it('Bayesian optimization with an enqueued point: the claim takes one more', async () => {
    const b = new CountingBackend();
    const opt = new BayesianOptimization({ pbounds: PB, f, randomState: 3, storage: b, verbose: 0, engine: 'cpu' });
    await opt.enqueue({ x: 0.3, y: 0.6 });
    const afterEnqueue = b.locks;
    await opt.maximize({ initPoints: 3, nIter: 4 });
    expect(opt.res).toHaveLength(8);
    expect(opt.res.map((r) => r.params)).toContainEqual({ x: 0.3, y: 0.6 });
    // 7 asks, 1 claim, 8 tells
    expect(b.locks - afterEnqueue).toBe(7 + 1 + 8);
  });
});
