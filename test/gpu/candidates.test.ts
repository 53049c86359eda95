/**
 * candidates.wgsl against src/acquisition/candidates.ts: the GPU generates
 * the same (snapped) candidates as the float64 code, up to f32 rounding.
 *
 * Continuous coordinates agree within TOL_COORD: Kronecker points are exact
 * 24-bit fractions (one f32 rounding), Gaussian steps differ by the f32
 * evaluation of log and cos in Box-Muller times sigma <= 0.1 (WGSL allows
 * 2^-11 absolute error for cos, so 1e-4 is what any conforming GPU meets).
 * Snapped integer and categorical coordinates decode to the same values,
 * except where a point lies within f32 rounding of a slice boundary, which
 * for these seeds never happens (asserted exactly).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  roundOneCandidates, roundTwoCandidates, snapRow,
} from '../../src/acquisition/candidates';
import { candidatesGpu } from '../../src/gpu';
import type { DimLayout } from '../../src/space/types';
import { Rng } from '../../src/util/rng';
import { openTestDevice, validationErrorOf } from './helpers';

const TOL_COORD = 1e-4;

const device = await openTestDevice();
afterAll(() => device?.destroy());

const mixed: DimLayout[] = [
  { kind: 'continuous', name: 'lr', dim: 0, low: 1e-5, high: 1e-1, log: true },
  { kind: 'integer', name: 'units', dim: 1, low: 8, high: 512, log: true },
  { kind: 'categorical', name: 'act', dim: 2, size: 3, choices: ['relu', 'tanh', 'gelu'] },
  { kind: 'integer', name: 'layers', dim: 5, low: 1, high: 6, log: false },
  { kind: 'continuous', name: 'dropout', dim: 6, low: 0, high: 0.5, log: false },
];
const D_MIXED = 7;
/** Fixed floats (low == high) snap to 0.5 on both sides: the GPU as the integer range [0, 0]. */
const withFixed: DimLayout[] = [
  { kind: 'continuous', name: 'x', dim: 0, low: 0, high: 1, log: false },
  { kind: 'continuous', name: 'lr', dim: 1, low: 1e-3, high: 1e-3, log: true },
  { kind: 'continuous', name: 'w', dim: 2, low: 2.5, high: 2.5, log: false },
  { kind: 'integer', name: 'layers', dim: 3, low: 1, high: 6, log: false },
];

/** Grids with a step (an int's and a float's): snapped in level units on the GPU, to the same slice centres. */
const withSteps: DimLayout[] = [
  { kind: 'integer', name: 'units', dim: 0, low: 32, high: 512, log: false, step: 32 },
  { kind: 'integer', name: 'drop', dim: 1, low: 0, high: 0.5, log: false, step: 0.1 },
  { kind: 'continuous', name: 'lr', dim: 2, low: 1e-4, high: 1e-1, log: true },
  { kind: 'integer', name: 'momentum', dim: 3, low: 0.8, high: 0.99, log: false, step: 0.01 },
];

function continuousLayout(d: number): DimLayout[] {
  return Array.from({ length: d }, (_, j) => ({ kind: 'continuous', name: `x${j}`, dim: j, low: 0, high: 1, log: false }));
}

function snapAll(X: Float64Array, m: number, d: number, layout: readonly DimLayout[]): Float64Array {
  for (let i = 0; i < m; i++) snapRow(X, i, d, layout);
  return X;
}

function compare(gpu: Float32Array, cpu: Float64Array, m: number, d: number, layout: readonly DimLayout[]): void {
  expect(gpu.length).toBe(m * d);
  const exactDims = new Set<number>();
  for (const p of layout) {
    if (p.kind === 'integer' || (p.kind === 'continuous' && p.low === p.high)) exactDims.add(p.dim);
    if (p.kind === 'categorical') for (let i = 0; i < p.size; i++) exactDims.add(p.dim + i);
  }
  let worst = 0;
  for (let i = 0; i < m * d; i++) {
    const err = Math.abs(gpu[i] - cpu[i]);
    if (exactDims.has(i % d)) {
      // Same integer slice / same one-hot choice: the snapped encodings agree to f32 rounding.
      expect(err, `row ${Math.floor(i / d)} dim ${i % d}`).toBeLessThan(1e-6);
    } else {
      worst = Math.max(worst, err);
    }
  }
  expect(worst).toBeLessThanOrEqual(TOL_COORD);
}

describe.skipIf(device === null)('GPU candidate generation', () => {
  for (const [name, d, layout] of [['continuous d=4', 4, continuousLayout(4)], ['mixed space', D_MIXED, mixed], ['fixed floats', 4, withFixed], ['grids with a step', 4, withSteps]] as const) {
    for (const nInc of [0, 3]) {
      it(`round 1 matches candidates.ts (${name}, ${nInc} incumbents)`, async () => {
        const rng = new Rng(d + nInc);
        const inc = Float64Array.from({ length: nInc * d }, () => rng.random());
        snapAll(inc, nInc, d, layout);
        const m1 = 1001;
        const { value, error } = await validationErrorOf(device!, () => candidatesGpu(device!, {
          seed: 0xdeadbeef, d, incumbents: inc, nIncumbents: nInc, layout, m1,
        }));
        expect(error).toBeNull();
        const cpu = snapAll(roundOneCandidates(0xdeadbeef, m1, d, inc, nInc), m1, d, layout);
        compare(value.round1, cpu, m1, d, layout);
      });
    }

    it(`round 2 matches candidates.ts around chosen round-1 points (${name})`, async () => {
      const rng = new Rng(99);
      const nInc = 2;
      const inc = Float64Array.from({ length: nInc * d }, () => rng.random());
      snapAll(inc, nInc, d, layout);
      const m1 = 500;
      const m2 = 333;
      const chosen = [17, 3, 250, 499, 0];
      const { value } = await validationErrorOf(device!, () => candidatesGpu(device!, {
        seed: 12345, d, incumbents: inc, nIncumbents: nInc, layout, m1, m2, centres: chosen,
      }));
      const round1 = snapAll(roundOneCandidates(12345, m1, d, inc, nInc), m1, d, layout);
      const centres = new Float64Array(chosen.length * d);
      chosen.forEach((c, r) => centres.set(round1.subarray(c * d, c * d + d), r * d));
      const cpu = snapAll(roundTwoCandidates(12345, m2, d, centres, chosen.length), m2, d, layout);
      compare(value.round2, cpu, m2, d, layout);
    });
  }

  it('generates rounds larger than one dispatch may be (past 65,535 workgroups): the points past the limit are candidates.ts\'s too', async () => {
    const per = device!.limits.maxComputeWorkgroupsPerDimension * 64;
    const m1 = per + 5;
    const m2 = per + 3;
    const layout = continuousLayout(1);
    const { value, error } = await validationErrorOf(device!, () => candidatesGpu(device!, {
      seed: 4242, d: 1, incumbents: new Float64Array(0), nIncumbents: 0, layout, m1, m2, centres: [7, per + 2],
    }));
    expect(error).toBeNull();
    const round1 = roundOneCandidates(4242, m1, 1, new Float64Array(0), 0);
    const centres = Float64Array.from([round1[7], round1[per + 2]]);
    const round2 = roundTwoCandidates(4242, m2, 1, centres, 2);
    // each side of the first dispatch's end, and the last points
    for (const [gpu, cpu, m] of [[value.round1, round1, m1], [value.round2, round2, m2]] as const) {
      const at = [0, per - 3, per - 2, per - 1, per, per + 1, m - 1];
      expect(at.map((i) => Math.abs(gpu[i] - cpu[i]) <= TOL_COORD)).toEqual(at.map(() => true));
    }
  });

  it('snaps: integers sit on slice centres and one-hot groups are exact', async () => {
    const { value } = await candidatesGpu(device!, {
      seed: 7, d: D_MIXED, incumbents: new Float64Array(0), nIncumbents: 0, layout: mixed, m1: 400,
    }).then((r) => ({ value: r }));
    for (let i = 0; i < 400; i++) {
      const row = value.round1.subarray(i * D_MIXED, i * D_MIXED + D_MIXED);
      expect(row[2] + row[3] + row[4]).toBe(1);
      // layers in 1..6 linear: u = (k - 0.5) / 6 for an integer k
      const k = row[5] * 6 + 0.5;
      expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-5);
      expect(Math.round(k)).toBeGreaterThanOrEqual(1);
      expect(Math.round(k)).toBeLessThanOrEqual(6);
    }
  });

  it('is reproducible for a seed and changes with it', async () => {
    const opts = { d: 3, incumbents: new Float64Array(0), nIncumbents: 0, layout: continuousLayout(3), m1: 64 };
    const a = await candidatesGpu(device!, { ...opts, seed: 1 });
    const b = await candidatesGpu(device!, { ...opts, seed: 1 });
    const c = await candidatesGpu(device!, { ...opts, seed: 2 });
    expect(Array.from(a.round1)).toEqual(Array.from(b.round1));
    expect(Array.from(a.round1)).not.toEqual(Array.from(c.round1));
  });
});
