/** Journal.close(): overlapping calls settle together; a close that failed fails once, later calls resolve. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors';
import { FileJournalBackend, Journal } from '../../src/storage';

const dir = mkdtempSync(join(tmpdir(), 'journal-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Journal.close()', () => {
  it('a backend whose close fails: the first call rejects with it, the overlapping and later ones resolve', async () => {
    const j = await Journal.open(join(dir, 'study.jsonl'), { space: { x: { type: 'float', low: 0, high: 1 } } });
    const failing = vi.spyOn(FileJournalBackend.prototype, 'close').mockRejectedValueOnce(new StorageError('disk gone'));
    try {
      const first = j.close().then(() => 'resolved', (e: Error) => e.message);
      const second = j.close().then(() => 'resolved', (e: Error) => e.message);
      expect(await first).toBe('disk gone');
      expect(await second).toBe('resolved');
      await expect(j.close()).resolves.toBeUndefined(); // it rejected again for every later call
      expect(failing).toHaveBeenCalledTimes(1);
    } finally {
      failing.mockRestore();
    }
  });
});
