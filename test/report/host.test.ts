/** writeTextFile (src/report/host.ts): a report or CSV is written whole or not at all. */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../src/errors';
import { writeTextFile } from '../../src/report/host';

const dir = mkdtempSync(join(tmpdir(), 'report-host-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeTextFile', () => {
  it('two writers of one path leave one text whole, never a mix (a plain write truncated and interleaved them)', async () => {
    const path = join(dir, 'r.html');
    const big = 'a'.repeat(3 << 20);
    const small = 'b'.repeat(100_000);
    for (let round = 0; round < 10; round++) {
      await Promise.all([writeTextFile(path, big), writeTextFile(path, small)]);
      const text = readFileSync(path, 'utf8');
      expect(text === big || text === small).toBe(true);
    }
    expect(readdirSync(dir)).toEqual(['r.html']); // no temporary file left
  });

  it('a write that fails leaves the earlier file as it was and no temporary file', async () => {
    const sub = join(dir, 'fails');
    mkdirSync(sub);
    const path = join(sub, 'r.html');
    writeFileSync(path, 'earlier');
    chmodSync(sub, 0o500); // the folder takes no new file (a root user is not refused: then the write lands whole)
    const refused = await writeTextFile(path, 'later').then(() => false, (e: unknown) => e instanceof StorageError);
    chmodSync(sub, 0o700);
    expect(readFileSync(path, 'utf8')).toBe(refused ? 'earlier' : 'later');
    expect(readdirSync(sub)).toEqual(['r.html']);
    // a folder in the file's place: refused, the folder untouched, nothing left beside it
    const folder = join(dir, 'folder.html');
    mkdirSync(folder);
    await expect(writeTextFile(folder, 'x')).rejects.toThrow(`report: cannot write ${JSON.stringify(folder)} (EISDIR: it is a folder)`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes through a symbolic link to its target, and keeps an existing file\'s permissions', async () => {
    const target = join(dir, 'target.csv');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    const link = join(dir, 'link.csv');
    symlinkSync(target, link);
    await writeTextFile(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    // a dangling link: the write creates its target
    const dangling = join(dir, 'dangling.csv');
    symlinkSync(join(dir, 'made', 'later.csv'), dangling);
    await writeTextFile(dangling, 'made');
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'made', 'later.csv'), 'utf8')).toBe('made');
  });

  it('writes in place what a rename must not replace: a pipe, a file with other hard links, a read-only file (refused)', async () => {
    // a named pipe with a reader: it gets the text and stays a pipe (a rename made it a plain file)
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (b: Buffer) => (got += b.toString()));
    const ended = new Promise((r) => reader.on('close', r));
    await writeTextFile(fifo, 'through the pipe');
    await Promise.race([ended, new Promise((r) => setTimeout(r, 5_000))]); // a replaced pipe leaves the reader waiting
    reader.kill();
    expect(got).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    // hard links: both names see the new text (a rename left the other name with the old one)
    const a = join(dir, 'hard-a.csv');
    const b = join(dir, 'hard-b.csv');
    writeFileSync(a, 'old');
    linkSync(a, b);
    await writeTextFile(a, 'new');
    expect([readFileSync(a, 'utf8'), readFileSync(b, 'utf8'), statSync(a).ino === statSync(b).ino]).toEqual(['new', 'new', true]);
    // a read-only report is refused as a plain write refuses it (a rename replaced it), except for root
    const ro = join(dir, 'read-only.html');
    writeFileSync(ro, 'kept');
    chmodSync(ro, 0o444);
    const root = process.getuid?.() === 0;
    const r = await writeTextFile(ro, 'replaced').then(() => 'written', (e: Error) => e.message);
    expect(r).toBe(root ? 'written' : `report: cannot write ${JSON.stringify(ro)} (EACCES: permission denied)`);
    expect(readFileSync(ro, 'utf8')).toBe(root ? 'replaced' : 'kept');
    // a chain of dangling links: the last target is created, the links stay links
    const [l1, l2, end] = [join(dir, 'l1.html'), join(dir, 'l2.html'), join(dir, 'end.html')];
    symlinkSync(l2, l1);
    symlinkSync(end, l2);
    await writeTextFile(l1, 'at the end');
    expect([lstatSync(l1).isSymbolicLink(), lstatSync(l2).isSymbolicLink(), readFileSync(end, 'utf8')]).toEqual([true, true, 'at the end']);
  }, 15_000);
});
