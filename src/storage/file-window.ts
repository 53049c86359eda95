/**
 * Reading a journal file that only grows without reading it whole each
 * time (JournalBackend.readWindow): a reader keeps a mark of how far it
 * has read whole lines (the file's identity, that byte offset, the
 * character offset of the text there, and the last bytes before it) and
 * reads and decodes only what follows. A refresh before every write read,
 * decoded and searched the whole file, so a trial cost time in proportion to
 * the study (43 ms a trial at 1,000 trials). '\n' never occurs inside a
 * UTF-8 sequence, so text cut after one decodes as the whole does. A mark
 * holds only while the file is the same file, no shorter, and still has the
 * marked bytes where they were; otherwise the file is read whole again.
 */
import type * as FsPromises from 'node:fs/promises';
import type { TextWindow } from './types';

/** Bytes compared before the mark before trusting it. */
const CHECK_BYTES = 256;

/** Where a reader of a journal file stands: complete lines up to `bytes` (`chars` characters of text). */
interface FileMark {
  dev: number;
  ino: number;
  bytes: number;
  chars: number;
  /** the last bytes before `bytes` (up to CHECK_BYTES) */
  tail: Uint8Array;
}

function isFileMark(m: unknown): m is FileMark {
  return typeof m === 'object' && m !== null && (m as FileMark).tail instanceof Uint8Array;
}

/**
 * The text of the open journal file `fh` from `after`'s mark on (from its
 * start when the mark is null or no longer holds), with the mark of its
 * last complete line for the next read.
 */
export async function readFileWindow(fh: FsPromises.FileHandle, after: unknown): Promise<TextWindow> {
  const st = await fh.stat();
  const [size, dev, ino] = [Number(st.size), Number(st.dev), Number(st.ino)];
  let m = isFileMark(after) ? after : null;
  if (m && !(m.dev === dev && m.ino === ino && size >= m.bytes && (await holds(fh, m)))) m = null;
  const from = m ? m.bytes : 0;
  const buf = new Uint8Array(size - from);
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) break; // cut meanwhile: what was read is the text
    got += bytesRead;
  }
  const added = buf.subarray(0, got);
  // a BOM stays in the text, as fs.readFile keeps it; the line folder skips it
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(added);
  const whole = added.lastIndexOf(0x0a) + 1; // complete lines end there
  const wholeChars = whole === added.length ? text.length : text.lastIndexOf('\n') + 1;
  const tail = whole >= CHECK_BYTES || !m ? added.slice(Math.max(0, whole - CHECK_BYTES), whole) : joinTail(m.tail, added.subarray(0, whole));
  const start = m ? m.chars : 0;
  return { text, start, mark: { dev, ino, bytes: from + whole, chars: start + wholeChars, tail } satisfies FileMark };
}

/** Whether the file still holds the mark's last bytes where they were. */
async function holds(fh: FsPromises.FileHandle, m: FileMark): Promise<boolean> {
  const buf = new Uint8Array(m.tail.length);
  const { bytesRead } = await fh.read(buf, 0, buf.length, m.bytes - m.tail.length);
  return bytesRead === buf.length && buf.every((b, i) => b === m.tail[i]);
}

/** The last CHECK_BYTES of `a` followed by `b`. */
function joinTail(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.slice(Math.max(0, out.length - CHECK_BYTES));
}
