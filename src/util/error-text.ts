/**
 * The text recorded for a failure: an Error's message (its name when the
 * message is empty), a string as it is, an object with no text of its own
 * (String() gives '[object Object]': a plain object, a class instance) as its
 * JSON where that says something, anything else as String() gives it.
 * Never throws: an objective may throw a value with no string form
 * (`Object.create(null)`, a `toString` that throws), and that must still be a
 * failed trial, not a crash of the loop that records it.
 */
export function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  try {
    if (e instanceof Error) return e.message || e.name;
    const text = String(e);
    // an error class that is no Error (a WebGPU GPUValidationError: '[object GPUValidationError]') by its message
    if (/^\[object \w+\]$/.test(text) && text !== '[object Object]') {
      const m = (e as { message?: unknown }).message;
      if (typeof m === 'string' && m !== '') return m;
    }
    // a plain object ({ code: 7 }) by its JSON, which says something; '[object Object]' does not
    if (text === '[object Object]') {
      const json = JSON.stringify(e);
      if (json !== undefined && json !== '{}') return json;
    }
    return text;
  } catch {
    try {
      return Object.prototype.toString.call(e); // '[object Object]', '[object Symbol]'...
    } catch {
      return 'a value with no text (its every conversion threw)'; // a revoked Proxy
    }
  }
}
