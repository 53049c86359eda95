/** The real command line: argument handling in-process, and one spawned run of src/cli/main.ts. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REPORT, runCli } from '../../src/cli/program';
import { argv, captured } from './captured';

const root = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runCli arguments', () => {
  it('rejects bad values with exit code 2 and a message naming the flag', async () => {
    const c = captured();
    expect(await runCli(argv('compare', '--budget', '0'), c.io)).toBe(2);
    expect(c.err()).toBe('error: option --budget: must be an integer >= 1 (got 0)\n');

    const d = captured();
    expect(await runCli(argv('compare', '--retrain-epochs', '2', '--budget', '3', '--init', '4'), d.io)).toBe(2);
    expect(d.err()).toBe('error: option --init: must be at most the budget (3) (got 4)\n');

    const e = captured();
    expect(await runCli(argv('compare', '--study', 'mnist'), e.io)).toBe(2);
    expect(e.err()).toContain("error: option '--study <name>' argument 'mnist' is invalid. Allowed choices are taxi, digits.");

    const f = captured();
    expect(await runCli(argv('compare', '--seeds', '1,x'), f.io)).toBe(2);
    expect(f.err()).toContain("error: option '--seeds <list>' argument '1,x' is invalid. expected comma-separated non-negative integers, e.g. 1,2,3.");

    const g = captured();
    expect(await runCli(argv('tune', '--strategy', 'anneal'), g.io)).toBe(2);
    expect(g.err()).toContain('Allowed choices are grid, random, bayes.');
  });

  it('prints help listing both commands and the options', async () => {
    const c = captured();
    expect(await runCli(argv('--help'), c.io)).toBe(0);
    expect(c.out()).toMatch(/compare \[options\]/);
    expect(c.out()).toMatch(/tune \[options\]/);
    const h = captured();
    expect(await runCli(argv('compare', '--help'), h.io)).toBe(0);
    for (const flag of ['--study', '--budget', '--epochs', '--seed', '--seeds', '--json', '--report', '--backend', '--engine', '--quiet']) {
      expect(h.out()).toContain(flag);
    }
  });

  it('compare --strategies runs only the strategies listed, in their order', async () => {
    const c = captured();
    const code = await runCli(argv('compare', '--strategies', 'bayes,random', '--budget', '2', '--epochs', '1', '--rows', '200',
      '--retrain-epochs', '0', '--backend', 'wasm', '--engine', 'cpu', '--no-report', '--quiet'), c.io);
    expect(code, c.err()).toBe(0);
    const rows = c.out().split('\n').filter((l) => /^(grid|random|bayes)\s+\d/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(rows).toEqual(['bayes', 'random']);
  });

  it('prints plain progress lines when stderr is not a terminal', async () => {
    const c = captured();
    const code = await runCli(argv('tune', '--strategy', 'random', '--budget', '2', '--epochs', '1', '--rows', '200',
      '--retrain-epochs', '0', '--backend', 'wasm', '--engine', 'cpu', '--no-report'), c.io);
    expect(code).toBe(0);
    expect(c.err()).toMatch(/^\[1\/2\] random 1\/2 val rmse \d+\.\d{3} \(best \d+\.\d{3}\) \(\d+\.\d s\)$/m);
    expect(c.err()).toMatch(/^\[2\/2\] random 2\/2 /m);
    expect(c.out()).toMatch(/^random\s+2\s+\d+\.\d\s+\d+\s+\d+\.\d{3}\s+[12]\s+\d+\.\d\s+\d+$/m);
    expect(c.out()).not.toContain('report:');
  });
});

describe('webgpu-bayesopt compare (spawned)', () => {
  it('prints the comparison table on stdout and writes the report to the working directory', () => {
    const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [
      join(root, 'src/cli/main.ts'), 'compare', '--budget', '3', '--epochs', '1', '--rows', '300', '--retrain-epochs', '1',
      '--retrain-repeats', '2', '--backend', 'wasm', '--engine', 'cpu', '--quiet', '--json', 'record.json',
    ], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('strategy'));
    expect(lines[head].split(/\s{2,}/)).toEqual([
      'strategy', 'evals', 'wall s', 'epochs', 'best val RMSE', "evals to random's best", "s to random's best", "epochs to random's best", 'test RMSE (mean ± s.e. of 2 retrainings, 1 ep)',
    ]);
    expect(lines[head + 2]).toMatch(/^grid\s+2\s+\d+\.\d\s+\d+\s+\d+\.\d{3}\s+(\d+|never)\s+(\d+\.\d|-)\s+(\d+|-)\s+\d+\.\d{3} ± \d+\.\d{3}$/);
    expect(lines[head + 3]).toMatch(/^random\s+3\s+\d+\.\d\s+\d+\s+\d+\.\d{3}\s+[1-3]\s+\d+\.\d\s+\d+\s+\d+\.\d{3} ± \d+\.\d{3}$/);
    expect(lines[head + 4]).toMatch(/^bayes\s+3\s+\d+\.\d\s+\d+\s+\d+\.\d{3}\s+([1-3]|never)\s+(\d+\.\d|-)\s+(\d+|-)\s+\d+\.\d{3} ± \d+\.\d{3}$/);
    expect(r.stdout).toContain('device: tfjs backend wasm, acquisition engine cpu (float64 reference)');
    // random's best a shared initial point (all of random's 3 evaluations may be): said, and not counted
    const sharedBest = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')).runs[0].randomBestShared;
    expect(r.stdout).toMatch(sharedBest
      ? /^bayes vs random: random's best was a shared initial point on 1\/1 seed\(s\) \(not counted\); on the other 0, bayes reached it within half the budget on 0;/m
      : /^bayes vs random: bayes reached random's best within half the budget on [01]\/1 seed\(s\)/m);
    expect(r.stdout).toContain(`report: ${DEFAULT_REPORT}`);
    // --quiet: no progress lines
    expect(r.stderr).not.toMatch(/\[\d+\/\d+\]/);
    expect(existsSync(join(dir, DEFAULT_REPORT))).toBe(true);
    const rec = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8'));
    expect(rec.runs[0].strategies.map((s: { evaluations: number }) => s.evaluations)).toEqual([2, 3, 3]);
    expect(rec.options.retrainRepeats).toBe(2);
    expect(rec.runs[0].strategies[0].retrain.testMetrics).toHaveLength(2);
  });
});

describe('an objective that never settles (spawned)', () => {
  it('exits 1 with a one-line error instead of quitting silently with code 13; the trial stays pending for a resume', () => {
    const mod = join(dir, 'hang.mjs');
    writeFileSync(mod, "export const space = { x: { type: 'float', low: 0, high: 1 } };\nexport default () => new Promise(() => {});\n");
    const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [
      join(root, 'src/cli/main.ts'), 'tune', '--objective', mod, '--budget', '2', '--no-report', '--engine', 'cpu', '--quiet', '--journal', 'hang.jsonl',
    ], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: the run stopped waiting: a promise never settled and nothing was left that could settle it .*\n$/);
    expect(readFileSync(join(dir, 'hang.jsonl'), 'utf8')).toContain('"op_code":4'); // the trial was asked
  });

  /** Runs `tune --objective` on module text `code`, spawned; stdout piped unless `stdout` says otherwise. */
  function tuneOn(name: string, code: string, budget = 3) {
    const mod = join(dir, `${name}.mjs`);
    writeFileSync(mod, "export const space = { x: { type: 'float', low: 0, high: 1 } };\n" + code);
    return spawnSync(join(root, 'node_modules/.bin/tsx'), [
      join(root, 'src/cli/main.ts'), 'tune', '--objective', mod, '--budget', String(budget), '--no-report', '--engine', 'cpu', '--quiet', '--journal', `${name}.jsonl`,
    ], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  }
  const ended = (name: string) => readFileSync(join(dir, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.includes('"op_code":6') && l.includes('"state":1')).length;

  it('errors that escape the objective (a throwing timer, a promise nobody awaits) are said, the run goes on, and it exits 1', () => {
    const r = tuneOn('escapes', "export default async ({ x }) => { setTimeout(() => { throw new Error('from a timer'); }, 5); Promise.reject(new Error('not awaited')); await new Promise((r) => setTimeout(r, 30)); return x; };\n");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('warning: an error escaped the objective (thrown from a callback, or a promise nobody awaited): from a timer; the run goes on\n');
    expect(r.stderr).toContain('warning: an error escaped the objective (thrown from a callback, or a promise nobody awaited): not awaited; the run goes on\n');
    expect(r.stderr).toContain('error: tune: 6 errors escaped the objective during the run (said above as they came); every trial is recorded\n');
    expect(ended('escapes')).toBe(3); // every trial completed, the table printed
    expect(r.stdout).toContain('best: trial');
  });

  it('an objective that leaves an interval or a sleeping call behind does not hold the finished command open', () => {
    const t0 = Date.now();
    const r = tuneOn('interval', "let iv;\nexport default ({ x }) => { iv ??= setInterval(() => {}, 1000); return x; };\n");
    expect(r.status, r.stderr).toBe(0); // it ran until the 60 s timeout killed it (status null)
    expect(r.stdout).toContain('best: trial');
    expect(ended('interval')).toBe(3);
    // a call abandoned at --trial-timeout that sleeps on for 40 s: the run ends at the timeout, the process with it
    const mod = join(dir, 'sleeps.mjs');
    writeFileSync(mod, "export const space = { x: { type: 'float', low: 0, high: 1 } };\nexport default ({ x }, { trialId }) => trialId === 0 ? new Promise((r) => setTimeout(() => r(x), 40_000)) : x;\n");
    const s = spawnSync(join(root, 'node_modules/.bin/tsx'), [
      join(root, 'src/cli/main.ts'), 'tune', '--objective', mod, '--budget', '2', '--trial-timeout', '1', '--no-report', '--engine', 'cpu', '--quiet',
    ], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toContain('failed (objective timed out after 1000 ms)');
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 90_000);

  it('an objective that prints a partial line does not join the table: its header starts a line of its own', () => {
    const r = tuneOn('prints', "export default ({ x }) => { process.stdout.write('partial no newline'); return x; };\n");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/partial no newline\ntrial +x +value +s\n/); // it read "partial no newlinetrial  x ..."
    const plain = tuneOn('prints-lines', "export default ({ x }) => { console.log('a whole line'); return x; };\n");
    expect(plain.stdout).toMatch(/a whole line\ntrial +x +value +s\n/); // no blank line added after whole lines
  });

  it('process.exit(0) in the objective is said and is no success; a top-level await that never settles is named as the import it is', () => {
    const r = tuneOn('exits', 'export default ({ x }, { trialId }) => { if (trialId === 1) process.exit(0); return x; };\n');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error: the process was ended (exit code 0) before the run finished, by a call to process.exit() (in the objective?); ' +
      'the trials in flight stay pending in a journal and are retried on resume\n');
    // an error thrown while the module loads ends the process with Node's own report: no word of process.exit()
    const u = tuneOn('crash', "setTimeout(() => { throw new Error('escaped during import'); }, 0);\nawait new Promise((r) => setTimeout(r, 50));\nexport default ({ x }) => x;\n");
    expect(u.status).toBe(1);
    expect(u.stderr).toContain('escaped during import');
    expect(u.stderr).not.toContain('process.exit()');
    const t = tuneOn('tla', 'await new Promise(() => {});\nexport default ({ x }) => x;\n');
    expect(t.status).toBe(2);
    expect(t.stderr).toBe(`error: option --objective: cannot import ${join(dir, 'tla.mjs')}: its top-level code never settled (a top-level await on a promise nothing settles); no trial was run\n`);
  });

  it('a reader that closes the pipe early (| head) does not end the run: every trial is recorded, exit 0', async () => {
    const { child, stderr: err } = spawnTune('noisy', "export default ({ x }) => { for (let i = 0; i < 500; i++) console.log('noise ' + i + ' '.repeat(200)); return x; };\n");
    child.stdout.once('data', () => child.stdout.destroy()); // as head does after its first line
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(err()).not.toContain('EPIPE');
    expect(code).toBe(0);
    expect(ended('noisy')).toBe(3);
  }, 60_000);

  it('an interrupt (SIGINT under tsx, relayed as exit(130)) is no hang: code 130 and no such message', async () => {
    const { child, stderr: err } = spawnTune('slow', 'export default ({ x }) => new Promise((r) => setTimeout(() => r(x), 3000));\n');
    // interrupted once the first trial is asked (the journal holds its create-trial line)
    for (let i = 0; i < 300 && !(existsSync(join(dir, 'slow.jsonl')) && readFileSync(join(dir, 'slow.jsonl'), 'utf8').includes('"op_code":4')); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(err()).not.toContain('never settled');
    expect(err()).not.toContain('the process was ended');
    expect(code).toBe(130);
  }, 60_000);
});

/** `tune --objective NAME.mjs` (one float x in [0, 1], `body` its default export) under tsx in `dir`, journal NAME.jsonl; its stderr so far. */
function spawnTune(name: string, body: string): { child: ChildProcessWithoutNullStreams; stderr: () => string } {
  const mod = join(dir, `${name}.mjs`);
  writeFileSync(mod, `export const space = { x: { type: 'float', low: 0, high: 1 } };\n${body}`);
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [
    join(root, 'src/cli/main.ts'), 'tune', '--objective', mod, '--budget', '3', '--no-report', '--engine', 'cpu', '--quiet', '--journal', `${name}.jsonl`,
  ], { cwd: dir });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return { child, stderr: () => stderr };
}
