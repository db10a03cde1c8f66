// One send of a mailing at a time: two processes working from the same ledger would each send to
// the readers the other has not recorded yet. The lock is a file naming its holder. A holder that
// died (SIGKILL, a crash, a reboot) leaves it behind, so a lock is taken over when it is certainly
// stale; when castwright cannot tell, it refuses and says how to remove the lock by hand.
//
// A process id alone proves little: in a container the sender is often PID 1 in every run, and a
// pid is reused by unrelated processes. So the lock also records the holder's start time (Linux:
// field 22 of /proc/<pid>/stat, in clock ticks since boot), the boot it started in, and its pid
// namespace. A pid is only judged within its own namespace: two containers sharing the state
// folder may both be PID 1 under one host name, and the other's pid means nothing here. For such
// a holder only time tells: the holder refreshes the lock's modification time while it runs, and a
// lock left unrefreshed for STALE_AFTER_MS is its killed holder's. The refresh also checks that the
// lock is still its own: a lock removed or taken over while a send runs stops that send.
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { link, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { RunError, systemError } from '../errors.ts';
import { readRegularFileAsync, refusedReason } from '../regular-file.ts';
import { linkNamed, linkToNothing, makeFolder } from './folders.ts';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  /** Distinguishes one holding from another by the same process id. */
  nonce: string;
  /** The holder's start time in clock ticks since boot, where the system says it. */
  startTicks?: string;
  /** Linux's id of the boot the holder started in. */
  boot?: string;
  /** Linux's id of the holder's pid namespace (`pid:[4026531836]`): its pid means something only there. */
  pidns?: string;
}

/** What a lock guards unless told otherwise, as its messages name it. */
const SEND = 'send of this episode';

/** How often a holder refreshes its lock. */
export const REFRESH_MS = 5_000;
/** A lock of a holder whose pid cannot be judged here, unrefreshed this long, is its killed holder's. */
export const STALE_AFTER_MS = 60_000;

/** How a lock found in place is judged. */
export type Judgement = 'held' | 'stale' | 'unknown';

export class LockedError extends RunError {
  readonly holder: LockHolder | undefined;

  constructor(shown: string, holder: LockHolder | undefined, judgement: Exclude<Judgement, 'stale'>, refreshedMsAgo?: number, activity = SEND) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : 'another process';
    const head = `another ${activity} is running (${who})`;
    let why: string;
    if (!holder) why = 'the lock file cannot be read';
    else if (holder.host !== hostname()) why = 'its process runs on another machine';
    else if (foreignNamespace(holder)) {
      const ago = refreshedMsAgo === undefined ? 'at an unknown time' : `${Math.max(0, Math.round(refreshedMsAgo / 1000))} s ago`;
      why =
        `its process runs in another process namespace (another container sharing this folder), where its id means nothing here, and it refreshed the lock ${ago}; ` +
        `a process that was killed stops refreshing its lock, and castwright takes it over ${STALE_AFTER_MS / 1000} s after the last refresh`;
    } else why = 'a process with that id is running, and castwright cannot tell whether it is that send';
    super(
      judgement === 'held'
        ? `${head}; wait for it to finish`
        : `${head}, or a lock left behind: ${why}. If no ${activity} is running, remove the lock by hand (rm '${shown}') and run the command again`,
    );
    this.holder = holder;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Field 22 (starttime) of /proc/<pid>/stat, or undefined where there is no such file. Field 2 is the
 * command name in parentheses, which may itself hold spaces and parentheses: fields are counted
 * from the last `)`, after which field 3 comes.
 */
export function processStartTicks(pid: number): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields[22 - 3];
  return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
}

function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() || undefined;
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/** The holder's pid belongs to another pid namespace than ours (another container): it cannot be checked here. */
function foreignNamespace(holder: LockHolder): boolean {
  const ours = pidNamespace();
  return holder.pidns !== undefined && ours !== undefined && holder.pidns !== ours;
}

/** Locks this process holds now, by nonce: a lock naming our pid with another nonce is a dead predecessor's. */
const ours = new Set<string>();

/** `refreshedMsAgo`: how long ago the lock file was last refreshed (its modification time). */
export function judgeHolder(holder: LockHolder, refreshedMsAgo?: number): Judgement {
  // A pid means nothing on another machine sharing the folder: only its owner can say it is stale.
  if (holder.host !== hostname()) return 'unknown';
  const boot = bootId();
  if (holder.boot && boot && holder.boot !== boot) return 'stale';
  // Nor in another pid namespace, whatever it equals (our own pid included): only the refreshes tell.
  if (foreignNamespace(holder)) return refreshedMsAgo !== undefined && refreshedMsAgo > STALE_AFTER_MS ? 'stale' : 'unknown';
  if (holder.pid === process.pid) return ours.has(holder.nonce) ? 'held' : 'stale';
  if (!alive(holder.pid)) return 'stale';
  const ticks = processStartTicks(holder.pid);
  if (holder.startTicks && ticks) return holder.startTicks === ticks ? 'held' : 'stale';
  return 'unknown';
}

async function readHolder(file: string, shown: string): Promise<{ holder?: LockHolder; text: string; refreshedMsAgo?: number } | undefined> {
  let text: string;
  let refreshedMsAgo: number | undefined;
  try {
    text = (await readRegularFileAsync(file)).toString('utf8');
    refreshedMsAgo = Date.now() - (await stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A named pipe there held every send (and every sign-up) forever: no lock castwright took.
    const refused = refusedReason(error, 'the lock castwright writes, one line naming its holder');
    if (refused) throw new RunError(`${shown}: ${refused}; remove it once no send is running`, { cause: error });
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.nonce === 'string' ? { holder, text, refreshedMsAgo } : { text };
  } catch {
    return { text };
  }
}

export interface Lock {
  file: string;
  /** The lock of a send that is no longer running, taken over. */
  tookOverFrom?: LockHolder;
  /**
   * Aborted, with a sentence saying why as its reason, when a refresh finds the lock removed or
   * another holder's: the send must stop, or two would mail the same readers.
   */
  lost: AbortSignal;
  release(): Promise<void>;
}

export interface LockOptions {
  /** How often the holder refreshes the lock (REFRESH_MS). */
  refreshMs?: number;
  /** What the lock guards, as messages name it: "another <activity> is running". */
  activity?: string;
}

/** Takes the lock, or throws LockedError naming the holder; a file system error becomes a RunError naming the lock. */
export async function acquireLock(file: string, shown = file, options: LockOptions = {}): Promise<Lock> {
  try {
    return await takeLock(file, shown, options.refreshMs ?? REFRESH_MS, options.activity ?? SEND);
  } catch (error) {
    if (error instanceof RunError) throw error;
    // A folder on the way that is a link to nothing (a share not mounted) is named: ENOENT alone
    // said only that the lock "does not exist".
    const nothing = (error as NodeJS.ErrnoException).code === 'ENOENT' ? await linkToNothing(file) : undefined;
    if (nothing) {
      throw new RunError(`cannot write the lock ${shown}: ${linkNamed(nothing.link, file, shown)}a symbolic link to ${nothing.target}, which does not exist (a share not mounted?)`, { cause: error });
    }
    throw systemError(error, 'cannot write the lock', shown);
  }
}

async function takeLock(file: string, shown: string, refreshMs: number, activity: string): Promise<Lock> {
  await makeFolder(path.dirname(file));
  const startTicks = processStartTicks(process.pid);
  const boot = bootId();
  const pidns = pidNamespace();
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
    ...(startTicks ? { startTicks } : {}),
    ...(boot ? { boot } : {}),
    ...(pidns ? { pidns } : {}),
  };
  const mine = `${JSON.stringify(me)}\n`;
  // Written whole under a private name, then linked into place: link() fails if the lock exists,
  // and whoever reads the lock never sees it half-written.
  const draft = `${file}.${me.pid}.${me.nonce}`;
  let tookOverFrom: LockHolder | undefined;
  try {
    await writeFile(draft, mine);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(draft, file);
        ours.add(me.nonce);
        const refresher = refresh(file, shown, mine, refreshMs);
        return {
          file,
          ...(tookOverFrom ? { tookOverFrom } : {}),
          lost: refresher.lost,
          async release() {
            await refresher.stop();
            // Only our own: after a takeover by mistake we must not delete the other's lock. The
            // nonce stays ours until the file is gone: forgotten first, the lock would look stale
            // to another taker in this process, who could remove it and let a third process in,
            // whose lock this unlink would then delete.
            try {
              if ((await readHolder(file, shown))?.text === mine) await unlink(file);
            } finally {
              ours.delete(me.nonce);
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await readHolder(file, shown);
      if (!existing) continue;
      const { holder } = existing;
      if (!holder) throw new LockedError(shown, undefined, 'unknown', undefined, activity);
      const judgement = judgeHolder(holder, existing.refreshedMsAgo);
      if (judgement !== 'stale') throw new LockedError(shown, holder, judgement, existing.refreshedMsAgo, activity);
      // Remove the stale lock only if it is still the one we judged; a racing process may have replaced it.
      if ((await readHolder(file, shown))?.text === existing.text) await unlink(file).catch(() => undefined);
      tookOverFrom = holder;
    }
    throw new LockedError(shown, undefined, 'unknown', undefined, activity);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

/**
 * Every `everyMs`, checks that the lock still holds `mine` and sets its modification time to now,
 * which tells a send in another pid namespace that its holder is alive. A lock found removed or
 * replaced aborts `lost`.
 */
function refresh(file: string, shown: string, mine: string, everyMs: number): { lost: AbortSignal; stop(): Promise<void> } {
  const lost = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const beat = async () => {
    let found: Awaited<ReturnType<typeof readHolder>>;
    try {
      found = await readHolder(file, shown);
      if (found?.text === mine) {
        const now = new Date();
        await utimes(file, now, now);
        return;
      }
    } catch {
      // A refresh that fails (a disk briefly unreadable) proves nothing; the next one tries again.
      return;
    }
    clearInterval(timer);
    const other = found?.holder;
    lost.abort(
      found
        ? `the lock ${shown} was taken over by ${other ? `process ${other.pid} on ${other.host}` : 'another process'} while this send ran; ` +
            'stopped, so that two sends never mail the same readers. Let the other send finish, then run the command again if readers are left'
        : `the lock ${shown} was removed while this send ran (the state folder deleted or moved?); stopped, so that two sends never mail the same readers. ` +
            'Check that the ledger is still in place before running the command again: without it, a rerun mails every reader again',
    );
  };
  const timer = setInterval(() => {
    running = running.then(beat);
  }, everyMs);
  // A lock never keeps the process alive by itself.
  timer.unref();
  return {
    lost: lost.signal,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
