/**
 * What a report takes from its host beyond the page itself: Chart.js's source
 * text from `node_modules`, the file system for writes, the working directory
 * for paths. Reached through `process.getBuiltinModule` (Node 20.16 and
 * later, Deno) or dynamic imports, never by a static `node:` import, so that
 * `webgpu-bayesopt/report` loads in a browser too: there a page renders from
 * the Chart.js text its caller passes (`{ chartJs }`), and nothing is written.
 *
 * @example
 * ```ts
 * await loadChartJs();                        // Node or Deno: read once, from node_modules
 * const html = renderStudyReport(study);      // then any render takes it
 * // a browser: renderStudyReport(study, { chartJs: await (await fetch('/chart.umd.js')).text() })
 * ```
 */
import { InvalidOptionError, StorageError } from '../errors';

type Fs = typeof import('node:fs');
type Path = typeof import('node:path');
/** the part of `node:module` used here (its typings are the Module class) */
type ModuleApi = { createRequire(from: string): { resolve(id: string): string } };

/** A Node built-in module read synchronously, or null where the runtime has none (a browser, Node before 20.16). */
function builtin<T>(id: string): T | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return typeof proc?.getBuiltinModule === 'function' ? (proc.getBuiltinModule(id) as T) : null;
}

let chartJs: string | null = null;

/** Where Chart.js's UMD build sits: the package's exports map hides dist/chart.umd.js, next to the CommonJS entry. */
function chartUmdPath(mod: ModuleApi, path: Path): string {
  return path.join(path.dirname(mod.createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
}

/**
 * Reads the text of Chart.js's UMD build from the installed `chart.js`
 * package, once (the writes call it; a render after it needs no `chartJs`).
 * Works in Node and Deno.
 */
export async function loadChartJs(): Promise<string> {
  if (chartJs === null) {
    const [mod, path, fs] = await Promise.all([import('node:module'), import('node:path'), import('node:fs/promises')]);
    chartJs = await fs.readFile(chartUmdPath(mod, path), 'utf8');
  }
  return chartJs;
}

/**
 * The text of Chart.js's UMD build, inlined into every report: `given` when
 * the caller passed it, else the installed package's (read once).
 * @throws InvalidOptionError (`chartJs`) where it was not given and cannot be
 *   read: a browser, or Node before 20.16 without an earlier {@link loadChartJs}
 */
export function chartJsSource(given?: unknown): string {
  if (given !== undefined) {
    if (typeof given !== 'string' || given === '') {
      throw new InvalidOptionError(`chartJs: expected the text of Chart.js's UMD build (a non-empty string), got ${typeof given === 'string' ? '""' : typeof given}`, 'chartJs');
    }
    return given;
  }
  if (chartJs === null) {
    const [mod, path, fs] = [builtin<ModuleApi>('node:module'), builtin<Path>('node:path'), builtin<Fs>('node:fs')];
    if (!mod || !path || !fs) {
      throw new InvalidOptionError('chartJs: this runtime cannot read Chart.js from node_modules; pass the text of ' +
        "chart.js/dist/chart.umd.js as { chartJs } (or await loadChartJs() first, in Node or Deno)", 'chartJs');
    }
    chartJs = fs.readFileSync(chartUmdPath(mod, path), 'utf8');
  }
  return chartJs;
}

/** The last part of a path, `/` or `\` separated. */
export function fileName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}

/** A data path as shown in the report: relative to the working directory when under it, else its file name (no absolute paths). */
export function displayPath(source: string): string {
  const path = builtin<Path>('node:path');
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd;
  if (!path || typeof cwd !== 'function') return /^([\\/]|[A-Za-z]:)/.test(source) ? fileName(source) : source;
  if (!path.isAbsolute(source)) return source;
  const rel = path.relative(cwd(), source);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(source);
}

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
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const [fs, p] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const target = await linkTarget(fs, p, path);
  const st = target === null ? null : await fs.stat(target).catch(() => null);
  const inPlace = async () => {
    await fs.mkdir(p.dirname(path), { recursive: true });
    await fs.writeFile(path, text, 'utf8');
  };
  // a temporary name over NAME_MAX (255 bytes), or something a rename must not replace
  if (target === null || new TextEncoder().encode(p.basename(target)).length > 200 || (st && (!st.isFile() || st.nlink > 1))) return inPlace();
  if (st) await fs.access(target, fs.constants.W_OK); // a read-only report stays refused, not replaced
  await fs.mkdir(p.dirname(target), { recursive: true });
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const tmp = p.join(p.dirname(target), `.${p.basename(target)}.${pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  try {
    await fs.writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    if (st) await fs.chmod(tmp, st.mode & 0o7777);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
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
 * Writes a report's text (its HTML, a CSV) to `path`, creating its parent
 * folders, whole or not at all (see writeFileAtomically).
 * @throws StorageError `report: cannot write "<path>" (EISDIR: it is a folder)` where the file system refuses
 */
export async function writeTextFile(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(path, text);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = typeof code === 'string' ? `${code}${WHY[code] ? `: ${WHY[code]}` : ''}` : (err as Error).message;
    throw new StorageError(`report: cannot write ${JSON.stringify(path)} (${why})`, { cause: err });
  }
}
