/**
 * Files written whole or not at all (reports, CSVs, records, data files):
 * into a temporary file beside the target, then renamed over it. Node only
 * (node:fs is imported when called).
 */
import { StorageError } from '../errors';

const WHY: Record<string, string> = {
  EISDIR: 'it is a folder', ENOTDIR: 'a part of its path is a file', EEXIST: 'a part of its path is a file',
  EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'a read-only file system', ENOSPC: 'no space left on the device',
};

/**
 * Writes `text` to `path` whole or not at all: into a temporary file beside
 * it, then renamed over it, so a failed write (a full disk) leaves the
 * earlier file as it was, not cut short, and two writers of one path leave
 * one's text, not a mix. Through symbolic links to their final target (a
 * dangling chain creates it), an existing file's permissions kept. Where a
 * rename would replace something other than one plain file, it writes in
 * place as before: a device or pipe (`/dev/stdout`, `/dev/null`), a file
 * with other hard links, a read-only file (refused, EACCES, as before), a
 * name too long for the temporary one, a chain of links too long (ELOOP).
 * Parent folders are created. Node only.
 */
export async function writeFileAtomically(path: string, text: string | Uint8Array): Promise<void> {
  const [fs, p] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  // a device, pipe or socket is written in place whatever the links to it read as: /dev/stdout on a pipe
  // links to /proc/self/fd/1, whose link text ("pipe:[N]") names no file, and a temporary file was
  // then made in /proc/self/fd (ENOENT) where `report --out /dev/stdout | less` was meant to work
  // the process's own streams too when they are files: `--csv /dev/stdout >> log.txt` renamed a new
  // file over log.txt (its earlier lines lost, the shell's later writes into the unlinked file)
  const direct = await fs.stat(path).catch(() => null);
  if (STREAMS[path] || (direct && !direct.isFile() && !direct.isDirectory())) return writeDevice(fs, path, text);
  const target = await linkTarget(fs, p, path);
  const st = target === null ? null : await fs.stat(target).catch(() => null);
  const inPlace = async () => {
    await fs.mkdir(p.dirname(path), { recursive: true });
    await fs.writeFile(path, text);
  };
  // a temporary name over NAME_MAX (255 bytes), or something a rename must not replace
  if (target === null || new TextEncoder().encode(p.basename(target)).length > 200 || (st && (!st.isFile() || st.nlink > 1))) return inPlace();
  // a read-only report stays refused, not replaced: opened for writing and closed (access(W_OK) asks Deno
  // for --allow-sys, and its refusal there escaped every catch)
  if (st) await (await fs.open(target, 'r+')).close();
  await fs.mkdir(p.dirname(target), { recursive: true });
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const tmp = p.join(p.dirname(target), `.${p.basename(target)}.${pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    await fs.writeFile(tmp, text, { flag: 'wx' });
    if (st) await fs.chmod(tmp, st.mode & 0o7777);
    await fs.rename(tmp, target);
  } catch (err) {
    // unlink, not rm: Deno asks --allow-read for rm's look at the file, and without it the temporary file stayed
    await fs.unlink(tmp).catch(() => undefined);
    // the message names the file asked for, not the temporary name beside it, which the caller never gave
    if (err instanceof Error) err.message = err.message.split(tmp).join(target);
    throw err;
  }
}

/** The process's own output streams by the names a shell gives them. */
const STREAMS: Readonly<Record<string, 'stdout' | 'stderr'>> = {
  '/dev/stdout': 'stdout', '/dev/fd/1': 'stdout', '/proc/self/fd/1': 'stdout',
  '/dev/stderr': 'stderr', '/dev/fd/2': 'stderr', '/proc/self/fd/2': 'stderr',
};

/**
 * Which of the process's own output streams `path` names (/dev/stdout,
 * /dev/fd/1, /proc/self/fd/1; stderr alike), if any.
 * @example processStream('/dev/fd/1') // 'stdout'
 */
export function processStream(path: string | undefined): 'stdout' | 'stderr' | undefined {
  return path === undefined ? undefined : STREAMS[path];
}

/**
 * Writes to a device, pipe or socket in place. /dev/stdout on a socket (the
 * stdout a Node parent process gives its child) cannot be opened (ENXIO): the
 * process's own stream takes the text then. A reader of the process's
 * stream that stops early (`| head`) ends the write quietly (EPIPE), as
 * shell tools do.
 */
async function writeDevice(fs: typeof import('node:fs/promises'), path: string, text: string | Uint8Array): Promise<void> {
  // appended, not truncated: a stream redirected with >> keeps what it held (and > truncated it already)
  const flag = STREAMS[path] ? 'a' : 'w';
  try {
    await fs.writeFile(path, text, { flag });
  } catch (err) {
    const stream = STREAMS[path];
    if (stream && (err as { code?: unknown }).code === 'EPIPE') return;
    type Writable = { write(t: string | Uint8Array, cb: (e?: Error | null) => void): void };
    const proc = (globalThis as unknown as { process?: Partial<Record<'stdout' | 'stderr', Writable>> }).process;
    const out = stream ? proc?.[stream] : undefined;
    if ((err as { code?: unknown }).code !== 'ENXIO' || !out) throw err;
    await new Promise<void>((resolve, reject) => out.write(text, (e) => (e && (e as { code?: unknown }).code !== 'EPIPE' ? reject(e) : resolve())));
  }
}

/**
 * Where writing `path` lands: its chain of symbolic links followed (to a
 * missing file: the one a write creates), or null past 40 links (a loop).
 */
async function linkTarget(
  fs: typeof import('node:fs/promises'), p: typeof import('node:path'), path: string,
): Promise<string | null> {
  let cur = p.resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    const l = await fs.lstat(cur).catch(() => null);
    if (l === null || !l.isSymbolicLink()) return cur;
    cur = p.resolve(p.dirname(cur), await fs.readlink(cur));
  }
  return null;
}

/**
 * Writes `data` to `path` as writeFileAtomically does, a failure a
 * StorageError naming `who` and the path.
 * @throws StorageError `report: cannot write "<path>" (EISDIR: it is a folder)` where the file system refuses
 */
export async function writeFileWhole(path: string, data: string | Uint8Array, who: string): Promise<void> {
  try {
    await writeFileAtomically(path, data);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = typeof code === 'string' ? `${code}${WHY[code] ? `: ${WHY[code]}` : ''}` : (err as Error).message;
    throw new StorageError(`${who}: cannot write ${JSON.stringify(path)} (${why})`, { cause: err });
  }
}
