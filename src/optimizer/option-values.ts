/**
 * Checks of single option values shared by `checkOptions`: the `gp`
 * settings, the `acquisition` spec and `stallExploration`, normalized to
 * full settings, and how a bad value is reported (an InvalidOptionError
 * naming the option, with the value shown).
 */
import { ACQUISITION_KINDS, acquisitionSpec, type AcquisitionSpec } from '../acquisition/functions';
import { InvalidOptionError } from '../errors';
import { show } from '../util/format-value';
import { definedEntries, given } from '../util/option-keys';
import { MAX_RESTARTS } from '../gp/gp-options';
import type { AcquisitionOption } from './options';
import { STALL_DEFAULTS, type StallExploration } from './stall';

/** Exploration margin of EI, log-EI and PI, in standardized target units (multiples of the observed std): tuned on the regret benchmark. */
export const DEFAULT_XI = 0.01;

/** bayes_opt's UCB default. */
export const DEFAULT_KAPPA = 2.576;


/** bayes_opt's names that are not simply its snake_case in camelCase. */
const BAYES_OPT_NAMES: Record<string, string> = { acquisition_function: 'acquisition' };

/**
 * `; bayes_opt's random_state is "randomState" here` where `key`, unknown, is
 * bayes_opt's spelling of one of `known`; '' otherwise.
 */
export function bayesOptHint(key: string, known: readonly string[]): string {
  const camel = BAYES_OPT_NAMES[key] ?? (/_/.test(key) ? key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : undefined);
  return camel !== undefined && known.includes(camel) ? `; bayes_opt's ${key} is "${camel}" here` : '';
}

export function bad(option: string, problem: string): InvalidOptionError {
  return new InvalidOptionError(`option "${option}": ${problem}`, option);
}

export function checkGpOptions(gp: unknown): void {
  if (gp === null || typeof gp !== 'object' || Array.isArray(gp)) throw bad('gp', `expected an object, got ${show(gp)}`);
  const known = ['restarts', 'noiseFloor', 'priors', 'maxFitPoints', 'refit', 'lengthscales', 'lengthscaleGroups', 'priorMean', 'workers'];
  for (const [k, v] of Object.entries(gp)) {
    if (!known.includes(k)) throw bad(`gp.${k}`, `unknown option (known: ${known.join(', ')})`);
    if (v === undefined) continue; // not given: the default
    if (k === 'priors' && typeof v !== 'boolean') throw bad('gp.priors', `expected a boolean, got ${show(v)}`);
    if (k === 'refit' && v !== 'always' && v !== 'auto') throw bad('gp.refit', `expected "always" or "auto", got ${show(v)}`);
    if (k === 'lengthscales' && v !== 'ard' && v !== 'shared' && v !== 'auto') {
      throw bad('gp.lengthscales', `expected "ard", "shared" or "auto", got ${show(v)}`);
    }
    if (k === 'restarts' && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_RESTARTS)) throw bad('gp.restarts', `expected an integer from 0 to ${MAX_RESTARTS}, got ${show(v)}`);
    if (k === 'maxFitPoints' && !(Number.isInteger(v) && (v as number) >= 1)) throw bad('gp.maxFitPoints', `expected an integer >= 1, got ${show(v)}`);
    if (k === 'noiseFloor' && !(typeof v === 'number' && v > 0 && v < 1)) {
      throw bad('gp.noiseFloor', `expected a number in (0, 1), got ${show(v)}`);
    }
    if (k === 'workers' && v !== 'auto' && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 64)) {
      throw bad('gp.workers', `expected 'auto' or an integer from 0 to 64, got ${show(v)}`);
    }
    // the count (one per encoded column) and the indices' range are the GP's to check, at the first fit
    if (k === 'lengthscaleGroups' && !(Array.isArray(v) && v.every((g) => Number.isInteger(g) && g >= 0))) {
      throw bad('gp.lengthscaleGroups', `expected a list of integers >= 0 (one per encoded column), got ${show(v)}`);
    }
    if (k === 'priorMean' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw bad('gp.priorMean', `expected a finite number, got ${show(v)}`);
    }
  }
}

/** Normalizes the `acquisition` option (or another option of its form, named `name`) to a full spec (xi defaults to 0.01, kappa to 2.576). */
export function parseAcquisition(a: AcquisitionOption | undefined, name = 'acquisition'): AcquisitionSpec {
  if (a === undefined) return acquisitionSpec('ei', DEFAULT_XI, DEFAULT_KAPPA);
  if (typeof a === 'string') {
    if (!ACQUISITION_KINDS.includes(a)) {
      throw bad(name, `expected one of "ei", "logei", "pi", "ucb" or { kind, xi, kappa }, got ${show(a)}`);
    }
    return acquisitionSpec(a, DEFAULT_XI, DEFAULT_KAPPA);
  }
  if (a === null || typeof a !== 'object' || !ACQUISITION_KINDS.includes(a.kind)) {
    throw bad(name, `expected one of "ei", "logei", "pi", "ucb" or { kind, xi, kappa }, got ${show(a)}`);
  }
  for (const k of Object.keys(a)) {
    if (!['kind', 'xi', 'kappa'].includes(k)) throw bad(`${name}.${k}`, 'unknown option (known: kind, xi, kappa)');
  }
  // null is a value, refused (as the gp's options refuse it): `??` took it for the default
  const xi = given(a.xi, DEFAULT_XI);
  const kappa = given(a.kappa, DEFAULT_KAPPA);
  if (!(typeof xi === 'number' && Number.isFinite(xi) && xi >= 0)) throw bad(`${name}.xi`, `expected a finite number >= 0, got ${show(xi)}`);
  if (!(typeof kappa === 'number' && Number.isFinite(kappa) && kappa >= 0)) throw bad(`${name}.kappa`, `expected a finite number >= 0, got ${show(kappa)}`);
  return acquisitionSpec(a.kind, xi, kappa);
}

/** Normalizes `stallExploration` to its settings, or null for none (see src/optimizer/stall.ts). */
export function parseStallExploration(v: unknown): StallExploration | null {
  if (v === false) return null;
  if (v === undefined || v === true) return { ...STALL_DEFAULTS };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('stallExploration', `expected a boolean or { every, kappa, tolerance, batchEvery }, got ${show(v)}`);
  for (const k of Object.keys(v)) {
    if (!['every', 'kappa', 'tolerance', 'batchEvery'].includes(k)) throw bad(`stallExploration.${k}`, 'unknown option (known: every, kappa, tolerance, batchEvery)');
  }
  const s = { ...STALL_DEFAULTS, ...definedEntries(v as Partial<StallExploration>) };
  if (!(Number.isInteger(s.every) && s.every >= 1)) throw bad('stallExploration.every', `expected an integer >= 1, got ${show(s.every)}`);
  if (!(Number.isInteger(s.batchEvery) && s.batchEvery >= 1)) throw bad('stallExploration.batchEvery', `expected an integer >= 1, got ${show(s.batchEvery)}`);
  if (!(typeof s.kappa === 'number' && Number.isFinite(s.kappa) && s.kappa >= 0)) throw bad('stallExploration.kappa', `expected a finite number >= 0, got ${show(s.kappa)}`);
  if (!(typeof s.tolerance === 'number' && Number.isFinite(s.tolerance) && s.tolerance >= 0)) {
    throw bad('stallExploration.tolerance', `expected a finite number >= 0, got ${show(s.tolerance)}`);
  }
  return s;
}

/**
 * The acquisition of a suggestion made while trials run (see
 * OptimizerOptions.pendingAcquisition): null for 'same'; by default UCB
 * with kappa 2 unless `acquisition` was given, then that one.
 */
export function parsePendingAcquisition(p: AcquisitionOption | 'same' | undefined, acquisition: AcquisitionOption | undefined): AcquisitionSpec | null {
  if (p === 'same' || (p === undefined && acquisition !== undefined)) return null;
  return p === undefined ? acquisitionSpec('ucb', DEFAULT_XI, PENDING_UCB_KAPPA) : parseAcquisition(p, 'pendingAcquisition');
}

/** UCB's kappa while trials run (bench:parallel, async-4, 20 seeds: 2 ahead of 1, 1.5, 2.5 and 3 on Hartmann6 and Ackley-5). */
export const PENDING_UCB_KAPPA = 2;
