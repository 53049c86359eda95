/**
 * bench:parallel's `procs-k`: k OS processes on one journal file make the
 * budget between them, nothing lost, nothing evaluated twice; and the check
 * that says so rejects runs that lost or repeated a trial.
 */
import { describe, expect, it } from 'vitest';
import { checkRun, journalOps, nearPairs, runProcesses } from '../../bench/parallel-procs';
import type { JournalTrial } from '../../src/storage/types';

const trial = (id: number, x: number, status: JournalTrial['status'] = 'complete'): JournalTrial =>
  ({ id, params: { x }, status, target: status === 'complete' ? -x : null } as unknown as JournalTrial);

describe('procs-k', () => {
  it('4 processes, budget 16 (4 initial), Branin, same seed: 16 completed trials at distinct points, each told once, overlapping', async () => {
    const r = await runProcesses(4, 'branin', 1000, 16, 4);
    expect(r.trials.map((t) => t.id)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(r.trials.every((t) => t.status === 'complete')).toBe(true);
    expect(new Set(r.trials.map((t) => JSON.stringify(t.params))).size).toBe(16);
    expect(r.perProcess.reduce((a, b) => a + b, 0)).toBe(16);
    expect(new Set(r.trials.map((t) => t.worker)).size).toBeGreaterThanOrEqual(2);
    expect(r.mostInFlight).toBeGreaterThanOrEqual(2);
    // (near pairs depend on the timing of the processes: bench:parallel reports them; test/optimizer/stale-proposal.test.ts checks the re-proposal)
    expect(r.nearPairs).toBeLessThanOrEqual(2);
  });

  it('checkRun rejects a lost trial, a repeated point, a trial told twice or not completed', () => {
    const ok = [trial(0, 0.1), trial(1, 0.2), trial(2, 0.3)];
    expect(() => checkRun(ok, [2, 1], 3, [0, 2, 1])).not.toThrow();
    expect(() => checkRun(ok.slice(0, 2), [2, 1], 3, [0, 1])).toThrow('procs: 2 trials, expected 3');
    expect(() => checkRun([ok[0], ok[1], trial(2, 0.2)], [2, 1], 3, [0, 1, 2])).toThrow('procs: two trials at one point');
    expect(() => checkRun(ok, [2, 1], 3, [0, 1, 1, 2])).toThrow('procs: told trials 0,1,1,2, expected each of 0..2 once');
    expect(() => checkRun([ok[0], ok[1], trial(2, 0.3, 'pending')], [2, 1], 3, [0, 1])).toThrow('procs: trials 2 not completed');
    expect(() => checkRun(ok, [2, 2], 3, [0, 1, 2])).toThrow('procs: the processes finished 4 trials, expected 3');
  });

  it('nearPairs counts pairs within 1e-3 in every coordinate scaled to [0, 1]', () => {
    const bounds = { x: [0, 10], y: [-1, 1] } as const;
    const at = (id: number, x: number, y: number) => ({ id, params: { x, y }, status: 'complete' } as unknown as JournalTrial);
    expect(nearPairs([at(0, 5, 0), at(1, 5.009, 0.0019), at(2, 5.011, 0), at(3, 5, 0.0021)], bounds)).toBe(3); // 0-1, 1-2, 1-3 (0-2, 0-3 and 2-3 are 1.1e-3 or 1.05e-3 apart in one coordinate)
  });

  it('nearPairs in flight counts only pairs whose ask-to-tell spans overlap', () => {
    const bounds = { x: [0, 10] } as const;
    const at = (id: number, x: number, startedAt: number, finishedAt: number) =>
      ({ id, params: { x }, status: 'complete', startedAt, finishedAt } as unknown as JournalTrial);
    // 0 and 1 overlap (1 asked at 5, 0 told at 10); 2 is asked after both were told; 3 overlaps 2 but is far away
    const trials = [at(0, 5, 0, 10), at(1, 5.001, 5, 20), at(2, 5.002, 25, 30), at(3, 9, 26, 40)];
    expect(nearPairs(trials, bounds)).toBe(3); // 0-1, 0-2, 1-2
    expect(nearPairs(trials, bounds, true)).toBe(1); // 0-1
    // a trial told at the very moment the other is asked was not in flight with it
    expect(nearPairs([at(0, 5, 0, 10), at(1, 5, 10, 20)], bounds, true)).toBe(0);
  });

  it('journalOps counts final-state writes and the most trials pending at once', () => {
    const lines = [
      { op_code: 4 }, { op_code: 4 }, { op_code: 6, trial_id: 0, state: 0 }, { op_code: 6, trial_id: 1, state: 1 },
      { op_code: 4 }, { op_code: 4 }, { op_code: 6, trial_id: 0, state: 3 },
    ].map((o) => JSON.stringify(o)).join('\n');
    expect(journalOps(lines)).toEqual({ tells: [1, 0], mostInFlight: 3 });
  });
});
