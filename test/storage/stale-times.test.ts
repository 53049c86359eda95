/**
 * Times of trials another worker ends for a stopped one (failed as stale, or pruned where a pruner
 * had stopped it): never before the trial's start, whatever that worker's clock or time zone.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Journal, MemoryJournalBackend } from '../../src/storage';

afterEach(() => vi.restoreAllMocks());

const space = { x: { type: 'float', low: 0, high: 1 } } as const;

describe('a trial ended by another worker', () => {
  it('fails as stale no earlier than its start, where the worker that asked it ran 10 minutes ahead (Optuna read -1 day, 23:50:01)', async () => {
    const backend = new MemoryJournalBackend();
    const ahead = await Journal.open(backend, { space });
    const real = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => real() + 600_000);
    const { trial } = await ahead.ask({ x: 0.5 });
    vi.restoreAllMocks();
    const other = await Journal.open(backend, { space });
    const r = await other.reclaim(trial.id, { force: true });
    expect(r?.failed.status).toBe('failed');
    expect(r!.failed.finishedAt! - r!.failed.startedAt!).toBeGreaterThanOrEqual(0);
    // as the journal says it (Optuna's view): complete no earlier than start
    const read = (await (await Journal.open(backend, { space })).load()).trials;
    const again = read.find((t) => t.id === trial.id)!;
    expect(again.finishedAt! >= again.startedAt!).toBe(true);
    // no objective time: its call was never timed, and end minus start is two machines' clocks
    expect(again.durationMs).toBeUndefined();
  });

  it('keeps end minus start as the objective time of a trial its own worker ended without one (as Optuna writes them)', async () => {
    const backend = new MemoryJournalBackend();
    const j = await Journal.open(backend, { space });
    const { trial } = await j.ask({ x: 0.5 });
    await new Promise((r) => setTimeout(r, 20));
    await j.tell(trial.id, { status: 'complete', target: 1 });
    const again = (await (await Journal.open(backend, { space })).load()).trials.find((t) => t.id === trial.id)!;
    expect(again.durationMs).toBe(again.finishedAt! - again.startedAt!);
    expect(again.durationMs).toBeGreaterThanOrEqual(15);
  });
});
