// V8 keeps a substring of 13 characters or more as a view into its parent: a title read from front
// matter kept its whole episode file alive as long as the episode lived (~6 KB an episode, 60 MB at
// 10,000). Values that outlive the text they were read from get copies of their own.

/** `value` with every string in it (through arrays and plain objects) copied out of its parent text. */
export function ownStrings<T>(value: T): T {
  if (typeof value === 'string') return (value.length < 13 ? value : JSON.parse(JSON.stringify(value))) as T;
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
