/**
 * The library's error hierarchy. Every error a caller can provoke is a
 * `BayesOptError`; subclasses say which kind of mistake it was, and messages
 * are stable (tests assert them verbatim).
 *
 * Message style: `<subject>: <problem>`, where the subject names the
 * parameter or option, e.g. `parameter "lr": low (0.1) must not exceed high (0.01)`.
 */
export class BayesOptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A search-space definition is invalid (bad bounds, empty choices, ...). */
export class InvalidSpaceError extends BayesOptError {
  /** The parameter at fault, when one is. */
  readonly param: string | undefined;
  constructor(message: string, param?: string) {
    super(message);
    this.param = param;
  }
}

/** A point (params object) does not fit the space: missing, extra, out-of-range or mistyped values. */
export class InvalidPointError extends BayesOptError {
  readonly param: string | undefined;
  constructor(message: string, param?: string) {
    super(message);
    this.param = param;
  }
}

/** An option passed to a constructor or method is unknown or has a bad value. */
export class InvalidOptionError extends BayesOptError {
  readonly option: string;
  constructor(message: string, option: string) {
    super(message);
    this.option = option;
  }
}

/** A numerical failure that could not be recovered from (for example a covariance that stays non positive definite). */
export class NumericalError extends BayesOptError {}

/** The requested compute engine is unavailable, or the GPU device failed. */
export class EngineError extends BayesOptError {}

/**
 * A GPU error captured by an error scope ('validation', 'out-of-memory',
 * 'internal'), or a buffer beyond the device's limits; the engine goes on
 * on the CPU reference after one.
 */
export class GpuFailure extends EngineError {
  constructor(message: string, readonly filter: 'validation' | 'out-of-memory' | 'internal') {
    super(message);
  }
}

/** A method was called in a state that does not allow it (after dispose, concurrently, ...). */
export class StateError extends BayesOptError {}

/** A stored study (journal, imported state) could not be read. */
export class StorageError extends BayesOptError {}

/**
 * A feature needs an optional peer dependency that is not installed, e.g.
 * `webgpu-bayesopt/tfjs` without `@tensorflow/tfjs`. The message names the
 * package and the command that installs what the feature needs.
 */
export class MissingDependencyError extends BayesOptError {
  /** the package that is missing */
  readonly packageName: string;
  constructor(feature: string, packageName: string, needs: readonly string[] = [packageName], cause?: unknown) {
    super(`${feature} needs the optional peer dependency "${packageName}", which is not installed: npm install ${needs.join(' ')}`, { cause });
    this.packageName = packageName;
  }
}
