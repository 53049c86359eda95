/** The WebGPU engine's options and their checks (engine.ts). */
import { DEFAULT_CANDIDATES } from '../acquisition/engine';
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { checkOptionKeys } from '../util/option-keys';
import type { PosteriorShape } from './programs';

export interface WebGpuEngineOptions {
  /** receives one-line notices (fallback to the CPU, device loss) [console.warn] */
  log?: (line: string) => void;
  /** destroy the device in dispose(): true only for a device the engine's creator made [false] */
  ownsDevice?: boolean;
  /**
   * bytes of cross-covariance (`chunk x n` f32) scored per dispatch set
   * [16 MiB on CPU-emulated adapters, 64 MiB otherwise]
   */
  chunkBytes?: number;
  /**
   * register-tile shape of the posterior kernel ['subgroup' on CPU-emulated
   * adapters whose device has 8-lane subgroups, 'wide' on other CPU-emulated
   * adapters, 'square' otherwise; see programs.ts]
   */
  posteriorShape?: PosteriorShape;
  /**
   * skip the exact variance of candidates whose score bound cannot reach the
   * k best (screening.wgsl, screened-proposal.ts; the same winners): true,
   * false, or 'auto': where it measured faster, from 512 observations on
   * CPU-emulated adapters and from n x candidates >= 2^26 on hardware GPUs
   * (screeningApplies), and a shape whose screened proposal scored over half
   * its candidates exactly runs exhaustively for the next SCREEN_RETRY_AFTER
   * (16) proposals. Off for d > 64, UCB with kappa < 0, and rounds over
   * 65,535 x 64 candidates (the dispatch limit) ['auto']
   */
  screening?: boolean | 'auto';
}

/**
 * The options' kinds that the engine's constructor does not check itself:
 * an object of known keys (null was a TypeError reading log), `log` a
 * function, `ownsDevice` a boolean (a truthy string destroyed the caller's device).
 * @throws InvalidOptionError naming `options` or the option
 */
export function checkEngineOptions(opts: unknown): void {
  checkOptionKeys(opts, 'WebGpuEngine', ['log', 'ownsDevice', 'chunkBytes', 'posteriorShape', 'screening']);
  const o = opts as WebGpuEngineOptions;
  if (o.log !== undefined && typeof o.log !== 'function') throw new InvalidOptionError(`log: expected a function (line) => void, got ${show(o.log)}`, 'log');
  if (o.ownsDevice !== undefined && typeof o.ownsDevice !== 'boolean') throw new InvalidOptionError(`ownsDevice: expected a boolean, got ${show(o.ownsDevice)}`, 'ownsDevice');
}

/** @throws InvalidOptionError unless `v` is a positive finite number of bytes (WebGpuEngineOptions.chunkBytes) */
export function checkChunkBytes(v: unknown): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
    throw new InvalidOptionError(`chunkBytes: expected a positive number, got ${show(v)}`, 'chunkBytes');
  }
}

/** Suggested candidates per proposal on WebGPU (the optimizer's `candidates` option overrides it). */
export const WEBGPU_DEFAULT_CANDIDATES = DEFAULT_CANDIDATES.webgpu;
