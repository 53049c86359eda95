/**
 * Kernel program descriptors: which shader and entry point, the bind group
 * layout, the uniform `Params` struct (field order as in the WGSL), the
 * override constants (workgroup sizes) and how many workgroups a problem size
 * needs. The runner compiles each descriptor once per device.
 */
import { SHADER_SOURCES } from './shader-sources';

export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';

/** One field of a shader's uniform `Params` struct (all 4-byte scalars, in WGSL order). */
export interface ParamField {
  name: string;
  type: 'u32' | 'f32';
}

export interface KernelProgram {
  /** label for pipelines and errors */
  name: string;
  /** key into SHADER_SOURCES (the file name under shaders/ without .wgsl) */
  shader: string;
  entryPoint: string;
  /** bindings of group 0 this entry point uses; binding 0 is always the uniform Params */
  bindings: readonly { binding: number; kind: BindingKind }[];
  /** the Params struct, in order */
  params: readonly ParamField[];
  /** WGSL `override` constants (workgroup sizes) */
  constants: Readonly<Record<string, number>>;
  /** unique per (shader, entry point, constants) */
  cacheKey: string;
}

/** Tile sizes shared with the shaders (posterior.wgsl: TM = WG_M * RM, TN = WG_N * RN, TK). */
export const TILE = {
  /** candidates per posterior workgroup; chunk sizes are multiples of this */
  TM: 64,
  /** rows of the augmented factor per posterior workgroup */
  TN: 64,
  /** inner-dimension tile; n is padded to a multiple of this */
  TK: 16,
  /** cross-covariance block per workgroup: 16 x 16 invocations x 4 x 4 entries */
  CROSS: 64,
  /** top-k inputs per workgroup (WG 256 x ITEMS 4) */
  TOPK_GROUP: 1024,
  /** most pairs one top-k pass keeps per workgroup */
  MAX_K: 16,
  /** 1-D kernels (finalize, acquisition) */
  LINEAR: 256,
  /** candidate kernels */
  CANDIDATES: 64,
} as const;

const u = (name: string): ParamField => ({ name, type: 'u32' });
const f = (name: string): ParamField => ({ name, type: 'f32' });

function program(
  shader: string, entryPoint: string, kinds: Record<number, BindingKind>,
  params: ParamField[], constants: Record<string, number>,
): KernelProgram {
  if (!(shader in SHADER_SOURCES)) throw new Error(`unknown shader ${shader}`);
  const bindings = Object.entries(kinds).map(([b, kind]) => ({ binding: Number(b), kind }));
  const consts = Object.entries(constants).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    name: `${shader}:${entryPoint}`, shader, entryPoint, bindings, params, constants,
    cacheKey: `${shader}:${entryPoint}:${consts}`,
  };
}

const RO = 'read-only-storage' as const;
const RW = 'storage' as const;
const UNI = 'uniform' as const;

export const CROSS_COVARIANCE = program('cross-covariance', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RO, 4: RW },
  [u('count'), u('n'), u('nPad'), u('d'), u('kernel'), f('signalVariance')],
  { WG_X: 16, WG_Y: 16 });

export const GRAM = program('gram', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RW },
  [u('n'), u('d'), u('kernel'), f('signalVariance'), f('noiseVariance')],
  { WG_X: 16, WG_Y: 16 });

const POSTERIOR_PARAMS = [u('count'), u('n'), u('nPad'), u('rows'), u('nBlocks'), f('signalVariance')];

export const POSTERIOR = program('posterior', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RW, 4: RW }, POSTERIOR_PARAMS, { WG_M: 16, WG_N: 16 });

export const POSTERIOR_FINALIZE = program('posterior', 'finalize',
  { 0: UNI, 3: RW, 5: RW }, POSTERIOR_PARAMS, { WG_FINAL: TILE.LINEAR });

export const ACQUISITION = program('acquisition', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RW },
  [u('count'), u('kind'), f('best'), f('xi'), f('kappa')],
  { WG: TILE.LINEAR });

const TOPK_PARAMS = [u('count'), u('base'), u('k'), u('outBase')];

export const TOPK_SCORES = program('topk', 'from_scores',
  { 0: UNI, 1: RO, 3: RW }, TOPK_PARAMS, { WG: 256 });

export const TOPK_PAIRS = program('topk', 'from_pairs',
  { 0: UNI, 2: RO, 3: RW }, TOPK_PARAMS, { WG: 256 });

const CAND_PARAMS = [u('seed'), u('d'), u('count'), u('offset'), u('nInc'), u('nLayout'), u('k'), u('pad')];
const WG_CAND = { WG: TILE.CANDIDATES };

export const ROUND_ONE = program('candidates', 'round_one',
  { 0: UNI, 1: RO, 2: RO, 3: RO, 6: RW }, CAND_PARAMS, WG_CAND);

export const ROUND_TWO = program('candidates', 'round_two',
  { 0: UNI, 3: RO, 4: RO, 5: RW, 6: RW }, CAND_PARAMS, WG_CAND);

export const GATHER_CENTRES = program('candidates', 'gather_centres',
  { 0: UNI, 1: RO, 2: RO, 3: RO, 4: RO, 5: RW }, CAND_PARAMS, WG_CAND);

export const GATHER_ROUND_TWO = program('candidates', 'gather_round_two',
  { 0: UNI, 3: RO, 4: RO, 5: RW, 6: RW, 7: RO }, CAND_PARAMS, WG_CAND);

/** Every program the engine uses; compiled together when an engine starts. */
export const ALL_PROGRAMS: readonly KernelProgram[] = [
  CROSS_COVARIANCE, GRAM, POSTERIOR, POSTERIOR_FINALIZE, ACQUISITION, TOPK_SCORES, TOPK_PAIRS,
  ROUND_ONE, ROUND_TWO, GATHER_CENTRES, GATHER_ROUND_TWO,
];

/** Acquisition kind codes of acquisition.wgsl. */
export const ACQ_CODE = { ei: 0, logei: 1, pi: 2, ucb: 3, logpi: 4 } as const;
