// One send of an episode at a time: two processes working from the same ledger would each send to
// the readers the other has not recorded yet. The lock is a file naming its holder; a holder that
// died (SIGKILL, a crash, a reboot) leaves it behind, so a lock whose process is gone is taken over.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { RunError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  /** Distinguishes our lock from a later one that reuses the same pid. */
  nonce: string;
}

export class LockedError extends RunError {
  readonly holder: LockHolder | undefined;

  constructor(file: string, holder: LockHolder | undefined) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.started}` : 'another process';
    const sameHost = holder?.host === hostname();
    super(
      `another send of this episode is running (${who}); wait for it to finish` +
        (sameHost ? '' : `, or if no send is running there, delete ${file}`),
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
    return Number.isInteger(holder.pid) && typeof holder.host === 'string' ? { holder, text } : { text };
  } catch {
    return { text };
  }
}

export interface Lock {
  file: string;
  /** The lock of a process that had died, taken over. */
  tookOverFrom?: LockHolder;
  release(): Promise<void>;
}

/** Takes the lock or throws LockedError naming the live holder. */
export async function acquireLock(file: string): Promise<Lock> {
  await mkdir(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  const mine = `${JSON.stringify(me)}\n`;
  // Written whole under a private name, then linked into place: link() fails if the lock exists,
  // and whoever reads the lock never sees it half-written.
  const draft = `${file}.${me.pid}.${me.nonce}`;
  await writeFile(draft, mine);
  let tookOverFrom: LockHolder | undefined;
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(draft, file);
        return {
          file,
          ...(tookOverFrom ? { tookOverFrom } : {}),
          async release() {
            // Only our own: after a takeover by mistake we must not delete the other's lock.
            if ((await readHolder(file))?.text === mine) await unlink(file);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await readHolder(file);
      if (!existing) continue;
      const { holder } = existing;
      // A pid means nothing on another machine sharing the folder: only its owner can say it is stale.
      if (holder && (holder.host !== me.host || alive(holder.pid))) throw new LockedError(file, holder);
      // Remove the stale lock only if it is still the one we judged; a racing process may have replaced it.
      if ((await readHolder(file))?.text === existing.text) await unlink(file).catch(() => undefined);
      if (holder) tookOverFrom = holder;
    }
    throw new LockedError(file, undefined);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}
