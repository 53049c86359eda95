/** A mistake in what the user typed: shown on the page, logged as a warning, not as an error. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
