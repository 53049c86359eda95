// Parallel top-k (k <= 16) by score, ties to the lower index: each workgroup
// reduces WG * ITEMS inputs to its k best (score, index) pairs, best first.
// `from_scores` reads a chunk of scores (global index = base + position);
// `from_pairs` reduces the pairs of an earlier pass. Repeated passes end in
// one workgroup, so only k pairs ever go back to the CPU.
//
// NaN scores are never selected; missing entries are written with index
// INVALID. Each invocation keeps a sorted private list of its own best k,
// then k rounds of a tree argmax over the heads of those lists pick the
// workgroup's winners.

struct Params {
  count: u32,   // inputs
  base: u32,    // index of input 0 (from_scores)
  k: u32,       // pairs kept, 1..16
  outBase: u32, // first pair written (a slot per chunk)
}

struct Pair {
  score: f32,
  index: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>;
@group(0) @binding(2) var<storage, read> pairsIn: array<Pair>;
@group(0) @binding(3) var<storage, read_write> pairsOut: array<Pair>;

override WG: u32 = 256;   // a power of two
const ITEMS = 4u;         // inputs per invocation
const MAXK = 16u;
const INVALID = 0xffffffffu;

var<workgroup> wScore: array<f32, WG>;
var<workgroup> wIndex: array<u32, WG>;
var<workgroup> wOwner: array<u32, WG>;

var<private> listScore: array<f32, MAXK>;
var<private> listIndex: array<u32, MAXK>;
var<private> listLen: u32 = 0u;

fn is_nan(x: f32) -> bool {
  let b = bitcast<u32>(x);
  return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u;
}

// a ranks before b: higher score, or equal score and lower index. Invalid ranks last.
fn before(sa: f32, ia: u32, sb: f32, ib: u32) -> bool {
  if (ia == INVALID) { return false; }
  if (ib == INVALID) { return true; }
  return sa > sb || (sa == sb && ia < ib);
}

fn offer(s: f32, i: u32) {
  if (i == INVALID || is_nan(s)) { return; }
  let k = params.k;
  if (listLen == k && !before(s, i, listScore[k - 1u], listIndex[k - 1u])) { return; }
  var p = min(listLen, k - 1u);
  if (listLen < k) { listLen++; }
  while (p > 0u && before(s, i, listScore[p - 1u], listIndex[p - 1u])) {
    listScore[p] = listScore[p - 1u];
    listIndex[p] = listIndex[p - 1u];
    p--;
  }
  listScore[p] = s;
  listIndex[p] = i;
}

fn merge(lid: u32, group: u32) {
  var head = 0u;
  for (var r = 0u; r < params.k; r++) {
    if (head < listLen) {
      wScore[lid] = listScore[head];
      wIndex[lid] = listIndex[head];
    } else {
      wScore[lid] = 0.0;
      wIndex[lid] = INVALID;
    }
    wOwner[lid] = lid;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
      if (lid < stride) {
        let o = lid + stride;
        if (before(wScore[o], wIndex[o], wScore[lid], wIndex[lid])) {
          wScore[lid] = wScore[o];
          wIndex[lid] = wIndex[o];
          wOwner[lid] = wOwner[o];
        }
      }
      workgroupBarrier();
    }
    let winnerIndex = wIndex[0];
    let winnerOwner = wOwner[0];
    if (lid == 0u) {
      pairsOut[params.outBase + group * params.k + r] = Pair(wScore[0], winnerIndex);
    }
    if (winnerIndex != INVALID && winnerOwner == lid) { head++; }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WG, 1, 1)
fn from_scores(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let start = wid.x * WG * ITEMS;
  for (var q = 0u; q < ITEMS; q++) {
    let e = start + q * WG + lid.x;
    if (e < params.count) { offer(scores[e], params.base + e); }
  }
  merge(lid.x, wid.x);
}

@compute @workgroup_size(WG, 1, 1)
fn from_pairs(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let start = wid.x * WG * ITEMS;
  for (var q = 0u; q < ITEMS; q++) {
    let e = start + q * WG + lid.x;
    if (e < params.count) {
      let p = pairsIn[e];
      offer(p.score, p.index);
    }
  }
  merge(lid.x, wid.x);
}
