/**
 * What a report takes from its host beyond the page itself: Chart.js's source
 * text from `node_modules`, the file system for writes, the working directory
 * for paths. Reached through `process.getBuiltinModule` (Node 20.16 and
 * later, Deno) or dynamic imports, never by a static `node:` import, so that
 * `webgpu-bayesopt/report` loads in a browser too: there a page renders from
 * the Chart.js text its caller passes (`{ chartJs }`), and nothing is written.
 */
import { InvalidOptionError } from '../errors';
import { writeFileWhole } from '../util/atomic-write';

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
 * Works in Node and Deno; a browser passes the text to the render instead.
 * @throws InvalidOptionError (`chartJs`) where it cannot be read (not installed, Deno without --allow-read)
 * @example
 * ```ts
 * await loadChartJs();                        // Node or Deno: read once, from node_modules
 * const html = renderStudyReport(study);      // then any render takes it
 * // a browser: renderStudyReport(study, { chartJs: await (await fetch('/chart.umd.js')).text() })
 * ```
 */
export async function loadChartJs(): Promise<string> {
  if (chartJs === null) {
    const [mod, path, fs] = await Promise.all([import('node:module'), import('node:path'), import('node:fs/promises')]);
    chartJs = await Promise.resolve().then(() => fs.readFile(chartUmdPath(mod, path), 'utf8')).catch((e: unknown) => {
      throw unreadableChartJs(e);
    });
  }
  return chartJs;
}

/** Chart.js could not be read from node_modules (not installed, or Deno without --allow-read): the option that gives it instead. */
function unreadableChartJs(e: unknown): InvalidOptionError {
  return new InvalidOptionError(`chartJs: cannot read Chart.js from node_modules (${e instanceof Error ? e.message : String(e)}); ` +
    'pass the text of chart.js/dist/chart.umd.js as { chartJs }', 'chartJs');
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
    try {
      chartJs = fs.readFileSync(chartUmdPath(mod, path), 'utf8');
    } catch (e) {
      throw unreadableChartJs(e);
    }
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

/**
 * Writes a report's text (its HTML, a CSV) to `path`, creating its parent
 * folders, whole or not at all (see writeFileAtomically).
 * @throws StorageError `report: cannot write "<path>" (EISDIR: it is a folder)` where the file system refuses
 */
export function writeTextFile(path: string, text: string): Promise<void> {
  return writeFileWhole(path, text, 'report');
}
