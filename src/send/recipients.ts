// Subscriber and suppression lists: CSV files as mailing tools export them. A subscriber row that
// cannot be used is reported with its line and skipped. A suppression list fails closed: a row it
// cannot read may be a reader who asked not to be mailed, so any such row stops the send.
import type { Stats } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ContentError } from '../errors.ts';
import { readRegularFileAsync, type NotOwnFile } from '../regular-file.ts';
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

/**
 * Larger lists are refused rather than read: a file this large is no list of readers (a link to a
 * device, a log file), and reading one would exhaust memory before saying anything.
 */
export const MAX_LIST_BYTES = 256 * 1024 ** 2;

function notAFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  return 'a device';
}

/** Why a list cannot be read, for a file that stat() did not find or could not look at. */
async function whyMissing(error: unknown, file: string): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ENOENT') return (error as Error).message;
  // A link whose target is gone (a share not mounted) is a list that exists but cannot be read.
  const link = await lstat(file).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
  return link ? `it is a symbolic link to ${await readlink(file)}, which does not exist` : 'no such file';
}

/**
 * The text of a list. Only a regular file of a sane size is read: a named pipe would block for
 * ever, and a link to /dev/zero would fill memory, while the send waits with nothing said.
 */
async function readText(file: string, cwd: string, shown: string): Promise<string> {
  const full = path.resolve(cwd, file);
  const cannot = (why: string) => new SetupError(`cannot read ${shown}: ${why}`);
  let info: Stats;
  try {
    info = await stat(full);
  } catch (error) {
    throw cannot(await whyMissing(error, full));
  }
  const kind = notAFile(info);
  if (kind) throw cannot(`it is ${kind}, not a file; expected a CSV file`);
  if (info.size > MAX_LIST_BYTES) throw cannot(`it is ${Math.round(info.size / 1024 ** 2)} MB, more than the ${MAX_LIST_BYTES / 1024 ** 2} MB castwright reads as a list`);
  try {
    // Read as it is now, not as it was when looked at: opened without waiting, then checked again
    // (a named pipe put in its place meanwhile held the send for ever; a file grown meanwhile was
    // read whole). csv-parse counts lines wrongly around blank CRLF lines; with one line ending its
    // counts are exact.
    return (await readRegularFileAsync(full, MAX_LIST_BYTES)).toString('utf8').replace(/\r\n?/g, '\n');
  } catch (error) {
    const { code, size } = error as Partial<NotOwnFile>;
    if (code === 'EFTYPE') {
      const kind = await stat(full).then(notAFile, () => undefined);
      throw cannot(kind ? `it is ${kind}, not a file; expected a CSV file` : 'it was replaced while being read; expected a CSV file');
    }
    if (code === 'EFBIG') throw cannot(`it is ${Math.round(size! / 1024 ** 2)} MB, more than the ${MAX_LIST_BYTES / 1024 ** 2} MB castwright reads as a list`);
    throw cannot(await whyMissing(error, full));
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

/**
 * The column that holds the address: -1 when the row is no header, a message when several could
 * (`Email` and `E-mail Address`): taking the first would mail, or fail to suppress, the address in
 * the other.
 */
function addressColumn(header: Row): number | string {
  const columns = header.cells.flatMap((cell, index) => (EMAIL_HEADERS.has(cell.trim().toLowerCase()) ? [index] : []));
  if (columns.length <= 1) return columns[0] ?? -1;
  const names = columns.map((index) => `"${header.cells[index]!.trim()}"`);
  return `${columns.length} columns of the header row may hold the address (${names.slice(0, -1).join(', ')} and ${names.at(-1)}); castwright will not guess which; expected one column named email`;
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
      const column = addressColumn(row);
      if (typeof column === 'string') throw new SetupError(`${shown}:${row.line}: ${column}`);
      if (column < 0) throw missingEmailColumn(shown, row);
      emailColumn = column;
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
      const found = addressColumn(row);
      if (typeof found === 'string') {
        problems.push({ file: shown, line: row.line, message: found });
        break;
      }
      column = found;
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
