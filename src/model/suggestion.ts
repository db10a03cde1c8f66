// "did you mean …?" for a mistyped name: options and commands on the command line, fields in
// content. Its own module so the command line can use it without loading the content schema.
import { closest, distance } from 'fastest-levenshtein';

/** The nearest candidate, when it is near enough to be a typo of `word`. */
export function suggestion(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word.toLowerCase(), candidates.map((c) => c.toLowerCase()));
  const original = candidates.find((c) => c.toLowerCase() === best);
  const nearEnough = distance(word.toLowerCase(), best) <= Math.max(2, Math.floor(word.length / 3));
  return original && nearEnough ? ` (did you mean "${original}"?)` : '';
}
