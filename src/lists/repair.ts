// The end of a list file after a crash. castwright appends whole rows and syncs them before it
// answers, so a row can only be cut short by a machine that lost power in the middle of an append
// (or by an editor that saved without a final newline). What is found there is kept wherever its
// address is whole, and otherwise moved aside into `<file>.torn`, never dropped unsaid.
import { readMailbox } from '../send/address.ts';
import { EMAIL_HEADERS, columnOf, rows } from '../send/recipients.ts';
import { csvRow, type ListKind } from './place.ts';

export interface TailRepair {
  /** The bytes the file keeps, up to where the repair writes (a prefix of the original). */
  keep: number;
  /** Bytes to append after `keep`. */
  append: string;
  /** Text moved aside into `<file>.torn`. */
  moved?: string;
  /** What was done, for the host. */
  note: string;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text);
}

/** Cells of one CSV line, or undefined when it cannot be read on its own (a quote left open). */
function cellsOf(line: string): string[] | undefined {
  try {
    return rows(`${line}\n`, 'tail')[0]?.cells ?? [];
  } catch {
    return undefined;
  }
}

/**
 * How to mend a file whose last line lacks its newline (or ends in zero bytes a lost write can
 * leave), given the file's header columns; undefined when it ends cleanly.
 */
export function repairTail(data: Buffer, kind: ListKind, header: readonly string[]): TailRepair | undefined {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  const zeros = data.length - end;
  if (end === 0 || data[end - 1] === 0x0a) {
    return zeros ? { keep: end, append: '', note: `cut ${zeros} zero bytes at its end (a write lost in a crash)` } : undefined;
  }
  const start = data.lastIndexOf(0x0a, end - 1) + 1;
  const tail = data.subarray(start, end).toString('utf8');
  const zeroNote = zeros ? ` and ${zeros} zero bytes after it` : '';
  const newline = { keep: end, append: '\n' };

  if (start === 0) {
    // The header line itself: a file created in the crash.
    const full = csvRow(header);
    if (full.startsWith(tail)) return { keep: 0, append: full, note: `completed its half-written header row${zeroNote}` };
    return { ...newline, note: `added the newline its last row lacked${zeroNote}` };
  }
  const headerCells = cellsOf(data.subarray(0, data.indexOf(0x0a)).toString('utf8')) ?? [];
  const emailColumn = Math.max(columnOf(headerCells, EMAIL_HEADERS), 0);
  const cells = cellsOf(tail);
  const address = cells && readMailbox(cells[emailColumn]?.trim() ?? '');
  if (cells && address) {
    if (cells.length >= headerCells.length) return { ...newline, note: `added the newline its last row (${quote(tail)}) lacked${zeroNote}` };
    // A separator follows the address, so the address is whole; what follows may be cut short.
    if (cells.length > emailColumn + 1) return { ...newline, note: `kept the half-written last row ${quote(tail)}: its address is whole${zeroNote}` };
    // The address may itself be cut short. Kept as an unsubscription (suppressing a wrong address
    // harms nobody, dropping a right one would); never made a subscriber.
    if (kind === 'unsubscribed') return { ...newline, note: `kept the last row ${quote(tail)}, which may be cut short, as an unsubscription${zeroNote}` };
  } else if (emailColumn === 0 && tail.includes(',')) {
    // A quote left open after a whole address: the address alone is kept.
    const whole = readMailbox(tail.slice(0, tail.indexOf(',')).trim());
    if (whole) {
      const row = csvRow([whole.address, ...Array.from({ length: Math.max(headerCells.length - 1, 0) }, () => '')]);
      return { keep: start, append: row, moved: tail, note: `kept the address of the half-written last row ${quote(tail)}${zeroNote}` };
    }
  }
  return { keep: start, append: '', moved: tail, note: `moved the half-written last row ${quote(tail)} aside${zeroNote}` };
}
