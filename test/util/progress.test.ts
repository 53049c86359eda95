/**
 * The progress bar gives the terminal back its cursor and line wrap however
 * the process ends: stop(), an exit before it (an objective's
 * process.exit()), or SIGINT / SIGTERM, which still end the process.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { describe, expect, it } from 'vitest';
import { createProgress, type CliProgressModule } from '../../src/util/progress';

const SHOW = '\x1b[?25h';
const HIDE = '\x1b[?25l';
const WRAP_ON = '\x1b[?7h';

function fakeTerminal() {
  let out = '';
  return { stream: { isTTY: true, write: (s: string) => ((out += s), true) }, text: () => out };
}

describe('the progress bar and the terminal', () => {
  it('listens for exit and the two signals only while it runs, and stop() restores the cursor and wrap', () => {
    const before = ['exit', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e));
    const term = fakeTerminal();
    const p = createProgress('bar', term.stream, cliProgress as unknown as CliProgressModule);
    p.start(3);
    p.advance('one');
    expect(['exit', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e))).toEqual(before.map((n) => n + 1));
    p.stop();
    p.stop(); // idempotent
    expect(['exit', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e))).toEqual(before);
    expect(term.text()).toContain(HIDE);
    expect(term.text().lastIndexOf(SHOW)).toBeGreaterThan(term.text().lastIndexOf(HIDE));
  });

  it('notes are drawn above the bar at once, the last ones before stop() too (they were queued and dropped)', () => {
    const term = fakeTerminal();
    const p = createProgress('bar', term.stream, cliProgress as unknown as CliProgressModule);
    p.start(2);
    p.note('| 1 | 0.5 |');
    expect(term.text()).toContain('| 1 | 0.5 |');
    p.advance('one');
    p.note('| 2 | 0.7 |');
    p.note('=====');
    p.stop();
    p.note('after the bar');
    const text = term.text();
    for (const line of ['| 2 | 0.7 |', '=====', 'after the bar']) expect(text).toContain(line);
    expect(text.indexOf('=====')).toBeLessThan(text.lastIndexOf(SHOW));
  });

  it('more steps than planned grow the total, on the bar and in lines (it read [5/4])', () => {
    const lines = { text: '', stream: { isTTY: false, write: (x: string) => ((lines.text += x), true) } };
    const p = createProgress('lines', lines.stream, cliProgress as unknown as CliProgressModule);
    p.start(1);
    p.advance('a');
    p.advance('b');
    expect(lines.text.split('\n').filter(Boolean).map((l) => l.slice(0, 9))).toEqual(['[1/1] a (', '[2/2] b (']);
    const term = fakeTerminal();
    const bar = createProgress('bar', term.stream, cliProgress as unknown as CliProgressModule);
    bar.start(1);
    bar.advance('a');
    bar.advance('b');
    bar.stop();
    expect(term.text()).toContain(' 2/2 ');
    expect(term.text()).not.toContain(' 2/1 ');
  });

  const script = (end: string) => `
import cliProgress from ${JSON.stringify(createRequire(import.meta.url).resolve('cli-progress'))};
import { createProgress } from ${JSON.stringify(resolve('src/util/progress.ts'))};
const p = createProgress('bar', { isTTY: true, write: (s) => process.stdout.write(s.replaceAll('\\x1b', 'ESC')) }, cliProgress);
p.start(5);
p.advance('one');
${end}
setTimeout(() => undefined, 10_000);
`;
  const run = (end: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'progress-'));
    try {
      const file = join(dir, 'bar.mts');
      writeFileSync(file, script(end));
      return spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: process.cwd(), encoding: 'utf8', timeout: 30_000 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const esc = (s: string) => s.replaceAll('\x1b', 'ESC');

  it('process.exit() before stop(): the cursor and wrap are restored, the exit code kept', () => {
    const r = run('process.exit(3);');
    expect(r.status).toBe(3);
    expect(r.stdout).toContain(esc(HIDE));
    expect(r.stdout).toContain(esc(SHOW));
    expect(r.stdout).toContain(esc(WRAP_ON));
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s: restored, and the process still ends by the signal', (sig) => {
    const r = run(`setTimeout(() => process.kill(process.pid, '${sig}'), 50);`);
    expect(r.signal).toBe(sig);
    expect(r.stdout).toContain(esc(SHOW));
    expect(r.stdout).toContain(esc(WRAP_ON));
  });
});
