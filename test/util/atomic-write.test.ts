/** Whole-file writes through a temporary name beside the target (src/util/atomic-write.ts). */
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
