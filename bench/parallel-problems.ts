/** bench:regret's noiseless functions, by the names both benchmarks use (bench:parallel, its worker processes). */
import { ackley, branin, dixonPrice, hartmann6, powell, rastrigin, rosenbrock, schwefel, type TestProblem } from '../src/problems';

export const PARALLEL_PROBLEMS: Record<string, TestProblem> = Object.fromEntries(
  [branin, hartmann6, ackley(5), rosenbrock(4), rastrigin(4), schwefel(4), dixonPrice(4), powell(4)].map((p) => [p.name, p]),
);
