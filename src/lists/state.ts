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

const HOUR = 3_600_000;
// ISO 8601 as castwright writes it, or as a hand adds a row: a day, maybe a time, maybe a zone.
const ROW_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * A row's date in ms, or undefined when it cannot be read. A date with no zone could have been
 * written anywhere (UTC-12 to UTC+14), and a day alone means the whole day: an unsubscription is
 * taken at the latest moment it can mean and a subscription at the earliest, so that a hand-added
 * row never lets a sign-up the same day win over the reader's wish not to be mailed.
 */
function rowTime(cell: string, kind: ListKind): number | undefined {
  const match = ROW_DATE.exec(cell);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour ?? '0', minute ?? '0', second ?? '0'].map(Number) as [number, number, number, number, number, number];
  const ms = Number((fraction ?? '0').padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(wall);
  // Date.UTC carries overflow on (2026-02-30 would be March 2nd): such a date is not read.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  if (zone !== undefined) {
    if (zone.toUpperCase() === 'Z') return wall;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    return wall - sign * offset * 60_000;
  }
  if (kind === 'unsubscribed') return wall + (hour === undefined ? 24 * HOUR : 0) + 12 * HOUR;
  return wall - 14 * HOUR;
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
    const at = rowTime(cell, kind) ?? undated;
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
