/**
 * Standard test functions for optimization with their published optima
 * (Surjanovic & Bingham, Virtual Library of Simulation Experiments,
 * https://www.sfu.ca/~ssurjano/). All are written for *minimization*; the
 * benchmarks maximize their negatives as bayes_opt users do.
 */
import { InvalidOptionError } from '../errors';
import type { Pbounds } from '../space/types';
import { show, showBrief } from '../util/format-value';

export interface TestProblem {
  name: string;
  /** parameter name -> [low, high] */
  bounds: Pbounds;
  /** the function to minimize, on the user's scale */
  fn: (x: readonly number[]) => number;
  /** global minimum value */
  minimum: number;
  /** one global minimizer */
  argmin: readonly number[];
}

/** Refuses a dimension that is not an integer >= 1 (`multiple` for Powell's blocks of 4): -1 was a RangeError, 'a' made a problem of no parameter. */
function checkDim(d: unknown, name: string, multiple = 1): void {
  if (!(Number.isSafeInteger(d) && (d as number) >= multiple && (d as number) % multiple === 0)) {
    throw new InvalidOptionError(`${name}: d: expected an integer >= ${multiple}${multiple > 1 ? ` and a multiple of ${multiple}` : ''}, got ${show(d)}`, 'd');
  }
}

const range = (d: number, lo: number, hi: number): Pbounds =>
  Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i + 1}`, [lo, hi] as const]));

/** Branin-Hoo on [-5, 10] x [0, 15]; minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475). */
export const branin: TestProblem = {
  name: 'branin',
  bounds: { x1: [-5, 10], x2: [0, 15] },
  fn: ([x1, x2]) => {
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  minimum: 0.39788735772973816,
  argmin: [Math.PI, 2.275],
};

const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];

/** Hartmann 6-D on [0, 1]^6; minimum -3.32237 at (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). */
export const hartmann6: TestProblem = {
  name: 'hartmann6',
  bounds: range(6, 0, 1),
  fn: (x) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2;
      s += H6_ALPHA[i] * Math.exp(-inner);
    }
    return -s;
  },
  minimum: -3.322368011391339,
  argmin: [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
};

/** Ackley in d dimensions on [-32.768, 32.768]^d (a = 20, b = 0.2, c = 2 pi); minimum 0 at the origin. */
export function ackley(d: number): TestProblem {
  checkDim(d, 'ackley');
  return {
    name: `ackley${d}`,
    bounds: range(d, -32.768, 32.768),
    fn: (x) => {
      let s1 = 0;
      let s2 = 0;
      for (const v of x) {
        s1 += v * v;
        s2 += Math.cos(2 * Math.PI * v);
      }
      return -20 * Math.exp(-0.2 * Math.sqrt(s1 / d)) - Math.exp(s2 / d) + 20 + Math.E;
    },
    minimum: 0,
    argmin: Array(d).fill(0),
  };
}

/** Six-hump camel on [-3, 3] x [-2, 2]; minimum -1.0316 at (0.0898, -0.7126) and (-0.0898, 0.7126). */
export const sixHumpCamel: TestProblem = {
  name: 'six-hump-camel',
  bounds: { x1: [-3, 3], x2: [-2, 2] },
  fn: ([x, y]) => (4 - 2.1 * x * x + (x ** 4) / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y,
  minimum: -1.0316284534898774,
  argmin: [0.08984201368301331, -0.7126564032704135],
};

/** Himmelblau on [-5, 5]^2; minimum 0 at (3, 2) and three other points. */
export const himmelblau: TestProblem = {
  name: 'himmelblau',
  bounds: { x1: [-5, 5], x2: [-5, 5] },
  fn: ([x, y]) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  minimum: 0,
  argmin: [3, 2],
};

/** Rosenbrock in d dimensions on [-5, 10]^d; minimum 0 at (1, ..., 1). */
export function rosenbrock(d: number): TestProblem {
  checkDim(d, 'rosenbrock');
  return {
    name: `rosenbrock${d}`,
    bounds: range(d, -5, 10),
    fn: (x) => {
      let s = 0;
      for (let i = 0; i + 1 < x.length; i++) s += 100 * (x[i + 1] - x[i] * x[i]) ** 2 + (x[i] - 1) ** 2;
      return s;
    },
    minimum: 0,
    argmin: Array(d).fill(1),
  };
}

/** Rastrigin in d dimensions on [-5.12, 5.12]^d; minimum 0 at the origin. */
export function rastrigin(d: number): TestProblem {
  checkDim(d, 'rastrigin');
  return {
    name: `rastrigin${d}`,
    bounds: range(d, -5.12, 5.12),
    fn: (x) => {
      let s = 10 * x.length;
      for (const v of x) s += v * v - 10 * Math.cos(2 * Math.PI * v);
      return s;
    },
    minimum: 0,
    argmin: Array(d).fill(0),
  };
}

/** Schwefel in d dimensions on [-500, 500]^d; minimum 0 (to 1e-4) at (420.9687, ..., 420.9687). */
export function schwefel(d: number): TestProblem {
  checkDim(d, 'schwefel');
  return {
    name: `schwefel${d}`,
    bounds: range(d, -500, 500),
    fn: (x) => {
      let s = 418.9829 * x.length;
      for (const v of x) s -= v * Math.sin(Math.sqrt(Math.abs(v)));
      return s;
    },
    minimum: 0,
    argmin: Array(d).fill(420.9687),
  };
}

/** Dixon-Price in d dimensions on [-10, 10]^d; minimum 0 at x_i = 2^-((2^i - 2) / 2^i). */
export function dixonPrice(d: number): TestProblem {
  checkDim(d, 'dixonPrice');
  return {
    name: `dixon-price${d}`,
    bounds: range(d, -10, 10),
    fn: (x) => {
      let s = (x[0] - 1) ** 2;
      for (let i = 1; i < x.length; i++) s += (i + 1) * (2 * x[i] * x[i] - x[i - 1]) ** 2;
      return s;
    },
    minimum: 0,
    argmin: Array.from({ length: d }, (_, i) => 2 ** (-(2 ** (i + 1) - 2) / 2 ** (i + 1))),
  };
}

/** Powell in d dimensions (d a multiple of 4) on [-4, 5]^d; minimum 0 at the origin. */
export function powell(d: number): TestProblem {
  checkDim(d, 'powell', 4);
  return {
    name: `powell${d}`,
    bounds: range(d, -4, 5),
    fn: (x) => {
      let s = 0;
      for (let i = 0; i + 3 < x.length; i += 4) {
        const [a, b, c, e] = [x[i], x[i + 1], x[i + 2], x[i + 3]];
        s += (a + 10 * b) ** 2 + 5 * (c - e) ** 2 + (b - 2 * c) ** 4 + 10 * (a - e) ** 4;
      }
      return s;
    },
    minimum: 0,
    argmin: Array(d).fill(0),
  };
}

/** Goldstein-Price on [-2, 2]^2; minimum 3 at (0, -1). */
export const goldsteinPrice: TestProblem = {
  name: 'goldstein-price',
  bounds: { x1: [-2, 2], x2: [-2, 2] },
  fn: ([x, y]) => {
    const a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y);
    const b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y);
    return a * b;
  },
  minimum: 3,
  argmin: [0, -1],
};

const H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]];
const H3_P = [[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547], [381, 5743, 8828]].map((r) => r.map((v) => v * 1e-4));

/** Hartmann 3-D on [0, 1]^3; minimum -3.86278 at (0.114614, 0.555649, 0.852547). */
export const hartmann3: TestProblem = {
  name: 'hartmann3',
  bounds: range(3, 0, 1),
  fn: (x) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 3; j++) inner += H3_A[i][j] * (x[j] - H3_P[i][j]) ** 2;
      s += H6_ALPHA[i] * Math.exp(-inner);
    }
    return -s;
  },
  minimum: -3.86278214782076,
  argmin: [0.114614, 0.555649, 0.852547],
};

/** Levy in d dimensions on [-10, 10]^d; minimum 0 at (1, ..., 1). */
export function levy(d: number): TestProblem {
  checkDim(d, 'levy');
  return {
    name: `levy${d}`,
    bounds: range(d, -10, 10),
    fn: (x) => {
      const w = x.map((v) => 1 + (v - 1) / 4);
      let s = Math.sin(Math.PI * w[0]) ** 2;
      for (let i = 0; i + 1 < d; i++) s += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
      return s + (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2);
    },
    minimum: 0,
    argmin: Array(d).fill(1),
  };
}

const SHEKEL_B = [1, 2, 2, 4, 4, 6, 3, 7, 5, 5].map((v) => v / 10);
const SHEKEL_C = [
  [4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6],
  [4, 1, 8, 6, 3, 2, 5, 8, 6, 7], [4, 1, 8, 6, 7, 9, 3, 1, 2, 3.6],
];

/** Shekel (m = 10) on [0, 10]^4: ten narrow basins; minimum -10.5364 near (4, 4, 4, 4). */
export const shekel: TestProblem = {
  name: 'shekel4',
  bounds: range(4, 0, 10),
  fn: (x) => {
    let s = 0;
    for (let i = 0; i < 10; i++) {
      let inner = SHEKEL_B[i];
      for (let j = 0; j < 4; j++) inner += (x[j] - SHEKEL_C[j][i]) ** 2;
      s -= 1 / inner;
    }
    return s;
  },
  minimum: -10.53644315348353,
  argmin: [4.000746867869747, 3.9995094850576276, 4.000746868809279, 3.999509480017675],
};

/** Styblinski-Tang in d dimensions on [-5, 5]^d; minimum -39.16616570377142 d at x_i = -2.903534. */
export function styblinskiTang(d: number): TestProblem {
  checkDim(d, 'styblinskiTang');
  return {
    name: `styblinski-tang${d}`,
    bounds: range(d, -5, 5),
    fn: (x) => x.reduce((s, v) => s + 0.5 * (v ** 4 - 16 * v * v + 5 * v), 0),
    minimum: -39.16616570377142 * d,
    argmin: Array(d).fill(-2.9035340276126953),
  };
}

/** Michalewicz (m = 10) in 5 dimensions on [0, pi]^5: steep, narrow valleys; minimum -4.687658179. */
export const michalewicz5: TestProblem = {
  name: 'michalewicz5',
  bounds: range(5, 0, Math.PI),
  fn: (x) => -x.reduce((s, v, i) => s + Math.sin(v) * Math.sin(((i + 1) * v * v) / Math.PI) ** 20, 0),
  minimum: -4.687658179,
  argmin: [2.202906, 1.570796, 1.284992, 1.923058, 1.720470],
};

/**
 * Evaluates a problem on a params object whose keys follow its bounds' order.
 * @throws InvalidOptionError naming `problem` (not a test problem: undefined was a TypeError reading fn) or `params`
 *   (not an object holding a number for each of the problem's parameters: a missing one gave NaN)
 */
export function evaluateProblem(p: TestProblem, params: Record<string, unknown>): number {
  const q = p as Partial<TestProblem> | null;
  if (typeof q !== 'object' || q === null || typeof q.fn !== 'function' || typeof q.bounds !== 'object' || q.bounds === null) {
    throw new InvalidOptionError(`evaluateProblem: problem: expected a test problem ({ name, bounds, fn, ... }), got ${showBrief(p)}`, 'problem');
  }
  if (typeof params !== 'object' || params === null) throw new InvalidOptionError(`evaluateProblem: params: expected an object, got ${showBrief(params)}`, 'params');
  const x = Object.keys(p.bounds).map((k) => {
    const v = params[k];
    if (typeof v !== 'number') throw new InvalidOptionError(`evaluateProblem: params.${k}: expected a number, got ${showBrief(v)}`, 'params');
    return v;
  });
  return p.fn(x);
}
