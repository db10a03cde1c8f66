// Where a show's reader lists live: one folder of plain CSV files a host can open, back up and
// read with any tool. By default `lists/` beside the content folder (for `episodes/`, the `lists/`
// next to it), whichever folder a command runs from; `--lists DIR` moves it.
//
//   lists/subscribers.csv    email,name,subscribed,source   one row per sign-up, import or re-subscription
//   lists/unsubscribed.csv   email,unsubscribed,source      one row per unsubscription
//   lists/.lock              while a process appends (milliseconds at a time)
import path from 'node:path';
import { shownPath } from '../send/sends.ts';

export const LISTS_FOLDER = 'lists';
export const SUBSCRIBERS_FILE = 'subscribers.csv';
export const UNSUBSCRIBED_FILE = 'unsubscribed.csv';
const LOCK_FILE = '.lock';

export const SUBSCRIBERS_HEADER = ['email', 'name', 'subscribed', 'source'] as const;
export const UNSUBSCRIBED_HEADER = ['email', 'unsubscribed', 'source'] as const;

export type ListKind = 'subscribers' | 'unsubscribed';

export interface ListsPlace {
  /** The folder, absolute. */
  folder: string;
  /** Each file, absolute. */
  subscribers: string;
  unsubscribed: string;
  lock: string;
  /** Paths as messages show them. */
  shown: { folder: string; subscribers: string; unsubscribed: string; lock: string };
}

export function listsPlace(contentDir: string, options: { lists?: string; cwd: string }): ListsPlace {
  const folder = options.lists !== undefined ? path.resolve(options.cwd, options.lists) : path.join(path.dirname(path.resolve(options.cwd, contentDir)), LISTS_FOLDER);
  const file = (name: string) => path.join(folder, name);
  const shown = (name: string) => shownPath(name, options.cwd);
  const place = { folder, subscribers: file(SUBSCRIBERS_FILE), unsubscribed: file(UNSUBSCRIBED_FILE), lock: file(LOCK_FILE) };
  return { ...place, shown: { folder: shown(folder), subscribers: shown(place.subscribers), unsubscribed: shown(place.unsubscribed), lock: shown(place.lock) } };
}

/** One CSV row as RFC 4180 writes it: a cell with a comma, a quote or a line break is quoted. */
export function csvRow(cells: readonly string[]): string {
  return `${cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',')}\n`;
}
