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
// time; each invocation accumulates a 4 x 4 register tile in f32. A block
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
const TK = 16u;           // inner-dimension tile
// Each invocation owns 4 consecutive candidates x 4 consecutive rows of A
// (TM = 4 WG_M, TN = 4 WG_N), held as vec4s so no private array is indexed
// dynamically (which spills on some compilers).

var<workgroup> kTile: array<vec4<f32>, TK * WG_M>;  // [kk][candidate group of 4]
var<workgroup> aTile: array<vec4<f32>, TK * WG_N>;  // [kk][row group of 4]
var<workgroup> red: array<vec4<f32>, WG_M * WG_N>; // [candidate group][invocation along N]

@compute @workgroup_size(WG_N, WG_M, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let TM = 4u * WG_M;
  let TN = 4u * WG_N;
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

  var acc0 = vec4<f32>(0.0);  // candidate 4 ty + 0, rows 4 tx .. 4 tx + 3
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
    // Stage K (TM x TK) and A (TN x TK): each entry a column of 4 consecutive rows.
    for (var e = tid; e < TK * WG_M; e += nThreads) {
      let col = k0 + e % TK;
      let r = (c0 + 4u * (e / TK)) * nPad + col;
      kTile[(e % TK) * WG_M + e / TK] =
        vec4<f32>(kmat[r], kmat[r + nPad], kmat[r + 2u * nPad], kmat[r + 3u * nPad]);
    }
    for (var e = tid; e < TK * WG_N; e += nThreads) {
      let col = k0 + e % TK;
      let r = (i0 + 4u * (e / TK)) * nPad + col;
      aTile[(e % TK) * WG_N + e / TK] =
        vec4<f32>(amat[r], amat[r + nPad], amat[r + 2u * nPad], amat[r + 3u * nPad]);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = kTile[kk * WG_M + ty];
      let b = aTile[kk * WG_N + tx];
      acc0 = fma(vec4<f32>(a.x), b, acc0);
      acc1 = fma(vec4<f32>(a.y), b, acc1);
      acc2 = fma(vec4<f32>(a.z), b, acc2);
      acc3 = fma(vec4<f32>(a.w), b, acc3);
    }
    workgroupBarrier();
  }

  // Rows of this invocation: i0 + 4 tx + s. Sum squares of the Linv rows; the alpha row is the mean.
  let iBase = i0 + 4u * tx;
  let isL = vec4<f32>(vec4<u32>(iBase, iBase + 1u, iBase + 2u, iBase + 3u) < vec4<u32>(n));
  let cBase = c0 + 4u * ty;
  if (n >= iBase && n < iBase + 4u) {
    let s = n - iBase;
    meanOut[cBase] = acc0[s];
    meanOut[cBase + 1u] = acc1[s];
    meanOut[cBase + 2u] = acc2[s];
    meanOut[cBase + 3u] = acc3[s];
  }
  red[ty * WG_N + tx] = vec4<f32>(dot(acc0 * acc0, isL), dot(acc1 * acc1, isL),
                                  dot(acc2 * acc2, isL), dot(acc3 * acc3, isL));
  workgroupBarrier();
  for (var g = tid; g < WG_M; g += nThreads) {
    var s = vec4<f32>(0.0);
    for (var x = 0u; x < WG_N; x++) { s += red[g * WG_N + x]; }
    let o = wid.y * params.rows + c0 + 4u * g;
    partial[o] = s.x;
    partial[o + 1u] = s.y;
    partial[o + 2u] = s.z;
    partial[o + 3u] = s.w;
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
