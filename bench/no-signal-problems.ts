/**
 * Two studies whose first values are all one value, so the model starts
 * without signal (see bench/no-signal.ts): tuning problems a user meets.
 */
import type { Params } from '../src/space/types';

const L = Math.log10;

/** A learning rate (log, 1e-6..1) and a momentum: the run fails (throws) unless lr is within 1e-4..1e-2, 2 of its 6 decades. */
export const FAILING_SPACE = { lr: { type: 'float', low: 1e-6, high: 1, log: true }, m: { type: 'float', low: 0, high: 1 } } as const;

/** Minimum 0 at lr 10^-2.7, m 0.6; throws outside the working band, as a diverged network's NaN loss. */
export function failing(p: Params): number {
  const u = L(p.lr as number);
  if (u < -4 || u > -2) throw new Error('nan loss');
  return (u + 2.7) ** 2 + ((p.m as number) - 0.6) ** 2;
}

/** Learning rate, weight decay, dropout and units (log int). */
export const FLAT_SPACE = {
  lr: { type: 'float', low: 1e-6, high: 1, log: true }, wd: { type: 'float', low: 1e-6, high: 1e-1, log: true },
  dropout: { type: 'float', low: 0, high: 0.8 }, units: { type: 'int', low: 8, high: 1024, log: true },
} as const;

/** An error rate: 0.9 (chance level) everywhere but a bowl of about 16% of the box, minimum 0.1 at its centre. */
export function flat(p: Params): number {
  const r = ((L(p.lr as number) + 2.5) / 1.2) ** 2 + ((L(p.wd as number) + 4) / 3) ** 2 + (((p.dropout as number) - 0.3) / 0.5) ** 2
    + ((Math.log2(p.units as number) - 7) / 4) ** 2;
  return r >= 1 ? 0.9 : 0.1 + 0.8 * r;
}
