/** Reading a journal file in tests. */
import { readFileSync } from 'node:fs';

/** The journal's lines parsed; a line that is not JSON (torn by a kill, or garbage) becomes `{ torn: text }`. */
export function journalEvents(path: string): Record<string, any>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { torn: l };
      }
    });
}
