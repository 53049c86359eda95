import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ackley, branin, dixonPrice, goldsteinPrice, hartmann3, hartmann6, levy, michalewicz5, powell, rastrigin, rosenbrock,
  schwefel, shekel, sixHumpCamel, styblinskiTang, type TestProblem,
} from '../../src/problems';
import { Rng } from '../../src/util/rng';

/**
 * bench/anchors/ re-defines bench:regret's functions in Python for the
 * re-created anchors (bayes_opt, Optuna TPE, random): both definitions must
 * give the same values, bounds (same parameter order) and minima.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROBLEMS: TestProblem[] = [
  branin, hartmann6, ackley(5), rosenbrock(4), rastrigin(4), schwefel(4), dixonPrice(4), powell(4),
  sixHumpCamel, goldsteinPrice, hartmann3, levy(4), shekel, styblinskiTang(5), michalewicz5,
];

interface PyProblem { values: number[]; bounds: [string, number, number][]; minimum: number }

describe('bench/anchors/problems.py', () => {
  const rng = new Rng(12);
  const points: Record<string, number[][]> = {};
  for (const p of PROBLEMS) {
    const b = Object.values(p.bounds) as (readonly [number, number])[];
    points[p.name] = [
      [...p.argmin],
      b.map(([lo]) => lo),
      b.map(([, hi]) => hi),
      ...Array.from({ length: 200 }, () => b.map(([lo, hi]) => lo + (hi - lo) * rng.random())),
    ];
  }
  const py = JSON.parse(execFileSync('/usr/bin/python3', [join(root, 'bench', 'anchors', 'problems.py')], {
    input: JSON.stringify(points), encoding: 'utf8',
  })) as Record<string, PyProblem>;

  for (const p of PROBLEMS) {
    it(`${p.name}: same bounds, minimum and values at 203 points (argmin, both corners, 200 seeded random)`, () => {
      const theirs = py[p.name];
      expect(theirs, `${p.name} missing in problems.py`).toBeDefined();
      expect(theirs.bounds).toEqual(Object.entries(p.bounds).map(([k, [lo, hi]]) => [k, lo, hi]));
      expect(theirs.minimum).toBe(p.minimum);
      const ours = points[p.name].map((x) => p.fn(x));
      expect(theirs.values).toHaveLength(ours.length);
      // Same formulas; only libm's last bits (V8's against glibc's exp/cos/sin) may differ.
      for (let i = 0; i < ours.length; i++) {
        expect(Math.abs(theirs.values[i] - ours[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ours[i])));
      }
    });
  }
});
