/**
 * A per-engine pool of GPU buffers, keyed by usage and size class, so
 * repeated suggestions reuse the same allocations instead of creating and
 * destroying buffers every call.
 */

import { BUFFER_USAGE } from './constants';
import { GpuFailure } from '../errors';

/** A buffer from the pool and the byte count it was requested with (what gets bound). */
export interface PooledBuffer {
  buffer: GPUBuffer;
  /** requested size in bytes (rounded up to 4); the buffer itself may be larger */
  bytes: number;
}

export interface BufferPoolStats {
  /** buffers created over the pool's life */
  created: number;
  /** buffers destroyed over the pool's life */
  destroyed: number;
  /** buffers alive now (in use or free) */
  live: number;
  /** bytes of the live buffers */
  liveBytes: number;
  /** buffers handed out and not yet released */
  inUse: number;
}

export interface BufferPoolOptions {
  /**
   * free buffers kept per (usage, size class); more are destroyed on release.
   * Default 32 (one proposal holds about a dozen small buffers of one class).
   */
  maxFreePerClass?: number;
}

const MIN_CLASS = 256;
const POW2_LIMIT = 4 * 1024 * 1024;

/**
 * Size class of a request: powers of two from 256 bytes to 4 MiB, then
 * multiples of 4 MiB (at most 2x waste for small buffers, bounded waste for
 * large ones).
 */
export function sizeClass(bytes: number): number {
  const b = Math.max(MIN_CLASS, Math.ceil(bytes / 4) * 4);
  if (b <= POW2_LIMIT) return 2 ** Math.ceil(Math.log2(b));
  return Math.ceil(b / POW2_LIMIT) * POW2_LIMIT;
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  /** every live buffer and its free-list key */
  private readonly all = new Map<GPUBuffer, string>();
  private readonly inUse = new Set<GPUBuffer>();
  private readonly maxFree: number;
  private created = 0;
  private destroyed = 0;
  private disposed = false;
  private scratch = new Float32Array(0);

  constructor(private readonly device: GPUDevice, opts: BufferPoolOptions = {}) {
    this.maxFree = opts.maxFreePerClass ?? 32;
  }

  /** A buffer of at least `bytes` bytes with exactly `usage`; reused when a free one of its class exists. */
  acquire(bytes: number, usage: number, label = 'pooled'): PooledBuffer {
    if (this.disposed) throw new Error('buffer pool used after dispose');
    const size = sizeClass(bytes);
    const key = `${usage}:${size}`;
    let buffer = this.free.get(key)?.pop();
    if (buffer === undefined) {
      this.checkLimits(bytes, usage, label);
      const maxSize = this.device.limits.maxBufferSize;
      buffer = this.device.createBuffer({ label, size: Math.min(size, Math.max(maxSize, bytes)), usage });
      this.all.set(buffer, key);
      this.created++;
    }
    this.inUse.add(buffer);
    return { buffer, bytes: Math.max(4, Math.ceil(bytes / 4) * 4) };
  }

  /**
   * Refuses a buffer the device cannot hold before asking for it: larger than
   * maxBufferSize, or (storage buffers are bound whole) than
   * maxStorageBufferBindingSize. Some drivers crash the process instead of
   * reporting such a request; this is a GpuFailure the engine recovers from.
   */
  private checkLimits(bytes: number, usage: number, label: string): void {
    const lim = this.device.limits;
    const fail = (name: string, max: number) => new GpuFailure(
      `WebGPU limit: buffer "${label}" needs ${bytes} bytes, above the device's ${name} (${max})`, 'out-of-memory');
    if (!(bytes <= lim.maxBufferSize)) throw fail('maxBufferSize', lim.maxBufferSize);
    if ((usage & BUFFER_USAGE.STORAGE) !== 0 && !(bytes <= lim.maxStorageBufferBindingSize)) {
      throw fail('maxStorageBufferBindingSize', lim.maxStorageBufferBindingSize);
    }
  }

  /** Returns buffers to the pool. Releasing after dispose destroys nothing twice. */
  release(...items: (PooledBuffer | null | undefined)[]): void {
    for (const item of items) {
      if (item == null) continue;
      const { buffer } = item;
      if (!this.inUse.delete(buffer)) continue;
      if (this.disposed) continue;
      const key = this.all.get(buffer)!;
      const list = this.free.get(key) ?? [];
      if (list.length >= this.maxFree) {
        buffer.destroy();
        this.all.delete(buffer);
        this.destroyed++;
      } else {
        list.push(buffer);
        this.free.set(key, list);
      }
    }
  }

  stats(): BufferPoolStats {
    let liveBytes = 0;
    for (const b of this.all.keys()) liveBytes += b.size;
    return {
      created: this.created, destroyed: this.destroyed, live: this.all.size, liveBytes, inUse: this.inUse.size,
    };
  }

  /**
   * A zero-filled host array of `length` floats for packing uploads, reused
   * between calls (valid until the next call): a fresh 4 MB array costs about
   * 10 ms of first-touch page faults, a reused one a 0.3 ms fill.
   */
  hostScratch(length: number): Float32Array {
    if (this.scratch.length < length) this.scratch = new Float32Array(length);
    const out = this.scratch.subarray(0, length);
    out.fill(0);
    return out;
  }

  /** Destroys every buffer the pool created; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.all.keys()) {
      b.destroy();
      this.destroyed++;
    }
    this.all.clear();
    this.free.clear();
    this.scratch = new Float32Array(0);
  }
}
