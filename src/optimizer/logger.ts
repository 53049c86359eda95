/**
 * The optimizers' progress table (TableLogger) and the 9-character cells it
 * is made of.
 */
import type { Params } from '../space/types';
import { terminalText } from '../util/terminal-text';

const CELL = 9;
const MAGENTA = '\x1b[35m';
const RESET = '\x1b[39m';

/**
 * Fits a number into one cell, rounded (not cut) to as many digits as fit:
 * fixed notation below 1e7, exponential from there and where fixed digits
 * would lose the number (123456.789 is 123456.79; -9999999.99 is -10000000,
 * where cutting left "-9999999."; 1.23456e-8 is 1.235e-8, not 0).
 */
export function formatNumber(x: number): string {
  const plain = Math.abs(x) >= 1e7 ? x.toExponential(5) : String(x);
  if (plain.length <= CELL) return plain.padEnd(CELL);
  if (Math.abs(x) < 1e7) {
    const whole = String(Math.trunc(Math.abs(x))).length + (x < 0 ? 1 : 0);
    for (let d = Math.max(0, CELL - whole - 1); d >= 0; d--) {
      const s = x.toFixed(d);
      // a small number fixed to the cell's digits lost them (1.23e-8 read 0): exponential below
      if (s.length <= CELL && Math.abs(Number(s) - x) <= 1e-3 * Math.abs(x)) return trimZeros(s).padEnd(CELL);
      if (s.length <= CELL) break;
    }
  }
  for (let k = 5; k >= 0; k--) {
    const s = x.toExponential(k);
    if (s.length <= CELL) return trimZeros(s).padEnd(CELL);
  }
  return x.toExponential(0).padEnd(CELL);
}

/**
 * "0.3000000" as "0.3", "1.0000e+8" as "1e+8": a rounding's trailing zeros
 * (and a point left bare) dropped, in the mantissa only (the exponent's 0 of
 * "1.235e+10" was dropped: 1.2345e10 read 1.235e+1).
 */
function trimZeros(s: string): string {
  const [mantissa, exponent] = s.split('e');
  const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return exponent === undefined ? m : `${m}e${exponent}`;
}

/**
 * Centres text in one cell, cutting long text with an ellipsis. Control and
 * formatting characters are escaped first (terminalText: a name holding a
 * newline split the header, one holding ESC coloured what followed), and a
 * cut never splits a surrogate pair or an escape.
 */
export function formatText(text: string): string {
  const chars = [...terminalText(text)];
  if (chars.length > CELL) return chars.slice(0, CELL - 3).join('') + '...';
  const left = Math.floor((CELL - chars.length) / 2);
  return ' '.repeat(left) + chars.join('') + ' '.repeat(CELL - chars.length - left);
}

function cell(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  return formatText(String(v)).trim().padEnd(CELL);
}

export interface TableLoggerOptions {
  verbose: number;
  names: readonly string[];
  /** where lines go; default console.log */
  write?: (line: string) => void;
  /**
   * ANSI colour for new bests, or a function asked at each row (the stream
   * the row goes to may change: a progress bar's on stderr) [stdout is a TTY
   * and NO_COLOR is not set]
   */
  color?: boolean | (() => boolean);
}

/**
 * bayes_opt-style progress table: a header, one row per step (verbose 2) or
 * per new best (verbose 1), new bests in magenta when colour is on.
 * @example
 * ```ts
 * const table = new TableLogger({ verbose: 2, names: ['x', 'y'], color: false });
 * table.step(0.5, { x: 1, y: 2 }, true); // header, rule, then | 1         | 0.5       | 1         | 2         |
 * table.end();                           // the closing rule
 * ```
 */
export class TableLogger {
  private readonly write: (line: string) => void;
  private readonly color: () => boolean;
  private width = 0;
  private steps = 0;
  private started = false;

  constructor(private readonly opts: TableLoggerOptions) {
    this.write = opts.write ?? ((l) => console.log(l));
    const c = opts.color ?? (() => colorFor(typeof process !== 'undefined' ? process.stdout : undefined));
    this.color = typeof c === 'function' ? c : () => c;
  }

  start(): void {
    if (!this.opts.verbose || this.started) return;
    this.started = true;
    const line = '| ' + ['iter', 'target', ...this.opts.names].map(formatText).join(' | ') + ' |';
    this.width = line.length;
    this.write(line);
    this.write('-'.repeat(this.width));
  }

  /** true when a step can print (verbose 1 or 2): a caller can skip counting `iter` otherwise */
  get printing(): boolean {
    return this.opts.verbose > 0;
  }

  /**
   * Logs one finished trial; `isNewBest` selects colour and, at verbose 1,
   * whether it prints. `iter` is its place among the study's finished trials
   * (1-based; the optimizers pass it, so a resumed or imported study numbers
   * its rows as one run does) [the count of steps logged so far]. `note`
   * follows the row, outside the table (`pruned@3`: the target is the value
   * the pruner stopped the trial at, not a finished training's)
   */
  step(target: number | null, params: Params, isNewBest: boolean, iter?: number, note?: string): void {
    this.steps++;
    if (!this.opts.verbose) return;
    if (this.opts.verbose < 2 && !isNewBest) return;
    this.start();
    const cells = [formatNumber(iter ?? this.steps), target === null ? cell('failed') : formatNumber(target)];
    for (const n of this.opts.names) cells.push(cell(params[n]));
    const body = cells.map((c) => (isNewBest && this.color() ? MAGENTA + c + RESET : c)).join(' | ');
    this.write('| ' + body + ' |' + (note ? ' ' + note : ''));
  }

  end(): void {
    if (this.opts.verbose && this.started) this.write('='.repeat(this.width));
    this.started = false;
  }
}

/**
 * Whether to colour what goes to `stream`: a terminal, unless the NO_COLOR
 * convention (no-color.org: set and not empty) asks for none.
 */
export function colorFor(stream: { isTTY?: boolean } | undefined): boolean {
  const env = typeof process !== 'undefined' ? process.env : undefined;
  return !!stream?.isTTY && !(env?.NO_COLOR !== undefined && env.NO_COLOR !== '');
}
