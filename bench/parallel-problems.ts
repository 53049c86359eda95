/** bench:regret's functions, by the names both benchmarks use (bench:parallel, its worker processes). */
import { ackley, branin, dixonPrice, hartmann6, powell, rastrigin, rosenbrock, schwefel, type TestProblem } from '../src/problems';

export const PARALLEL_PROBLEMS: Record<string, TestProblem> = Object.fromEntries(
  [branin, hartmann6, ackley(5), rosenbrock(4), rastrigin(4), schwefel(4), dixonPrice(4), powell(4), { ...hartmann6, name: 'hartmann6-noisy' }].map((p) => [p.name, p]),
);

/**
 * Gaussian noise sd added to the objective of the noisy problems (bench:regret's
 * `--noise` default); their regret is the true value at the recommended
 * point, as bench:regret scores them.
 */
export const NOISE_SD: Record<string, number> = { 'hartmann6-noisy': 0.1 };
