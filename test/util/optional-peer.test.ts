import { describe, expect, it } from 'vitest';
import { BayesOptError, MissingDependencyError } from '../../src/errors';
import { loadWithPeers, missingPackage, TFJS_PACKAGES } from '../../src/util/optional-peer';

// Kept out of a literal so the bundler does not try to resolve it.
const absent = ['@tensorflow', 'tfjs-not-installed-here'].join('/');

describe('loadWithPeers', () => {
  it('turns a missing peer into a MissingDependencyError naming it and the install command', async () => {
    const err = await loadWithPeers(() => import(/* @vite-ignore */ absent), 'webgpu-bayesopt/tfjs', [absent, 'other-pkg'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingDependencyError);
    expect(err).toBeInstanceOf(BayesOptError);
    expect((err as MissingDependencyError).packageName).toBe(absent);
    expect((err as Error).message).toBe(
      `webgpu-bayesopt/tfjs needs the optional peer dependency "${absent}", which is not installed: npm install ${absent} other-pkg`);
  });

  it('passes other failures through unchanged', async () => {
    const boom = new Error('boom');
    await expect(loadWithPeers(() => Promise.reject(boom), 'x')).rejects.toBe(boom);
    // a missing module that is not one of the peers is not blamed on them
    const other = { code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package 'left-pad' imported from /x.js" };
    await expect(loadWithPeers(() => Promise.reject(other), 'x')).rejects.toBe(other);
    expect(await loadWithPeers(async () => 42, 'x')).toBe(42);
  });

  it('recognizes Node ESM and CommonJS messages', () => {
    expect(missingPackage({ code: 'ERR_MODULE_NOT_FOUND', message: "Cannot find package '@tensorflow/tfjs' imported from /a/b.js" }, TFJS_PACKAGES))
      .toBe('@tensorflow/tfjs');
    expect(missingPackage({ code: 'MODULE_NOT_FOUND', message: "Cannot find module '@tensorflow/tfjs-backend-wasm/dist/x'" }, TFJS_PACKAGES))
      .toBe('@tensorflow/tfjs-backend-wasm');
    expect(missingPackage(new Error('other'), TFJS_PACKAGES)).toBeNull();
    expect(missingPackage(null, TFJS_PACKAGES)).toBeNull();
  });
});
