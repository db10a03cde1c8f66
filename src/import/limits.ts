// Bounds of what an import takes from a feed, and how a feed's values appear in its messages.
import { describeValue } from '../model/fields.ts';

/**
 * Years an import takes in a date. Outside them a pubDate is a generator's placeholder (.NET writes
 * year 1 for "no date"), and JavaScript dates read years below 100 as 19xx.
 */
export const YEARS = { min: 1900, max: 2999 } as const;

/** A feed's value in a message: quoted and cut to a line's worth, however large the feed made it. */
export function quoted(value: string): string {
  return value.trim() === '' ? `"${value}"` : describeValue(value);
}
