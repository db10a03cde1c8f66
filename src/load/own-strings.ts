// V8 keeps a substring of 13 characters or more as a view into its parent: a title read from front
// matter kept its whole episode file alive as long as the episode lived (~6 KB an episode, 60 MB at
// 10,000). Values that outlive the text they were read from get copies of their own.

// What JSON cannot hold as it is between quotes; any other text (lone surrogates too) reads back as written.
const NEEDS_ESCAPES = /["\\\u0000-\u001f]/;

/**
 * A copy of `text` of its own, one byte a character when it can be: JSON.parse makes its strings
 * from their characters, where a copy by concatenation would keep the parent's two bytes. Quoted
 * directly when nothing needs an escape (a third faster than stringify first).
 */
const copyOf = (text: string): string => JSON.parse(NEEDS_ESCAPES.test(text) ? JSON.stringify(text) : `"${text}"`) as string;

/** `value` with every string in it (through arrays and plain objects) copied out of its parent text. */
export function ownStrings<T>(value: T): T {
  if (typeof value === 'string') return (value.length < 13 ? value : copyOf(value)) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = ownStrings(value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = ownStrings(record[key]);
  }
  return value;
}
