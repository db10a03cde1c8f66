// The per-episode send ledger: an append-only file of JSON lines, one per reader the server
// accepted (or rejected for good). It is what makes a send resumable: a rerun skips every address
// it holds. A record is written and fsync'd before its reader is counted as sent.
//
// Records are committed in groups: the ones that arrive while an fsync runs are written and synced
// together by the next, instead of queueing one fsync each. A reader still waits for its own
// record to be durable; the group only shares the wait. (A commit delay to gather bigger groups,
// and O_DSYNC appends, measured no better in bench/send.ts than this, so the simplest stays.)
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RunError } from '../errors.ts';

export type LedgerStatus = 'sent' | 'failed';

export interface LedgerRecord {
  status: LedgerStatus;
  /** The reader's key (lower-cased address). */
  to: string;
  /** ISO time the server answered. */
  at: string;
  messageId?: string;
  /** The server's reply, e.g. `250 2.0.0 OK queued as 4Bx…` or `550 5.1.1 no such user`. */
  response: string;
}

export interface LedgerState {
  sent: Set<string>;
  /** Readers rejected for good and not sent since, with the server's reply. */
  failed: Map<string, string>;
}

export class LedgerError extends RunError {}

export interface LedgerContents {
  state: LedgerState;
  /** Bytes of complete lines; anything after them is a record torn by a crash mid-write. */
  complete: number;
  torn: number;
}

function parseLine(line: string, file: string, number: number): LedgerRecord {
  try {
    const record = JSON.parse(line) as LedgerRecord;
    if ((record.status === 'sent' || record.status === 'failed') && typeof record.to === 'string') return record;
  } catch {
    // reported below, with the line
  }
  throw new LedgerError(
    `${file}:${number}: not a ledger record. The ledger is only ever appended to, so this line was changed by hand or the disk ` +
      'is damaged; castwright will not guess who was already sent to. Restore the file, or delete the line and accept that its reader may get a second copy',
  );
}

/** Reads a ledger; a missing file is an empty one. A torn last line is not a record: its reader was never counted. */
export async function readLedger(file: string): Promise<LedgerContents> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: { sent: new Set(), failed: new Map() }, complete: 0, torn: 0 };
    throw error;
  }
  const complete = data.lastIndexOf(0x0a) + 1;
  const state: LedgerState = { sent: new Set(), failed: new Map() };
  const lines = data.subarray(0, complete).toString('utf8').split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const record = parseLine(line, file, index + 1);
    if (record.status === 'sent') {
      state.sent.add(record.to);
      state.failed.delete(record.to);
    } else if (!state.sent.has(record.to)) {
      state.failed.set(record.to, record.response);
    }
  });
  return { state, complete, torn: data.length - complete };
}

/** fsync of a folder makes the names in it durable: a new file survives a power cut only with it. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface Waiting {
  bytes: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

export class Ledger {
  readonly file: string;
  /** What the file held when opened: the readers a run skips. */
  readonly state: LedgerState;
  /** Bytes of a torn record found (and cut off) when the ledger was opened. */
  readonly tornBytes: number;
  private readonly handle: FileHandle;
  private queue: Waiting[] = [];
  private flushing: Promise<void> | undefined;
  private broken: Error | undefined;

  private constructor(file: string, handle: FileHandle, contents: LedgerContents) {
    this.file = file;
    this.handle = handle;
    this.state = contents.state;
    this.tornBytes = contents.torn;
  }

  /** Opens (creating it and its folders durably) the ledger for appending. Hold the episode's lock first. */
  static async open(file: string): Promise<Ledger> {
    const folder = path.dirname(file);
    const firstCreated = await mkdir(folder, { recursive: true });
    const contents = await readLedger(file);
    const handle = await open(file, 'a');
    try {
      if (contents.torn > 0) {
        // Appending after the fragment would glue the next record onto it.
        await handle.truncate(contents.complete);
        await handle.sync();
      }
      if (contents.complete === 0) {
        const created = firstCreated ? path.relative(path.dirname(firstCreated), folder).split(path.sep).length : 0;
        let dir = folder;
        for (let level = 0; level <= created; level++, dir = path.dirname(dir)) await syncFolder(dir);
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new Ledger(file, handle, contents);
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
      try {
        const bytes = Buffer.concat(group.map((waiting) => waiting.bytes));
        for (let offset = 0; offset < bytes.length; ) offset += (await this.handle.write(bytes, offset)).bytesWritten;
        // datasync: the appended bytes and the new length, without the inode's times.
        await this.handle.datasync();
        for (const waiting of group) waiting.resolve();
      } catch (error) {
        // A record that may not be on disk must never be taken for one that is: everything after fails too.
        this.broken = new LedgerError(`cannot write the ledger ${this.file}: ${(error as Error).message}`);
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
