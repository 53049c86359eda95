// Posterior mean and variance of a chunk of candidates from float64-derived
// factors, the variance as a tiled matrix product.
//
// Linv (`nA x nPad` row-major, nA = n rounded up to TN) is L^-1 of
// K(X,X) + noise I, lower triangular, zero-padded. With K the chunk's
// cross-covariance (`rows x nPad`), V = K Linv^T gives
//   variance_c = signalVariance - sum_i V[c, i]^2,   mean_c = K[c, :] . alpha.
//
// `main`: each workgroup owns a TM x TN tile of V (TM candidates, TN rows of
// Linv). Tiles of K and Linv are staged through workgroup memory TK columns
// at a time; each invocation accumulates a P x R register tile in f32
// (P candidates, R rows). A block of Linv rows stops at its diagonal (the
// factor is lower triangular), so blocks do triangular work. Each block's
// sums of squares go to `partial` (`nBlocks x rows`).
// `finalize`: variance from the block sums; mean as a dot product with alpha.
//
// The tile constants below are specialized per adapter when the pipeline is
// built (see programs.ts): wide register tiles where the "GPU" is a CPU
// (fewer loads per multiply-add), 8 x 8 tiles for real GPUs (fewer registers).

struct Params {
  count: u32,            // valid candidates in the chunk
  n: u32,                // training points
  nPad: u32,             // columns of K and Linv (multiple of TK)
  rows: u32,             // rows of K, stride of `partial` (multiple of TM)
  nBlocks: u32,          // nA / TN
  signalVariance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kmat: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> linv: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(0) @binding(4) var<storage, read> alpha: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> meanOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> varOut: array<f32>;

const WX = 16u;  // invocations along rows of Linv
const WY = 16u;  // invocations along candidates
const P = 8u;    // candidates per invocation (multiple of 4)
const R = 8u;    // rows of Linv per invocation (multiple of 4)
const TK = 16u;  // inner-dimension tile
const TM = WY * P;
const TN = WX * R;
const P4 = P / 4u;
const R4 = R / 4u;

var<workgroup> kTile: array<vec4<f32>, TK * TM / 4u>;  // [kk][group of 4 candidates]
var<workgroup> aTile: array<vec4<f32>, TK * TN / 4u>;  // [kk][group of 4 rows]

// Stages the 4 x 4 block (rows 4g.., columns 4q..) of a row-major matrix into `tile` as [column][row group].
fn stage_k(g: u32, q: u32, rowBase: u32, k0: u32) {
  let nq = params.nPad / 4u;
  let at = (rowBase + 4u * g) * nq + k0 / 4u + q;
  let r0 = kmat[at];
  let r1 = kmat[at + nq];
  let r2 = kmat[at + 2u * nq];
  let r3 = kmat[at + 3u * nq];
  let o = 4u * q * (TM / 4u) + g;
  kTile[o] = vec4<f32>(r0.x, r1.x, r2.x, r3.x);
  kTile[o + TM / 4u] = vec4<f32>(r0.y, r1.y, r2.y, r3.y);
  kTile[o + 2u * (TM / 4u)] = vec4<f32>(r0.z, r1.z, r2.z, r3.z);
  kTile[o + 3u * (TM / 4u)] = vec4<f32>(r0.w, r1.w, r2.w, r3.w);
}

fn stage_a(g: u32, q: u32, rowBase: u32, k0: u32) {
  let nq = params.nPad / 4u;
  let at = (rowBase + 4u * g) * nq + k0 / 4u + q;
  let r0 = linv[at];
  let r1 = linv[at + nq];
  let r2 = linv[at + 2u * nq];
  let r3 = linv[at + 3u * nq];
  let o = 4u * q * (TN / 4u) + g;
  aTile[o] = vec4<f32>(r0.x, r1.x, r2.x, r3.x);
  aTile[o + TN / 4u] = vec4<f32>(r0.y, r1.y, r2.y, r3.y);
  aTile[o + 2u * (TN / 4u)] = vec4<f32>(r0.z, r1.z, r2.z, r3.z);
  aTile[o + 3u * (TN / 4u)] = vec4<f32>(r0.w, r1.w, r2.w, r3.w);
}

@compute @workgroup_size(WX, WY, 1)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * WX + tx;
  let c0 = wid.x * TM;
  let i0 = wid.y * TN;
  let n = params.n;
  // Rows below i0 + TN of a lower-triangular factor vanish from column i0 + TN on.
  let kEnd = min(params.nPad, i0 + TN);

  var acc: array<vec4<f32>, P * R4>;  // [candidate p][row group r]
  for (var k0 = 0u; k0 < kEnd; k0 += TK) {
    for (var e = tid; e < (TM / 4u) * (TK / 4u); e += WX * WY) {
      stage_k(e / (TK / 4u), e % (TK / 4u), c0, k0);
    }
    for (var e = tid; e < (TN / 4u) * (TK / 4u); e += WX * WY) {
      stage_a(e / (TK / 4u), e % (TK / 4u), i0, k0);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var a: array<vec4<f32>, P4>;
      var b: array<vec4<f32>, R4>;
      for (var p = 0u; p < P4; p++) { a[p] = kTile[kk * (TM / 4u) + ty * P4 + p]; }
      for (var r = 0u; r < R4; r++) { b[r] = aTile[kk * (TN / 4u) + tx * R4 + r]; }
      for (var p = 0u; p < P4; p++) {
        for (var r = 0u; r < R4; r++) {
          acc[(4u * p) * R4 + r] = fma(vec4<f32>(a[p].x), b[r], acc[(4u * p) * R4 + r]);
          acc[(4u * p + 1u) * R4 + r] = fma(vec4<f32>(a[p].y), b[r], acc[(4u * p + 1u) * R4 + r]);
          acc[(4u * p + 2u) * R4 + r] = fma(vec4<f32>(a[p].z), b[r], acc[(4u * p + 2u) * R4 + r]);
          acc[(4u * p + 3u) * R4 + r] = fma(vec4<f32>(a[p].w), b[r], acc[(4u * p + 3u) * R4 + r]);
        }
      }
    }
    workgroupBarrier();
  }

  // Sums of squares over this invocation's rows (real rows only), 4 candidates per vec4,
  // then across the WX invocations sharing those candidates (kTile reused as scratch).
  for (var p = 0u; p < P4; p++) {
    var sq = vec4<f32>(0.0);
    for (var r = 0u; r < R4; r++) {
      let i = i0 + (tx * R4 + r) * 4u;
      let live = vec4<f32>(vec4<u32>(i, i + 1u, i + 2u, i + 3u) < vec4<u32>(n));
      let v0 = acc[(4u * p) * R4 + r];
      let v1 = acc[(4u * p + 1u) * R4 + r];
      let v2 = acc[(4u * p + 2u) * R4 + r];
      let v3 = acc[(4u * p + 3u) * R4 + r];
      sq += vec4<f32>(dot(v0 * v0, live), dot(v1 * v1, live), dot(v2 * v2, live), dot(v3 * v3, live));
    }
    kTile[(ty * P4 + p) * WX + tx] = sq;
  }
  workgroupBarrier();
  for (var g = tid; g < TM / 4u; g += WX * WY) {
    var s = vec4<f32>(0.0);
    for (var x = 0u; x < WX; x++) { s += kTile[g * WX + x]; }
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
  let nq = params.nPad / 4u;
  var mu = vec4<f32>(0.0);
  for (var q = 0u; q < nq; q++) { mu = fma(kmat[c * nq + q], alpha[q], mu); }
  meanOut[c] = mu.x + mu.y + mu.z + mu.w;
  varOut[c] = max(params.signalVariance - s, 0.0);
}
