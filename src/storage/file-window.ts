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
import type * as Fs from 'node:fs';
import type { TextWindow } from './types';

/** Bytes compared before the mark before trusting it. */
const CHECK_BYTES = 256;

/** Bytes that a window is read from: a file's, or a browser file's (OPFS). */
export interface ByteSource {
  size: number;
  /** what tells this file from another put in its place ('' where nothing does: the check of the bytes before the mark then decides) */
  id: string;
  /** bytes from..to-1 (fewer when the file was cut meanwhile) */
  read(from: number, to: number): Promise<Uint8Array>;
}

/** Where a reader of a journal file stands: complete lines up to `bytes` (`chars` characters of text). */
interface FileMark {
  id: string;
  bytes: number;
  chars: number;
  /** the last bytes before `bytes` (up to CHECK_BYTES) */
  tail: Uint8Array;
}

function isFileMark(m: unknown): m is FileMark {
  return typeof m === 'object' && m !== null && (m as FileMark).tail instanceof Uint8Array;
}

/**
 * The text of the journal file `src` from `after`'s mark on (from its start
 * when the mark is null or no longer holds), with the mark of its last
 * complete line for the next read.
 */
export async function readByteWindow(src: ByteSource, after: unknown): Promise<TextWindow> {
  let m = isFileMark(after) ? after : null;
  const reread = m !== null && !(m.id === src.id && src.size >= m.bytes && (await holds(src, m)));
  if (reread) m = null;
  const from = m ? m.bytes : 0;
  const added = await src.read(from, src.size);
  // a BOM stays in the text, as fs.readFile keeps it; the line folder skips it
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(added);
  const whole = added.lastIndexOf(0x0a) + 1; // complete lines end there
  const wholeChars = whole === added.length ? text.length : text.lastIndexOf('\n') + 1;
  const tail = whole >= CHECK_BYTES || !m ? added.slice(Math.max(0, whole - CHECK_BYTES), whole) : joinTail(m.tail, added.subarray(0, whole));
  const start = m ? m.chars : 0;
  return { text, start, reread, mark: { id: src.id, bytes: from + whole, chars: start + wholeChars, tail } satisfies FileMark };
}

/** A window of the Node file open as `fd` (see readByteWindow); its device and inode tell it from another. */
export function readFileWindow(fs: typeof Fs, fd: number, after: unknown): Promise<TextWindow> {
  const st = regularFile(fs, fd);
  return readByteWindow({ size: Number(st.size), id: `${st.dev}:${st.ino}`, read: async (from, to) => readBytes(fs, fd, from, to) }, after);
}

/**
 * The stat of the regular file open as `fd`; an Error for anything else: a
 * FIFO or a device in a journal's place, whose read or write (synchronous
 * calls, see ./file-backend) could hold the whole process for good.
 */
export function regularFile(fs: typeof Fs, fd: number): Fs.Stats {
  const st = fs.fstatSync(fd);
  if (!st.isFile()) throw new Error(`not a regular file (${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a device or socket'})`);
  return st;
}

/** Bytes from..to-1 of the file open as `fd` (fewer when it was cut meanwhile). */
export function readBytes(fs: typeof Fs, fd: number, from: number, to: number): Uint8Array {
  const buf = new Uint8Array(Math.max(0, to - from));
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, from + got);
    if (n === 0) break; // cut meanwhile: what was read is the text
    got += n;
  }
  return buf.subarray(0, got);
}

/** Writes all of `bytes` to `fd` (a write may take part of them). */
export function writeAll(fs: typeof Fs, fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

/** Closes `fd`; a failure to close a file already read or written is not the caller's error. */
export function closeQuietly(fs: typeof Fs, fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // the descriptor is released whatever close answers
  }
}

/** Whether the file still holds the mark's last bytes where they were. */
async function holds(src: ByteSource, m: FileMark): Promise<boolean> {
  const buf = await src.read(m.bytes - m.tail.length, m.bytes);
  return buf.length === m.tail.length && buf.every((b, i) => b === m.tail[i]);
}

/** The last CHECK_BYTES of `a` followed by `b`. */
function joinTail(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.slice(Math.max(0, out.length - CHECK_BYTES));
}
