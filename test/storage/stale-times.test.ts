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
    await j.tell(trial.id, { target: 1 });
    const again = (await (await Journal.open(backend, { space })).load()).trials.find((t) => t.id === trial.id)!;
    expect(again.durationMs).toBe(again.finishedAt! - again.startedAt!);
    expect(again.durationMs).toBeGreaterThanOrEqual(15);
  });
});

describe('tells after the wall clock is stepped back', () => {
  it('still come after every start of this process: res keeps the order they were told in, and finishedAt rises', async () => {
    const real = Date.now.bind(Date);
    let off = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => real() + off);
    const j = await Journal.open(new MemoryJournalBackend(), { space });
    const { trial: a } = await j.ask({ x: 0.1 });
    off = -3_600_000; // stepped back an hour (NTP, a VM's resume)
    await j.tell(a.id, { target: 1 });
    const { trial: b } = await j.ask({ x: 0.2 });
    await j.tell(b.id, { target: 2 });
    const s = await j.load();
    const done = s.trials.filter((t) => t.status === 'complete');
    const [ta, tb] = [done.find((t) => t.id === a.id)!, done.find((t) => t.id === b.id)!];
    expect(tb.finishedAt!).toBeGreaterThan(ta.finishedAt!);
  });
});

