// Who is on the list, from the two files of the lists folder. Both only ever grow, so a reader who
// unsubscribes and later signs up again has a row in each: the later date decides. Where a date is
// missing or unreadable castwright assumes the worst for the reader's wish not to be mailed: an
// undated unsubscription is for ever, an undated subscription older than any unsubscription.
import { readMailbox } from '../send/address.ts';
import { EMAIL_HEADERS, columnOf, parseRecipients, parseSuppression, rows, type RecipientList, type Suppression } from '../send/recipients.ts';
import type { ListKind } from './place.ts';

const DATE_COLUMN: Record<ListKind, string> = { subscribers: 'subscribed', unsubscribed: 'unsubscribed' };

export interface ListsSnapshot {
  /** subscribers.csv read as a subscriber list: every valid address once, in file order. */
  subscribers: RecipientList;
  /** unsubscribed.csv read as a suppression list (fail closed: an unreadable row throws). */
  unsubscribed: Suppression;
  /** The latest subscription of each reader, in ms; -Infinity when undated. */
  subscribedAt: Map<string, number>;
  /** The latest unsubscription of each reader, in ms; +Infinity when undated. */
  unsubscribedAt: Map<string, number>;
}

/** The latest date of each address in a list's date column (ISO 8601, as castwright writes it). */
function latestDates(text: string, shown: string, kind: ListKind): Map<string, number> {
  const undated = kind === 'unsubscribed' ? Infinity : -Infinity;
  const dates = new Map<string, number>();
  let emailColumn = -1;
  let dateColumn = -1;
  for (const [index, row] of rows(text, shown).entries()) {
    if (index === 0) {
      emailColumn = columnOf(row.cells, EMAIL_HEADERS);
      dateColumn = columnOf(row.cells, new Set([DATE_COLUMN[kind]]));
      if (emailColumn >= 0) continue;
      emailColumn = 0;
    }
    const key = readMailbox(row.cells[emailColumn]?.trim() ?? '')?.key;
    if (key === undefined) continue;
    const cell = dateColumn >= 0 ? (row.cells[dateColumn]?.trim() ?? '') : '';
    const parsed = /^\d{4}-\d{2}-\d{2}/.test(cell) ? Date.parse(cell) : Number.NaN;
    const at = Number.isNaN(parsed) ? undated : parsed;
    const before = dates.get(key);
    // An undated unsubscription stays for ever; otherwise the latest row counts.
    if (before === undefined || at > before) dates.set(key, at);
  }
  return dates;
}

/**
 * Both files' texts (line endings LF) as a snapshot. Strict (for a mailing), a row of
 * unsubscribed.csv it cannot read throws ContentError, as any suppression list does. Lenient (for
 * a process that records changes), the problem is returned instead and the readable rows are
 * used: an unsubscription must never wait for someone else's broken row.
 */
export function parseLists(texts: Record<ListKind, string>, shown: Record<ListKind, string>): ListsSnapshot;
export function parseLists(texts: Record<ListKind, string>, shown: Record<ListKind, string>, options: { lenient: true }): { snapshot: ListsSnapshot; problem?: Error };
export function parseLists(texts: Record<ListKind, string>, shown: Record<ListKind, string>, options?: { lenient: true }): ListsSnapshot | { snapshot: ListsSnapshot; problem?: Error } {
  let problem: Error | undefined;
  const attempt = <T>(parse: () => T, fallback: T): T => {
    if (!options?.lenient) return parse();
    try {
      return parse();
    } catch (error) {
      problem ??= error as Error;
      return fallback;
    }
  };
  const empty: RecipientList = { recipients: [], invalid: [], duplicates: 0, warnings: [] };
  const snapshot: ListsSnapshot = {
    subscribers: texts.subscribers.trim() === '' ? empty : attempt(() => parseRecipients(texts.subscribers, shown.subscribers), empty),
    unsubscribed: attempt(() => parseSuppression(texts.unsubscribed, shown.unsubscribed), { keys: new Set<string>(), lines: new Map<string, number>(), file: shown.unsubscribed }),
    // Rows with an address are counted whatever else is wrong in the file.
    subscribedAt: attempt(() => latestDates(texts.subscribers, shown.subscribers, 'subscribers'), new Map()),
    unsubscribedAt: attempt(() => latestDates(texts.unsubscribed, shown.unsubscribed, 'unsubscribed'), new Map()),
  };
  return options?.lenient ? { snapshot, ...(problem ? { problem } : {}) } : snapshot;
}

/** Unsubscribed, and not subscribed again since (a tie counts as unsubscribed). */
export function isSuppressed(snapshot: ListsSnapshot, key: string): boolean {
  const unsubscribed = snapshot.unsubscribedAt.get(key);
  if (unsubscribed === undefined) return false;
  return unsubscribed >= (snapshot.subscribedAt.get(key) ?? -Infinity);
}

export function isSubscribed(snapshot: ListsSnapshot, key: string): boolean {
  return snapshot.subscribedAt.has(key) && !isSuppressed(snapshot, key);
}

/**
 * The suppression a mailing applies from the lists folder: every reader whose unsubscription is
 * not followed by a later subscription, with the line of that unsubscription.
 */
export function listsSuppression(snapshot: ListsSnapshot): Suppression {
  const keys = new Set<string>();
  const lines = new Map<string, number>();
  for (const key of snapshot.unsubscribedAt.keys()) {
    if (!isSuppressed(snapshot, key)) continue;
    keys.add(key);
    const line = snapshot.unsubscribed.lines.get(key);
    if (line !== undefined) lines.set(key, line);
  }
  return { keys, lines, file: snapshot.unsubscribed.file };
}

/** Readers subscribed now, in the order they first appear. */
export function currentSubscribers(snapshot: ListsSnapshot) {
  return snapshot.subscribers.recipients.filter((recipient) => !isSuppressed(snapshot, recipient.key));
}
