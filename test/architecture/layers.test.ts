/**
 * The layering of src/ (README, "How it works"): every import, type-only and
 * dynamic ones included, points down or within its own folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

/** Rank of each top-level module of src/; a module may import only from lower ranks (or itself). */
export const LAYERS: Readonly<Record<string, number>> = {
  errors: 0,
  util: 1,
  space: 2, gp: 2, data: 2,
  study: 3, pruners: 3,
  storage: 4,
  acquisition: 5,
  gpu: 6,
  optimizer: 7, tfjs: 7, problems: 7,
  studies: 8,
  report: 9,
  cli: 10,
  index: 11,
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Module specifiers of static imports, re-exports and dynamic imports (comments skipped). */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of code.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  for (const m of code.matchAll(/import\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]);
  return out;
}

/** The top-level module of a path under src/ ('errors', 'gp', 'index', ...). */
function moduleOf(path: string): string {
  const rel = relative(SRC, path).split(/[\\/]/);
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

interface Edge {
  file: string;
  spec: string;
  from: string;
  to: string;
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of files(SRC)) {
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      out.push({ file: relative(SRC, file), spec, from: moduleOf(file), to: target.startsWith(SRC) ? moduleOf(target + '.ts') : 'outside src' });
    }
  }
  return out;
}

describe('layers of src/', () => {
  it('finds imports of every kind, and not in comments', () => {
    const text = [
      "import type { A } from '../a';",
      "import { B,\n  C } from './b';",
      "export * from '../c';",
      "export { D } from './d';",
      "const m = await import(/* @vite-ignore */ '../e');",
      "// import { X } from '../commented';",
      '/** import { Y } from "../doc"; */',
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../a', '../c', '../e', './b', './d']);
  });

  it('ranks every top-level module', () => {
    const mods = new Set(files(SRC).map(moduleOf));
    expect([...mods].filter((m) => LAYERS[m] === undefined)).toEqual([]);
  });

  it('has no import that runs back up, or sideways between modules of one rank', () => {
    const all = edges();
    expect(all.length).toBeGreaterThan(100);
    const bad = all
      .filter((e) => e.from !== e.to && (e.to === 'outside src' || LAYERS[e.to] >= LAYERS[e.from]))
      .map((e) => `${e.file}: ${e.spec} (${e.from} -> ${e.to})`);
    expect(bad).toEqual([]);
  });

  it('storage does not depend on the optimizer, report not on the CLI, gpu not on tfjs', () => {
    const all = edges();
    const pairs = new Set(all.map((e) => `${e.from}->${e.to}`));
    for (const p of ['storage->optimizer', 'report->cli', 'gpu->tfjs']) expect(pairs.has(p)).toBe(false);
    // and these ones do run downwards, so the check above could have failed
    for (const p of ['optimizer->storage', 'tfjs->gpu', 'cli->report']) expect(pairs.has(p)).toBe(true);
  });
});
