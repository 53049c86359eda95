/**
 * The Journal's reads take no backend lock (as Optuna's workers read), and
 * every step on its folded study, reads included, goes one at a time within
 * the process, so a read folding lines while another call's locked step
 * writes its own folds each line once.
 */
import { describe, expect, it } from 'vitest';
import { Journal, MemoryJournalBackend } from '../../src/storage/index';
import type { JournalBackend } from '../../src/storage/types';
import { Mutex } from '../../src/storage/mutex';
import type { SpaceSpec } from '../../src/space/types';

const SPACE: SpaceSpec = { x: { type: 'float', low: 0, high: 1 } };

/** A memory journal whose lock takes are counted. */
class CountingBackend extends MemoryJournalBackend {
  locks = 0;
  override withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.locks++;
    return super.withLock(fn);
  }
}

/**
 * A journal read by operation number (as Redis is), whose appends land a
 * line at a time with a pause between: a read during an append sees part of it.
 */
class SlowLines implements JournalBackend {
  readonly name = 'slow-lines';
  lines: string[] = [];
  private readonly mutex = new Mutex();
  async readAll(): Promise<string> {
    return this.lines.map((l) => `${l}\n`).join('');
  }
  async readFrom(from: number): Promise<string> {
    await new Promise((r) => setTimeout(r, 0));
    return this.lines.slice(from).map((l) => `${l}\n`).join('');
  }
  async append(text: string): Promise<void> {
    for (const l of text.split('\n').filter((s) => s !== '')) {
      await new Promise((r) => setTimeout(r, 0));
      this.lines.push(l);
    }
  }
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }
}

describe('Journal reads', () => {
  it('loadViews takes no lock, and a claim takes it only when a trial waits', async () => {
    const b = new CountingBackend();
    const j = await Journal.open(b, { space: SPACE, worker: 'w1' });
    const other = await Journal.open(b, { space: SPACE, worker: 'w2' });
    const opened = b.locks;
    await j.loadViews();
    expect(await j.claimWaiting((p) => p)).toBeNull();
    expect(b.locks).toBe(opened);
    // enqueued by another journal after this one's last read: the claim's own read finds it
    await other.enqueue({ x: 0.25 });
    const before = b.locks;
    const t = await j.claimWaiting((p) => p);
    expect(t).toMatchObject({ params: { x: 0.25 }, status: 'pending', worker: 'w1' });
    expect(b.locks).toBe(before + 1);
    const s = await other.loadViews();
    expect(s.trials.map((x) => [x.id, x.status, x.worker])).toEqual([[0, 'pending', 'w1']]);
  });

  it('reads interleaved with locked writes of other calls fold each line once', async () => {
    const b = new SlowLines();
    const j = await Journal.open(b, { space: SPACE, worker: 'w1' });
    const writer = async (k: number) => {
      for (let i = 0; i < 6; i++) {
        const { trial } = await j.ask({ x: (k * 6 + i) / 40 });
        await j.loadViews();
        await j.report(trial.id, 1, i);
        await j.tell(trial.id, { target: k + i / 10 });
      }
    };
    const reader = async () => {
      for (let i = 0; i < 40; i++) await j.loadViews();
    };
    await Promise.all([writer(0), writer(1), writer(2), reader(), reader()]);
    const mine = await j.loadViews();
    const fresh = await (await Journal.open(b, { space: SPACE, readOnly: true })).load();
    const view = (s: typeof mine) => s.trials.map((t) => [t.id, t.status, t.target, t.intermediate]);
    expect(mine.trials).toHaveLength(18);
    expect(view(mine)).toEqual(view(fresh));
    expect(new Set(mine.trials.map((t) => t.params.x)).size).toBe(18);
  });
});
