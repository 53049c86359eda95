// Loads and stores of f64 values and f64x2 vectors at byte addresses, shared
// by the modules in assembly/ (all inlined, so the code is what each file
// wrote for itself before).

/** The double at element `i` of the array at byte address `base`. */
// @ts-ignore: decorator
@inline
export function at(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}

/** Stores `v` at element `i` of the array at byte address `base`. */
// @ts-ignore: decorator
@inline
export function put(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

/** Elements `i` and `i + 1` of the array at `base`, as one vector (any alignment). */
// @ts-ignore: decorator
@inline
export function pairAt(base: usize, i: i32): v128 {
  return v128.load(base + (<usize>i << 3));
}

/** Vector `i` (elements 2i and 2i + 1) of the array of vectors at `base`. */
// @ts-ignore: decorator
@inline
export function vat(base: usize, i: i32): v128 {
  return v128.load(base + (<usize>i << 4));
}

/** Stores vector `i` of the array of vectors at `base`. */
// @ts-ignore: decorator
@inline
export function vput(base: usize, i: i32, v: v128): void {
  v128.store(base + (<usize>i << 4), v);
}
