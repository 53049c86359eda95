// Posterior mean and variance of a chunk of candidates from float64-derived
// factors, as one tiled matrix product.
//
// A is the augmented factor `nA x nPad` row-major: rows 0..n-1 hold Linv
// (lower triangular, L^-1 of K(X,X) + noise I), row n holds alpha, the rest
// are 0. With K the chunk's cross-covariance (`rows x nPad`), V = K A^T gives
//   mean_c     = V[c, n]
//   variance_c = signalVariance - sum_{i<n} V[c, i]^2.
//
// `main`: each workgroup owns a TM x TN tile of V (TM candidates, TN rows of
// A). Tiles of K and A are staged through workgroup memory TK columns at a
// time; each invocation accumulates an RM x RN register tile in f32. A block
// of Linv rows stops at its diagonal (Linv is lower triangular), so blocks do
// triangular work. The block's sums of squares go to `partial`
// (`nBlocks x rows`), its alpha column to `mean`.
// `finalize`: variance_c = max(signalVariance - sum over blocks, 0).

struct Params {
  count: u32,            // valid candidates in the chunk
  n: u32,                // training points
  nPad: u32,             // columns of K and A (multiple of TK)
  rows: u32,             // rows of K, stride of `partial` (multiple of TM)
  nBlocks: u32,          // nA / TN
  signalVariance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kmat: array<f32>;
@group(0) @binding(2) var<storage, read> amat: array<f32>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(0) @binding(4) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(5) var<storage, read_write> varOut: array<f32>;

override WG_M: u32 = 16;  // invocations along candidates
override WG_N: u32 = 16;  // invocations along rows of A
const RM = 4u;            // candidates per invocation
const RN = 4u;            // rows of A per invocation
const TK = 16u;           // inner-dimension tile

var<workgroup> kTile: array<f32, WG_M * RM * TK>;  // [kk][candidate]
var<workgroup> aTile: array<f32, WG_N * RN * TK>;  // [kk][row of A]
var<workgroup> red: array<f32, WG_M * RM * WG_N>;  // [candidate][invocation along N]

@compute @workgroup_size(WG_N, WG_M, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let TM = WG_M * RM;
  let TN = WG_N * RN;
  let nThreads = WG_M * WG_N;
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WG_N + tx;
  let c0 = wid.x * TM;
  let i0 = wid.y * TN;
  let n = params.n;
  let nPad = params.nPad;
  // Rows i < n of Linv vanish right of the diagonal; the block holding alpha needs every column.
  var kEnd = nPad;
  if (i0 + TN <= n) { kEnd = min(nPad, i0 + TN); }

  var acc: array<f32, 16>;  // RM x RN
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
    for (var e = tid; e < TM * TK; e += nThreads) {
      let row = e / TK;
      let col = e % TK;
      kTile[col * TM + row] = kmat[(c0 + row) * nPad + k0 + col];
    }
    for (var e = tid; e < TN * TK; e += nThreads) {
      let row = e / TK;
      let col = e % TK;
      aTile[col * TN + row] = amat[(i0 + row) * nPad + k0 + col];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var a: array<f32, RM>;
      var b: array<f32, RN>;
      for (var r = 0u; r < RM; r++) { a[r] = kTile[kk * TM + ty + r * WG_M]; }
      for (var s = 0u; s < RN; s++) { b[s] = aTile[kk * TN + tx + s * WG_N]; }
      for (var r = 0u; r < RM; r++) {
        for (var s = 0u; s < RN; s++) {
          acc[r * RN + s] = fma(a[r], b[s], acc[r * RN + s]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < RM; r++) {
    let row = ty + r * WG_M;
    var sq = 0.0;
    for (var s = 0u; s < RN; s++) {
      let i = i0 + tx + s * WG_N;
      let v = acc[r * RN + s];
      if (i < n) { sq = fma(v, v, sq); }
      if (i == n) { meanOut[c0 + row] = v; }
    }
    red[row * WG_N + tx] = sq;
  }
  workgroupBarrier();
  for (var row = tid; row < TM; row += nThreads) {
    var s = 0.0;
    for (var x = 0u; x < WG_N; x++) { s += red[row * WG_N + x]; }
    partial[wid.y * params.rows + c0 + row] = s;
  }
}

override WG_FINAL: u32 = 256;

@compute @workgroup_size(WG_FINAL, 1, 1)
fn finalize(@builtin(global_invocation_id) g: vec3<u32>) {
  let c = g.x;
  if (c >= params.count) { return; }
  var s = 0.0;
  for (var b = 0u; b < params.nBlocks; b++) { s += partial[b * params.rows + c]; }
  varOut[c] = max(params.signalVariance - s, 0.0);
}
