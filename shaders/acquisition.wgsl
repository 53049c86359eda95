// Acquisition values of a chunk of candidates from their posterior mean and
// variance (standardized units, maximization), numerically safe in f32.
// Mirrors src/acquisition/functions.ts and special.ts.
//
// kind: 0 EI, 1 log EI, 2 PI, 3 UCB, 4 log PI. The maximizer ranks EI by
// log EI and PI by log PI (same argmax, no underflow).
//
// log EI = log sigma + log h(z), h(z) = phi(z) + z Phi(z), z = (mu - best - xi) / sigma,
// after Ament et al., "Unexpected Improvements to Expected Improvement for
// Bayesian Optimization" (NeurIPS 2023): for z > -1 directly; for
// -3 < z <= -1 as log phi(z) + log(1 - t R(t)), t = -z, R the Mills ratio via
// erfcx; below -3 the Mills-ratio continued fraction gives 1 - t R(t) without
// cancellation. Every branch keeps -z^2/2 outside the logarithm, so log EI
// stays finite and increasing deep in the tail.

struct Params {
  count: u32,
  kind: u32,
  best: f32,
  xi: f32,
  kappa: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> meanIn: array<f32>;
@group(0) @binding(2) var<storage, read> varIn: array<f32>;
@group(0) @binding(3) var<storage, read_write> scoreOut: array<f32>;

override WG: u32 = 256;

//!include normal-special.wgsl

//!include acquisition-score.wgsl

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let c = g.x;
  if (c >= params.count) { return; }
  scoreOut[c] = acquisition(params.kind, meanIn[c], varIn[c]);
}
