// The bounds castwright's content must stay within, which an import meets by shortening (and
// saying so) rather than by writing a file the build would refuse.

/** Titles longer than this are refused by the build (Apple shows far less). */
export const MAX_TITLE_LENGTH = 255;

/** Years the build accepts in a date. */
export const YEARS = { min: 1900, max: 2999 } as const;

/** At most MAX_TITLE_LENGTH characters, cut at a word boundary and marked with an ellipsis. */
export function shortenTitle(title: string): string {
  if (title.length <= MAX_TITLE_LENGTH) return title;
  const cut = title.slice(0, MAX_TITLE_LENGTH - 1);
  return `${cut.replace(/\s+\S*$/, '') || cut}…`;
}
