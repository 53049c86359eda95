/**
 * Progress on long work: a cli-progress bar on an interactive terminal, one
 * plain line per finished step otherwise (logs, CI), or nothing. Shared by
 * the command line and `maximize({ progress: true })`. The cli-progress
 * module is passed in (the command line imports it; the library loads it
 * lazily, in Node only), so this file loads nothing itself.
 */

/**
 * The part of the cli-progress module (its default export) used here,
 * written out so that no declaration file needs its types.
 */
export interface CliProgressModule {
  MultiBar: new (options: object, preset?: object) => {
    create(total: number, start: number, payload: object): {
      update(payload: object): void; increment(n: number, payload: object): void; setTotal(total: number): void;
    };
    log(line: string): void;
    /** redraws now, printing the lines `log` queued */
    update(): void;
    stop(): void;
  };
  Presets: { shades_classic: object };
}

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  /** begins counting `total` steps */
  start(total: number): void;
  /** what is running now (shown on the bar; plain lines skip it) */
  status(label: string): void;
  /** one step done */
  advance(label: string): void;
  /** a notice that must stay visible (printed above the bar) */
  note(line: string): void;
  /** ends the bar; idempotent */
  stop(): void;
}

export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * A progress reporter writing to `stream` (default stderr). 'auto' draws a bar
 * when the stream is a terminal and prints lines otherwise.
 */
export function createProgress(mode: ProgressMode, stream: Stream, bars: CliProgressModule): Progress {
  const chosen = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (chosen === 'none') return { start() {}, status() {}, advance() {}, note() {}, stop() {} };
  if (chosen === 'lines') return lineProgress(stream);
  return barProgress(stream, bars);
}

function lineProgress(stream: Stream): Progress {
  let done = 0;
  let total = 0;
  const t0 = Date.now();
  return {
    start(n) {
      total = n;
      done = 0;
    },
    status() {},
    advance(label) {
      done++;
      // more steps than planned (trials enqueued while the run went on): the count grows, never reads 5/4
      if (done > total) total = done;
      const width = String(total).length;
      stream.write(`[${String(done).padStart(width)}/${total}] ${label} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
    },
    note(line) {
      stream.write(line + '\n');
    },
    stop() {},
  };
}

function barProgress(stream: Stream, cliProgress: CliProgressModule): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: ' {bar} {value}/{total} | {label} | {duration_formatted}, ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
      fps: 4,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: ReturnType<typeof multi.create> | null = null;
  let stopped = false;
  let done = 0;
  let total = 0;
  // The bar hides the cursor and turns line wrap off until it stops: a process ended before (an objective's
  // process.exit(), Ctrl-C, a kill) left the terminal so. It stops on exit, and on SIGINT / SIGTERM, raised
  // again once it has stopped (where no other listener takes them), so the process ends by the signal as before.
  const proc = (globalThis as unknown as { process?: SignalTarget }).process;
  const onExit = (): void => stop();
  const onSignal = (sig: 'SIGINT' | 'SIGTERM'): void => {
    stop();
    try {
      if (proc && proc.listenerCount(sig) === 0) proc.kill(proc.pid, sig);
    } catch {
      proc?.exit?.(sig === 'SIGINT' ? 130 : 143); // a runtime that lets no process signal itself: the shell's codes
    }
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    proc?.off('exit', onExit).off('SIGINT', onSignal).off('SIGTERM', onSignal);
    multi.stop();
  };
  return {
    start(n) {
      total = n;
      done = 0;
      bar = multi.create(n, 0, { label: 'starting' });
      proc?.on?.('exit', onExit).on('SIGINT', onSignal).on('SIGTERM', onSignal);
    },
    status(label) {
      bar?.update({ label });
    },
    advance(label) {
      done++;
      if (done > total) bar?.setTotal((total = done)); // see lineProgress
      bar?.increment(1, { label });
    },
    note(line) {
      if (bar === null || stopped) {
        stream.write(line + '\n');
        return;
      }
      // drawn now: `log` only queues the line for the next redraw (4 a second), and stop() drops the
      // queue, so the last rows of a run (a verbose table's footer, a warning) never appeared
      multi.log(line + '\n');
      multi.update();
    },
    stop,
  };
}

/** The part of Node's `process` a bar listens on (absent in a browser). */
interface SignalTarget {
  pid: number;
  on(event: string, fn: (...args: never[]) => void): SignalTarget;
  off(event: string, fn: (...args: never[]) => void): SignalTarget;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): void;
  exit?(code: number): void;
}
