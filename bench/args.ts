/**
 * The benchmarks' flags, checked: a value a benchmark cannot use (`--seeds
 * 0`, `--reps abc`, an unknown method) ends the run at once with `error:`
 * naming the flag and exit code 2, not a table of NaN or a stack trace
 * after the work. And their JSON, written into a folder made for it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/** An integer flag's value, at least `min`. */
export function intFlag(name: string, raw: string | undefined, min = 1): number {
  const v = Number(raw);
  if (raw === undefined || !/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v < min) {
    fail(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(raw ?? null)}`);
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

/** A comma-separated list, each item one of `choices` when given; at least one item. */
export function listFlag<T extends string = string>(name: string, raw: string | undefined, choices?: readonly T[]): T[] {
  const items = (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) fail(`--${name}: expected a comma-separated list, got ${JSON.stringify(raw ?? null)}`);
  const bad = choices ? items.filter((s) => !(choices as readonly string[]).includes(s)) : [];
  if (bad.length) fail(`--${name}: unknown ${bad.map((b) => JSON.stringify(b)).join(', ')} (known: ${choices!.join(', ')})`);
  return items as T[];
}

/** 'true' or 'false'. */
export function boolFlag(name: string, raw: string | undefined): boolean {
  return choiceFlag(name, raw, ['true', 'false'] as const) === 'true';
}

/** Writes `data` as JSON to `path` (its folder made first) and says so. */
export function writeJson(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  console.log(`wrote ${path}`);
}

/** A comma-separated list of integers, each at least `min`. */
export function intListFlag(name: string, raw: string | undefined, min = 1): number[] {
  return listFlag(name, raw).map((s) => intFlag(name, s, min));
}
