import { InvalidOptionError } from '../errors';
import { show } from './format-value';

/**
 * Checks the name given to a backend switch (setLikelihoodBackend,
 * setBoundingBackend): any other string was kept, and read as 'auto'.
 * @throws InvalidOptionError naming `backend`
 */
export function checkBackendName(fn: string, b: unknown): void {
  if (b !== 'auto' && b !== 'wasm' && b !== 'js') {
    throw new InvalidOptionError(`${fn}: backend must be 'auto', 'wasm' or 'js', got ${show(b)}`, 'backend');
  }
}
