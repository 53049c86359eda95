/**
 * How the bounding pool (./bounding-pool.ts) cuts a pass into chunks, what
 * it sends the workers of a task, and how the calling thread lets answered
 * workers claim their next chunk.
 */
import type { BoundingTask } from './bounding-kernel';

/** Chunks of the pass per thread (calling thread included), for balance under uneven load. */
export const CHUNKS_PER_THREAD = 4;

/** Chunks smaller than this many kernel-row entries (candidates x n) are not worth a round trip. */
export const MIN_SLICE_WORK = 2 ** 17;

/**
 * The cuts of a pass over `count` candidates into chunks that shrink as the
 * pass goes: chunk i takes 1/(CHUNKS_PER_THREAD x threads) of what is left
 * (guided scheduling), never fewer than `minCount` candidates (the last one
 * excepted). The first chunks are large (few round trips); the last are
 * small, so the thread that finishes first waits at most for a small chunk
 * or two (each worker keeps two in flight), not for a quarter of the pass.
 * Returns `chunks + 1` ascending offsets from 0 to `count`.
 */
export function guidedCuts(count: number, threads: number, minCount: number): number[] {
  const cuts = [0];
  const min = Math.max(1, Math.ceil(minCount));
  let at = 0;
  while (at < count) {
    const left = count - at;
    const size = Math.max(min, Math.ceil(left / (CHUNKS_PER_THREAD * threads)));
    at = left - size < min ? count : at + size; // no sliver after the last chunk
    cuts.push(at);
  }
  return cuts;
}

/**
 * Gives the event loop a turn (worker answers) without a timer's clamp:
 * setImmediate where it exists, else a MessageChannel message (browsers
 * clamp nested setTimeout(0) to 4 ms, one turn per chunk).
 */
export function yieldTurn(): Promise<void> {
  const si = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (si) return new Promise((resolve) => si(resolve));
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  const ch = new MessageChannel();
  return new Promise((resolve) => {
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/**
 * What the workers need of a task's relevant subset: the pass reads only the
 * first `head` rows of S's factor, so they get that leading block (stride
 * `head`) instead of the whole factor (2 MB per worker and pass at |S| = 512).
 */
export function headOnly(task: BoundingTask): BoundingTask {
  const { head, sSize: s, sL } = task;
  if (head >= s) return task;
  return { ...task, sL: leadingBlock(sL, s, head), sSize: head, sIdx: task.sIdx.slice(0, head) };
}

/** The leading `rows x rows` block of the lower factor `L` (`s x s`, row-major), stride `rows`, upper triangle zero. */
export function leadingBlock(L: Float64Array, s: number, rows: number): Float64Array {
  const Lh = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) Lh.set(L.subarray(i * s, i * s + i + 1), i * rows);
  return Lh;
}
