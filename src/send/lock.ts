// One send of a mailing at a time: two processes working from the same ledger would each send to
// the readers the other has not recorded yet. The lock is a file naming its holder. A holder that
// died (SIGKILL, a crash, a reboot) leaves it behind, so a lock is taken over when it is certainly
// stale; when castwright cannot tell, it refuses and says how to remove the lock by hand.
//
// A process id alone proves little: in a container the sender is often PID 1 in every run, and a
// pid is reused by unrelated processes. So the lock also records the holder's start time (Linux:
// field 22 of /proc/<pid>/stat, in clock ticks since boot) and the boot it started in.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { RunError, systemError } from '../errors.ts';

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
}

/** How a lock found in place is judged. */
export type Judgement = 'held' | 'stale' | 'unknown';

export class LockedError extends RunError {
  readonly holder: LockHolder | undefined;

  constructor(shown: string, holder: LockHolder | undefined, judgement: Exclude<Judgement, 'stale'>) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : 'another process';
    const head = `another send of this episode is running (${who})`;
    const why = !holder ? 'the lock file cannot be read' : holder.host !== hostname() ? 'its process runs on another machine' : 'a process with that id is running, and castwright cannot tell whether it is that send';
    super(
      judgement === 'held'
        ? `${head}; wait for it to finish`
        : `${head}, or a lock left behind: ${why}. If no send of this episode is running, remove the lock by hand (rm '${shown}') and run the command again`,
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

/** Locks this process holds now, by nonce: a lock naming our pid with another nonce is a dead predecessor's. */
const ours = new Set<string>();

export function judgeHolder(holder: LockHolder): Judgement {
  // A pid means nothing on another machine sharing the folder: only its owner can say it is stale.
  if (holder.host !== hostname()) return 'unknown';
  if (holder.pid === process.pid) return ours.has(holder.nonce) ? 'held' : 'stale';
  const boot = bootId();
  if (holder.boot && boot && holder.boot !== boot) return 'stale';
  if (!alive(holder.pid)) return 'stale';
  const ticks = processStartTicks(holder.pid);
  if (holder.startTicks && ticks) return holder.startTicks === ticks ? 'held' : 'stale';
  return 'unknown';
}

async function readHolder(file: string): Promise<{ holder?: LockHolder; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.nonce === 'string' ? { holder, text } : { text };
  } catch {
    return { text };
  }
}

export interface Lock {
  file: string;
  /** The lock of a send that is no longer running, taken over. */
  tookOverFrom?: LockHolder;
  release(): Promise<void>;
}

/** Takes the lock, or throws LockedError naming the holder; a file system error becomes a RunError naming the lock. */
export async function acquireLock(file: string, shown = file): Promise<Lock> {
  try {
    return await takeLock(file, shown);
  } catch (error) {
    if (error instanceof RunError) throw error;
    throw systemError(error, 'cannot write the lock', shown);
  }
}

async function takeLock(file: string, shown: string): Promise<Lock> {
  await mkdir(path.dirname(file), { recursive: true });
  const startTicks = processStartTicks(process.pid);
  const boot = bootId();
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    nonce: randomBytes(8).toString('hex'),
    ...(startTicks ? { startTicks } : {}),
    ...(boot ? { boot } : {}),
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
        return {
          file,
          ...(tookOverFrom ? { tookOverFrom } : {}),
          async release() {
            // Only our own: after a takeover by mistake we must not delete the other's lock. The
            // nonce stays ours until the file is gone: forgotten first, the lock would look stale
            // to another taker in this process, who could remove it and let a third process in,
            // whose lock this unlink would then delete.
            try {
              if ((await readHolder(file))?.text === mine) await unlink(file);
            } finally {
              ours.delete(me.nonce);
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await readHolder(file);
      if (!existing) continue;
      const { holder } = existing;
      if (!holder) throw new LockedError(shown, undefined, 'unknown');
      const judgement = judgeHolder(holder);
      if (judgement !== 'stale') throw new LockedError(shown, holder, judgement);
      // Remove the stale lock only if it is still the one we judged; a racing process may have replaced it.
      if ((await readHolder(file))?.text === existing.text) await unlink(file).catch(() => undefined);
      tookOverFrom = holder;
    }
    throw new LockedError(shown, undefined, 'unknown');
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}
