// A mailing's ledger: an append-only file of JSON lines that makes a send resumable. Its first line
// is a header naming the mailing (show guid, episode guid, subscriber list); a ledger whose header
// names another mailing is refused, never reused. Each further line is one reader's outcome:
//
//   sent       the server accepted the message (its 250 reply)
//   failed     the server refused it for good (5xx)
//   uncertain  the message was sent but the reply never came: it may have arrived
//
// A rerun skips every reader recorded as sent, failed or uncertain (the last two unless asked).
// A record is written and fsync'd before its reader is counted.
//
// Records are committed in groups: the ones that arrive while an fsync runs are written and synced
// together by the next, instead of queueing one fsync each. A reader still waits for its own
// record to be durable; the group only shares the wait. (A commit delay to gather bigger groups,
// and O_DSYNC appends, measured no better in bench/send.ts than this, so the simplest stays.)
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RunError, systemError } from '../errors.ts';
import { readRegularFileAsync, refusedReason } from '../regular-file.ts';
import { linkNamed, linkToNothing, makeFolder, syncFolder } from './folders.ts';
import type { MailingIdentity } from './sends.ts';

export type LedgerStatus = 'sent' | 'failed' | 'uncertain';

export interface LedgerRecord {
  status: LedgerStatus;
  /** The reader's canonical address. */
  to: string;
  /** ISO time of the outcome. */
  at: string;
  messageId?: string;
  /** The server's reply (`250 2.0.0 OK queued as 4Bx…`, `550 5.1.1 no such user`), or what went wrong. */
  response: string;
}

const MARK = 'castwright send ledger';

export interface LedgerHeader extends MailingIdentity {
  ledger: typeof MARK;
  version: 1;
  /** The episode's file name when the ledger was made, for people reading the file; not compared. */
  slug: string;
  created: string;
}

/** A mailing as a ledger's header names it. */
export interface LedgerMailing extends MailingIdentity {
  slug: string;
}

export interface LedgerState {
  sent: Set<string>;
  /** Readers refused for good and not sent since, with the server's reply. */
  failed: Map<string, string>;
  /** Readers whose message may or may not have arrived, and not sent since, with what happened. */
  uncertain: Map<string, string>;
}

export class LedgerError extends RunError {}

export interface LedgerContents {
  header?: LedgerHeader;
  state: LedgerState;
  /** Every record read, in order (the header not included). */
  records: LedgerRecord[];
  /** Bytes that hold complete records (a last one without its newline included). */
  kept: number;
  /** Bytes of a half-written last record: a crash in the middle of an append. */
  torn: number;
  /** The last record is whole but its newline is missing: the crash came just before it. */
  unterminated: boolean;
}

const STATUSES = new Set<LedgerStatus>(['sent', 'failed', 'uncertain']);

function isRecord(value: unknown): value is LedgerRecord {
  const record = value as LedgerRecord | null;
  return typeof record === 'object' && record !== null && STATUSES.has(record.status) && typeof record.to === 'string';
}

function isHeader(value: unknown): value is LedgerHeader {
  const header = value as LedgerHeader | null;
  return typeof header === 'object' && header !== null && header.ledger === MARK && typeof header.show === 'string' && typeof header.episode === 'string' && typeof header.list === 'string';
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function damaged(file: string, number: number): LedgerError {
  return new LedgerError(
    `${file}:${number}: not a ledger record. The ledger is only ever appended to, so this line was changed by hand or the disk ` +
      'is damaged; castwright will not guess who was already sent to. Restore the file, or delete the line and accept that its reader may get a second copy',
  );
}

export function emptyState(): LedgerState {
  return { sent: new Set(), failed: new Map(), uncertain: new Map() };
}

/** Sent is final; otherwise a reader's latest outcome counts. */
function apply(state: LedgerState, record: LedgerRecord): void {
  if (record.status === 'sent') {
    state.sent.add(record.to);
    state.failed.delete(record.to);
    state.uncertain.delete(record.to);
  } else if (!state.sent.has(record.to)) {
    state.failed.delete(record.to);
    state.uncertain.delete(record.to);
    (record.status === 'failed' ? state.failed : state.uncertain).set(record.to, record.response);
  }
}

/**
 * Reads a ledger; a missing file is an empty one. `shown` names it in messages. A last line without
 * its newline is kept when it is a whole record, and counted as torn otherwise.
 */
export async function readLedger(file: string, shown = file): Promise<LedgerContents> {
  let data: Buffer;
  try {
    data = await readRegularFileAsync(file);
  } catch (error) {
    // A link to nothing (a share not mounted) is a ledger that cannot be read, not none: as none,
    // a new one was made through the link and every reader mailed again.
    // So is one behind a folder on its way that is such a link (passed over, its readers were mailed again).
    const nothing = (error as NodeJS.ErrnoException).code === 'ENOENT' ? await linkToNothing(file) : undefined;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && nothing === undefined) return { state: emptyState(), records: [], kept: 0, torn: 0, unterminated: false };
    // A pipe held the send forever; a file far larger than castwright writes is none of its ledgers.
    const refused = nothing === undefined ? refusedReason(error, 'a send ledger, one line a reader') : `${linkNamed(nothing.link, file, shown)}a symbolic link to ${nothing.target}, which does not exist; expected a send ledger, one line a reader`;
    if (refused) throw new LedgerError(`${shown}: ${refused}. castwright will not guess who was already sent to: restore the file`, { cause: error });
    throw new LedgerError(systemError(error, 'cannot read the ledger', shown).message, { cause: error });
  }
  const contents: LedgerContents = { state: emptyState(), records: [], kept: data.length, torn: 0, unterminated: false };
  const complete = data.lastIndexOf(0x0a) + 1;
  const lines = data.subarray(0, complete).toString('utf8').split('\n');
  lines.pop();
  const tail = data.subarray(complete).toString('utf8');
  if (tail !== '') lines.push(tail);
  lines.forEach((line, index) => {
    const last = index === lines.length - 1 && tail !== '';
    if (line.trim() === '') return;
    const value = parseJson(line);
    if (index === 0 && isHeader(value)) {
      contents.header = value;
    } else if (isRecord(value)) {
      contents.records.push(value);
      apply(contents.state, value);
    } else if (last) {
      // Cut off mid-write: not a record, its reader was never counted.
      contents.torn = Buffer.byteLength(tail);
      contents.kept = complete;
      return;
    } else {
      throw damaged(shown, index + 1);
    }
    if (last) contents.unterminated = true;
  });
  return contents;
}

/** What differs between the mailing a ledger records and the one asked for, in words; undefined when they are one. */
function mismatch(header: LedgerHeader, mailing: LedgerMailing, shown: string): string | undefined {
  const differs: string[] = [];
  if (header.show !== mailing.show) differs.push(`the show with guid ${header.show} (this is ${mailing.show})`);
  if (header.episode !== mailing.episode) differs.push(`the episode with guid ${header.episode} (this is ${mailing.episode})`);
  if (differs.length > 0) {
    return (
      `${shown} is the ledger of ${differs.join(' and ')}, not of this mailing; castwright never mixes two mailings in one ledger. ` +
      'Ledgers are named after these guids, so the file was copied or renamed by hand: put it back where it came from'
    );
  }
  if (header.list !== mailing.list) {
    return (
      `${shown} records the sending of this episode to the list ${header.list}, not to ${mailing.list}; castwright never mixes two mailings in one ledger. ` +
      `If ${mailing.list} is the same list moved or renamed, give it back its name (lists are named relative to the folder that holds the content folder); ` +
      `to send this episode to another list, give that mailing its own state folder (--state DIR), knowing that readers on both lists get it twice`
    );
  }
  return undefined;
}

/** The parts of a file handle the ledger uses; tests hand in one whose writes fail. */
export type LedgerHandle = Pick<FileHandle, 'write' | 'datasync' | 'truncate' | 'close' | 'stat'>;

export interface LedgerOptions {
  /** The path as messages show it. */
  shown?: string;
  /** Opens the file for appending. */
  open?(file: string): Promise<LedgerHandle>;
}

interface Waiting {
  bytes: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

export function headerLine(mailing: LedgerMailing): string {
  const header: LedgerHeader = { ledger: MARK, version: 1, show: mailing.show, episode: mailing.episode, list: mailing.list, slug: mailing.slug, created: new Date().toISOString() };
  return `${JSON.stringify(header)}\n`;
}

export class Ledger {
  readonly file: string;
  readonly shown: string;
  /** What the file held when opened: the readers a run skips. */
  readonly state: LedgerState;
  /** Bytes of a half-written record found and cut off when the ledger was opened. */
  readonly tornBytes: number;
  private readonly handle: LedgerHandle;
  /** Bytes of the file that hold complete, synced lines: where a failed group is cut back to. */
  private size: number;
  private queue: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private broken: LedgerError | undefined;

  private constructor(file: string, shown: string, handle: LedgerHandle, contents: LedgerContents, size: number) {
    this.file = file;
    this.shown = shown;
    this.handle = handle;
    this.state = contents.state;
    this.tornBytes = contents.torn;
    this.size = size;
  }

  /**
   * Opens the mailing's ledger for appending, creating it (header first, durably) when there is
   * none. Refuses one that records another mailing. Hold the mailing's lock first.
   */
  static async open(file: string, mailing: LedgerMailing, options: LedgerOptions = {}): Promise<Ledger> {
    const shown = options.shown ?? file;
    const failed = (error: unknown, what: string) => new LedgerError(systemError(error, what, shown).message, { cause: error });
    const folder = path.dirname(file);
    let firstCreated: string | undefined;
    try {
      firstCreated = await makeFolder(folder);
    } catch (error) {
      throw failed(error, 'cannot create the folder of the ledger');
    }
    // What is read is then opened again by name: the file opened must be the one read, as it was.
    const read = await stat(file).catch(() => undefined);
    const contents = await readLedger(file, shown);
    if (contents.header) {
      const problem = mismatch(contents.header, mailing, shown);
      if (problem) throw new LedgerError(problem);
    } else if (contents.records.length > 0) {
      throw new LedgerError(`${shown}:1: no ledger header naming the show, episode and list; castwright will not guess whose mailing it records. Restore the file or move it away`);
    }
    let handle: LedgerHandle;
    try {
      handle = await (options.open ?? ((name: string) => open(name, 'a')))(file);
    } catch (error) {
      throw failed(error, 'cannot open the ledger');
    }
    let size = contents.kept;
    try {
      // A ledger put in its place meanwhile (a restore, a copy) would be appended to while the
      // readers it records as sent were mailed again.
      const opened = await handle.stat();
      if (opened.size !== contents.kept + contents.torn || (read !== undefined && opened.ino !== read.ino)) {
        await handle.close().catch(() => undefined);
        throw new LedgerError(
          `${shown}: replaced or written to while castwright opened it; expected the ledger as read, unchanged while the mailing's lock is held. ` +
            'castwright will not guess who was already sent to: run the command again',
        );
      }
      if (contents.torn > 0) {
        // Appending after the fragment would glue the next record onto it.
        await handle.truncate(contents.kept);
        await handle.datasync();
      }
      if (contents.unterminated) {
        await writeAll(handle, Buffer.from('\n'));
        await handle.datasync();
        size += 1;
      }
      if (!contents.header) {
        const header = Buffer.from(headerLine(mailing));
        await writeAll(handle, header);
        await handle.datasync();
        size += header.length;
        // The new file's name (and the folders made for it) must outlive a power cut as well.
        const created = firstCreated ? path.relative(path.dirname(firstCreated), folder).split(path.sep).length : 0;
        let dir = folder;
        for (let level = 0; level <= created; level++, dir = path.dirname(dir)) await syncFolder(dir);
      }
    } catch (error) {
      if (error instanceof LedgerError) throw error;
      await handle.close().catch(() => undefined);
      throw failed(error, 'cannot write the ledger');
    }
    return new Ledger(file, shown, handle, contents, size);
  }

  /** Resolves once the record is on disk (written and fsync'd); only then may its reader be counted. */
  record(record: LedgerRecord): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    const done = new Promise<void>((resolve, reject) => this.queue.push({ bytes, resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      const bytes = Buffer.concat(group.map((waiting) => waiting.bytes));
      try {
        await writeAll(this.handle, bytes);
        // datasync: the appended bytes and the new length, without the inode's times.
        await this.handle.datasync();
        this.size += bytes.length;
        for (const waiting of group) waiting.resolve();
      } catch (error) {
        // A record that may not be on disk must never be taken for one that is: everything after
        // fails too. The group's records that did reach the file are cut off again, so the file
        // holds exactly the confirmed records, and the readers named as not recorded are exactly
        // the ones a rerun sends to.
        const cut = await this.handle
          .truncate(this.size)
          .then(() => this.handle.datasync())
          .then(
            () => '',
            () => '; part of the last records may have reached it, so a rerun may skip some of the readers named as not recorded',
          );
        this.broken = new LedgerError(`${systemError(error, 'cannot write the ledger', this.shown).message}${cut}`, { cause: error });
        for (const waiting of [...group, ...this.queue.splice(0)]) waiting.reject(this.broken);
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle.close();
  }
}

async function writeAll(handle: LedgerHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
}
