// Standard-normal special functions in f32 shared by the acquisition kernels
// (acquisition.wgsl, fantasy-acquisition.wgsl): WGSL has no includes, so
// scripts/gen-shaders.mjs splices this file in where a kernel names it in an
// include line. Float64 twin: src/acquisition/special.ts.

const INV_SQRT_2PI = 0.3989422804014327;
const HALF_LOG_2PI = 0.9189385332046727;
const SQRT_HALF = 0.7071067811865476;
const SQRT_HALF_PI = 1.2533141373155003;  // sqrt(pi / 2)
const SIGMA_FLOOR = 1e-12;
// Beyond this |z| the square -z^2/2 would overflow f32; scores saturate there.
const Z_MAX = 1e18;
// Terms of the Mills-ratio continued fraction (enough for f32 from t = 3 on).
const CF_TERMS = 24u;

// erfcx(x) = exp(x^2) erfc(x) for x >= 0. Chebyshev-fitted form of
// Numerical Recipes' erfcc (Press et al., 2nd ed., sec. 6.2) with the
// exp(-x^2) factor left out: fractional error below 1.2e-7 for every x >= 0.
fn erfcx_pos(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.5 * x);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(p);
}

fn erfc_(x: f32) -> f32 {
  let ax = abs(x);
  let e = erfcx_pos(ax) * exp(-ax * ax);
  return select(2.0 - e, e, x >= 0.0);
}

fn norm_cdf(z: f32) -> f32 {
  return 0.5 * erfc_(-z * SQRT_HALF);
}

// log(1 + x) without the cancellation of 1 + x for small x: 2 atanh(x / (2 + x)) as a series.
fn log1p_(x: f32) -> f32 {
  if (abs(x) > 0.5) { return log(1.0 + x); }
  let s = x / (2.0 + x);
  let s2 = s * s;
  let p = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0
    + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0))))));
  return 2.0 * s * p;
}

fn log_norm_cdf(z: f32) -> f32 {
  if (z > -1.0) { return log1p_(-0.5 * erfc_(z * SQRT_HALF)); }
  let t = min(-z, Z_MAX);
  return -0.5 * t * t + log(0.5 * erfcx_pos(t * SQRT_HALF));
}

fn log_h(z: f32) -> f32 {
  if (z > -1.0) {
    let pdf = INV_SQRT_2PI * exp(-0.5 * z * z);
    return log(pdf + z * norm_cdf(z));
  }
  let t = min(-z, Z_MAX);
  let logPdf = -0.5 * t * t - HALF_LOG_2PI;
  if (t < 3.0) {
    let tR = t * SQRT_HALF_PI * erfcx_pos(t * SQRT_HALF);
    return logPdf + log(1.0 - tR);
  }
  // R(t) = 1 / (t + c), c = 1 / (t + 2 / (t + 3 / ...)), so 1 - t R = c / (t + c).
  var f = t;
  for (var k = CF_TERMS; k >= 2u; k--) { f = t + f32(k) / f; }
  let c = 1.0 / f;
  return logPdf + log(c) - log(t + c);
}
