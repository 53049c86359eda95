// The covariance of a squared scaled distance (Matern 5/2 or RBF), spliced
// into the kernels that compute covariances (cross-covariance.wgsl,
// screening.wgsl), so a bound and the exact score see the same values. Needs a
// `params` with kernel (0 Matern 5/2, 1 RBF) and signalVariance.

const SQRT5 = 2.23606797749979;

fn covariance(r2: f32) -> f32 {
  if (params.kernel == 1u) {
    return params.signalVariance * exp(-0.5 * r2);
  }
  let r = sqrt(r2);
  return params.signalVariance * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * exp(-SQRT5 * r);
}
