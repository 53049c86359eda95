/** Whole-file writes through a temporary name beside the target (src/util/atomic-write.ts). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../src/util/atomic-write';
import { rejection } from '../optimizer/caught';

const dir = mkdtempSync(join(tmpdir(), 'atomic-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('replaces the file whole and leaves no temporary file behind', async () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('names the file asked for in its error, not the temporary name beside it', async () => {
    // a folder where no file can be created (procfs refuses new files, to root as well)
    const e = await rejection(writeFileAtomically('/proc/webgpu-bayesopt-test.csv', 'x'));
    expect(e.message).toContain('/proc/webgpu-bayesopt-test.csv');
    expect(e.message).not.toContain('.tmp');
  });
});

describe('writeFileAtomically to /dev/stdout', () => {
  // /dev/stdout on a pipe links to /proc/self/fd/1, whose link text ("pipe:[N]") names no file: the
  // write made a temporary file in /proc/self/fd and failed with ENOENT (`report --out /dev/stdout | wc`)
  const code = "import('./src/util/atomic-write.ts').then((m) => m.writeFileAtomically('/dev/stdout', 'whole text\\n'))";
  it.runIf(process.platform === 'linux')('writes in place when stdout is a pipe (a shell\'s |)', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx -e "${code}" | cat`], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'whole text\n', '']);
  });

  // stdout a file opened with >>: a new file was renamed over it, its earlier lines lost
  it.runIf(process.platform === 'linux')('appends to the file stdout is redirected to with >>, keeping its lines', () => {
    const out = join(dir, 'appended.txt');
    writeFileSync(out, 'previous\n');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" --import tsx -e "${code}" >> "${out}"`], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stderr, readFileSync(out, 'utf8')]).toEqual([0, '', 'previous\nwhole text\n']);
  });

  // a reader that stops early (| head) ends the write quietly, as shell tools do (it was an EPIPE error, exit 1)
  it.runIf(process.platform === 'linux')('ends quietly when the reader of the pipe stops early', () => {
    const big = "import('./src/util/atomic-write.ts').then((m) => m.writeFileAtomically('/dev/stdout', 'x'.repeat(1 << 22)))";
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx -e "${big}" | head -c 10`], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'xxxxxxxxxx', '']);
  });

  // a Node parent's 'pipe' is a socket, which /dev/stdout cannot open (ENXIO): the process's stdout takes it
  it.runIf(process.platform === 'linux')('writes to the process\'s stdout when that is a socket', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'whole text\n', '']);
  });
});
