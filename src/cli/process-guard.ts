/**
 * The command line's guards on the process around a user's objective
 * module: errors that escape the objective (thrown from a timer's callback,
 * a rejected promise nobody awaits) are said and counted instead of ending
 * the process with the study mid-run, and what the command is doing is
 * kept for main.ts's last words (an import that never settles is not a
 * trial that never settles).
 */
import { errorText } from '../util/error-text';

/** What the command is doing now, read by main.ts when the process ends before the run settled. */
export const runPhase: { importing: string | null } = { importing: null };

/**
 * Runs `fn` with the errors that escape it said on `write` (one line each)
 * instead of ending the process: Node ends it on an uncaught exception or
 * an unhandled rejection, and with it a study whose trials would all have
 * finished. Resolves to `fn`'s value and how many escaped.
 */
export async function withEscapedErrors<T>(write: (line: string) => void, fn: () => Promise<T>): Promise<{ value: T; escaped: number }> {
  let escaped = 0;
  const said = (e: unknown): void => {
    escaped++;
    write(`warning: an error escaped the objective (thrown from a callback, or a promise nobody awaited): ${errorText(e)}; the run goes on`);
  };
  process.on('uncaughtException', said);
  process.on('unhandledRejection', said);
  try {
    return { value: await fn(), escaped };
  } finally {
    process.off('uncaughtException', said);
    process.off('unhandledRejection', said);
  }
}

/**
 * Watches what is written to `stream` (the objective's own output on
 * stdout, a partial line among it) until `restore()`: `ended()` says
 * whether the last byte written was a newline, so the table printed next
 * can start on a line of its own (a header joined "partial no newline").
 */
export function watchLineEnd(stream: { write: (...args: never[]) => boolean }): { ended: () => boolean; restore: () => void } {
  const original = stream.write;
  let last = 10;
  const write = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && chunk.length > 0) last = chunk.charCodeAt(chunk.length - 1);
    else if (chunk instanceof Uint8Array && chunk.length > 0) last = chunk[chunk.length - 1];
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  };
  stream.write = write as typeof stream.write;
  return { ended: () => last === 10, restore: () => void (stream.write = original) };
}
