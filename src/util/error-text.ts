/**
 * The text recorded for a failure: an Error's message (its name when the
 * message is empty), a string as it is, anything else as String() gives it.
 * Never throws: an objective may throw a value with no string form
 * (`Object.create(null)`, a `toString` that throws), and that must still be a
 * failed trial, not a crash of the loop that records it.
 */
export function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  try {
    if (e instanceof Error) return e.message || e.name;
    return String(e);
  } catch {
    return Object.prototype.toString.call(e); // '[object Object]', '[object Symbol]'...
  }
}
