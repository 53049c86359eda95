/**
 * acquisition.wgsl against the float64 functions of src/acquisition, on the
 * same (f32) inputs. Each value is compared within
 *   TOL_ABS + TOL_REL |ref| + |d f / d z| dz,
 * where dz = 4u (|mu| + |best| + |xi|) / sigma + 4u |z| bounds the f32
 * rounding of z = (mu - best - xi) / sigma itself (u = 2^-24): that part is
 * the conditioning of the inputs, not an error of the kernel.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  expectedImprovement, logExpectedImprovement, logProbabilityOfImprovement, probabilityOfImprovement,
  upperConfidenceBound, type AcquisitionSpec,
} from '../../src/acquisition/functions';
import { normPdf } from '../../src/acquisition/special';
import { acquisitionGpu } from '../../src/gpu';
import { Rng } from '../../src/util/rng';
import { F32_EPS, openTestDevice, validationErrorOf } from './helpers';

/** Absolute part of the tolerance on log EI, log PI, PI. */
const TOL_ABS = 4e-6;
/** Relative part (erfcx fit 1.2e-7, f32 exp/log a few ulps, a few roundings). */
const TOL_REL = 4e-6;
/** EI below this underflows f32 and may come back as 0. */
const EI_UNDERFLOW = 1e-36;

const device = await openTestDevice();
afterAll(() => device?.destroy());

const f32 = Math.fround;

interface Case { mu: number; variance: number }

function randomCases(seed: number, m: number): Case[] {
  const rng = new Rng(seed);
  return Array.from({ length: m }, () => ({
    mu: f32(2 * rng.normal()),
    variance: f32(10 ** rng.uniform(-8, 2)),
  }));
}

async function gpu(cases: Case[], spec: AcquisitionSpec, best: number, mode: 'rank' | 'value') {
  const { value, error } = await validationErrorOf(device!, () => acquisitionGpu(
    device!, cases.map((c) => c.mu), cases.map((c) => c.variance), cases.length, spec, best, mode));
  expect(error).toBeNull();
  return value;
}

async function gpu2(mean: Float32Array, variance: Float32Array, m: number, spec: AcquisitionSpec) {
  const { value, error } = await validationErrorOf(device!, () => acquisitionGpu(device!, mean, variance, m, spec, 0, 'value'));
  expect(error).toBeNull();
  return value;
}

function zOf(c: Case, best: number, xi: number) {
  const sigma = Math.max(Math.sqrt(c.variance), 1e-12);
  const z = (c.mu - best - xi) / sigma;
  const dz = 4 * F32_EPS * ((Math.abs(c.mu) + Math.abs(best) + Math.abs(xi)) / sigma + Math.abs(z));
  return { sigma, z, dz };
}

describe.skipIf(device === null)('acquisition kernel', () => {

  it('scores more pairs than one dispatch may have (past 65,535 workgroups): those past the limit too', async () => {
    const m = device!.limits.maxComputeWorkgroupsPerDimension * 256 + 3;
    const mean = new Float32Array(m);
    const variance = new Float32Array(m).fill(1);
    for (let i = 0; i < m; i++) mean[i] = (i % 1000) / 1000;
    const spec: AcquisitionSpec = { kind: 'ucb', xi: 0, kappa: 2 };
    const out = await gpu2(mean, variance, m, spec);
    const at = [0, m - 260, m - 4, m - 3, m - 2, m - 1];
    expect(at.map((i) => out[i])).toEqual(at.map((i) => f32(upperConfidenceBound(mean[i], 1, 2))));
  });
  const best = f32(0.7);
  const cases = randomCases(5, 3001);

  for (const xi of [0, f32(0.01)]) {
    it(`log EI (xi = ${xi}) matches logExpectedImprovement`, async () => {
      const spec: AcquisitionSpec = { kind: 'logei', xi, kappa: 0 };
      const out = await gpu(cases, spec, best, 'value');
      cases.forEach((c, i) => {
        const { sigma, z, dz } = zOf(c, best, xi);
        const ref = logExpectedImprovement(c.mu, sigma, best, xi);
        expect(Math.abs(out[i] - ref)).toBeLessThanOrEqual(TOL_ABS + TOL_REL * Math.abs(ref) + (Math.abs(z) + 2) * dz);
      });
    });

    it(`EI (xi = ${xi}) matches expectedImprovement`, async () => {
      const spec: AcquisitionSpec = { kind: 'ei', xi, kappa: 0 };
      const out = await gpu(cases, spec, best, 'value');
      cases.forEach((c, i) => {
        const { sigma, z, dz } = zOf(c, best, xi);
        const ref = expectedImprovement(c.mu, sigma, best, xi);
        const rel = TOL_ABS + TOL_REL + (Math.abs(z) + 2) * dz;
        expect(out[i]).toBeGreaterThanOrEqual(0);
        expect(Math.abs(out[i] - ref)).toBeLessThanOrEqual(rel * ref + EI_UNDERFLOW);
      });
    });

    it(`PI and log PI (xi = ${xi}) match the float64 functions`, async () => {
      const pi = await gpu(cases, { kind: 'pi', xi, kappa: 0 }, best, 'value');
      const logPi = await gpu(cases, { kind: 'pi', xi, kappa: 0 }, best, 'rank');
      cases.forEach((c, i) => {
        const { sigma, z, dz } = zOf(c, best, xi);
        const ref = probabilityOfImprovement(c.mu, sigma, best, xi);
        expect(Math.abs(pi[i] - ref)).toBeLessThanOrEqual(TOL_ABS + normPdf(z) * dz);
        const refLog = logProbabilityOfImprovement(c.mu, sigma, best, xi);
        expect(Math.abs(logPi[i] - refLog)).toBeLessThanOrEqual(TOL_ABS + TOL_REL * Math.abs(refLog) + (Math.abs(z) + 1) * dz);
      });
    });
  }

  it('UCB matches mu + kappa sigma', async () => {
    const kappa = 2.576;
    const out = await gpu(cases, { kind: 'ucb', xi: 0, kappa }, best, 'value');
    cases.forEach((c, i) => {
      const sigma = Math.sqrt(c.variance);
      const ref = upperConfidenceBound(c.mu, sigma, kappa);
      expect(Math.abs(out[i] - ref)).toBeLessThanOrEqual(8 * F32_EPS * (Math.abs(c.mu) + kappa * sigma));
    });
  });

  it('ranks EI by log EI: the same scores as log EI', async () => {
    const a = await gpu(cases, { kind: 'ei', xi: 0, kappa: 0 }, best, 'rank');
    const b = await gpu(cases, { kind: 'logei', xi: 0, kappa: 0 }, best, 'value');
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('log EI stays finite and increasing deep in the tail, where EI underflows', async () => {
    // sigma = 1, best = 0: z = mu from -1e6 up to 30 (log-spaced below -1).
    const zs: number[] = [];
    for (let e = 6; e >= 0; e -= 0.05) zs.push(f32(-(10 ** e)));
    for (let z = -0.95; z <= 30; z += 0.25) zs.push(f32(z));
    const tail = zs.map((mu) => ({ mu, variance: 1 }));
    const logEi = await gpu(tail, { kind: 'logei', xi: 0, kappa: 0 }, 0, 'value');
    const ei = await gpu(tail, { kind: 'ei', xi: 0, kappa: 0 }, 0, 'value');
    for (let i = 0; i < zs.length; i++) {
      expect(Number.isFinite(logEi[i])).toBe(true);
      const ref = logExpectedImprovement(zs[i], 1, 0, 0);
      expect(Math.abs(logEi[i] - ref)).toBeLessThanOrEqual(TOL_ABS + TOL_REL * Math.abs(ref));
      if (i > 0) expect(logEi[i]).toBeGreaterThan(logEi[i - 1]);
    }
    expect(ei[0]).toBe(0); // EI itself has long underflowed at z = -1e6
    // Extreme: sigma at 1e-6, mu - best = -1e9 gives z = -1e15; still finite and ordered.
    const extreme = await gpu([{ mu: -1e9, variance: 1e-12 }, { mu: -1e8, variance: 1e-12 }],
      { kind: 'logei', xi: 0, kappa: 0 }, 0, 'value');
    expect(Number.isFinite(extreme[0])).toBe(true);
    expect(extreme[0]).toBeLessThan(extreme[1]);
    expect(extreme[0] / logExpectedImprovement(-1e9, 1e-6, 0, 0)).toBeCloseTo(1, 5);
  });

  it('clamps a negative variance to a floored sigma instead of producing NaN', async () => {
    const out = await gpu([{ mu: 1, variance: -1e-6 }, { mu: 0, variance: 0 }], { kind: 'logei', xi: 0, kappa: 0 }, 0, 'value');
    // sigma = 1e-12: z = 1e12 (log EI = log(mu - best)) and z = 0 (log(1e-12 phi(0))).
    expect(out[0]).toBeCloseTo(0, 5);
    expect(out[1]).toBeCloseTo(Math.log(1e-12 * normPdf(0)), 4);
  });
});
