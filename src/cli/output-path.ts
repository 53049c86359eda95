/**
 * Output files of the command line (`--json`, `--report`, `report --out`):
 * checked before a run, so a mistyped path costs a message instead of the
 * run's results, and written with an error that names the flag.
 *
 * @example
 * ```ts
 * checkOutputPath('json', 'runs/seed1.json'); // fine: runs/ is created on writing
 * checkOutputPath('json', '/tmp');           // InvalidOptionError: option "json": "/tmp" is a directory
 * ```
 */
import { accessSync, constants as fsConstants, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidOptionError, StorageError } from '../errors';
import { isRedisUrl } from '../storage/redis-url';
import { processStream } from '../util/atomic-write';

const stat = (p: string): Stats | null => {
  try {
    return statSync(p);
  } catch {
    return null;
  }
};

/** Why `path` cannot take an output file, or null. Missing folders are fine (writing creates them). */
export function outputPathProblem(path: string): string | null {
  if (path.trim() === '') return 'expected a file path, got ""';
  if (stat(path)?.isDirectory()) return `${JSON.stringify(path)} is a directory`;
  // a folder's name ("runs/"): writing it fails after the run (EISDIR) even where the folder is missing
  if (/[\\/]$/.test(path) || /(^|[\\/])\.{1,2}$/.test(path)) return `${JSON.stringify(path)} names a directory (a file name is needed)`;
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const s = stat(dir);
    if (s) return !s.isDirectory() ? `${JSON.stringify(dir)} is not a directory` : writeProblem(path);
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Why this process may not write `path` where the write lands (a read-only
 * folder failed the write after the run), or null: a file written in place
 * (a device such as /dev/stdout, a pipe, a file with other hard links) must
 * be writable itself, any other the folder its temporary file goes in (at
 * the end of its links). Only a refusal counts: an error that says nothing of
 * it (a runtime that may not ask, as Deno without --allow-sys) leaves the
 * write to say.
 */
function writeProblem(path: string): string | null {
  const target = landing(path);
  const st = stat(target);
  const inPlace = st !== null && (!st.isFile() || st.nlink > 1);
  let at = inPlace ? target : dirname(target);
  while (!inPlace && stat(at) === null && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, fsConstants.W_OK);
    return null;
  } catch (e) {
    const refused = ['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? '');
    return refused ? `${JSON.stringify(at)} is not writable` : null;
  }
}

/** @throws InvalidOptionError naming `option` when `path` (if given) cannot take an output file */
export function checkOutputPath(option: string, path: string | undefined): void {
  if (path === undefined) return;
  const problem = outputPathProblem(path);
  if (problem) throw new InvalidOptionError(`option "${option}": ${problem}`, option);
}

/** One file a command reads or writes, for {@link checkDistinctFiles}. */
export interface NamedFile {
  /** the option that names it ('' for a positional argument) */
  option: string;
  path: string | undefined;
  /** how a message names it: "the journal", "--out" */
  what: string;
}

/**
 * Where writing `p` lands: its symbolic links followed, a dangling one too
 * (writing through a link to a missing file creates its target, so a link to
 * the journal a run is about to create is that journal), and its folder's own
 * links resolved where the folder exists.
 */
function landing(p: string): string {
  let cur = resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(cur).isSymbolicLink()) break;
      link = readlinkSync(cur);
    } catch {
      break;
    }
    cur = resolve(dirname(cur), link);
  }
  try {
    return join(realpathSync(dirname(cur)), basename(cur));
  } catch {
    return cur;
  }
}

/**
 * True when `a` and `b` are one file: the same path once resolved and its
 * links followed (dangling ones too), or (both existing) the same device and
 * inode (a hard link, another spelling).
 */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b) || landing(a) === landing(b)) return true;
  const [sa, sb] = [stat(a), stat(b)];
  return sa !== null && sb !== null && sa.dev === sb.dev && sa.ino === sb.ino;
}

/**
 * Refuses two of `files` that are one file: an output written over the journal
 * it was made from (`report J --out J` replaced the journal by the page), or
 * one output over another (`--out X --csv X` kept only the CSV). redis:// URLs
 * are not files.
 * @throws InvalidOptionError naming the later file's option
 */
export function checkDistinctFiles(files: readonly NamedFile[]): void {
  const real = files.filter((f): f is NamedFile & { path: string } => f.path !== undefined && !isRedisUrl(f.path));
  for (let j = 1; j < real.length; j++) {
    for (let i = 0; i < j; i++) {
      if (!sameFile(real[i].path, real[j].path)) continue;
      const [first, later] = [real[i], real[j]];
      throw new InvalidOptionError(
        `option "${later.option}": ${JSON.stringify(later.path)} is the same file as ${first.what} (${JSON.stringify(first.path)}); it would be written over`,
        later.option,
      );
    }
  }
}

/**
 * @throws StorageError when `storage` (a journal to read: `report`,
 * `studies`) is a path with no file there; a read-only open would otherwise
 * read it as an empty journal and say only that it holds no study
 */
export function checkJournalExists(storage: string): void {
  if (isRedisUrl(storage)) return;
  const s = stat(storage);
  if (s === null) throw new StorageError(`journal ${JSON.stringify(storage)}: no such file`);
  if (s.isDirectory()) throw new StorageError(`journal ${JSON.stringify(storage)}: is a directory`);
}

/**
 * Runs `write`; a failure to write the file (a file-system error, with its
 * `code`) becomes a StorageError naming `option` and `path`. Anything else
 * (building what is written) is not the output path's fault and goes out as
 * it came.
 */
export async function writeOutput(option: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    // a file-system error, or the report writer's StorageError that carries one as its cause
    const fs = typeof (e as NodeJS.ErrnoException)?.code === 'string' ? e
      : e instanceof StorageError && typeof ((e as Error).cause as NodeJS.ErrnoException)?.code === 'string' ? (e as Error).cause : null;
    if (fs === null) throw e;
    throw new StorageError(`option "${option}": could not write ${JSON.stringify(path)}: ${(fs as Error)?.message ?? String(fs)}`);
  }
}

/**
 * Whether `path` names this process's standard output (see processStream):
 * a command whose output goes there says what it wrote on stderr, not
 * mixed into that output.
 */
export function isStdout(path: string | undefined): boolean {
  return processStream(path) === 'stdout';
}
