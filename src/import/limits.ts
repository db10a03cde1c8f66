// Bounds of what an import takes from a feed.

/**
 * Years an import takes in a date. Outside them a pubDate is a generator's placeholder (.NET writes
 * year 1 for "no date"), and JavaScript dates read years below 100 as 19xx.
 */
export const YEARS = { min: 1900, max: 2999 } as const;
