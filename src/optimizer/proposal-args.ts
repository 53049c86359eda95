/**
 * proposeNext's argument checks (./proposal), apart so the proposal step
 * reads in one sitting.
 */
import { ACQUISITION_KINDS } from '../acquisition/functions';
import { InvalidOptionError } from '../errors';
import { GaussianProcess } from '../gp/gaussian-process';
import { Space } from '../space/space';
import { showBrief } from '../util/format-value';
import { checkRng } from '../util/rng';
import type { ProposalContext, StudyTrials } from './proposal';

/**
 * proposeNext's O(1) argument checks: called from JavaScript without its
 * study or context, it failed deep inside (`Cannot destructure property
 * 'space' of 'ctx'`, `study.completed is not a function`).
 */
export function checkProposalArgs(study: unknown, ctx: unknown): void {
  const st = study as Partial<Record<keyof StudyTrials, unknown>> | null;
  if (typeof st !== 'object' || st === null || typeof st.completed !== 'function' || typeof st.pending !== 'function' || typeof st.finished !== 'function' || !Array.isArray(st.trials)) {
    throw new InvalidOptionError(`proposeNext: study: expected a study's trials ({ completed(), pending(), finished(), trials, sign }, a Study), got ${showBrief(study)}`, 'study');
  }
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    throw new InvalidOptionError(`proposeNext: ctx: expected a proposal context ({ space, gp, engine, acquisition, rng }), got ${showBrief(ctx)}`, 'ctx');
  }
  const c = ctx as Partial<Record<keyof ProposalContext, unknown>>;
  const bad = (field: string, what: string) => new InvalidOptionError(`proposeNext: ctx.${field}: expected ${what}, got ${showBrief(c[field as keyof ProposalContext])}`, `ctx.${field}`);
  if (!(c.space instanceof Space)) throw bad('space', 'a Space');
  if (!(c.gp instanceof GaussianProcess)) throw bad('gp', 'a GaussianProcess');
  const e = c.engine as { propose?: unknown } | null;
  if (typeof e !== 'function' && !(typeof e === 'object' && e !== null && typeof e.propose === 'function')) throw bad('engine', 'an Engine or a function resolving one');
  if (!ACQUISITION_KINDS.includes((c.acquisition as { kind?: never } | null)?.kind as never)) {
    throw bad('acquisition', 'an acquisition ({ kind: "ei", "logei", "pi" or "ucb", ... })');
  }
  checkRng(c.rng, { who: 'proposeNext', param: 'ctx.rng' });
}
