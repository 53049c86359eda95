/** Seeded synthetic data for the tfjs and studies tests. */
import { Rng } from '../../src/util/rng';

/** `n x d` standard-normal features and y = x . w + noise * N(0, 1), with w_j = (j + 1) / d. */
export function linearData(n: number, d: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      x[i * d + j] = v;
      s += v * ((j + 1) / d);
    }
    y[i] = s + noise * rng.normal();
  }
  return { x, y, n, d };
}

/** Sample standard deviation (population form) of a vector, float64. */
export function std(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / v.length);
}

/**
 * `n` images `size x size` in [0, 1] with labels in [0, classes): class c has
 * a bright horizontal band at rows proportional to c, plus uniform noise.
 */
export function bandImages(n: number, size: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(classes);
    labels[i] = c;
    const row = Math.floor(((c + 0.5) * size) / classes);
    for (let r = 0; r < size; r++) {
      for (let col = 0; col < size; col++) {
        const band = Math.abs(r - row) <= 0 ? 0.7 : 0;
        x[(i * size + r) * size + col] = Math.min(1, band + 0.3 * rng.random());
      }
    }
  }
  return { x, labels, n, height: size, width: size, numClasses: classes };
}
