import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The re-created Optuna GPSampler (bench/anchors/gpsampler_recreated.py) replaces
 * PyTorch's autograd with hand-written gradients, so each piece is checked
 * against an independent computation after a seeded 12-trial run on a 3-D
 * function: the Matérn 5/2 kernel against its textbook formula, the posterior
 * against an explicit solve, log EI against quadrature of its defining integral
 * (and against the asymptotic series below z = -25, where it switches branch),
 * and the gradients of log EI (in x) and of the MAP loss (in the log
 * hyperparameters) against central differences.
 */
const anchors = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'anchors');
const script = join(anchors, 'gpsampler_recreated.py');

interface Check {
  n: number; in_bounds: boolean; repeatable: boolean; lengthscales: number[];
  kernel: number; posterior: number; logei: number; logei_tail: number; logei_edge: number;
  acq_grad: number; loss_grad: number;
}

describe('bench/anchors/gpsampler_recreated.py self-check', () => {
  for (const seed of [0, 3]) {
    it(`seed ${seed}: kernel, posterior, log EI and both gradients match independent computations`, () => {
      const r = JSON.parse(execFileSync('/usr/bin/python3', [script, String(seed)], { encoding: 'utf8' })) as Check;
      expect(r.n).toBe(12); // 8 startup trials + 4 GP suggestions
      expect(r.in_bounds).toBe(true);
      expect(r.repeatable).toBe(true); // the same seed gives the same 12 points
      expect(r.lengthscales).toHaveLength(3);
      for (const l of r.lengthscales) {
        expect(l).toBeGreaterThan(0.01); // a fitted model, not a collapsed one
        expect(l).toBeLessThan(100);
      }
      expect(r.kernel).toBeLessThanOrEqual(1e-12);
      expect(r.posterior).toBeLessThanOrEqual(1e-10);
      expect(r.logei).toBeLessThanOrEqual(1e-8);
      expect(r.logei_tail).toBeLessThanOrEqual(1e-8);
      // The two branches meet at z = -25 (the upper one loses ~8 digits to cancellation there).
      expect(r.logei_edge).toBeLessThanOrEqual(1e-6);
      // Central differences with h = 1e-6: truncation and rounding both near 1e-8 relative.
      expect(r.acq_grad).toBeLessThanOrEqual(1e-5);
      expect(r.loss_grad).toBeLessThanOrEqual(1e-4);
    });
  }

  it("bench:anchors runs it as method 'gp' by the protocol and sets the issue's figure beside it", () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchors-gp-'));
    try {
      const out = join(dir, 'gp.json');
      execFileSync('/usr/bin/python3', [join(anchors, 'run.py'), '--seeds', '2', '--problems', 'branin',
        '--methods', 'gp', '--budget', '10', '--out', out], { encoding: 'utf8', stdio: 'pipe' });
      const rows = (JSON.parse(readFileSync(out, 'utf8')) as { rows: Array<Record<string, unknown>> }).rows;
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ problem: 'branin', method: 'gp', engine: 'scipy', issueFigure: 7.3e-4 });
      const regrets = rows[0]!.regrets as number[];
      expect(regrets).toHaveLength(2);
      for (const r of regrets) {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(60); // 10 evaluations on Branin: better than its worst corner (~308)
      }
      expect(regrets[0]).not.toBe(regrets[1]); // seeds 1000 and 1001 are different runs
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
