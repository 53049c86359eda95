/** The search strategies the tuning panel compares (kept free of TensorFlow.js, which loads on demand). */
export type Strategy = 'bayes' | 'random' | 'grid';

export const STRATEGY_LABELS: Record<Strategy, string> = {
  bayes: 'Bayesian optimization',
  random: 'random search',
  grid: 'grid search',
};
