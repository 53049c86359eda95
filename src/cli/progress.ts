/** The command line's progress (see ../util/progress), with cli-progress loaded. */
import cliProgress from 'cli-progress';
import { createProgress as create, type CliProgressModule, type Progress, type ProgressMode, type Stream } from '../util/progress';

export type { Progress, ProgressMode };

/**
 * A progress reporter writing to `stream` (default stderr). 'auto' draws a bar
 * when the stream is a terminal and prints lines otherwise.
 */
export function createProgress(mode: ProgressMode, stream: Stream = process.stderr): Progress {
  return create(mode, stream, cliProgress as unknown as CliProgressModule);
}
