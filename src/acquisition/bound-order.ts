/**
 * The order in which the exact stage takes candidates (screening-rounds.ts):
 * decreasing score bound, ties by lower index, NaN bounds last (as
 * -Infinity). The stage stops at the first bound under its cut, which a
 * small share of the candidates reaches, so a full sort of all m bounds (a
 * comparator call per comparison, about m log2 m of them) is mostly wasted:
 * a binary max-heap is built in O(m) and popped only as far as the stage
 * goes. The comparison is a strict total order, so the pops come out in the
 * very order of the full sort ({@link sortedOrder}, the reference;
 * test/acquisition/bound-order.test.ts).
 */

/** Indices of `key` popped one at a time in decreasing key order, ties by lower index. */
export class BoundOrder {
  private readonly heap: Uint32Array;
  private size: number;

  /** `key` (`m`) is read, never written; NaN counts as -Infinity. A key may change only while its index is popped (see push). */
  constructor(private readonly key: Float64Array) {
    const m = key.length;
    this.heap = new Uint32Array(m);
    for (let p = 0; p < m; p++) this.heap[p] = p;
    this.size = m;
    for (let i = (m >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Candidates not yet popped. */
  get left(): number {
    return this.size;
  }

  /** The next index, or -1 when none is left. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0];
    this.size--;
    if (this.size > 0) {
      this.heap[0] = this.heap[this.size];
      this.down(0);
    }
    return top;
  }

  /**
   * Puts a popped index back, under its key as it is now (a popped index
   * whose key was an upper bound goes back under its exact value: while
   * every key still in the order is at least its exact value, the indices
   * whose key was exact when popped come out in the order of the exact keys).
   */
  push(p: number): void {
    const { heap } = this;
    if (this.size >= heap.length) throw new RangeError(`push: the order holds all ${heap.length} indices already (push only a popped one)`);
    let i = this.size++;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.before(p, heap[up])) break;
      heap[i] = heap[up];
      i = up;
    }
    heap[i] = p;
  }

  /** The indices not yet popped, in no particular order (a view, valid until the next pop). */
  rest(): Uint32Array {
    return this.heap.subarray(0, this.size);
  }

  /** True when index a comes before index b. */
  private before(a: number, b: number): boolean {
    const ka = this.key[a];
    const kb = this.key[b];
    const x = ka === ka ? ka : -Infinity; // NaN last
    const y = kb === kb ? kb : -Infinity;
    return x > y || (x === y && a < b);
  }

  private down(i: number): void {
    const { heap, size } = this;
    const v = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && this.before(heap[r], heap[l]) ? r : l;
      if (!this.before(heap[c], v)) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = v;
  }
}

/** The reference: every index of `key` sorted as {@link BoundOrder} pops them. */
export function sortedOrder(key: Float64Array): Uint32Array {
  const m = key.length;
  const k = Float64Array.from(key, (v) => (Number.isNaN(v) ? -Infinity : v));
  const order = new Uint32Array(m);
  for (let p = 0; p < m; p++) order[p] = p;
  return order.sort((a, b) => k[b] - k[a] || a - b);
}
