// A workspace to send from: the fixture show (with Reply-To and a mailto unsubscribe), one
// published episode and a subscriber list of generated readers; and where its mailing's ledger is.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadContent } from '../../src/load/content.ts';
import { readLedger, type LedgerState } from '../../src/send/ledger.ts';
import { mailingFiles, type MailingFiles } from '../../src/send/sends.ts';
import { fixture, workspace } from '../helpers/content.ts';

export const SLUG = '2021-03-01-valid';
export const SECRET = 'test-secret-0123456789abcdef';

export function readerAddress(index: number): string {
  return `reader${index}@example.com`;
}

export const readers = (count: number, first = 0) => Array.from({ length: count }, (_, i) => readerAddress(first + i));

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

export interface Where {
  /** The content folder, relative to root. */
  contentDir?: string;
  slug?: string;
  /** The state folder, absolute; by default `.castwright` beside the content folder. */
  state?: string;
}

/** The ledger and lock of a mailing of the workspace's episode, found by its show's and episode's guids. */
export async function mailingFilesOf(root: string, where: Where = {}): Promise<MailingFiles> {
  const content = path.join(root, where.contentDir ?? 'episodes');
  const { show, episodes } = await loadContent(content, { cwd: root });
  const episode = episodes.find((candidate) => candidate.slug === (where.slug ?? SLUG))!;
  return mailingFiles(where.state ?? path.join(path.dirname(content), '.castwright'), show.guid, episode.guid);
}

export async function ledgerStateOf(root: string, where: Where = {}): Promise<LedgerState> {
  return (await readLedger((await mailingFilesOf(root, where)).ledger)).state;
}
