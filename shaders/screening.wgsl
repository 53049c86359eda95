// Scoring that skips what cannot win, on the GPU (see src/gpu/screened-round.ts).
// An exact variance costs n^2 / 2 multiply-adds per candidate; the mean and
// a bound on the variance cost O(n d). So every candidate first gets an upper
// bound of its score:
//   mean: the exact mean (same covariances as cross-covariance.wgsl) plus a
//         margin for f32 rounding, meanMargin * sum_j |alpha_j k_j|;
//   variance: the variance given its two most informative observations
//         alone (a, b: the largest k_j^2 / diag_j, diag_j = K_jj + noise +
//         jitter read from the factor; one alone where their 2 x 2 system is
//         ill-conditioned), which conditioning on every observation cannot
//         exceed; and, where anchors are given (round 2: round 1's winners,
//         whose exact variances are known), sigma_a + sqrt(2 (s2 - k(x, a)))
//         for the nearest anchor a, since the posterior standard deviation is
//         1-Lipschitz in the prior's canonical distance; plus varianceMargin
//         for the f32 rounding of the exact stage.
// log EI and UCB increase with the mean and sigma; log PI increases with sigma
// below the goal and is at most 0 (PI at most 1) from it on.
// `compact` lists the candidates whose bound reaches the threshold (the k-th
// best exact score of a pilot, and the floor pair where there is one) by
// round index; `gather_survivors` copies a slice of that list's points for the
// exact stage; `survivor_pairs` and `pilot_pairs` pair exact scores with round
// indices for the top-k. Float64 twin of `bounds`: src/acquisition/nearest-bound.ts.

struct Params {
  count: u32,            // candidates of this dispatch
  n: u32,                // training points
  nPad: u32,             // columns of the cross-covariance
  d: u32,                // input dimension (D in `bounds`)
  kernel: u32,           // 0 = Matern 5/2, 1 = RBF
  kind: u32,             // acquisition code (acquisition.wgsl)
  k: u32,                // the threshold is the k-th best pilot pair
  offset: u32,           // first entry of the list or pairs this dispatch reads or writes
  slot: u32,             // the round's survivor counter
  anchors: u32,          // anchor points (0: none)
  signalVariance: f32,
  best: f32,
  xi: f32,
  kappa: f32,
  varianceMargin: f32,
  meanMargin: f32,
}

struct Pair {
  score: f32,
  index: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cand: array<f32>;            // the round's points, m x d
@group(0) @binding(2) var<storage, read> xs: array<f32>;              // nPad x d, divided by the lengthscales
@group(0) @binding(3) var<storage, read> invLs: array<f32>;           // d
@group(0) @binding(4) var<storage, read> alpha: array<f32>;           // nPad
@group(0) @binding(5) var<storage, read> diag: array<f32>;            // n
@group(0) @binding(6) var<storage, read_write> bound: array<f32>;     // m, one per point of the round
@group(0) @binding(7) var<storage, read> pilotTop: array<Pair>;       // >= k pairs, best first
@group(0) @binding(8) var<storage, read> floorPair: array<Pair>;      // [0]: a score to beat, or INVALID
@group(0) @binding(9) var<storage, read_write> survivors: array<f32>; // chunk x d
@group(0) @binding(10) var<storage, read_write> survivorIndex: array<u32>; // round indices, in no order
@group(0) @binding(11) var<storage, read_write> counters: array<atomic<u32>>;
@group(0) @binding(13) var<storage, read> scores: array<f32>;
@group(0) @binding(14) var<storage, read_write> pairsOut: array<Pair>;
@group(0) @binding(15) var<storage, read> pairsIn: array<Pair>;
@group(0) @binding(16) var<storage, read> anchorPoints: array<f32>;   // anchors x d, unit cube
@group(0) @binding(17) var<storage, read> anchorVariance: array<f32>; // anchors, exact (f32)

override WG: u32 = 64;
// The input dimension, fixed per pipeline (programs.ts) so `bounds` keeps the candidate in registers.
const D = 64u;
// The 2 x 2 system is used where det > PAIR_CONDITION diag_a diag_b (condition number below about 200).
const PAIR_CONDITION = 1e-2;
// Relative and absolute margin for the f32 rounding of the acquisition of the bound and of the exact score.
const SCORE_MARGIN = 1e-5;
const INVALID = 0xffffffffu;
const NEG_INF = -3.4028234663852886e38;

//!include covariance.wgsl

//!include normal-special.wgsl

//!include acquisition-score.wgsl

fn upper(mu: f32, variance: f32) -> f32 {
  let kind = params.kind;
  if ((kind == 2u || kind == 4u) && mu >= params.best + params.xi) { return select(0.0, 1.0, kind == 2u); }
  return acquisition(kind, mu, variance);
}

@compute @workgroup_size(WG, 1, 1)
fn bounds(@builtin(global_invocation_id) g: vec3<u32>) {
  let c = g.x;
  if (c >= params.count) { return; }
  var xc: array<f32, D>;
  for (var q = 0u; q < D; q++) { xc[q] = cand[c * D + q] * invLs[q]; }
  var mu = 0.0;
  var magnitude = 0.0;
  // the two largest reductions k_j^2 / diag_j, their observations and covariances
  var qa = 0.0;
  var qb = 0.0;
  var a = 0u;
  var b = 0u;
  var ka = 0.0;
  var kb = 0.0;
  for (var j = 0u; j < params.n; j++) {
    var r2 = 0.0;
    for (var q = 0u; q < D; q++) {
      let t = xc[q] - xs[j * D + q];
      r2 = fma(t, t, r2);
    }
    let kj = covariance(r2);
    let term = alpha[j] * kj;
    mu += term;
    magnitude += abs(term);
    let r = kj * kj / diag[j];
    if (r > qa) {
      qb = qa; b = a; kb = ka;
      qa = r; a = j; ka = kj;
    } else if (r > qb) {
      qb = r; b = j; kb = kj;
    }
  }
  var reduction = qa;
  if (qb > 0.0) {
    var r2 = 0.0;
    for (var q = 0u; q < D; q++) {
      let t = xs[a * D + q] - xs[b * D + q];
      r2 = fma(t, t, r2);
    }
    let kab = covariance(r2);
    let da = diag[a];
    let db = diag[b];
    let det = da * db - kab * kab;
    if (det > PAIR_CONDITION * da * db) {
      reduction = max(reduction, (db * ka * ka - 2.0 * kab * ka * kb + da * kb * kb) / det);
    }
  }
  let s2 = params.signalVariance;
  var variance = s2 - min(reduction * (1.0 - 1e-5), s2);
  for (var i = 0u; i < params.anchors; i++) {
    var r2 = 0.0;
    for (var q = 0u; q < D; q++) {
      let t = xc[q] - anchorPoints[i * D + q] * invLs[q];
      r2 = fma(t, t, r2);
    }
    // 8 2^-24 s2 covers the rounding of s2 - k where k is close to s2
    let gap = sqrt(max(2.0 * (s2 - covariance(r2)) + 4.8e-7 * s2, 0.0));
    let sigma = sqrt(max(anchorVariance[i], 0.0) + params.varianceMargin) + gap;
    variance = min(variance, sigma * sigma);
  }
  variance += params.varianceMargin;
  // The score itself is rounded in f32 too: where sigma barely matters (EI far above the goal,
  // log EI = log(mu - goal) to within an ulp) a bound could come out an ulp below the exact score.
  let u = upper(mu + params.meanMargin * magnitude, variance);
  bound[c] = u + abs(u) * SCORE_MARGIN + SCORE_MARGIN;
}

fn threshold() -> f32 {
  var t = NEG_INF;
  let p = pilotTop[params.k - 1u];
  if (p.index != INVALID) { t = p.score; }
  let f = floorPair[0];
  if (f.index != INVALID) { t = max(t, f.score); }
  return t;
}

@compute @workgroup_size(WG, 1, 1)
fn compact(@builtin(global_invocation_id) g: vec3<u32>) {
  let c = g.x;
  if (c >= params.count) { return; }
  // A NaN bound compares false and is kept: its exact score decides.
  if (bound[c] < threshold()) { return; }
  survivorIndex[atomicAdd(&counters[params.slot], 1u)] = c;
}

// survivors[i] = the round's point survivorIndex[offset + i], for i < count.
@compute @workgroup_size(WG, 1, 1)
fn gather_survivors(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  if (i >= params.count) { return; }
  let c = survivorIndex[params.offset + i];
  let d = params.d;
  for (var q = 0u; q < d; q++) { survivors[i * d + q] = cand[c * d + q]; }
}

// pairsOut[i] = (exact score i, round index of survivor offset + i), for i < count.
@compute @workgroup_size(WG, 1, 1)
fn survivor_pairs(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  if (i >= params.count) { return; }
  pairsOut[i] = Pair(scores[i], survivorIndex[params.offset + i]);
}

// pairsOut[offset + i] = (exact score i, round index of pilot offset + i), for i < count.
@compute @workgroup_size(WG, 1, 1)
fn pilot_pairs(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  if (i >= params.count) { return; }
  pairsOut[params.offset + i] = Pair(scores[i], pairsIn[params.offset + i].index);
}
