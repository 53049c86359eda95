// Monte-Carlo qEI of S sets of q points (see src/acquisition/q-batch.ts,
// its float64 twin qEiFromSetFactors). Each set comes with its means mu
// (q) and the lower Cholesky factor L (q x q) of its covariance, both
// computed in float64 on the CPU; the N base samples z_k (q each) are shared
// by every set. One workgroup per set: the set's mu and L are staged in
// workgroup memory, each invocation sums
//   max(0, max_j (mu_j - target + sum_{t <= j} L[j, t] z_k[t]))
// over the samples k = lid, lid + WG, ..., then a tree sum over the
// workgroup gives the set's estimate, the sum over N divided by N.

struct Params {
  sets: u32,     // S
  q: u32,        // points per set, 1..MAXQ
  samples: u32,  // N
  rowGroups: u32, // workgroups along x (sets beyond it continue along y)
  goal: f32,     // best + xi (standardized)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> mus: array<f32>;    // S x q
@group(0) @binding(2) var<storage, read> facs: array<f32>;   // S x q x q
@group(0) @binding(3) var<storage, read> z: array<f32>;      // N x q
@group(0) @binding(4) var<storage, read_write> scoreOut: array<f32>; // S

override WG: u32 = 64;  // a power of two
const MAXQ = 16u;

var<workgroup> wMu: array<f32, MAXQ>;
var<workgroup> wL: array<f32, 256>;  // MAXQ * MAXQ
var<workgroup> wSum: array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let s = wid.y * params.rowGroups + wid.x;
  let q = params.q;
  let live = s < params.sets;  // uniform across the workgroup
  if (live) {
    for (var e = lid.x; e < q * q; e += WG) { wL[e] = facs[s * q * q + e]; }
    for (var e = lid.x; e < q; e += WG) { wMu[e] = mus[s * q + e] - params.goal; }
  }
  workgroupBarrier();
  var acc = 0.0;
  if (live) {
    for (var k = lid.x; k < params.samples; k += WG) {
      var top = 0.0;
      for (var j = 0u; j < q; j++) {
        var v = wMu[j];
        for (var t = 0u; t <= j; t++) { v = fma(wL[j * q + t], z[k * q + t], v); }
        top = max(top, v);
      }
      acc += top;
    }
  }
  wSum[lid.x] = acc;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { wSum[lid.x] += wSum[lid.x + stride]; }
    workgroupBarrier();
  }
  if (live && lid.x == 0u) { scoreOut[s] = wSum[0] / f32(params.samples); }
}
