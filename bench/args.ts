/**
 * The benchmarks' flags, checked: a value a benchmark cannot use (`--seeds
 * 0`, `--reps abc`, an unknown method) ends the run at once with `error:`
 * naming the flag and exit code 2, not a table of NaN or a stack trace
 * after the work. And their JSON, written into a folder made for it.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Prints `error: message` and exits 2. */
export function fail(message: string): never {
  console.error(`error: ${message}`);
  process.exit(2);
}

/** parseArgs's values for `options` (strict); an unknown flag or a missing value is `fail`ed. */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(options: O) {
  try {
    return parseArgs({ options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return fail((e as Error).message);
  }
}

/** An integer flag's value, at least `min` (and at most `max`). */
export function intFlag(name: string, raw: string | undefined, min = 1, max = Infinity): number {
  const v = Number(raw);
  if (raw === undefined || !/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
    fail(`--${name}: expected an integer ${max < Infinity ? `from ${min} to ${max}` : `>= ${min}`}, got ${JSON.stringify(raw ?? null)}`);
  }
  return v;
}

/** A number flag's value, finite and at least `min`. */
export function numFlag(name: string, raw: string | undefined, min = -Infinity): number {
  const v = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(v) || v < min) {
    fail(`--${name}: expected a number${min > -Infinity ? ` >= ${min}` : ''}, got ${JSON.stringify(raw ?? null)}`);
  }
  return v;
}

/** One of `choices`. */
export function choiceFlag<T extends string>(name: string, raw: string | undefined, choices: readonly T[]): T {
  if (raw === undefined || !(choices as readonly string[]).includes(raw)) fail(`--${name}: expected one of ${choices.join(', ')}, got ${JSON.stringify(raw ?? null)}`);
  return raw as T;
}

/**
 * What a list may hold beyond the rule: `none`, an empty list ('': a script
 * with a mode that runs no item); `repeats`, an item twice (lists that pair
 * up with another, like bench:bounding's --n and --d). Otherwise an item
 * given twice is refused: it ran twice, its rows doubled in the JSON.
 */
export interface ListRules { none?: boolean; repeats?: boolean }

/** A comma-separated list, each item one of `choices` when given; at least one item, none empty. */
export function listFlag<T extends string = string>(name: string, raw: string | undefined, choices?: readonly T[], rules: ListRules = {}): T[] {
  if (rules.none && raw?.trim() === '') return [];
  const items = (raw ?? '').split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) fail(`--${name}: expected a comma-separated list, got ${JSON.stringify(raw ?? null)}`);
  // 'a,,b' or 'a,' is a slip, not a list of two: said, not skipped
  if (items.includes('')) fail(`--${name}: an empty item in ${JSON.stringify(raw)} (expected a comma-separated list)`);
  const bad = choices ? items.filter((s) => !(choices as readonly string[]).includes(s)) : [];
  if (bad.length) fail(`--${name}: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} (known: ${choices!.join(', ')})`);
  if (!rules.repeats) noRepeats(name, items, JSON.stringify);
  return items as T[];
}

function noRepeats<T>(name: string, items: readonly T[], show: (v: T) => string): void {
  const twice = items.find((v, i) => items.indexOf(v) !== i);
  if (twice !== undefined) fail(`--${name}: ${show(twice)} given twice`);
}

/** 'true' or 'false'. */
export function boolFlag(name: string, raw: string | undefined): boolean {
  return choiceFlag(name, raw, ['true', 'false'] as const) === 'true';
}

/**
 * An output file's path, checked before any work: '' or a folder (or a
 * path under a file) failed only in writeJson, after the whole run.
 */
export function outFlag(name: string, raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') fail(`--${name}: expected a file path, got ${JSON.stringify(raw ?? null)}`);
  if (/[/\\]$/.test(raw) || (existsSync(raw) && statSync(raw).isDirectory())) fail(`--${name}: ${JSON.stringify(raw)} is a folder, expected a file path`);
  // the nearest existing folder above it: writeJson makes the rest
  for (let up = dirname(resolve(raw)); !existsSync(up) || !statSync(up).isDirectory(); up = dirname(up)) {
    if (existsSync(up)) fail(`--${name}: ${JSON.stringify(up)} is a file, not a folder to write into`);
  }
  return raw;
}

/** A JSON object (options): JSON that is not an object ('[1]', '"abc"') spread into option keys "0", "1", ... */
export function jsonObjectFlag(name: string, raw: string | undefined): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(raw ?? '');
  } catch (e) {
    return fail(`--${name}: not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`--${name}: expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

/** A `workers` option: 'auto' or an integer from 0 to 64 (the library's range). */
export function workersFlag(name: string, raw: string | undefined): number | 'auto' {
  if (raw === 'auto') return 'auto';
  const v = Number(raw);
  if (raw === undefined || !/^\s*\d+\s*$/.test(raw) || v > 64) fail(`--${name}: expected 'auto' or an integer from 0 to 64, got ${JSON.stringify(raw ?? null)}`);
  return v;
}

/**
 * `check()`'s value; what it throws (the library refusing an option, a file
 * that cannot be read) ends the run as an error of flag `name`, not a stack
 * trace; `about` names what was checked (a problem, a file).
 */
export function flagCheck<T>(name: string, check: () => T, about?: string): T {
  try {
    return check();
  } catch (e) {
    return fail(`--${name}: ${about === undefined ? '' : `${about}: `}${(e as Error).message}`);
  }
}

/** Writes `data` as JSON to `path` (its folder made first) and says so. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  console.log(`wrote ${path}`);
}

/** A comma-separated list of integers, each at least `min`; no number twice unless `rules.repeats`. */
export function intListFlag(name: string, raw: string | undefined, min = 1, rules: ListRules = {}): number[] {
  const values = listFlag(name, raw, undefined, { ...rules, repeats: true }).map((s) => intFlag(name, s, min));
  if (!rules.repeats) noRepeats(name, values, String);
  return values;
}
