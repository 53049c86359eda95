/**
 * writeOutput (src/cli/output-path.ts): only a failure to write the file is blamed on the output
 * option; and no output is written over the journal read or over another output.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/cli/output-path';
import { runCli } from '../../src/cli/program';
import { InvalidSpaceError, StorageError } from '../../src/errors';

const dir = mkdtempSync(join(tmpdir(), 'output-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeOutput', () => {
  it('writes, and a file-system failure is a StorageError naming the option and the path', async () => {
    const ok = join(dir, 'ok.html');
    await writeOutput('out', ok, () => writeFile(ok, 'x'));
    expect(readFileSync(ok, 'utf8')).toBe('x');
    const bad = join(dir, 'no-such-folder', 'r.html');
    const err = await writeOutput('out', bad, () => writeFile(bad, 'x')).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).toMatch(new RegExp(`^option "out": could not write ${JSON.stringify(bad).replace(/[\\[\]\\/.]/g, '\\$&')}: ENOENT`));
  });

  it('an error building the output is not blamed on the path: it goes out as it came', async () => {
    const cause = new InvalidSpaceError('parameter "kind": choices must be strings, numbers or booleans, got null', 'kind');
    const err = await writeOutput('out', join(dir, 'r.html'), async () => { throw cause; }).then(() => null, (e: unknown) => e);
    expect(err).toBe(cause);
  });
});

describe('an output that is the journal read, or another output', () => {
  const journal = join(dir, 'study.jsonl');
  const text = '{"op_code":0,"worker_id":"w","study_name":"default","directions":[2]}\n';
  writeFileSync(journal, text);
  symlinkSync(journal, join(dir, 'link.jsonl'));
  // dangling links: writing through them creates their targets
  symlinkSync('new.jsonl', join(dir, 'to-new.html'));
  symlinkSync(join(dir, 'later.html'), join(dir, 'to-later.html'));
  const cases: [string[], string][] = [
    [['report', journal, '--out', journal], `option --out: ${JSON.stringify(journal)} is the same file as the journal (${JSON.stringify(journal)}); it would be written over`],
    [['report', journal, '--out', join(dir, 'r.html'), '--csv', join(dir, '.', 'study.jsonl')], `option --csv: ${JSON.stringify(join(dir, 'study.jsonl'))} is the same file as the journal`],
    [['report', journal, '--out', join(dir, 'link.jsonl')], `option --out: ${JSON.stringify(join(dir, 'link.jsonl'))} is the same file as the journal`],
    [['report', journal, '--out', join(dir, 'x'), '--csv', join(dir, 'x')], `option --csv: ${JSON.stringify(join(dir, 'x'))} is the same file as --out`],
    [['report', journal, '--out', join(dir, 't.html'), '--title', ' '], "option --title: must not be empty (leave it out for the journal's name)"],
    [['tune', '--objective', join(dir, 'obj.mjs'), '--journal', journal, '--report', journal], `option --report: ${JSON.stringify(journal)} is the same file as --journal`],
    [['tune', '--objective', join(dir, 'obj.mjs'), '--journal', join(dir, 'new.jsonl'), '--report', join(dir, 'to-new.html')], `option --report: ${JSON.stringify(join(dir, 'to-new.html'))} is the same file as --journal`],
    [['report', journal, '--out', join(dir, 'to-later.html'), '--csv', join(dir, 'later.html')], `option --csv: ${JSON.stringify(join(dir, 'later.html'))} is the same file as --out`],
    [['compare', '--json', join(dir, 'y'), '--report', join(dir, 'y'), '--backend', 'cpu', '--engine', 'cpu', '--quiet'], `option --report: ${JSON.stringify(join(dir, 'y'))} is the same file as --json`],
    // inputs too: the objective's source and a study's data were replaced by the page or the record (exit 0)
    [['tune', '--objective', journal, '--report', journal], `option --report: ${JSON.stringify(journal)} is the same file as --objective`],
    [['tune', '--objective', journal, '--journal', join(dir, 'link.jsonl')], `option --journal: ${JSON.stringify(join(dir, 'link.jsonl'))} is the same file as --objective`],
    [['compare', '--data', journal, '--json', journal, '--backend', 'cpu', '--engine', 'cpu', '--quiet'], `option --json: ${JSON.stringify(journal)} is the same file as --data`],
    [['tune', '--study', 'taxi', '--data', journal, '--report', join(dir, 'link.jsonl'), '--backend', 'cpu', '--engine', 'cpu', '--quiet'], `option --report: ${JSON.stringify(join(dir, 'link.jsonl'))} is the same file as --data`],
  ];
  for (const [args, piece] of cases) {
    it(args.map((a) => (a.startsWith(dir) ? a.slice(dir.length + 1) : a)).join(' '), async () => {
      let out = '';
      let err = '';
      const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s), isTTY: false } };
      expect(await runCli(['node', 'webgpu-bayesopt', ...args], io)).toBe(2);
      expect(err).toContain(piece);
      expect(out).toBe('');
      expect(readFileSync(journal, 'utf8')).toBe(text);
    });
  }
});

describe('a report the file system refuses', () => {
  it('is an error naming --out (the report writer\'s own error carried no option)', async () => {
    const journal = join(dir, 'study2.jsonl');
    writeFileSync(journal, '{"op_code":0,"worker_id":"w","study_name":"default","directions":[2]}\n');
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s), isTTY: false } };
    // /proc takes no new file, whoever runs this (root too)
    expect(await runCli(['node', 'webgpu-bayesopt', 'report', journal, '--out', '/proc/no-report.html'], io)).toBe(1);
    expect(err).toMatch(/^error: option --out: could not write "\/proc\/no-report\.html": ENOENT/);
  });
});

describe('outputPathProblem and folders this process cannot write', () => {
  /** outputPathProblem of each path as a user who is not root sees it (root may write anywhere): spawned as nobody where this is root. */
  function asUser(paths: string[]): (string | null)[] {
    const code = `import { outputPathProblem } from ${JSON.stringify(join(process.cwd(), 'src/cli/output-path.ts'))};\n` +
      `console.log(JSON.stringify(${JSON.stringify(paths)}.map(outputPathProblem)));\n`;
    const script = join(dir, 'check.mts');
    writeFileSync(script, code);
    const root = process.getuid?.() === 0;
    const argv = root ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${tmpdir()}`] : ['env'];
    const r = spawnSync(argv[0], [...argv.slice(1), join(process.cwd(), 'node_modules/.bin/tsx'), script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as (string | null)[];
  }

  it('refuses a folder the user cannot write before the run, and takes /dev/stdout and a link into a writable folder (written where they land)', () => {
    const closed = join(dir, 'closed');
    const open = join(dir, 'open');
    mkdirSync(closed, { mode: 0o755 });
    mkdirSync(open, { mode: 0o777 });
    chmodSync(dir, 0o755);
    chmodSync(open, 0o777);
    // a link in the closed folder to a file of the open one: the write lands in the open folder
    symlinkSync(join(open, 'target.csv'), join(closed, 'link.csv'));
    expect(asUser([join(closed, 'x.csv'), '/dev/stdout', join(closed, 'link.csv'), join(open, 'x.csv')]))
      .toEqual([`${JSON.stringify(closed)} is not writable`, null, null, null]);
  });
});

describe('an output on standard output', () => {
  // `report --csv /dev/stdout | ...` failed (ENOENT: a temporary file in /proc/self/fd), and once written,
  // the line saying where the report went was read as the CSV's first row
  it.runIf(process.platform === 'linux')('report --csv /dev/stdout through a pipe: the CSV alone on stdout, the notes on stderr', () => {
    const journal = join(dir, 'piped.jsonl');
    const distribution = JSON.stringify({ name: 'FloatDistribution', attributes: { step: null, low: 0, high: 1, log: false } });
    writeFileSync(journal, [
      { op_code: 0, worker_id: 'w', study_name: 'default', directions: [2] },
      { op_code: 4, worker_id: 'w', study_id: 0, state: 1, value: 0.5, datetime_start: '2026-12-07T10:00:00.000000', datetime_complete: '2026-12-07T10:00:01.000000', params: { x: 0.25 }, distributions: { x: distribution } },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const html = join(dir, 'piped.html');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${tsx}" src/cli/main.ts report "${journal}" --out "${html}" --csv /dev/stdout | cat`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0].startsWith('number,value,datetime_start,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['0,0.5']);
    expect(r.stderr).toBe(`report: ${html} (1 trial)\ntrials: /dev/stdout\n`);
  });
});
