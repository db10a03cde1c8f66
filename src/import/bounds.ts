// The build's bounds as an import meets them. The limits are the schema's (one place for each
// rule); what the import does about a value beyond one is its own: a text is shortened with a
// warning, so that the episode is imported rather than refused.
import { MAX_LINE_CHARACTERS } from '../model/fields.ts';
import { shortenText } from '../render/view.ts';

/**
 * A one-line text (a title, a name) within the build's limit of characters; `warn` is told when
 * it had to be shortened, with `what` naming it ("the title").
 */
export function withinLine(text: string, what: string, warn: (message: string) => void): string {
  const length = [...text].length;
  if (length <= MAX_LINE_CHARACTERS) return text;
  warn(`${what} is ${length} characters long; shortened to ${MAX_LINE_CHARACTERS}, the longest one-line text the build takes`);
  return shortenText(text, MAX_LINE_CHARACTERS);
}
