/**
 * Keys that come from files (an Optuna study's parameter and attribute
 * names) may be any string, `__proto__` and `constructor` included. A plain
 * `obj[key] = v` with `__proto__` sets the prototype instead of a key, and
 * `obj[key]` of a missing `constructor` reads `Object`; these two do neither.
 */

/** Sets own enumerable property `key` of `obj` to `value`, whatever the key. */
export function setOwn<O extends object>(obj: O, key: string, value: O[keyof O]): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else (obj as Record<string, unknown>)[key] = value;
}

/** `obj[key]` when `obj` has it as an own property, else undefined. */
export function ownValue<O extends object>(obj: O | undefined, key: string): O[keyof O] | undefined {
  return obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key as keyof O] : undefined;
}
