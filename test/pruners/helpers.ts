import type { PrunerTrial, PrunerTrialState } from '../../src/pruners';

/** A trial with values reported at steps 1, 2, 3, ... (or the steps given). */
export function curve(id: number, state: PrunerTrialState, values: number[], steps?: number[]): PrunerTrial {
  return { id, state, values, steps: steps ?? values.map((_, i) => i + 1) };
}

/** `t` with one more report appended (state unchanged). */
export function extend(t: PrunerTrial, step: number, value: number): PrunerTrial {
  return { ...t, steps: [...t.steps, step], values: [...t.values, value] };
}
