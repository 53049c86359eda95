/**
 * `webgpu-bayesopt tune --objective` on a module the test writes, and
 * `webgpu-bayesopt report` on the journal it leaves: in-process through
 * runCli, as the command runs them.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program';
import { readStudy } from '../../src/report/study';
import { argv, captured } from './captured';
import { maybe, pythonOnJournal } from '../storage/optuna-peer';

const dir = mkdtempSync(join(tmpdir(), 'tune-objective-'));
const cwd = process.cwd();
beforeAll(() => process.chdir(dir));
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

const OBJECTIVE = `
export const space = {
  lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
export const direction = 'minimize';
export default async function ({ lr, act }, { trialId }) {
  if (trialId === 2) throw new Error('diverged');
  return (Math.log10(lr) + 2) ** 2 + (act === 'tanh' ? 0.5 : 0);
}
`;

describe('tune --objective', () => {
  it("tunes the module's default export over its space, prints progress and a table, and writes the journal and a report", async () => {
    writeFileSync(join(dir, 'objective.mjs'), OBJECTIVE);
    const c = captured();
    const code = await runCli(argv('tune', '--objective', './objective.mjs', '--budget', '8', '--journal', 'study.jsonl',
      '--engine', 'cpu', '--report', 'tune.html'), c.io);
    expect(c.err()).not.toMatch(/error/);
    expect(code).toBe(0);
    // one progress line per trial on stderr
    expect(c.err().match(/^\[\s*\d\/8\] trial \d+: /gm)).toHaveLength(8);
    expect(c.err()).toMatch(/\[3\/8\] trial 2: failed/);
    // the table: header, rule, 8 trials
    const table = c.out().split('\n\n')[0].split('\n');
    expect(table[0]).toMatch(/^trial\s+lr\s+act\s+value\s+s$/);
    expect(table.slice(2)).toHaveLength(8);
    expect(c.out()).toMatch(/^bayes search, minimizing: 8 trial\(s\), 1 failed in [\d.]+ s$/m);
    const study = await readStudy(join(dir, 'study.jsonl'));
    expect(study.trials).toHaveLength(8);
    expect(study.direction).toBe('minimize');
    const best = study.trials.filter((t) => t.status === 'complete').reduce((a, b) => (b.target! < a.target! ? b : a));
    expect(c.out()).toContain(`best: trial ${best.id}, value `);
    expect(c.out()).toContain('journal: study.jsonl\nreport: tune.html\n');
    expect(readFileSync(join(dir, 'tune.html'), 'utf8')).toContain('<canvas id="contour"');
  });

  it('exits 1 when no trial completed, after the table, journal and report are written', async () => {
    writeFileSync(join(dir, 'failing.mjs'), `export const space = { x: { type: 'float', low: 0, high: 1 } };
export default async function () { throw new Error('out of memory'); }\n`);
    const c = captured();
    const code = await runCli(argv('tune', '--objective', './failing.mjs', '--budget', '3', '--journal', 'failing.jsonl',
      '--engine', 'cpu', '--report', 'failing.html', '--quiet'), c.io);
    expect(code).toBe(1);
    expect(c.err()).toBe('error: tune: no trial completed (3 failed); the first: objective threw: out of memory\n');
    expect(c.out()).toMatch(/: 3 trial\(s\), 3 failed in [\d.]+ s\njournal: failing.jsonl\nreport: failing.html\n$/);
    expect((await readStudy(join(dir, 'failing.jsonl'))).trials.map((t) => t.status)).toEqual(['failed', 'failed', 'failed']);
    expect(existsSync(join(dir, 'failing.html'))).toBe(true);
  });

  it('resumes from the journal: a larger budget adds only the missing trials', async () => {
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '10', '--journal', 'study.jsonl', '--engine', 'cpu', '--no-report'), c.io)).toBe(0);
    expect(c.err().match(/^\[\s*\d+\/2\] trial /gm)).toHaveLength(2);
    expect((await readStudy(join(dir, 'study.jsonl'))).trials.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // a budget the journal has reached runs nothing, and says so (even --quiet)
    const d = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '5', '--journal', 'study.jsonl', '--engine', 'cpu', '--no-report', '--quiet'), d.io)).toBe(0);
    expect(d.err()).toBe('tune: the journal holds 10 trials, the budget (5) or more: none to run; a larger --budget goes on\n');
    expect((await readStudy(join(dir, 'study.jsonl'))).trials).toHaveLength(10);
  });

  it('runs random and grid search too; --init with grid search, which has no initial design, is refused naming the flag', async () => {
    for (const strategy of ['random', 'grid']) {
      const c = captured();
      const init = strategy === 'grid' ? [] : ['--init', '3'];
      expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '6', ...init, '--strategy', strategy, '--no-report', '--quiet'), c.io)).toBe(0);
      expect(c.err()).toBe('');
      expect(c.out()).toMatch(new RegExp(`^${strategy} search, minimizing: \\d+ trial\\(s\\)`, 'm'));
    }
    // it was ignored in silence, where other flags that do nothing are refused
    const g = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '6', '--init', '2', '--strategy', 'grid', '--no-report', '--quiet'), g.io)).toBe(2);
    expect(g.err()).toBe('error: option --init: applies to random and Bayesian search; grid search has no initial design (its points are the budget)\n');
    expect(g.out()).toBe('');
  });

  it('rejects a module without a default export, and flags of the built-in studies', async () => {
    writeFileSync(join(dir, 'nodefault.mjs'), 'export const space = { x: { type: "float", low: 0, high: 1 } };\n');
    const a = captured();
    expect(await runCli(argv('tune', '--objective', 'nodefault.mjs'), a.io)).toBe(2);
    expect(a.err()).toBe('error: option --objective: nodefault.mjs must export the objective function as its default export\n');
    writeFileSync(join(dir, 'nospace.mjs'), 'export default () => 1;\n');
    const b = captured();
    expect(await runCli(argv('tune', '--objective', 'nospace.mjs'), b.io)).toBe(2);
    expect(b.err()).toBe('error: option --objective: nospace.mjs must export `space` (or `pbounds`)\n');
    writeFileSync(join(dir, 'badspace.mjs'), "export const space = { lr: { type: 'float', low: 0.1, high: 0.01 } };\nexport default ({ lr }) => lr;\n");
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'badspace.mjs', '--engine', 'cpu'), c.io)).toBe(2);
    expect(c.err()).toBe('error: option --objective: badspace.mjs: parameter "lr": low (0.1) must not exceed high (0.01)\n');
    writeFileSync(join(dir, 'both.mjs'), "export const space = { x: { type: 'float', low: 0, high: 1 } };\nexport const pbounds = { x: [0, 1] };\nexport default ({ x }) => x;\n");
    const both = captured();
    expect(await runCli(argv('tune', '--objective', 'both.mjs', '--engine', 'cpu'), both.io)).toBe(2);
    expect(both.err()).toBe('error: option --objective: both.mjs exports both `space` and `pbounds`; export one\n');
    const d = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--study', 'digits'), d.io)).toBe(2);
    expect(d.err()).toBe('error: option --study: applies to the built-in studies, not to --objective\n');
    const e = captured();
    expect(await runCli(argv('tune', '--journal', 'x.jsonl'), e.io)).toBe(2);
    expect(e.err()).toBe('error: option --journal: needs --objective\n');
    const dj = captured();
    mkdirSync(join(dir, 'adir'), { recursive: true });
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--journal', 'adir'), dj.io)).toBe(2);
    expect(dj.err()).toBe('error: option --journal: "adir" is a directory\n');
    const f = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '4', '--init', '5', '--no-report'), f.io)).toBe(2);
    expect(f.err()).toBe('error: option --init: must be an integer from 0 to the budget (4) (got 5)\n');
  });
});

describe('tune --objective: outputs, journals, pruners and time', () => {
  it('refuses an output path that cannot take the report before running anything', async () => {
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '3', '--journal', 'never.jsonl', '--report', dir), c.io)).toBe(2);
    expect(c.err()).toBe(`error: option --report: ${JSON.stringify(dir)} is a directory\n`);
    expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
    const e = captured();
    expect(await runCli(argv('report', 'study.jsonl', '--out', ''), e.io)).toBe(2);
    expect(e.err()).toBe('error: option --out: expected a file path, got ""\n');
    writeFileSync(join(dir, 'plain.txt'), 'x');
    const f = captured();
    expect(await runCli(argv('report', 'study.jsonl', '--out', 'plain.txt/r.html'), f.io)).toBe(2);
    expect(f.err()).toBe(`error: option --out: ${JSON.stringify(join(dir, 'plain.txt'))} is not a directory\n`);
  });

  it('a grid resumed with a larger budget ends at that budget', async () => {
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--strategy', 'grid', '--budget', '5', '--journal', 'grid.jsonl', '--no-report', '--quiet'), c.io)).toBe(0);
    const first = (await readStudy(join(dir, 'grid.jsonl'))).trials.length;
    expect(first).toBeLessThanOrEqual(5);
    const d = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--strategy', 'grid', '--budget', '9', '--journal', 'grid.jsonl', '--no-report'), d.io)).toBe(0);
    expect((await readStudy(join(dir, 'grid.jsonl'))).trials).toHaveLength(9);
    expect(d.err().match(/^\[\s*\d+\/(\d+)\] trial /gm)).toHaveLength(9 - first);
  });

  it('a grid whose every point is in the journal says so, not that the budget was reached', async () => {
    writeFileSync(join(dir, 'three.mjs'), "export const space = { k: { type: 'int', low: 1, high: 3 } };\nexport default ({ k }) => k;\n");
    expect(await runCli(argv('tune', '--objective', 'three.mjs', '--strategy', 'grid', '--budget', '10', '--journal', 'three.jsonl', '--no-report', '--quiet'), captured().io)).toBe(0);
    const again = captured();
    expect(await runCli(argv('tune', '--objective', 'three.mjs', '--strategy', 'grid', '--budget', '10', '--journal', 'three.jsonl', '--no-report', '--quiet'), again.io)).toBe(0);
    expect(again.err()).toBe('tune: the journal holds 3 trials, every point the grid search has within the budget (10): none to run\n');
    // at a budget the journal has reached too: a larger one would add no point
    const same = captured();
    expect(await runCli(argv('tune', '--objective', 'three.mjs', '--strategy', 'grid', '--budget', '3', '--journal', 'three.jsonl', '--no-report', '--quiet'), same.io)).toBe(0);
    expect(same.err()).toBe('tune: the journal holds 3 trials, every point the grid search has within the budget (3): none to run\n');
  });

  it('refuses a --journal path that holds another file, and leaves the file as it was', async () => {
    const text = readFileSync(join(dir, 'objective.mjs'), 'utf8');
    writeFileSync(join(dir, 'copy.mjs'), text);
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '2', '--journal', 'copy.mjs', '--no-report'), c.io)).toBe(1);
    expect(c.err()).toMatch(/^error: journal "copy\.mjs": not a journal \(\d+ line\(s\), none of them a journal line; line 2: invalid JSON\); nothing was written to it\n$/); // line 1 is blank
    expect(readFileSync(join(dir, 'copy.mjs'), 'utf8')).toBe(text);
  });

  it('says which journal lines were damaged, --quiet or not, and report says it too', async () => {
    writeFileSync(join(dir, 'damaged.jsonl'), readFileSync(join(dir, 'study.jsonl'), 'utf8') + 'not json\n');
    const n = readFileSync(join(dir, 'damaged.jsonl'), 'utf8').trimEnd().split('\n').length;
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'objective.mjs', '--budget', '10', '--journal', 'damaged.jsonl', '--no-report', '--quiet'), c.io)).toBe(0);
    expect(c.err()).toContain(`1 damaged line(s) skipped (line ${n}: invalid JSON)`);
    const r = captured();
    expect(await runCli(argv('report', 'damaged.jsonl', '--out', 'damaged.html'), r.io)).toBe(0);
    expect(r.err()).toBe(`journal: 1 damaged line(s) skipped (line ${n}: invalid JSON)\n`);
  });

  it('prunes trials that report with --pruner (its first rung at --grace), and stops asking after --time-budget', async () => {
    writeFileSync(join(dir, 'curves.mjs'), `
export const pbounds = { x: [0, 1] };
export default async function ({ x }, ctx) {
  let v = 0;
  for (let step = 1; step <= 4; step++) {
    v = x * step;
    if (await ctx.report(step, v)) return v;
  }
  return v;
}
`);
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--budget', '12', '--init', '4', '--pruner', 'asha', '--strategy', 'random', '--no-report'), c.io)).toBe(0);
    const pruned = (c.out().match(/pruned at step \d+ \(/g) ?? []).length;
    expect(pruned).toBeGreaterThan(0);
    expect(c.out()).toMatch(new RegExp(`^random search, maximizing: 12 trial\\(s\\), ${pruned} pruned in `, 'm'));
    expect(c.err().match(/: pruned \(best /g)).toHaveLength(pruned);
    writeFileSync(join(dir, 'slow1.mjs'), 'export const pbounds = { x: [0, 1] };\nexport default async ({ x }) => (await new Promise((r) => setTimeout(r, 400)), x);\n');
    const t = captured();
    expect(await runCli(argv('tune', '--objective', 'slow1.mjs', '--budget', '50', '--time-budget', '1', '--strategy', 'random', '--no-report', '--quiet'), t.io)).toBe(0);
    const n = Number(/maximizing: (\d+) trial/.exec(t.out())?.[1]);
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThan(50);
    // without --budget the time is the limit: the count's default (20) gives way to the built-in studies' cap
    writeFileSync(join(dir, 'quick.mjs'), 'export const pbounds = { x: [0, 1] };\nexport default async ({ x }) => (await new Promise((r) => setTimeout(r, 5)), x);\n');
    const q = captured();
    expect(await runCli(argv('tune', '--objective', 'quick.mjs', '--time-budget', '1', '--strategy', 'random', '--no-report', '--quiet'), q.io)).toBe(0);
    const nq = Number(/maximizing: (\d+) trial/.exec(q.out())?.[1]);
    expect(nq).toBeGreaterThan(20);
    expect(nq).toBeLessThan(1000);
    // but for a grid, which the budget lays out: 20 points over the whole range, not 1,000 cut off at the start
    const grid = captured();
    expect(await runCli(argv('tune', '--objective', 'quick.mjs', '--time-budget', '5', '--strategy', 'grid', '--no-report', '--quiet'), grid.io)).toBe(0);
    expect(grid.out()).toMatch(/grid search, maximizing: 20 trial\(s\)/);
    // --grace sets the pruner's first rung: with 3, no trial is stopped before its third report
    const g3 = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--budget', '12', '--init', '4', '--pruner', 'asha', '--grace', '3', '--strategy', 'random', '--no-report'), g3.io)).toBe(0);
    const steps = [...g3.out().matchAll(/pruned at step (\d+) \(/g)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThan(0);
    expect(Math.min(...steps)).toBe(3);
    expect(Math.min(...[...c.out().matchAll(/pruned at step (\d+) \(/g)].map((m) => Number(m[1])))).toBe(1); // the default: 1
    const g = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--grace', '2'), g.io)).toBe(2);
    expect(g.err()).toBe('error: option --grace: needs a pruner (pruner "median", "asha" or "hyperband")\n');
    const both = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--report', 'r.html', '--no-report'), both.io)).toBe(2);
    expect(both.err()).toBe('error: option --report: --report and --no-report both given; choose one\n');
    const pt = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--pruned-trials', 'worst'), pt.io)).toBe(2);
    expect(pt.err()).toBe('error: option --pruned-trials: needs a pruner (pruner "median", "asha" or "hyperband")\n');
    // read by Bayesian search's model only: with random search it was taken and ignored
    const rs = captured();
    expect(await runCli(argv('tune', '--objective', 'curves.mjs', '--strategy', 'random', '--pruner', 'median', '--pruned-trials', 'last'), rs.io)).toBe(2);
    expect(rs.err()).toBe('error: option --pruned-trials: is read by Bayesian search\'s model only (this run\'s strategy is random)\n');
  });

  it('--trial-timeout fails a trial still running after it (its signal aborted) and goes on; it needs --objective', async () => {
    // the trial at x < 0.5 never settles unless its signal aborts it
    writeFileSync(join(dir, 'hangs.mjs'), `export const pbounds = { x: [0, 1] };
export default ({ x }, { signal }) => x < 0.5 ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) : x;
`);
    const t = captured();
    expect(await runCli(argv('tune', '--objective', 'hangs.mjs', '--budget', '6', '--strategy', 'random', '--trial-timeout', '1', '--no-report', '--quiet'), t.io)).toBe(0);
    const failed = [...t.out().matchAll(/failed \(objective timed out after 1000 ms\)/g)].length;
    expect(failed).toBeGreaterThan(0);
    expect(t.out()).toMatch(new RegExp(`^random search, maximizing: 6 trial\\(s\\), ${failed} failed in `, 'm'));
    // the progress lines follow the record: a timed-out trial is said failed when it fails, and the value its
    // abandoned call returns later is neither a line of its own nor the best
    writeFileSync(join(dir, 'late.mjs'), `export const pbounds = { x: [0, 1] };
export default async ({ x }, { trialId }) => (await new Promise((r) => setTimeout(r, trialId === 0 ? 1500 : 50)), trialId === 0 ? 100 : x);
`);
    const p = captured();
    expect(await runCli(argv('tune', '--objective', 'late.mjs', '--budget', '5', '--strategy', 'random', '--trial-timeout', '1', '--no-report'), p.io)).toBe(0);
    const lines = p.err().split('\n').filter((l) => / trial \d+: /.test(l));
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => / trial 0: /.test(l))).toMatch(/ trial 0: failed \(best /);
    expect(p.err()).not.toMatch(/: 100 |best 100/);
    const no = captured();
    expect(await runCli(argv('tune', '--trial-timeout', '5'), no.io)).toBe(2);
    expect(no.err()).toBe('error: option --trial-timeout: needs --objective\n');
  });
});

describe('tune --objective --concurrency', () => {
  it('keeps N calls of the objective in flight, each a distinct point; 0 is refused naming the flag', async () => {
    writeFileSync(join(dir, 'slow.mjs'), `
export const pbounds = { x: [0, 1] };
let running = 0;
let started = 0;
export default async function ({ x }) {
  running++;
  globalThis.__tuneMost = Math.max(globalThis.__tuneMost ?? 0, running);
  // the first three calls wait for each other (10 s at most): three in flight however long the asks take
  if (++started <= 3) for (const t0 = Date.now(); running < 3 && Date.now() - t0 < 10000;) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  running--;
  return -((x - 0.3) ** 2);
}
`);
    const c = captured();
    const code = await runCli(argv('tune', '--objective', 'slow.mjs', '--budget', '6', '--init', '2', '--concurrency', '3', '--engine', 'cpu', '--no-report', '--quiet'), c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect((globalThis as { __tuneMost?: number }).__tuneMost).toBe(3);
    expect(c.out()).toMatch(/^bayes search, maximizing: 6 trial\(s\)/m);
    const z = captured();
    expect(await runCli(argv('tune', '--objective', 'slow.mjs', '--concurrency', '0', '--no-report'), z.io)).toBe(2);
    expect(z.err()).toBe('error: option --concurrency: must be an integer >= 1 (got 0)\n');
  });
});

describe('report', () => {
  it('writes a self-contained page from a journal', async () => {
    const c = captured();
    expect(await runCli(argv('report', 'study.jsonl', '--out', 'out/report.html'), c.io)).toBe(0);
    expect(c.out()).toBe('report: out/report.html (10 trials)\n');
    const html = readFileSync(join(dir, 'out/report.html'), 'utf8');
    expect(html).toContain('<title>Study study.jsonl</title>');
    expect(html.match(/<tr[ >]/g)).toHaveLength(11);
  });

  it('fails with exit code 1 and a message on a missing journal', async () => {
    const c = captured();
    expect(await runCli(argv('report', 'nope.jsonl', '--out', 'x.html'), c.io)).toBe(1);
    expect(c.err()).toBe('error: journal "nope.jsonl": no such file\n');
    const s = captured();
    expect(await runCli(argv('studies', 'nope.jsonl'), s.io)).toBe(1);
    expect(s.err()).toBe('error: journal "nope.jsonl": no such file\n');
    expect(existsSync(join(dir, 'x.html'))).toBe(false);
  });
});

describe('tune --objective --study-name', () => {
  maybe('continues a study Optuna wrote, by its name; Optuna reads the trials added', async () => {
    const journal = join(dir, 'optuna.log');
    pythonOnJournal(`optuna.create_study(study_name='other', storage=storage)
study = optuna.create_study(study_name='py-study', storage=storage, direction='minimize', sampler=optuna.samplers.RandomSampler(seed=1))
study.optimize(lambda t: (t.suggest_float('x', 0, 1) - 0.3) ** 2, n_trials=4)
`, journal);
    writeFileSync(join(dir, 'x.mjs'), "export const space = { x: { type: 'float', low: 0, high: 1 } };\nexport const direction = 'minimize';\nexport default ({ x }) => (x - 0.3) ** 2;\n");
    const c = captured();
    expect(await runCli(argv('tune', '--objective', 'x.mjs', '--journal', journal, '--study-name', 'py-study', '--budget', '7', '--quiet', '--no-report', '--engine', 'cpu'), c.io)).toBe(0);
    expect(c.out()).toContain('7 trial(s)');
    const counts = JSON.parse(pythonOnJournal(`print(json.dumps({s: len(optuna.load_study(study_name=s, storage=storage).trials) for s in ('py-study', 'other')}))
`, journal));
    expect(counts).toEqual({ 'py-study': 7, other: 0 });
    const bad = captured();
    expect(await runCli(argv('tune', '--objective', 'x.mjs', '--study-name', 'py-study', '--no-report'), bad.io)).toBe(2);
    expect(bad.err()).toBe('error: option --study-name: needs --journal\n');
  });
});
