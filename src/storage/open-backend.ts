/** Picks the backend for a journal given by path: Redis for a redis:// URL, a file under Node (or Deno), OPFS/IndexedDB in a browser. */
import { BrowserJournalBackend } from './browser-backend';
import type { FileJournalOptions } from './file-backend';
import { isRedisUrl } from './redis-url';
import type { JournalBackend } from './types';

function hasNodeFs(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export async function openPathBackend(path: string, fileOpts?: FileJournalOptions): Promise<JournalBackend> {
  if (isRedisUrl(path)) {
    const { RedisJournalBackend } = await import('./redis-backend');
    return new RedisJournalBackend(path);
  }
  if (hasNodeFs()) {
    const { FileJournalBackend } = await import('./file-backend');
    return new FileJournalBackend(path, fileOpts);
  }
  return BrowserJournalBackend.open(path);
}
