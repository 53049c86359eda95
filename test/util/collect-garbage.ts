/** Garbage collection on demand for tests of what happens when an object is collected (FinalizationRegistry). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until `done()` or 20 rounds; finalizers run in later tasks. */
export async function collect(done: () => boolean): Promise<void> {
  for (let i = 0; i < 20 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
}
