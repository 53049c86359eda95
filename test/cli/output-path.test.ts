/** writeOutput (src/cli/output-path.ts): only a failure to write the file is blamed on the output option. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/cli/output-path';
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
