/**
 * `maximize({ progress: true })`: the command line's progress bar (see
 * ../util/progress) on stderr, one step per finished trial. Node only:
 * cli-progress is loaded lazily, so browsers and Deno load nothing and see
 * nothing.
 */
import type { Trial } from '../study/types';
import { formatValue } from '../util/format-value';
import { createProgress, type CliProgressModule, type Progress } from '../util/progress';

/** Node (and runtimes that pass for it), not Deno or a browser. */
function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string }; stderr?: unknown }; Deno?: unknown };
  return g.Deno === undefined && typeof g.process?.versions?.node === 'string' && g.process.stderr !== undefined;
}

/** The progress of one maximize call. */
export interface RunProgress {
  /** a trial starts running */
  started(t: Trial): void;
  /** a trial finished (recorded); `best` is the study's best value now */
  finished(t: Trial, best: number | null): void;
  /** a log line, kept visible above the bar */
  note(line: string): void;
  stop(): void;
}

/**
 * A progress bar for `total` trials on stderr (lines when stderr is not a
 * terminal), labelled as the command line's `tune`; null outside Node.
 */
export async function openRunProgress(total: number): Promise<RunProgress | null> {
  if (!isNode()) return null;
  const mod = (await import('cli-progress')) as { default?: unknown };
  const bar: Progress = createProgress('auto', process.stderr, (mod.default ?? mod) as CliProgressModule);
  bar.start(total);
  return {
    started: (t) => bar.status(`trial ${t.id}`),
    finished: (t, best) => bar.advance(`trial ${t.id}: ${outcome(t)} (best ${best === null ? '-' : formatValue(best)})`),
    note: (line) => bar.note(line),
    stop: () => bar.stop(),
  };
}

function outcome(t: Trial): string {
  if (t.status === 'pruned') return `pruned${t.step !== undefined ? ` at step ${t.step}` : ''}`;
  return t.status === 'complete' && t.target !== null ? formatValue(t.target) : 'failed';
}

/** What {@link watchRun} needs from the optimizer running `maximize`. */
export interface RunHooks {
  /** draw the progress bar */
  progress: boolean;
  /** how many trials the run plans (the bar's length) */
  planned: () => number | Promise<number>;
  /** the study's best value now, for the bar */
  best: () => number | null;
  /** the user's `onTrial`, already bound to the optimizer */
  onTrial?: (t: Trial) => unknown;
  /** routes the default log above the bar while it is drawn (null: back to the console) */
  setNote: (note: ((line: string) => void) | null) => void;
}

/**
 * Runs one `maximize` body with its progress bar and `onTrial` wired in:
 * `run` gets the per-trial callback (undefined when nobody listens) and the
 * "trial started" hook. The bar is stopped and the log restored however the
 * run ends.
 */
export async function watchRun(
  hooks: RunHooks,
  run: (onTrial: ((t: Trial) => Promise<void>) | undefined, started: ((t: Trial) => void) | undefined) => Promise<void>,
): Promise<void> {
  const bar = hooks.progress ? await openRunProgress(await hooks.planned()) : null;
  const user = hooks.onTrial;
  const onTrial = !bar && !user ? undefined : async (t: Trial) => {
    bar?.finished(t, hooks.best());
    await user?.(t);
  };
  hooks.setNote(bar ? (line) => bar.note(line) : null);
  try {
    await run(onTrial, bar ? (t) => bar.started(t) : undefined);
  } finally {
    hooks.setNote(null);
    bar?.stop();
  }
}
