// A workspace to send from: the fixture show (with Reply-To and a mailto unsubscribe), one
// published episode and a subscriber list of generated readers.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixture, workspace } from '../helpers/content.ts';

export const SLUG = '2021-03-01-valid';
export const SECRET = 'test-secret-0123456789abcdef';

export function readerAddress(index: number): string {
  return `reader${index}@example.com`;
}

export function subscribersCsv(count: number, first = 0): string {
  const rows = Array.from({ length: count }, (_, i) => `${readerAddress(first + i)},Reader ${first + i}`);
  return `email,name\n${rows.join('\n')}\n`;
}

export async function showWithMailto(): Promise<string> {
  return `${await fixture('show.yml')}  replyTo: Fixture Desk <desk@fixture.example.com>\n  unsubscribeMailto: unsubscribe@fixture.example.com\n`;
}

/** A workspace with `subscribers.csv` of `readers` readers (plus any extra files, relative to it). */
export async function sendWorkspace(readers: number, extra: Record<string, string> = {}): Promise<string> {
  const root = await workspace({ [`${SLUG}.md`]: await fixture('episodes/valid.md') }, { show: await showWithMailto() });
  await writeFile(path.join(root, 'subscribers.csv'), subscribersCsv(readers));
  for (const [name, text] of Object.entries(extra)) await writeFile(path.join(root, name), text);
  return root;
}
