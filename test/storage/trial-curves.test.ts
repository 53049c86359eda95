/**
 * Learning-curve views for pruners: correct steps and values, the rung
 * values recorded, and the same view object again while a trial's status,
 * reports and rungs are unchanged (a pruner reads every trial on every report).
 */
import { describe, expect, it } from 'vitest';
import { TrialCurves } from '../../src/storage/trial-curves';
import type { Trial } from '../../src/study/types';

const trial = (id: number, intermediate?: Record<number, number>): Trial =>
  ({ id, params: { x: 0.5 }, target: null, status: 'pending', source: 'suggest', intermediate }) as Trial;

describe('TrialCurves', () => {
  it('reads steps in increasing order with their values; a trial without reports is an empty running curve', () => {
    const c = new TrialCurves();
    expect(c.of(trial(3, { 10: 0.5, 2: 0.9, 7: 0.6 }))).toEqual({ id: 3, state: 'running', steps: [2, 7, 10], values: [0.9, 0.6, 0.5], rungs: {} });
    expect(c.of(trial(4))).toEqual({ id: 4, state: 'running', steps: [], values: [], rungs: {} });
  });

  it('returns the same view while nothing changed, a new one after a report or a status change', () => {
    const c = new TrialCurves();
    const t = trial(0, { 1: 0.8 });
    const a = c.of(t);
    expect(c.of(t)).toBe(a);
    t.intermediate = { ...t.intermediate, 2: 0.7 }; // a report replaces the record
    const b = c.of(t);
    expect(b).not.toBe(a);
    expect(b).toEqual({ id: 0, state: 'running', steps: [1, 2], values: [0.8, 0.7], rungs: {} });
    t.status = 'pruned';
    const p = c.of(t);
    expect(p.state).toBe('pruned');
    expect(p.steps).toBe(b.steps); // the record did not change: its arrays are shared
    expect(c.of(t)).toBe(p);
    // a rung value recorded after the report (an Optuna worker writes it as an op of its own): a new view
    t.rungs = { 0: 0.7 };
    const r = c.of(t);
    expect(r).not.toBe(p);
    expect(r.rungs).toEqual({ 0: 0.7 });
    expect(r.steps).toBe(b.steps);
  });
});
