// Acquisition averaged over F fantasy models of a chunk of candidates (see
// src/acquisition/fantasy.ts, its float64 twin). The fantasies share the
// factor, hence the posterior variance; fantasy f has its own alpha_f and
// incumbent best_f. With K the chunk's cross-covariance (`rows x nPad`,
// written by cross-covariance.wgsl) and the variance from posterior.wgsl:
//   mu_f = K[c, :] . alpha_f
//   EI, log EI (kind 0, 1): log (1/F) sum_f EI_f, as a running log-sum-exp of log EI_f
//   PI, log PI (kind 2, 4): log (1/F) sum_f PI_f, the same over log PI_f
//   UCB (kind 3):           (1/F) sum_f mu_f + kappa sigma
// The special functions below are copied from acquisition.wgsl unchanged (a
// test checks that the two copies agree); WGSL has no includes.

struct Params {
  count: u32,       // valid candidates in the chunk
  nPad: u32,        // columns of K and of each alpha row (multiple of 4)
  nFantasies: u32,  // F >= 1
  kind: u32,
  xi: f32,
  kappa: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kmat: array<vec4<f32>>;    // rows x nPad
@group(0) @binding(2) var<storage, read> varIn: array<f32>;         // count
@group(0) @binding(3) var<storage, read> alphas: array<vec4<f32>>;  // F x nPad
@group(0) @binding(4) var<storage, read> bests: array<f32>;         // F
@group(0) @binding(5) var<storage, read_write> scoreOut: array<f32>;

override WG: u32 = 256;

//!include normal-special.wgsl

// log EI (kind 0, 1) or log PI (kind 2, 4) of one fantasy.
fn log_score(kind: u32, mu: f32, sigma: f32, best: f32) -> f32 {
  let z = (mu - best - params.xi) / sigma;
  if (kind == 2u || kind == 4u) { return log_norm_cdf(z); }
  return log(sigma) + log_h(z);
}

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let c = g.x;
  if (c >= params.count) { return; }
  let sigma = max(sqrt(max(varIn[c], 0.0)), SIGMA_FLOOR);
  let nq = params.nPad / 4u;
  let F = params.nFantasies;
  var top = -3.4e38;  // running maximum of the log scores
  var sum = 0.0;      // sum of exp(log score - top)
  var meanSum = 0.0;
  for (var f = 0u; f < F; f++) {
    var acc = vec4<f32>(0.0);
    for (var q = 0u; q < nq; q++) { acc = fma(kmat[c * nq + q], alphas[f * nq + q], acc); }
    let mu = acc.x + acc.y + acc.z + acc.w;
    meanSum += mu;
    if (params.kind != 3u) {
      let s = log_score(params.kind, mu, sigma, bests[f]);
      if (s > top) {
        sum = sum * exp(top - s) + 1.0;
        top = s;
      } else {
        sum += exp(s - top);
      }
    }
  }
  if (params.kind == 3u) {
    scoreOut[c] = meanSum / f32(F) + params.kappa * sigma;
  } else {
    scoreOut[c] = top + log(sum / f32(F));
  }
}
