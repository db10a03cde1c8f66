// Work folders a build makes beside (or inside) its output, each proven castwright's by a claim
// file named after the process that made it. A build killed half-way leaves them behind; the next
// build removes those whose process is gone, and nothing else: not a folder that merely looks like
// ours, not the work of a build still running, not one made on another machine sharing the disk.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { readRegularFile } from '../regular-file.ts';

export interface WorkArea {
  /** The new output is written here. */
  staging: string;
  /** The previous output is moved here before it is removed. */
  retired: string;
  /** A file for bytes set aside while the output is written (write/aside.ts), made by whoever needs it. */
  aside: string;
  /** Whether `staging` is an earlier output taken over (a spare, see takeSpare), not an empty folder. */
  adopted: boolean;
  /** Removes both folders and the claim. */
  release(): void;
  /**
   * Removes them in a detached process, so that a command can end before a large previous output
   * is gone (on some disks removing a thousand folders takes seconds). Until it is done the claim
   * stays; if that process is killed, the next build removes what it left.
   */
  releaseDetached(): void;
}

// Run by `node -e` with the folders and the claim as arguments: the claim goes last.
const REMOVER = `const { rmSync } = require('node:fs'); for (const p of process.argv.slice(1)) rmSync(p, { recursive: true, force: true });`;

/** This machine, as the names of claims and temporary files give it (a disk may be shared). */
export const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Removes a folder of castwright's own work (a work area, a discarded spare). A folder in it that its
 * owner may not read or write (mode 000, say: it stops rm -rf) is opened to its owner first (u+rwx),
 * then removed: the tree is ours, and left behind it would stop every later build. Only folders are
 * changed, found by lstat, so a symbolic link in the tree is removed, never followed. Throws when it
 * still cannot be removed (a folder of another user).
 */
export function removeOwnTree(tree: string): void {
  try {
    rmSync(tree, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    openToOwner(tree);
    rmSync(tree, { recursive: true, force: true });
  }
}

function openToOwner(folder: string): void {
  const info = lstatSync(folder, { throwIfNoEntry: false });
  if (!info?.isDirectory()) return;
  if ((info.mode & 0o700) !== 0o700) chmodSync(folder, (info.mode & 0o7777) | 0o700);
  for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) openToOwner(path.join(folder, entry.name));
}

/** `<prefix><host>-<pid>-<random>.claim`: the name alone says who made it. */
function claimPattern(prefix: string): RegExp {
  return new RegExp(`^${escape(prefix)}([0-9a-f]{8})-(\\d+)-([0-9a-f]+)\\.claim$`);
}

/** Whether process `pid` of this machine runs (this one's included). */
export function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Claims a work area in `dir`: the claim file first, then the staging folder, created with the
 * default mode (0777 less the umask, like any other folder) rather than mkdtemp's 0700, since it
 * becomes the published folder.
 */
export function claimWorkArea(dir: string, prefix: string, adopt?: string): WorkArea {
  const id = `${prefix}${HOST}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const claim = path.join(dir, `${id}.claim`);
  writeFileSync(claim, `castwright (process ${process.pid} on ${hostname()}) is writing ${id}.new here; a later build removes it if that process is gone\n`, {
    flag: 'wx',
  });
  const staging = path.join(dir, `${id}.new`);
  const retired = path.join(dir, `${id}.old`);
  const aside = path.join(dir, `${id}.aside`);
  const release = () => {
    // The claim goes last: what cannot be removed keeps it, for the next build to try again.
    removeOwnTree(staging);
    removeOwnTree(retired);
    rmSync(aside, { force: true });
    rmSync(claim, { force: true });
  };
  const releaseDetached = () => {
    removeOwnTree(staging);
    rmSync(aside, { force: true });
    try {
      spawn(process.execPath, ['-e', REMOVER, retired, claim], { detached: true, stdio: 'ignore', env: {} }).unref();
    } catch {
      release();
    }
  };
  // Renamed, so of two builds only one takes it; the other starts from an empty folder. What was
  // renamed must be a folder (not a link to elsewhere swapped in since findSpare looked): the spare
  // is walked and cleared, and that must never happen outside it. Anything else is removed (a link
  // itself, never what it leads to).
  let adopted = adopt !== undefined && tryRename(adopt, staging);
  try {
    if (adopted && !lstatSync(staging).isDirectory()) {
      rmSync(staging, { force: true });
      adopted = false;
    }
    if (!adopted) mkdirSync(staging, { mode: 0o777 });
  } catch (error) {
    release();
    throw error;
  }
  return { staging, retired, aside, adopted, release, releaseDetached };
}

/**
 * Removes the work areas in `dir` whose claim names a process of this machine that has ended. One
 * that cannot be removed (a folder of another user in it) is left with its claim, to be tried again
 * by the next build, and told to `onWarning`: it never stops this one.
 */
export function removeStaleWorkAreas(dir: string, prefix: string, onWarning?: (work: string, error: unknown) => void): string[] {
  const pattern = claimPattern(prefix);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const present = new Set(names);
  const removed: string[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || match[1] !== HOST || isRunning(Number(match[2]))) continue;
    const id = name.slice(0, -'.claim'.length);
    let left = false;
    for (const work of [`${id}.new`, `${id}.old`, `${id}.aside`]) {
      if (!present.has(work)) continue;
      try {
        removeOwnTree(path.join(dir, work));
        removed.push(work);
      } catch (error) {
        left = true;
        onWarning?.(work, error);
      }
    }
    // force: the detached remover of that build (releaseDetached) may be removing it at the same time.
    if (!left) rmSync(path.join(dir, name), { force: true });
  }
  return removed;
}

/** Whether an entry of an output folder is castwright's work in progress, never output. */
export const isWorkEntry = (name: string, prefix: string) => name.startsWith(prefix);

function tryRename(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch {
    return false;
  }
}

// The spare: the output before the live one, kept beside it (`.<out>.castwright-spare`) instead of
// removed, for the next build to update into the new output. Most of its files are links to the
// live output's and its folders are there already, so a build that changed little makes few
// folders (thousands of mkdir cost more than the rest of writing). Nothing in it is trusted: every
// entry is checked against the live output and its record, and replaced or removed unless it is
// the very file wanted (write/atomic.ts). Its claim (a file beside it, kept while it exists) is
// what proves it castwright's: a folder by that name without one is never taken or touched.
const spareName = (prefix: string) => `${prefix}spare`;
const SPARE_CLAIM = 'castwright keeps the output before the live one here, to build the next one faster; it is safe to delete (with this file)\n';

/**
 * The spare in `dir`, when castwright's claim proves it its own. A claimed spare that is no folder
 * (replaced by a symbolic link, say) is discarded, the link itself and never what it leads to, so
 * that the next output can be kept as the spare again.
 */
export function findSpare(dir: string, prefix: string): string | undefined {
  const spare = path.join(dir, spareName(prefix));
  try {
    if (readRegularFile(`${spare}.claim`).toString('utf8') !== SPARE_CLAIM) return undefined;
    const info = lstatSync(spare, { throwIfNoEntry: false });
    if (info?.isDirectory()) return spare;
    if (info) {
      rmSync(spare, { force: true });
      rmSync(`${spare}.claim`, { force: true });
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `folder` (a previous output, no longer live) as the spare of `dir`; false when another is there already. */
export function keepSpare(dir: string, prefix: string, folder: string): boolean {
  const spare = path.join(dir, spareName(prefix));
  // Another build's spare, or a folder of someone else's: left as it is.
  if (lstatSync(spare, { throwIfNoEntry: false })) return false;
  try {
    writeFileSync(`${spare}.claim`, SPARE_CLAIM);
    renameSync(folder, spare);
    return true;
  } catch {
    rmSync(`${spare}.claim`, { force: true });
    return false;
  }
}
