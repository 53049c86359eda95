/**
 * Loading a part of the package that needs an optional peer dependency
 * (TensorFlow.js for `webgpu-bayesopt/tfjs`, `/studies` and the built-in
 * studies of the command line). A default install leaves those packages out;
 * when one is missing, the caller gets a MissingDependencyError naming it and
 * the command that installs it, instead of Node's resolution error.
 */
import { MissingDependencyError } from '../errors';

/** The packages `webgpu-bayesopt/tfjs` and `/studies` need. */
export const TFJS_PACKAGES: readonly string[] = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'];

/** The package among `packages` that a module-not-found error is about, or null. */
export function missingPackage(err: unknown, packages: readonly string[]): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return null;
  if (e.code !== 'ERR_MODULE_NOT_FOUND' && e.code !== 'MODULE_NOT_FOUND' && !/Cannot find (package|module)/.test(String(e.message))) {
    return null;
  }
  const msg = String(e.message);
  return packages.find((p) => msg.includes(`'${p}'`) || msg.includes(`"${p}"`) || msg.includes(`'${p}/`) || msg.includes(`"${p}/`)) ?? null;
}

/**
 * Runs `load` (a dynamic import); if it fails because one of `packages` is
 * not installed, throws MissingDependencyError for `feature`.
 * @example
 * const { runCompare } = await loadWithPeers(() => import('./compare'), 'the taxi and digits studies', TFJS_PACKAGES);
 */
export async function loadWithPeers<T>(load: () => Promise<T>, feature: string, packages: readonly string[] = TFJS_PACKAGES): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const pkg = missingPackage(err, packages);
    if (pkg !== null) throw new MissingDependencyError(feature, pkg, packages, err);
    throw err;
  }
}
