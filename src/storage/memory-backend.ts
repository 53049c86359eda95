/**
 * A journal kept in a string: for tests, for studies that need no
 * persistence, and as the simplest reference of the backend contract.
 */
import { tornTailStart } from './line-checks';
import { Mutex } from './mutex';
import type { JournalBackend } from './types';

export class MemoryJournalBackend implements JournalBackend {
  readonly name: string;
  private content: string;
  private readonly mutex = new Mutex();

  /** @param initial journal text to start from [''] */
  constructor(initial = '', name = 'memory') {
    this.content = initial;
    this.name = name;
  }

  /** The journal text as stored. */
  get text(): string {
    return this.content;
  }

  async readAll(): Promise<string> {
    return this.content;
  }

  async append(lines: string): Promise<void> {
    // the JournalBackend contract: a torn tail is cut off, a whole last line closed
    const torn = tornTailStart(this.content);
    if (torn >= 0) this.content = this.content.slice(0, torn);
    else if (this.content.length > 0 && !this.content.endsWith('\n')) this.content += '\n';
    this.content += lines;
  }

  withLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }
}
