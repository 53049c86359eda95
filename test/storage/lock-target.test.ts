/**
 * The journal lock's link names its holder in under 60 bytes (ext4 keeps
 * such a target in the inode, and removing the link then does not wait on
 * the file system's journal), and locks of the earlier long form and plain
 * lock files are still read.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournalBackend } from '../../src/storage/index';
import { journalHost } from '../../src/storage/file-backend';
import { hostTag, lockTarget, onHost, parseLock } from '../../src/storage/lock-target';
import { processNonce } from '../../src/storage/process-identity';
import { useTempDirs } from './temp-dirs';

const HOST = await journalHost();
const tmp = useTempDirs('lock-target-');

/** A pid that no process has: a child that has exited and been reaped. */
function deadPid(): number {
  return Number(spawnSync('/bin/sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
}

describe('lock targets', () => {
  it('are under 60 bytes at the longest pid, nonce and counter, and read back as written', () => {
    const info = { pid: 4_194_304, host: `${'h'.repeat(253)}/0123abcd-4026531836`, nonce: 'abcdef012345', token: 'abcdef012345-4294967295' };
    const target = lockTarget(info);
    expect(Buffer.byteLength(target)).toBeLessThan(60);
    expect(target).toBe(`#2:4194304:abcdef012345:4294967295:${hostTag(info.host)}`);
    expect(parseLock(target, true)).toEqual({ pid: 4_194_304, nonce: 'abcdef012345', token: 'abcdef012345-4294967295', host: hostTag(info.host), tagged: true });
  });

  it('read the earlier long form and plain lock files; anything else names no holder', () => {
    const info = { pid: 12, host: 'box/0123abcd-42', nonce: 'n1', token: 'n1-3', t: 5 };
    expect(parseLock(`/data/study.log#${encodeURIComponent(JSON.stringify(info))}`, true)).toEqual({ pid: 12, host: 'box/0123abcd-42', nonce: 'n1', token: 'n1-3', tagged: false });
    expect(parseLock(JSON.stringify(info), false)).toEqual({ pid: 12, host: 'box/0123abcd-42', nonce: 'n1', token: 'n1-3', tagged: false });
    for (const [text, link] of [['', false], ['{"pid":1', false], ['/data/study.log', true], ['#2:12:n1:3', true], ['#2:x:n1:3:0123abcd', true]] as const) {
      expect(parseLock(text, link)).toBeNull();
    }
  });

  it('compare hosts as their keys compare: the same key, or the same name where one lacks its boot and namespace', () => {
    const tagged = (host: string) => ({ pid: 1, nonce: 'n', token: 'n-1', host: hostTag(host), tagged: true });
    expect(onHost(tagged('box/0123abcd-42'), 'box/0123abcd-42')).toBe(true);
    expect(onHost(tagged('box/0123abcd-43'), 'box/0123abcd-42')).toBe(false); // another pid namespace (a container)
    expect(onHost(tagged('box'), 'box/0123abcd-42')).toBe(true); // a process that could not read /proc
    expect(onHost(tagged('box/0123abcd-42'), 'box')).toBe(true);
    expect(onHost(tagged('other'), 'box')).toBe(false);
  });
});

describe('the lock of a journal file', () => {
  it('is a link of the short form while held, and gone after', async () => {
    const path = join(tmp(), 'study.log');
    let seen = '';
    await new FileJournalBackend(path).withLock(async () => void (seen = readlinkSync(`${path}.lock`)));
    expect(Buffer.byteLength(seen)).toBeLessThan(60);
    expect(parseLock(seen, true)).toMatchObject({ pid: process.pid, nonce: processNonce(), host: hostTag(HOST), tagged: true });
    expect(lstatSync(`${path}.lock`, { throwIfNoEntry: false })).toBeUndefined();
  });

  it('of the short form, held by a process of this host that has exited, is taken over at once', async () => {
    const path = join(tmp(), 'study.log');
    const pid = deadPid();
    symlinkSync(lockTarget({ pid, host: HOST, nonce: 'aaaaaaaaaaaa', token: 'aaaaaaaaaaaa-1' }), `${path}.lock`);
    const t0 = performance.now();
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 5000, staleMs: 60_000 }).withLock(async () => 7)).toBe(7);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('of the short form, held by another host, is waited on and named so, then taken once seen unchanged for staleMs', async () => {
    const path = join(tmp(), 'study.log');
    symlinkSync(lockTarget({ pid: 1, host: 'elsewhere/0123abcd-42', nonce: 'n', token: 'n-1' }), `${path}.lock`);
    await expect(new FileJournalBackend(path, { lockTimeoutMs: 100, staleMs: 60_000 }).withLock(async () => 1)).rejects.toThrow(
      `journal lock "${path}.lock": held by pid 1 on another host; gave up after 100 ms`,
    );
    expect(await new FileJournalBackend(path, { lockTimeoutMs: 2000, staleMs: 200 }).withLock(async () => 2)).toBe(2);
  });
});
