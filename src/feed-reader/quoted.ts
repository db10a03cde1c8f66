// How a feed's value appears in a message: quoted and cut to a line's worth, however large the
// feed made it.
import { describeValue } from '../model/fields.ts';

export function quoted(value: string): string {
  return value.trim() === '' ? `"${value}"` : describeValue(value);
}
