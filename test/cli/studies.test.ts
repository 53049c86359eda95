import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program';
import { Journal, listStudies } from '../../src/storage';
import { maybe, pythonOnJournal, useJournalPaths } from '../storage/optuna-peer';

const journalPath = useJournalPaths();

const dir = mkdtempSync(join(tmpdir(), 'cli-studies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { io: Parameters<typeof runCli>[1]; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } }, out: () => out, err: () => err };
}

it('`studies STORAGE` lists every study in a journal with its trials and best value', async () => {
  const path = join(dir, 'two.log');
  const a = await Journal.open(path, { studyName: 'mlp', direction: 'minimize' });
  await a.record({ lr: 0.1 }, { target: 0.5 });
  await a.record({ lr: 0.01 }, { target: 0.25 });
  await a.ask({ lr: 0.001 });
  await a.enqueue({ lr: 0.05 });
  await a.close();
  const b = await Journal.open(path, { studyName: 'cnn', direction: 'maximize' });
  await b.record({ units: 32 }, { target: 0.9 });
  await b.record({ units: 64 }, { error: 'out of memory' });
  const { trial } = await b.ask({ units: 16 });
  await b.report(trial.id, 1, 0.4);
  expect(await b.prune(trial.id, { target: 0.4, step: 1 })).toBe(true);
  await b.close();
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  expect(c.out().split('\n')).toEqual([
    'study  direction  trials  complete  pruned  failed  running  waiting  best',
    'mlp     minimize       4         2       0       0        1        1  0.25',
    'cnn     maximize       3         1       1       1        0        0   0.9',
    '',
  ]);
  // an empty journal holds no study; a path with no file is an error saying so
  writeFileSync(join(dir, 'empty.log'), '');
  const empty = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', join(dir, 'empty.log')], empty.io)).toBe(0);
  expect(empty.out()).toBe(`${join(dir, 'empty.log')}: no studies\n`);
  const none = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', join(dir, 'none.log')], none.io)).toBe(1);
  expect(none.err()).toBe(`error: journal ${JSON.stringify(join(dir, 'none.log'))}: no such file\n`);
});

it('`studies` lists the other studies beside one with several objectives, and refuses a file that is not a journal', async () => {
  const path = join(dir, 'multi.log');
  const a = await Journal.open(path, { studyName: 'single', direction: 'minimize' });
  await a.record({ lr: 0.1 }, { target: 0.5 });
  await a.close();
  writeFileSync(path, '{"op_code": 0, "worker_id": "w", "study_name": "multi", "directions": [1, 2]}\n', { flag: 'a' });
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  expect(c.out().split('\n')).toEqual([
    'study                             direction  trials  complete  pruned  failed  running  waiting  best',
    'single                             minimize       1         1       0       0        0        0   0.5',
    'multi   (several objectives: not supported)       -         -       -       -        -        -     -',
    '',
  ]);
  // text without its newline too: only text opening a JSON object can be a journal line cut short
  for (const content of ['hello world\n', 'hello world']) {
    const text = join(dir, 'text.txt');
    writeFileSync(text, content);
    for (const cmd of [['studies', text], ['report', text, '--out', join(dir, 'r.html')]]) {
      const t = capture();
      expect(await runCli(['node', 'webgpu-bayesopt', ...cmd], t.io)).toBe(1);
      expect(t.err()).toBe(`error: journal ${JSON.stringify(text)}: not a journal (1 line(s), none of them a journal line; line 1: invalid JSON); nothing was written to it\n`);
    }
  }
});

it('`studies` lists the others when the study with several objectives is the one named "default"', async () => {
  const path = join(dir, 'multi-default.log');
  writeFileSync(path, '{"op_code": 0, "worker_id": "w", "study_name": "default", "directions": [1, 2]}\n');
  const a = await Journal.open(path, { studyName: 'other', direction: 'minimize' });
  await a.record({ lr: 0.1 }, { target: 0.25 });
  await a.close();
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  expect(c.out().split('\n').map((l) => l.split(/ +/).slice(0, 3).join(' '))).toEqual([
    'study direction trials', 'default (several objectives:', 'other minimize 1', '',
  ]);
});

it('`studies` names a journal\'s damaged lines on stderr, once, as `report` does', async () => {
  const path = join(dir, 'damaged.log');
  for (const name of ['a', 'b']) {
    const j = await Journal.open(path, { studyName: name, direction: 'minimize' });
    await j.record({ lr: 0.1 }, { target: 0.5 });
    await j.close();
  }
  writeFileSync(path, 'garbage in the middle\n{"op_code": 4, "worker_id": "w", "study_id": "x"}\n', { flag: 'a' });
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  const lines = readFileSync(path, 'utf8').split('\n').length - 1;
  expect(c.err()).toBe(`journal: 2 damaged line(s) skipped (line ${lines - 1}: invalid JSON; line ${lines}: create trial: "study_id" must be an integer)\n`);
  expect(c.out().split('\n').slice(1, 3).map((l) => l.split(/\s+/)[0])).toEqual(['a', 'b']);
});

it('a journal whose only create-study line is damaged does not look empty in silence: `studies` and `report` name the damage', async () => {
  const path = join(dir, 'nohead.log');
  const j = await Journal.open(path, { direction: 'minimize' });
  await j.record({ lr: 0.1 }, { target: 0.5 });
  await j.close();
  const [, ...rest] = readFileSync(path, 'utf8').split('\n');
  writeFileSync(path, ['garbage', ...rest].join('\n'));
  const s = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], s.io)).toBe(0);
  expect(s.out()).toBe(`${path}: no studies\n`);
  expect(s.err()).toMatch(/^journal: \d+ damaged line\(s\) skipped \(line 1: invalid JSON; /);
  const r = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'report', path, '--out', join(dir, 'nohead.html')], r.io)).toBe(1);
  expect(r.err().startsWith(`error: journal ${JSON.stringify(path)}: no study named "default"; it holds no study; `)).toBe(true);
  expect(r.err()).toMatch(/; \d+ damaged line\(s\) skipped \(line 1: invalid JSON; /);
});

it('`studies` quotes a name with a tab or a newline, so it keeps to its row', async () => {
  const path = join(dir, 'odd.log');
  const a = await Journal.open(path, { studyName: 'a\tb\nc', direction: 'minimize' });
  await a.record({ lr: 0.1 }, { target: 0.5 });
  await a.close();
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  expect(c.out().split('\n')).toEqual([
    'study      direction  trials  complete  pruned  failed  running  waiting  best',
    '"a\\tb\\nc"   minimize       1         1       0       0        0        0   0.5',
    '',
  ]);
});

maybe('`studies` counts a point Optuna enqueued outside the space as waiting, and says so, until Optuna\'s worker takes it', async () => {
  // QA: enqueue_trial({"x": 5.0, "k": 1}) into a journal whose x is in [0, 1] was in no column, where Optuna sees it WAITING
  const path = journalPath();
  const j = await Journal.open(path, { space: { x: { type: 'float', low: 0, high: 1 }, k: { type: 'int', low: 1, high: 3 } }, direction: 'maximize' });
  await j.record({ x: 0.25, k: 1 }, { target: 0.5 });
  await j.record({ x: 0.75, k: 2 }, { target: 0.25 });
  await j.close();
  const states = (code: string) => pythonOnJournal(`study = optuna.load_study(study_name='default', storage=storage)
${code}
print(json.dumps([t.state.name for t in study.trials]))`, path).trim();
  expect(states("study.enqueue_trial({'x': 5.0, 'k': 1})\nstudy.enqueue_trial({'x': 0.5, 'k': 2})"))
    .toBe('["COMPLETE", "COMPLETE", "WAITING", "WAITING"]');
  const c = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], c.io)).toBe(0);
  expect(c.out().split('\n')).toEqual([
    'study    direction  trials  complete  pruned  failed  running  waiting  best',
    'default   maximize       4         2       0       0        0        2   0.5',
    "default: waiting trial 2 is outside the study's space: Optuna's workers may take it, this library's leave it waiting",
    '',
  ]);
  expect((await listStudies(path))[0]).toMatchObject({ trials: 4, waiting: 2, waitingOutside: [2] });
  // Optuna's ask takes the first waiting trial, the outside one: no longer waiting, no longer noted
  expect(states('study.ask()')).toBe('["COMPLETE", "COMPLETE", "RUNNING", "WAITING"]');
  const after = capture();
  expect(await runCli(['node', 'webgpu-bayesopt', 'studies', path], after.io)).toBe(0);
  expect(after.out().split('\n')[1].split(/ +/)[7]).toBe('1');
  expect(after.out()).not.toContain('outside');
  expect((await listStudies(path))[0].waitingOutside).toBeUndefined();
});
