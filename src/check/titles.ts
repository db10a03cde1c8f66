// When a title is "rewritten beyond recognition": a typo fixed, a word added or the words reordered
// keep it recognisable; a different sentence does not. Two measures, and either one is enough to
// recognise it: the share of characters kept in place (edit distance) and the share of words kept.
import { distance } from 'fastest-levenshtein';

/** Titles are compared on at most this many characters: enough for any real one, bounded for hostile ones. */
const COMPARED = 300;

/** Below this, neither the characters nor the words say it is the same title. */
export const RECOGNISABLE = 0.5;

export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .slice(0, COMPARED);
}

function words(title: string): string[] {
  return title.split(' ').filter(Boolean);
}

/** Dice coefficient of the two titles' words (each word counted as often as it appears). */
function sharedWords(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  if (left.length + right.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const word of left) counts.set(word, (counts.get(word) ?? 0) + 1);
  let shared = 0;
  for (const word of right) {
    const count = counts.get(word) ?? 0;
    if (count > 0) {
      shared++;
      counts.set(word, count - 1);
    }
  }
  return (2 * shared) / (left.length + right.length);
}

/** 1 for the same title (ignoring case and punctuation), 0 for nothing in common. */
export function titleSimilarity(before: string, after: string): number {
  const a = normaliseTitle(before);
  const b = normaliseTitle(after);
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  const characters = longest === 0 ? 1 : 1 - distance(a, b) / longest;
  return Math.max(characters, sharedWords(a, b));
}

/** The same text is the same title, known without normalising both (~25-45 ms for 1,000 episodes at every rebuild). */
export const isRecognisable = (before: string, after: string): boolean => before === after || titleSimilarity(before, after) >= RECOGNISABLE;
