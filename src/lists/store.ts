// The lists folder as castwright writes it: rows are only ever appended, each append is synced to
// disk before anyone is told it happened, and every read and append happens under the folder's
// lock, the same kind of lock a send takes on its mailing (lock.ts), held for milliseconds. So
// `serve`, `send`, `unsubscribe` and `subscribers` can run at the same time, in any number.
//
// Appends are committed in groups: requests that arrive while one group is being written wait for
// the next, which takes the lock once and syncs once for all of them.
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, open, readlink, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { RunError, systemError } from '../errors.ts';
import { readRegularFileAsync, refusedReason } from '../regular-file.ts';
import { syncFolder } from '../send/folders.ts';
import { LockedError, acquireLock, type Lock } from '../send/lock.ts';
import { SUBSCRIBERS_HEADER, UNSUBSCRIBED_HEADER, csvRow, type ListKind, type ListsPlace } from './place.ts';
import { repairTail } from './repair.ts';
import { isSubscribed, isSuppressed, parseLists, type ListsSnapshot } from './state.ts';

const HEADERS: Record<ListKind, readonly string[]> = { subscribers: SUBSCRIBERS_HEADER, unsubscribed: UNSUBSCRIBED_HEADER };
const KINDS: readonly ListKind[] = ['subscribers', 'unsubscribed'];

/** How long a writer waits for the lock before it gives up and says who holds it. */
export const LOCK_WAIT_MS = 10_000;

export interface Unsubscription {
  /** The reader's canonical address. */
  key: string;
  /** How it came: `one-click`, `unsubscribe page`, `castwright unsubscribe`, `import <file>`. */
  source: string;
}

export interface Subscription {
  /** The address as it should be written (and mailed). */
  address: string;
  key: string;
  name?: string;
  /** `sign-up`, `re-subscribe`, `import <file>`. */
  source: string;
}

export type Change = { kind: 'unsubscribed'; row: Unsubscription } | { kind: 'subscribers'; row: Subscription };

export interface ChangeResult {
  /** A row was written; false when the reader already was where the change would put them. */
  written: boolean;
  /**
   * The reader is now where the change puts them. Only false for a subscription that an undated
   * unsubscription (one written by hand, which castwright keeps for ever) still overrides.
   */
  effective: boolean;
}

interface Pending {
  change: Change;
  resolve(result: ChangeResult): void;
  reject(error: Error): void;
}

interface Identity {
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface StoreOptions {
  /** The clock rows are dated by. */
  now?: () => Date;
  /** Told about every repair and every surprise met in the files. */
  onNote?: (note: string) => void;
  lockWaitMs?: number;
}

export class ListsError extends RunError {}

function lockedMessage(error: LockedError, place: ListsPlace): string {
  const holder = error.holder;
  const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : 'a process whose lock file cannot be read';
  return (
    `the lists in ${place.shown.folder} stayed locked by another castwright (${who}) for ${LOCK_WAIT_MS / 1000} s. ` +
    `If no castwright process is running there, remove the lock by hand (rm '${place.shown.lock}') and try again`
  );
}

/** Lock holders of this process, by lock file: they queue here rather than at the file. */
const local = new Map<string, Promise<void>>();

/** Takes the lists' lock, waiting while another holder (in this process or another) has it. */
export async function lockLists(place: ListsPlace, waitMs = LOCK_WAIT_MS): Promise<Lock> {
  const before = local.get(place.lock) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const queue = before.then(() => mine);
  local.set(place.lock, queue);
  const forget = () => {
    done();
    if (local.get(place.lock) === queue) local.delete(place.lock);
  };
  await before;
  try {
    const lock = await lockFile(place, waitMs);
    return {
      ...lock,
      async release() {
        try {
          await lock.release();
        } finally {
          forget();
        }
      },
    };
  } catch (error) {
    forget();
    throw error;
  }
}

async function lockFile(place: ListsPlace, waitMs: number): Promise<Lock> {
  const until = Date.now() + waitMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      return await acquireLock(place.lock, place.shown.lock);
    } catch (error) {
      if (!(error instanceof LockedError)) throw new ListsError((error as Error).message, { cause: error });
      if (Date.now() >= until) throw new ListsError(lockedMessage(error, place), { cause: error });
      await sleep(delay);
    }
  }
}

async function readBytes(file: string, shown: string, kind: ListKind): Promise<Buffer> {
  try {
    return await readRegularFileAsync(file);
  } catch (error) {
    const expected = `${kind === 'subscribers' ? 'the list of subscribers' : 'the list of readers who unsubscribed'}, one row a reader`;
    // A link to nothing (a share not mounted) is a list that cannot be read, not an empty one: as
    // empty, send mailed every reader who had unsubscribed, and a change was written through it.
    const target = (error as NodeJS.ErrnoException).code === 'ENOENT' ? await readlink(file).catch(() => undefined) : undefined;
    if (target !== undefined) throw new ListsError(`${shown}: a symbolic link to ${target}, which does not exist; expected ${expected}`, { cause: error });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    // Never read whole nor mended: a file far larger than castwright writes is not one of its lists.
    const refused = refusedReason(error, expected);
    if (refused) throw new ListsError(`${shown}: ${refused}`, { cause: error });
    throw new ListsError(systemError(error, 'cannot read', shown).message, { cause: error });
  }
}

async function identityOf(file: string): Promise<Identity | undefined> {
  try {
    const info = await stat(file);
    return { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const same = (a: Identity | undefined, b: Identity | undefined) => a?.ino === b?.ino && a?.size === b?.size && a?.mtimeMs === b?.mtimeMs;

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) offset += (await handle.write(bytes, offset)).bytesWritten;
}

/**
 * Appends to a list file, creating it with its header (and the folder, durably) when missing,
 * and syncs. On failure the file is cut back to its length before, so it never holds a row that
 * nobody was told about. Returns the file's identity after the append.
 */
async function appendRows(place: ListsPlace, kind: ListKind, text: string, shown: string): Promise<Identity> {
  const file = place[kind];
  let madeFolder: string | undefined;
  try {
    madeFolder = await mkdir(place.folder, { recursive: true });
  } catch (error) {
    throw new ListsError(systemError(error, 'cannot create the lists folder', place.shown.folder).message, { cause: error });
  }
  let handle: FileHandle;
  try {
    handle = await open(file, 'a');
  } catch (error) {
    throw new ListsError(systemError(error, 'cannot open', shown).message, { cause: error });
  }
  let before = 0;
  try {
    before = (await handle.stat()).size;
    const bytes = Buffer.from(before === 0 ? csvRow(HEADERS[kind]) + text : text);
    try {
      await writeAll(handle, bytes);
      await handle.datasync();
    } catch (error) {
      const cut = await handle
        .truncate(before)
        .then(() => handle.datasync())
        .then(
          () => '',
          () => '; part of the rows may have reached it',
        );
      throw new ListsError(`${systemError(error, 'cannot write', shown).message}${cut}`, { cause: error });
    }
    if (before === 0) {
      // A new file's name (and any folder made for it) must outlive a power cut too.
      await syncFolder(place.folder);
      if (madeFolder) for (let dir = place.folder; dir !== path.dirname(madeFolder); dir = path.dirname(dir)) await syncFolder(path.dirname(dir));
    }
    const info = await handle.stat();
    return { ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
  } finally {
    await handle.close();
  }
}

/**
 * Reads both files under the lock (the caller holds it), mending a half-written last row first.
 * Returns their texts, with line endings made LF.
 */
async function readUnderLock(place: ListsPlace, notes: (note: string) => void): Promise<{ texts: Record<ListKind, string>; identities: Record<ListKind, Identity | undefined> }> {
  const texts = { subscribers: '', unsubscribed: '' };
  const identities: Record<ListKind, Identity | undefined> = { subscribers: undefined, unsubscribed: undefined };
  for (const kind of KINDS) {
    const file = place[kind];
    const shown = place.shown[kind];
    let data = await readBytes(file, shown, kind);
    const repair = repairTail(data, kind, HEADERS[kind]);
    if (repair) {
      try {
        if (repair.moved !== undefined) {
          const aside = await open(`${file}.torn`, 'a');
          try {
            await writeAll(aside, Buffer.from(`${repair.moved}\n`));
            await aside.sync();
          } finally {
            await aside.close();
          }
        }
        const handle = await open(file, 'r+');
        try {
          await handle.truncate(repair.keep);
          await handle.write(Buffer.from(repair.append), 0, Buffer.byteLength(repair.append), repair.keep);
          await handle.datasync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw new ListsError(systemError(error, 'cannot mend the half-written last row of', shown).message, { cause: error });
      }
      notes(`${shown}: ${repair.note}${repair.moved !== undefined ? `; the cut text is kept in ${shown}.torn` : ''}`);
      data = await readBytes(file, shown, kind);
    }
    texts[kind] = data.toString('utf8').replace(/\r\n?/g, '\n');
    identities[kind] = await identityOf(file);
  }
  return { texts, identities };
}

/** The lists as they are now, read under the lock and mended if a crash left a row half-written. Missing files are empty lists. */
export async function readLists(place: ListsPlace, options: StoreOptions = {}): Promise<ListsSnapshot> {
  const lock = await lockLists(place, options.lockWaitMs);
  let texts: Record<ListKind, string>;
  try {
    ({ texts } = await readUnderLock(place, options.onNote ?? (() => undefined)));
  } finally {
    await lock.release();
  }
  // Parsed after the lock is let go: a long list must not hold up the writers.
  return parseLists(texts, place.shown);
}

/** What a person's edit broke, for the host. */
function unreadable(problem: Error): string {
  return `the lists cannot be read (${problem.message.replace(/\n/g, '; ')}); castwright goes on recording changes, and send refuses to run until this is fixed`;
}

/**
 * The lists as a long-running process keeps them: a snapshot in memory, brought up to date under
 * the lock before every group of changes (another process, or a person, may have written to the
 * files meanwhile), and changes appended in groups.
 */
export class ListsStore {
  readonly place: ListsPlace;
  private snapshot: ListsSnapshot;
  private identities: Record<ListKind, Identity | undefined>;
  private readonly options: StoreOptions;
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;
  /** Unsubscriptions this process recorded: put back if they vanish from the file (fail closed). */
  private readonly recorded = new Map<string, Unsubscription & { at: number }>();
  /** A group failed after the snapshot took its changes in: read the files again first. */
  private stale = false;
  /** The files could be read whole: only then can a missing unsubscription be told from an unreadable one. */
  private readable = true;

  private constructor(place: ListsPlace, snapshot: ListsSnapshot, identities: Record<ListKind, Identity | undefined>, options: StoreOptions) {
    this.place = place;
    this.snapshot = snapshot;
    this.identities = identities;
    this.options = options;
  }

  static async open(place: ListsPlace, options: StoreOptions = {}): Promise<ListsStore> {
    const lock = await lockLists(place, options.lockWaitMs);
    try {
      const { texts, identities } = await readUnderLock(place, options.onNote ?? (() => undefined));
      const { snapshot, problem } = parseLists(texts, place.shown, { lenient: true });
      if (problem) options.onNote?.(unreadable(problem));
      const store = new ListsStore(place, snapshot, identities, options);
      store.readable = !problem;
      return store;
    } finally {
      await lock.release();
    }
  }

  get current(): ListsSnapshot {
    return this.snapshot;
  }

  /** Resolves once the change is on disk, or known to be there already; rejects when it could not be written. */
  change(change: Change): Promise<ChangeResult> {
    const done = new Promise<ChangeResult>((resolve, reject) => this.queue.push({ change, resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  /** Waits for every change asked for so far. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private note(text: string): void {
    this.options.onNote?.(text);
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue;
      this.queue = [];
      try {
        const results = await this.commit(group.map((pending) => pending.change));
        group.forEach((pending, index) => pending.resolve(results[index]!));
      } catch (error) {
        for (const pending of group) pending.reject(error as Error);
      }
    }
    this.flushing = undefined;
  }

  /** Rereads what changed on disk since this process last looked; a file it cannot judge keeps its last good reading. */
  private async refresh(): Promise<void> {
    const now = { subscribers: await identityOf(this.place.subscribers), unsubscribed: await identityOf(this.place.unsubscribed) };
    if (same(now.subscribers, this.identities.subscribers) && same(now.unsubscribed, this.identities.unsubscribed)) return;
    const { texts, identities } = await readUnderLock(this.place, (note) => this.note(note));
    const { snapshot, problem } = parseLists(texts, this.place.shown, { lenient: true });
    this.snapshot = snapshot;
    this.readable = !problem;
    if (problem) this.note(unreadable(problem));
    this.identities = identities;
  }

  private async commit(changes: readonly Change[]): Promise<ChangeResult[]> {
    const lock = await lockLists(this.place, this.options.lockWaitMs);
    try {
      if (this.stale) this.identities = { subscribers: undefined, unsubscribed: undefined };
      this.stale = false;
      await this.refresh();
      const { snapshot } = this;
      const now = (this.options.now ?? (() => new Date()))().getTime();
      const text: Record<ListKind, string> = { subscribers: '', unsubscribed: '' };
      /** This group's unsubscriptions, and (null) subscriptions that end one, in order. */
      const recorded = new Map<string, (Unsubscription & { at: number }) | null>();
      /**
       * Each row is dated after everything known of its reader, so the later action always wins,
       * even two in the same millisecond; a date castwright cannot beat (an undated
       * unsubscription, which is for ever) gets the clock's.
       */
      const dated = (key: string) => {
        const latest = Math.max(snapshot.subscribedAt.get(key) ?? -Infinity, snapshot.unsubscribedAt.get(key) ?? -Infinity);
        const at = Math.max(now, latest + 1);
        return Number.isFinite(at) ? at : now;
      };
      const restore = this.readable ? [...this.recorded.values()].filter((row) => (snapshot.unsubscribedAt.get(row.key) ?? -Infinity) < row.at) : [];
      if (restore.length > 0) {
        this.note(
          `${restore.length} unsubscription${restore.length === 1 ? '' : 's'} recorded by this process vanished from ${this.place.shown.unsubscribed} ` +
            '(a copy saved over it?); put back, since those readers were told they are unsubscribed',
        );
      }
      for (const row of restore) {
        const at = dated(row.key);
        text.unsubscribed += csvRow([row.key, new Date(at).toISOString(), `${row.source} (put back)`]);
        snapshot.unsubscribedAt.set(row.key, at);
        recorded.set(row.key, { ...row, at });
      }
      const results = changes.map((change): ChangeResult => {
        const { key } = change.row;
        if (change.kind === 'unsubscribed') {
          if (isSuppressed(snapshot, key)) return { written: false, effective: true };
          const at = dated(key);
          text.unsubscribed += csvRow([key, new Date(at).toISOString(), change.row.source]);
          snapshot.unsubscribedAt.set(key, at);
          recorded.set(key, { ...change.row, at });
        } else {
          if (isSubscribed(snapshot, key)) return { written: false, effective: true };
          const at = dated(key);
          text.subscribers += csvRow([change.row.address, change.row.name ?? '', new Date(at).toISOString(), change.row.source]);
          if (!snapshot.subscribedAt.has(key)) {
            snapshot.subscribers.recipients.push({ address: change.row.address, key, ...(change.row.name ? { name: change.row.name } : {}), line: 0 });
          }
          snapshot.subscribedAt.set(key, at);
          recorded.set(key, null);
        }
        return { written: true, effective: change.kind === 'unsubscribed' ? isSuppressed(snapshot, key) : isSubscribed(snapshot, key) };
      });
      try {
        for (const kind of KINDS) {
          if (text[kind] !== '') this.identities[kind] = await appendRows(this.place, kind, text[kind], this.place.shown[kind]);
        }
      } catch (error) {
        // The snapshot ran ahead of the files: the next group reads them again.
        this.stale = true;
        throw error;
      }
      for (const [key, row] of recorded) {
        if (row) this.recorded.set(key, row);
        else this.recorded.delete(key);
      }
      return results;
    } finally {
      await lock.release();
    }
  }
}
