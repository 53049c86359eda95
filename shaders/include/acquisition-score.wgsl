// The acquisition of a posterior mean and variance in f32, spliced into the
// kernels that score (acquisition.wgsl) or bound scores (screening.wgsl), so
// a bound and the exact score use the same arithmetic. Needs normal-special.wgsl
// and a `params` with best, xi and kappa. Float64 twin: acquisitionScore in
// src/acquisition/functions.ts.

fn acquisition(kind: u32, mu: f32, variance: f32) -> f32 {
  let sigma = max(sqrt(max(variance, 0.0)), SIGMA_FLOOR);
  if (kind == 3u) { return mu + params.kappa * sigma; }
  let z = (mu - params.best - params.xi) / sigma;
  switch kind {
    case 0u: { return sigma * exp(log_h(z)); }
    case 1u: { return log(sigma) + log_h(z); }
    case 2u: { return norm_cdf(z); }
    default: { return log_norm_cdf(z); }
  }
}
