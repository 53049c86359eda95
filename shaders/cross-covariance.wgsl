// Cross-covariance K(C, X) of a chunk of candidates against the training
// inputs, for Matérn 5/2 or RBF with per-dimension lengthscales.
//
// Output K is `rows x nPad` row-major (candidate-major); columns j >= n are
// written as 0 so the posterior kernel can run over padded tiles.
// Each invocation computes an RC x RJ block, strided by the workgroup size so
// neighbouring invocations write neighbouring columns.

struct Params {
  count: u32,            // candidates in this chunk
  n: u32,                // training points
  nPad: u32,             // columns of K (n rounded up to the posterior tile)
  d: u32,                // input dimension
  kernel: u32,           // 0 = Matérn 5/2, 1 = RBF
  signalVariance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cand: array<f32>;   // count x d, unit cube
@group(0) @binding(2) var<storage, read> xs: array<f32>;     // nPad x d, already divided by the lengthscales
@group(0) @binding(3) var<storage, read> invLs: array<f32>;  // d, 1 / lengthscale
@group(0) @binding(4) var<storage, read_write> kOut: array<f32>;

override WG_X: u32 = 16;  // invocations along training points
override WG_Y: u32 = 16;  // invocations along candidates
const RJ = 4u;            // training points per invocation
const RC = 4u;            // candidates per invocation

//!include covariance.wgsl

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let d = params.d;
  let jBase = wid.x * WG_X * RJ + lid.x;
  let cBase = wid.y * WG_Y * RC + lid.y;
  var r2: array<f32, 16>;  // RC x RJ
  for (var q = 0u; q < d; q++) {
    let il = invLs[q];
    var xc: array<f32, RC>;
    var xj: array<f32, RJ>;
    for (var r = 0u; r < RC; r++) {
      let c = min(cBase + r * WG_Y, params.count - 1u);
      xc[r] = cand[c * d + q] * il;
    }
    for (var s = 0u; s < RJ; s++) {
      let j = min(jBase + s * WG_X, params.nPad - 1u);
      xj[s] = xs[j * d + q];
    }
    for (var r = 0u; r < RC; r++) {
      for (var s = 0u; s < RJ; s++) {
        let t = xc[r] - xj[s];
        r2[r * RJ + s] = fma(t, t, r2[r * RJ + s]);
      }
    }
  }
  for (var r = 0u; r < RC; r++) {
    let c = cBase + r * WG_Y;
    if (c >= params.count) { continue; }
    for (var s = 0u; s < RJ; s++) {
      let j = jBase + s * WG_X;
      if (j >= params.nPad) { continue; }
      var v = 0.0;
      if (j < params.n) { v = covariance(r2[r * RJ + s]); }
      kOut[c * params.nPad + j] = v;
    }
  }
}
