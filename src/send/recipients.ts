// Subscriber and suppression lists: CSV files as mailing tools export them. A subscriber row that
// cannot be used is reported with its line and skipped. A suppression list fails closed: a row it
// cannot read may be a reader who asked not to be mailed, so any such row stops the send.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ContentError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import { readMailbox } from './address.ts';
import { SetupError } from './errors.ts';

export interface Recipient {
  /** Normalised address to send to. */
  address: string;
  /** The canonical address (see `canonicalAddress`): what duplicates, suppression and the ledger compare. */
  key: string;
  name?: string;
  /** Line of the list it came from (0 for an address given on the command line). */
  line: number;
}

export interface RecipientList {
  /** Valid addresses, each once (its first row wins), in file order. */
  recipients: Recipient[];
  /** Rows skipped because their address is unusable, as `file:line: message`. */
  invalid: Problem[];
  /** Rows whose address an earlier row already has. */
  duplicates: number;
  /** Rows used, with something left out (a name too long for a header). */
  warnings: Problem[];
}

export const EMAIL_HEADERS = new Set(['email', 'e-mail', 'email address', 'e-mail address', 'mail']);
const NAME_HEADERS = new Set(['name', 'full name']);

export interface Row {
  line: number;
  cells: string[];
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return (relative && !relative.startsWith('..') ? relative : file).split(path.sep).join('/');
}

async function readText(file: string, cwd: string, shown: string): Promise<string> {
  try {
    // csv-parse counts lines wrongly around blank CRLF lines; with one line ending its counts are exact.
    return (await readFile(path.resolve(cwd, file), 'utf8')).replace(/\r\n?/g, '\n');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SetupError(`cannot read ${shown}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

/** Non-blank rows with the line each starts on. */
export function rows(text: string, shown: string): Row[] {
  const found: Row[] = [];
  let lastLine = 0;
  try {
    parse(text, {
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // Called as each record is parsed, so the rows before a syntax error are known when it throws.
      on_record: (record: string[], context) => {
        lastLine = context.lines;
        if (record.some((cell) => cell.trim() !== '')) {
          // `lines` is where the record ends; a quoted value can span lines.
          const spanned = record.reduce((count, cell) => count + (cell.match(/\n/g)?.length ?? 0), 0);
          found.push({ line: context.lines - spanned, cells: record });
        }
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    // The parser blames the end of the file; the record that failed starts on the next non-blank line.
    const lines = text.split('\n');
    let line = lastLine + 1;
    while (line < lines.length && lines[line - 1]!.trim() === '') line++;
    const message = code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted value starts here and is never closed' : (error as Error).message;
    throw new SetupError(`${shown}:${line}: ${message}`);
  }
  return found;
}

export function columnOf(header: readonly string[], names: ReadonlySet<string>): number {
  return header.findIndex((cell) => names.has(cell.trim().toLowerCase()));
}

function missingEmailColumn(shown: string, header: Row): SetupError {
  const found = header.cells.map((cell) => `"${cell.trim()}"`).join(', ');
  // Spreadsheets in many locales export with semicolons; say so rather than only "no column".
  const hint = header.cells.length === 1 && /[;\t]/.test(header.cells[0]!) ? '; castwright reads comma-separated values' : '';
  return new SetupError(`${shown}:${header.line}: no "email" column in the header row (found ${found})${hint}; expected a header such as email,name`);
}

/** Longer display names are junk from a broken export, and a header line has room for 998 characters. */
export const MAX_NAME_LENGTH = 200;

function cleanName(raw: string | undefined): string | undefined {
  // A name ends up in the To header: no line breaks or control characters, whatever the export held.
  const name = raw?.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return name || undefined;
}

function describe(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}

/** The subscriber list: a header row with an `email` column and optionally a `name` column. */
export async function readRecipients(file: string, options: { cwd: string }): Promise<RecipientList> {
  const shown = displayPath(file, options.cwd);
  return parseRecipients(await readText(file, options.cwd, shown), shown);
}

/** The subscriber list from its text (line endings already LF); `shown` names it in messages. */
export function parseRecipients(text: string, shown: string): RecipientList {
  const list: RecipientList = { recipients: [], invalid: [], duplicates: 0, warnings: [] };
  const seen = new Set<string>();
  let emailColumn = -1;
  let nameColumn = -1;
  for (const row of rows(text, shown)) {
    if (emailColumn < 0) {
      emailColumn = columnOf(row.cells, EMAIL_HEADERS);
      if (emailColumn < 0) throw missingEmailColumn(shown, row);
      nameColumn = columnOf(row.cells, NAME_HEADERS);
      continue;
    }
    const cell = row.cells[emailColumn]?.trim() ?? '';
    if (cell === '') {
      list.invalid.push({ file: shown, line: row.line, message: 'no email address' });
      continue;
    }
    const mailbox = readMailbox(cell);
    if (!mailbox) {
      list.invalid.push({ file: shown, line: row.line, message: `${describe(cell)} is not an email address` });
      continue;
    }
    if (seen.has(mailbox.key)) {
      list.duplicates++;
      continue;
    }
    seen.add(mailbox.key);
    let name = cleanName(nameColumn >= 0 ? row.cells[nameColumn] : undefined) ?? cleanName(mailbox.name);
    if (name && name.length > MAX_NAME_LENGTH) {
      list.warnings.push({ file: shown, line: row.line, severity: 'warning', message: `the name is ${name.length} characters long (at most ${MAX_NAME_LENGTH}); the message goes to ${mailbox.address} without it` });
      name = undefined;
    }
    list.recipients.push({ address: mailbox.address, key: mailbox.key, ...(name ? { name } : {}), line: row.line });
  }
  if (emailColumn < 0) throw new SetupError(`${shown}: the file is empty; expected a header row such as email,name and one row per reader`);
  return list;
}

export interface Suppression {
  /** Canonical addresses that must never receive mail. */
  keys: Set<string>;
  /** Where each key is listed, to say why an address was left out. */
  lines: Map<string, number>;
  file: string;
}

/**
 * Addresses that unsubscribed or bounced: a CSV with an `email` column, or a bare list with one
 * address a line as many tools export it. Empty (no rows, or a header alone) is allowed; a row
 * whose address cannot be read is not: castwright cannot tell whom it meant to protect, so every
 * such row is reported (ContentError, exit 1) and nothing is sent.
 */
export async function readSuppression(file: string, options: { cwd: string }): Promise<Suppression> {
  const shown = displayPath(file, options.cwd);
  return parseSuppression(await readText(file, options.cwd, shown), shown);
}

/** The suppression list from its text (line endings already LF); `shown` names it in messages. */
export function parseSuppression(text: string, shown: string): Suppression {
  const suppression: Suppression = { keys: new Set(), lines: new Map(), file: shown };
  const problems: Problem[] = [];
  const unusable = (line: number, what: string) =>
    problems.push({ file: shown, line, message: `${what}; a suppression list holds one address per row, and castwright will not guess whom this row protects` });
  let column: number | undefined;
  for (const row of rows(text, shown)) {
    if (column === undefined) {
      column = columnOf(row.cells, EMAIL_HEADERS);
      if (column >= 0) continue;
      // No header: a bare list, one address a line (its first row must be one).
      column = 0;
      if (!readMailbox(row.cells[0] ?? '')) {
        const found = row.cells.map((cell) => `"${cell.trim()}"`).join(', ');
        const hint = row.cells.length === 1 && /[;\t]/.test(row.cells[0]!) ? '; castwright reads comma-separated values' : '';
        unusable(row.line, `neither a header row with an "email" column nor an address (found ${found})${hint}`);
        continue;
      }
    }
    const cell = row.cells[column]?.trim() ?? '';
    const mailbox = readMailbox(cell);
    if (!mailbox) {
      unusable(row.line, cell === '' ? 'no email address' : `${describe(cell)} is not an email address`);
      continue;
    }
    suppression.keys.add(mailbox.key);
    if (!suppression.lines.has(mailbox.key)) suppression.lines.set(mailbox.key, row.line);
  }
  if (problems.length > 0) throw new ContentError(problems);
  return suppression;
}

/** Splits the list into the readers to mail and the ones any of the suppression lists holds. */
export function applySuppression(recipients: readonly Recipient[], suppressions: readonly Suppression[]): { keep: Recipient[]; suppressed: Recipient[] } {
  const keep: Recipient[] = [];
  const suppressed: Recipient[] = [];
  for (const recipient of recipients) (suppressions.some((suppression) => suppression.keys.has(recipient.key)) ? suppressed : keep).push(recipient);
  return { keep, suppressed };
}
