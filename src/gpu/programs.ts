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
  /**
   * Values substituted for `const NAME = ...u;` declarations of the shader
   * before compiling (tile shapes that size private arrays, which overrides cannot)
   */
  defines: Readonly<Record<string, number>>;
  /** unique per (shader, entry point, constants) */
  cacheKey: string;
}

/** Tile sizes shared with the shaders (posterior.wgsl: TM = WY * P, TN = WX * R, TK). */
export const TILE = {
  /** candidates per posterior workgroup; chunk sizes are multiples of this */
  TM: 128,
  /** rows of Linv per posterior workgroup */
  TN: 128,
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
  params: ParamField[], constants: Record<string, number>, defines: Record<string, number> = {},
): KernelProgram {
  if (!(shader in SHADER_SOURCES)) throw new Error(`unknown shader ${shader}`);
  const bindings = Object.entries(kinds).map(([b, kind]) => ({ binding: Number(b), kind }));
  const list = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    name: `${shader}:${entryPoint}`, shader, entryPoint, bindings, params, constants, defines,
    cacheKey: `${shader}:${entryPoint}:${list(constants)}:${list(defines)}`,
  };
}

/**
 * The shader text of `program`: its source with each `const NAME = ...;`
 * named in `defines` given the new value.
 */
export function specializedSource(program: KernelProgram): string {
  let text = SHADER_SOURCES[program.shader];
  for (const [name, value] of Object.entries(program.defines)) {
    const re = new RegExp(`^const ${name} = [^;]*;`, 'm');
    if (!re.test(text)) throw new Error(`${program.shader}.wgsl has no const ${name}`);
    text = text.replace(re, `const ${name} = ${value}u;`);
  }
  return text;
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

/**
 * Register-tile shapes of the posterior product. 'square' (posterior.wgsl):
 * 16 x 16 invocations with 8 x 8 tiles, the usual GPU shape. 'wide'
 * (posterior.wgsl): 8 x 8 invocations with 16 x 16 tiles, for CPU-emulated
 * adapters, where each load costs a lane loop and more multiply-adds per load
 * pay off. 'subgroup' (posterior-subgroup.wgsl): for CPU-emulated adapters
 * with 8-lane subgroups, which share Linv rows by subgroup broadcasts
 * (4x fewer loads per multiply-add than 'wide').
 */
export type PosteriorShape = 'square' | 'wide' | 'subgroup';

/** Every PosteriorShape, for checking an option. */
export const POSTERIOR_SHAPES: readonly PosteriorShape[] = ['square', 'wide', 'subgroup'];

/** How a posterior shape blocks the work: Linv rows per block (one `partial` row each) and candidates per workgroup. */
export function posteriorBlocking(shape: PosteriorShape): { rowsPerBlock: number; candidatesPerGroup: number } {
  return shape === 'subgroup'
    ? { rowsPerBlock: SUBGROUP_POSTERIOR.RB, candidatesPerGroup: SUBGROUP_POSTERIOR.WG * SUBGROUP_POSTERIOR.P }
    : { rowsPerBlock: TILE.TN, candidatesPerGroup: TILE.TM };
}

/** Constants of posterior-subgroup.wgsl: subgroup size, candidates per invocation, workgroup size, rows per block. */
export const SUBGROUP_POSTERIOR = { SG: 8, P: 4, WG: 64, RB: 32 } as const;

const POSTERIOR_DEFINES: Record<'square' | 'wide', Record<string, number>> = {
  square: { WX: 16, WY: 16, P: 8, R: 8 },
  wide: { WX: 8, WY: 8, P: 16, R: 16 },
};

export function posteriorPrograms(shape: PosteriorShape): { main: KernelProgram; finalize: KernelProgram } {
  const defines = POSTERIOR_DEFINES[shape === 'subgroup' ? 'wide' : shape];
  return {
    main: shape === 'subgroup'
      ? program('posterior-subgroup', 'main', { 0: UNI, 1: RO, 2: RO, 3: RW }, POSTERIOR_PARAMS,
        { WG: SUBGROUP_POSTERIOR.WG })
      : program('posterior', 'main', { 0: UNI, 1: RO, 2: RO, 3: RW }, POSTERIOR_PARAMS, {}, defines),
    finalize: program('posterior', 'finalize', { 0: UNI, 1: RO, 3: RW, 4: RO, 5: RW, 6: RW },
      POSTERIOR_PARAMS, { WG_FINAL: TILE.LINEAR }, defines),
  };
}

export const ACQUISITION = program('acquisition', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RW },
  [u('count'), u('kind'), f('best'), f('xi'), f('kappa')],
  { WG: TILE.LINEAR });

/** Acquisition averaged over F fantasy models (fantasy-acquisition.wgsl). */
export const FANTASY_ACQUISITION = program('fantasy-acquisition', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RO, 4: RO, 5: RW },
  [u('count'), u('nPad'), u('nFantasies'), u('kind'), f('xi'), f('kappa')],
  { WG: TILE.LINEAR });

/** Monte-Carlo qEI of sets of q points, one workgroup per set (q-expected-improvement.wgsl). */
export const Q_EXPECTED_IMPROVEMENT = program('q-expected-improvement', 'main',
  { 0: UNI, 1: RO, 2: RO, 3: RO, 4: RW },
  [u('sets'), u('q'), u('samples'), u('rowGroups'), f('goal')],
  { WG: 64 });

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

const SCREEN_PARAMS = [
  u('count'), u('n'), u('nPad'), u('d'), u('kernel'), u('kind'), u('k'), u('offset'), u('slot'), u('anchors'),
  f('signalVariance'), f('best'), f('xi'), f('kappa'), f('varianceMargin'), f('meanMargin'),
];
const WG_SCREEN = { WG: 64 };

/**
 * Upper bounds of a round's scores in `d` dimensions (screening.wgsl; the
 * dimension is compiled in, so the candidate stays in registers).
 */
export function screenBounds(d: number): KernelProgram {
  return program('screening', 'bounds',
    { 0: UNI, 1: RO, 2: RO, 3: RO, 4: RO, 5: RO, 6: RW, 16: RO, 17: RO }, SCREEN_PARAMS, WG_SCREEN, { D: d });
}

/** The round indices whose bound reaches the threshold, appended to a list. */
export const SCREEN_COMPACT = program('screening', 'compact',
  { 0: UNI, 6: RW, 7: RO, 8: RO, 10: RW, 11: RW }, SCREEN_PARAMS, WG_SCREEN);

export const GATHER_SURVIVORS = program('screening', 'gather_survivors',
  { 0: UNI, 1: RO, 9: RW, 10: RW }, SCREEN_PARAMS, WG_SCREEN);

export const SURVIVOR_PAIRS = program('screening', 'survivor_pairs',
  { 0: UNI, 10: RW, 13: RO, 14: RW }, SCREEN_PARAMS, WG_SCREEN);

export const PILOT_PAIRS = program('screening', 'pilot_pairs',
  { 0: UNI, 13: RO, 14: RW, 15: RO }, SCREEN_PARAMS, WG_SCREEN);

/** Every program the engine uses with the given posterior shape; compiled together when an engine starts. */
export function enginePrograms(shape: PosteriorShape): KernelProgram[] {
  const post = posteriorPrograms(shape);
  return [
    CROSS_COVARIANCE, GRAM, post.main, post.finalize, ACQUISITION, TOPK_SCORES, TOPK_PAIRS,
    ROUND_ONE, ROUND_TWO, GATHER_CENTRES, GATHER_ROUND_TWO,
    SCREEN_COMPACT, GATHER_SURVIVORS, SURVIVOR_PAIRS, PILOT_PAIRS,
  ];
}

/** Acquisition kind codes of acquisition.wgsl. */
export const ACQ_CODE = { ei: 0, logei: 1, pi: 2, ucb: 3, logpi: 4 } as const;
