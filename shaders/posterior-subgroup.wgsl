// Sums of squares of V = K Linv^T for CPU-emulated adapters with subgroups
// (Mesa llvmpipe/lavapipe: a subgroup is one SIMD register of SG lanes).
//
// Same inputs and `partial` output as posterior.wgsl's `main` (its
// `finalize` then forms variance and mean), with blocks of RB = 4 SG rows.
// On such adapters every storage or workgroup load whose address varies per
// invocation, or sits inside a loop, costs a scalar loop over the lanes,
// while register arithmetic and subgroup broadcasts are cheap. So each
// invocation keeps P candidates x RB rows of V in registers and loads, per
// column quad, its P quads of K and only 4 of the block's RB Linv rows; the
// SG lanes of a subgroup then exchange their rows with subgroupBroadcast.
// That is 4 (P + 4) loaded floats per 16 P RB multiply-adds, 4x fewer loads
// per multiply-add than the shared-memory tiles of posterior.wgsl.
// The block's columns stop at its last row (Linv is lower triangular).
enable subgroups;

struct Params {
  count: u32,            // valid candidates in the chunk
  n: u32,                // training points
  nPad: u32,             // columns of K and Linv (multiple of 4)
  rows: u32,             // stride of `partial` (at least count)
  nBlocks: u32,          // unused here (blocks = workgroups along y)
  signalVariance: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> kmat: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> linv: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;

const SG = 8u;        // subgroup size (lanes; l0..l7 below); used only where it is exactly this
const P = 4u;         // candidates per invocation (k0..k3 below)
override WG: u32 = 64;  // invocations per workgroup (a multiple of SG)
const RB = 4u * SG;   // Linv rows per block: 4 per lane of a subgroup

@compute @workgroup_size(WG, 1, 1)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  let nq = params.nPad / 4u;
  let i0 = wid.y * RB;
  let qEnd = min(nq, (i0 + RB) / 4u);
  let c0 = wid.x * (WG * P) + lid;
  // This lane's 4 rows of the block: i0 + 4 lane + t.
  let myRows = (i0 + 4u * lane) * nq;
  let k0At = min(c0 + 0u * WG, params.count - 1u) * nq;
  let k1At = min(c0 + 1u * WG, params.count - 1u) * nq;
  let k2At = min(c0 + 2u * WG, params.count - 1u) * nq;
  let k3At = min(c0 + 3u * WG, params.count - 1u) * nq;

  // a<p><g>: rows i0 + 4g .. i0 + 4g + 3 of candidate p, written out rather than
  // arrays in loops so that the CPU compiler keeps every accumulator in registers.
  var a00 = vec4<f32>(0.0); var a01 = vec4<f32>(0.0); var a02 = vec4<f32>(0.0); var a03 = vec4<f32>(0.0);
  var a04 = vec4<f32>(0.0); var a05 = vec4<f32>(0.0); var a06 = vec4<f32>(0.0); var a07 = vec4<f32>(0.0);
  var a10 = vec4<f32>(0.0); var a11 = vec4<f32>(0.0); var a12 = vec4<f32>(0.0); var a13 = vec4<f32>(0.0);
  var a14 = vec4<f32>(0.0); var a15 = vec4<f32>(0.0); var a16 = vec4<f32>(0.0); var a17 = vec4<f32>(0.0);
  var a20 = vec4<f32>(0.0); var a21 = vec4<f32>(0.0); var a22 = vec4<f32>(0.0); var a23 = vec4<f32>(0.0);
  var a24 = vec4<f32>(0.0); var a25 = vec4<f32>(0.0); var a26 = vec4<f32>(0.0); var a27 = vec4<f32>(0.0);
  var a30 = vec4<f32>(0.0); var a31 = vec4<f32>(0.0); var a32 = vec4<f32>(0.0); var a33 = vec4<f32>(0.0);
  var a34 = vec4<f32>(0.0); var a35 = vec4<f32>(0.0); var a36 = vec4<f32>(0.0); var a37 = vec4<f32>(0.0);
  for (var jq = 0u; jq < qEnd; jq++) {
    let k0 = kmat[k0At + jq];
    let k1 = kmat[k1At + jq];
    let k2 = kmat[k2At + jq];
    let k3 = kmat[k3At + jq];
    let m = mat4x4<f32>(linv[myRows + jq], linv[myRows + nq + jq], linv[myRows + 2u * nq + jq],
      linv[myRows + 3u * nq + jq]);
    // l<g>: the rows 4g .. 4g + 3 that lane g loaded, as columns (k * l = 4 dot products).
    let l0 = mat4x4<f32>(subgroupBroadcast(m[0], 0u), subgroupBroadcast(m[1], 0u),
      subgroupBroadcast(m[2], 0u), subgroupBroadcast(m[3], 0u));
    a00 += k0 * l0; a10 += k1 * l0; a20 += k2 * l0; a30 += k3 * l0;
    let l1 = mat4x4<f32>(subgroupBroadcast(m[0], 1u), subgroupBroadcast(m[1], 1u),
      subgroupBroadcast(m[2], 1u), subgroupBroadcast(m[3], 1u));
    a01 += k0 * l1; a11 += k1 * l1; a21 += k2 * l1; a31 += k3 * l1;
    let l2 = mat4x4<f32>(subgroupBroadcast(m[0], 2u), subgroupBroadcast(m[1], 2u),
      subgroupBroadcast(m[2], 2u), subgroupBroadcast(m[3], 2u));
    a02 += k0 * l2; a12 += k1 * l2; a22 += k2 * l2; a32 += k3 * l2;
    let l3 = mat4x4<f32>(subgroupBroadcast(m[0], 3u), subgroupBroadcast(m[1], 3u),
      subgroupBroadcast(m[2], 3u), subgroupBroadcast(m[3], 3u));
    a03 += k0 * l3; a13 += k1 * l3; a23 += k2 * l3; a33 += k3 * l3;
    let l4 = mat4x4<f32>(subgroupBroadcast(m[0], 4u), subgroupBroadcast(m[1], 4u),
      subgroupBroadcast(m[2], 4u), subgroupBroadcast(m[3], 4u));
    a04 += k0 * l4; a14 += k1 * l4; a24 += k2 * l4; a34 += k3 * l4;
    let l5 = mat4x4<f32>(subgroupBroadcast(m[0], 5u), subgroupBroadcast(m[1], 5u),
      subgroupBroadcast(m[2], 5u), subgroupBroadcast(m[3], 5u));
    a05 += k0 * l5; a15 += k1 * l5; a25 += k2 * l5; a35 += k3 * l5;
    let l6 = mat4x4<f32>(subgroupBroadcast(m[0], 6u), subgroupBroadcast(m[1], 6u),
      subgroupBroadcast(m[2], 6u), subgroupBroadcast(m[3], 6u));
    a06 += k0 * l6; a16 += k1 * l6; a26 += k2 * l6; a36 += k3 * l6;
    let l7 = mat4x4<f32>(subgroupBroadcast(m[0], 7u), subgroupBroadcast(m[1], 7u),
      subgroupBroadcast(m[2], 7u), subgroupBroadcast(m[3], 7u));
    a07 += k0 * l7; a17 += k1 * l7; a27 += k2 * l7; a37 += k3 * l7;
  }
  let out = wid.y * params.rows + c0;
  if (c0 + 0u * WG < params.count) {
    partial[out + 0u * WG] = dot(a00, a00) + dot(a01, a01) + dot(a02, a02) + dot(a03, a03)
      + dot(a04, a04) + dot(a05, a05) + dot(a06, a06) + dot(a07, a07);
  }
  if (c0 + 1u * WG < params.count) {
    partial[out + 1u * WG] = dot(a10, a10) + dot(a11, a11) + dot(a12, a12) + dot(a13, a13)
      + dot(a14, a14) + dot(a15, a15) + dot(a16, a16) + dot(a17, a17);
  }
  if (c0 + 2u * WG < params.count) {
    partial[out + 2u * WG] = dot(a20, a20) + dot(a21, a21) + dot(a22, a22) + dot(a23, a23)
      + dot(a24, a24) + dot(a25, a25) + dot(a26, a26) + dot(a27, a27);
  }
  if (c0 + 3u * WG < params.count) {
    partial[out + 3u * WG] = dot(a30, a30) + dot(a31, a31) + dot(a32, a32) + dot(a33, a33)
      + dot(a34, a34) + dot(a35, a35) + dot(a36, a36) + dot(a37, a37);
  }
}
