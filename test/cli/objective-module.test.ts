/**
 * loadObjectiveModule (src/cli/tune-objective.ts): objective modules as
 * users write them, CommonJS compiled from TypeScript among them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadObjectiveModule } from '../../src/cli/tune-objective';

const dir = mkdtempSync(join(tmpdir(), 'objective-module-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const message = (p: Promise<unknown>) => p.then(() => 'loaded', (e: Error) => e.message);

describe('loadObjectiveModule', () => {
  it('reads CommonJS that tsc wrote (exports.default with __esModule), and module.exports = f with f.space', async () => {
    const tsc = file('tsc-out.cjs', `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.direction = exports.space = void 0;
exports.space = { x: { type: 'float', low: 0, high: 1 } };
exports.direction = 'minimize';
function default_1({ x }) { return (x - 0.3) ** 2; }
exports.default = default_1;
`);
    const a = await loadObjectiveModule(tsc);
    expect([typeof a.default, a.space, a.direction]).toEqual(['function', { x: { type: 'float', low: 0, high: 1 } }, 'minimize']);
    expect(await a.default({ x: 0.3 } as never, {} as never)).toBe(0);
    const props = file('props.cjs', "function f({ x }) { return x; }\nf.space = { x: { type: 'float', low: 0, high: 1 } };\nmodule.exports = f;\n");
    const b = await loadObjectiveModule(props);
    expect([typeof b.default, b.space]).toEqual(['function', { x: { type: 'float', low: 0, high: 1 } }]);
  });

  it('takes a file: URL as it is (it was resolved as a path under the working directory)', async () => {
    const plain = file('plain.mjs', "export const pbounds = { x: [0, 1] };\nexport default ({ x }) => x;\n");
    expect((await loadObjectiveModule(pathToFileURL(plain).href)).pbounds).toEqual({ x: [0, 1] });
  });

  it('refuses Optuna\'s `directions`, blames `space` for a null space, and says where an import failed', async () => {
    const dirs = file('dirs.mjs', "export const directions = ['minimize'];\nexport const pbounds = { x: [0, 1] };\nexport default ({ x }) => x;\n");
    expect(await message(loadObjectiveModule(dirs))).toBe(`option "objective": ${dirs} exports \`directions\`; export \`direction\` ("maximize" or "minimize"): one objective`);
    const nul = file('null-space.mjs', 'export const space = null;\nexport default () => 1;\n');
    expect(await message(loadObjectiveModule(nul))).toMatch(/^option "objective": .*null-space\.mjs: space/);
    // a helper that throws as it loads: the message alone named neither file nor line
    file('helper-bad.mjs', 'const o = undefined;\nexport const a = o.bar;\n');
    const uses = file('uses-helper.mjs', "import { a } from './helper-bad.mjs';\nexport const pbounds = { x: [0, 1] };\nexport default () => a;\n");
    const helper = join(dir, 'helper-bad.mjs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(await message(loadObjectiveModule(uses))).toMatch(new RegExp(`\\(at (file://)?${helper}:2:\\d+\\)$`)); // a file: URL under Node
  });
});
