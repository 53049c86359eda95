// Gram matrix K(X, X) + noise I of the training inputs, for Matérn 5/2 or
// RBF with per-dimension lengthscales: `n x n` row-major, one entry per
// invocation. Both triangles are written; entry (i, j) and (j, i) are
// computed by the same arithmetic, so the result is exactly symmetric.

struct Params {
  n: u32,
  d: u32,
  kernel: u32,            // 0 = Matérn 5/2, 1 = RBF
  signalVariance: f32,
  noiseVariance: f32,     // added on the diagonal
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;      // n x d, unit cube
@group(0) @binding(2) var<storage, read> invLs: array<f32>;  // d, 1 / lengthscale
@group(0) @binding(3) var<storage, read_write> kOut: array<f32>;

override WG_X: u32 = 16;
override WG_Y: u32 = 16;

const SQRT5 = 2.23606797749979;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let n = params.n;
  let j = g.x;
  let i = g.y;
  if (i >= n || j >= n) { return; }
  // Order the pair so (i, j) and (j, i) sum the same terms in the same order.
  let a = min(i, j);
  let b = max(i, j);
  var r2 = 0.0;
  for (var q = 0u; q < params.d; q++) {
    let t = (x[a * params.d + q] - x[b * params.d + q]) * invLs[q];
    r2 = fma(t, t, r2);
  }
  var v: f32;
  if (params.kernel == 1u) {
    v = params.signalVariance * exp(-0.5 * r2);
  } else {
    let r = sqrt(r2);
    v = params.signalVariance * (1.0 + SQRT5 * r + (5.0 / 3.0) * r2) * exp(-SQRT5 * r);
  }
  if (i == j) { v += params.noiseVariance; }
  kOut[i * n + j] = v;
}
