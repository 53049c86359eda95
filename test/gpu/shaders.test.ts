import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { programs, SHADER_SOURCES } from '../../src/gpu';

const { enginePrograms, specializedSource } = programs;

/** Field names and types of `struct Params { ... }` in a WGSL source, in order. */
function paramsStruct(wgsl: string): { name: string; type: string }[] {
  const m = /struct Params \{([^}]*)\}/.exec(wgsl);
  if (!m) return [];
  return m[1].split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [name, type] = l.replace(/,$/, '').split(':').map((x) => x.trim());
      return { name, type };
    });
}

describe('shader bundle', () => {
  it('src/gpu/shader-sources.ts is up to date with shaders/*.wgsl', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-shaders.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles every kernel file', () => {
    expect(Object.keys(SHADER_SOURCES).sort()).toEqual(
      ['acquisition', 'candidates', 'cross-covariance', 'fantasy-acquisition', 'gram', 'posterior', 'posterior-subgroup', 'q-expected-improvement', 'screening', 'topk']);
  });

  for (const shape of ['square', 'wide', 'subgroup'] as const) {
    it(`program descriptors match their shaders' Params structs (${shape} posterior)`, () => {
      for (const p of [...enginePrograms(shape), programs.FANTASY_ACQUISITION, programs.Q_EXPECTED_IMPROVEMENT, programs.screenBounds(8)]) {
        const src = specializedSource(p);
        expect(paramsStruct(src), p.name).toEqual(p.params.map((f) => ({ name: f.name, type: f.type })));
        expect(src, p.name).toContain(`fn ${p.entryPoint}(`);
        for (const [name, value] of Object.entries(p.defines)) expect(src).toContain(`const ${name} = ${value}u;`);
      }
    });
  }
});
