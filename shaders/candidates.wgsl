// Candidate generation on the GPU, mirroring src/acquisition/candidates.ts
// (same counter-based hash, same Kronecker sequence in 32-bit fixed point,
// same rounds), then snapping each point to a feasible encoding.
//
// Round 1, point c: even c (or no incumbents) -> Kronecker point
// frac(shift + (c + 1) alpha); odd c -> incumbent (c/2) mod k plus a Gaussian
// step at scale LOCAL_SIGMAS[((c/2) / k) mod 3].
// Round 2, point c: centre c mod t (the t best round-1 points, best first)
// plus a Gaussian step at scale REFINE_SIGMAS[(c / t) mod 2].
// Gather entry points regenerate chosen points from their indices (every
// point is a pure function of seed and index), so no round has to be kept.

struct Params {
  seed: u32,
  d: u32,
  count: u32,     // points this dispatch writes
  offset: u32,    // index of the first point within its round
  nInc: u32,      // incumbents (round 1)
  nLayout: u32,   // entries of `snapSpecs`
  k: u32,         // pairs in `top` (the round-1 top-k)
  pad: u32,
}

// One parameter of the space. kind 0 continuous, 1 integer, 2 categorical.
// Integer: encoded over [a, b] = [low - 0.5, high + 0.5], or over [ln a, ln b] when logScale.
struct SnapSpec {
  kind: u32,
  dim: u32,
  size: u32,
  logScale: u32,
  low: f32,
  high: f32,
  a: f32,
  b: f32,
}

struct Pair {
  score: f32,
  index: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kron: array<u32>;           // 2d: alphas, then shifts
@group(0) @binding(2) var<storage, read> incumbents: array<f32>;     // nInc x d
@group(0) @binding(3) var<storage, read> snapSpecs: array<SnapSpec>;
@group(0) @binding(4) var<storage, read> top: array<Pair>;           // round-1 top-k, best first
@group(0) @binding(5) var<storage, read_write> centres: array<f32>;  // k x d
@group(0) @binding(6) var<storage, read_write> points: array<f32>;      // count x d
@group(0) @binding(7) var<storage, read> chosen: array<Pair>;        // round-2 points to gather

override WG: u32 = 64;

const STREAM_LOCAL = 2u;
const STREAM_REFINE = 3u;
const INVALID = 0xffffffffu;
const TWO_PI = 6.283185307179586;

fn local_sigma(i: u32) -> f32 {
  switch i { case 0u: { return 0.1; } case 1u: { return 0.03; } default: { return 0.01; } }
}

fn refine_sigma(i: u32) -> f32 {
  return select(0.003, 0.01, i == 0u);
}

// PCG-RXS-M-XS 32-bit output hash (O'Neill 2014; Jarzynski & Olano 2020).
fn pcg_hash(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rand_u32(stream: u32, index: u32) -> u32 {
  return pcg_hash(pcg_hash(params.seed ^ pcg_hash(stream)) + index);
}

fn unit_from_u32(h: u32) -> f32 {
  return (f32(h >> 8u) + 0.5) / 16777216.0;
}

// Box-Muller, with cos(2 pi u) = -cos(2 pi (u - 1/2)) so the argument stays in [-pi, pi].
fn rand_normal(stream: u32, index: u32) -> f32 {
  let u1 = unit_from_u32(rand_u32(stream, 2u * index));
  let u2 = unit_from_u32(rand_u32(stream, 2u * index + 1u));
  return -sqrt(-2.0 * log(u1)) * cos(TWO_PI * (u2 - 0.5));
}

fn snap_integer(u: f32, s: SnapSpec) -> f32 {
  let uc = clamp(u, 0.0, 1.0);
  var v = s.a + uc * (s.b - s.a);
  if (s.logScale == 1u) { v = exp(v); }
  let k = clamp(floor(v + 0.5), s.low, s.high);
  let e = select(k, log(k), s.logScale == 1u);
  return (e - s.a) / (s.b - s.a);
}

// Snaps row o of `points` in place, as snapRow in candidates.ts does.
fn snap_out(o: u32) {
  let d = params.d;
  for (var p = 0u; p < params.nLayout; p++) {
    let s = snapSpecs[p];
    let at = o * d + s.dim;
    if (s.kind == 0u) {
      points[at] = clamp(points[at], 0.0, 1.0);
    } else if (s.kind == 1u) {
      points[at] = snap_integer(points[at], s);
    } else {
      var arg = 0u;
      for (var i = 1u; i < s.size; i++) { if (points[at + i] > points[at + arg]) { arg = i; } }
      for (var i = 0u; i < s.size; i++) { points[at + i] = select(0.0, 1.0, i == arg); }
    }
  }
}

// The same for row o of `centres` (WGSL cannot pass storage pointers to functions portably).
fn snap_centre(o: u32) {
  let d = params.d;
  for (var p = 0u; p < params.nLayout; p++) {
    let s = snapSpecs[p];
    let at = o * d + s.dim;
    if (s.kind == 0u) {
      centres[at] = clamp(centres[at], 0.0, 1.0);
    } else if (s.kind == 1u) {
      centres[at] = snap_integer(centres[at], s);
    } else {
      var arg = 0u;
      for (var i = 1u; i < s.size; i++) { if (centres[at + i] > centres[at + arg]) { arg = i; } }
      for (var i = 0u; i < s.size; i++) { centres[at + i] = select(0.0, 1.0, i == arg); }
    }
  }
}

// Coordinate j of round-1 point c (unsnapped).
fn round_one_coord(c: u32, j: u32) -> f32 {
  let d = params.d;
  let nInc = params.nInc;
  if (nInc == 0u || (c & 1u) == 0u) {
    let alpha = kron[j];
    let shift = kron[d + j];
    return unit_from_u32(shift + (c + 1u) * alpha);
  }
  let h = c >> 1u;
  let k = h % nInc;
  let sigma = local_sigma((h / nInc) % 3u);
  let v = incumbents[k * d + j] + sigma * rand_normal(STREAM_LOCAL, c * d + j);
  return clamp(v, 0.0, 1.0);
}

// Number of valid round-1 winners (they come first).
fn centre_count() -> u32 {
  var t = 0u;
  for (var r = 0u; r < params.k; r++) { if (top[r].index != INVALID) { t = r + 1u; } }
  return t;
}

// Coordinate j of round-2 point c (unsnapped) around t centres.
fn round_two_coord(c: u32, j: u32, t: u32) -> f32 {
  let d = params.d;
  let k = c % t;
  let sigma = refine_sigma((c / t) % 2u);
  let v = centres[k * d + j] + sigma * rand_normal(STREAM_REFINE, c * d + j);
  return clamp(v, 0.0, 1.0);
}

@compute @workgroup_size(WG, 1, 1)
fn round_one(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= params.count) { return; }
  let c = params.offset + r;
  for (var j = 0u; j < params.d; j++) { points[r * params.d + j] = round_one_coord(c, j); }
  snap_out(r);
}

@compute @workgroup_size(WG, 1, 1)
fn round_two(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= params.count) { return; }
  let c = params.offset + r;
  let t = centre_count();
  for (var j = 0u; j < params.d; j++) {
    var v = 0.0;
    if (t > 0u) { v = round_two_coord(c, j, t); }
    points[r * params.d + j] = v;
  }
  snap_out(r);
}

// centres[r] = snapped round-1 point top[r].index, for r < k (zeros where invalid).
@compute @workgroup_size(WG, 1, 1)
fn gather_centres(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= params.k) { return; }
  let idx = top[r].index;
  for (var j = 0u; j < params.d; j++) {
    var v = 0.0;
    if (idx != INVALID) { v = round_one_coord(idx, j); }
    centres[r * params.d + j] = v;
  }
  snap_centre(r);
}

// points[r] = snapped round-2 point chosen[r].index, for r < count (zeros where invalid).
@compute @workgroup_size(WG, 1, 1)
fn gather_round_two(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= params.count) { return; }
  let idx = chosen[r].index;
  let t = centre_count();
  for (var j = 0u; j < params.d; j++) {
    var v = 0.0;
    if (idx != INVALID && t > 0u) { v = round_two_coord(idx, j, t); }
    points[r * params.d + j] = v;
  }
  snap_out(r);
}
