// How a staged output takes the place of the previous one: the one place that knows the two ways.
//
// - The folder: the previous folder is renamed aside and the staged one renamed into its place.
//   Linux has no atomic exchange of two folders from Node, so for an instant between the two
//   renames the path is missing, never half-written.
// - Its entries: a mount point (a Docker volume, a tmpfs) cannot be renamed (EBUSY), and a folder
//   beside it would be on another file system (EXDEV). The new output is then staged inside the
//   output folder and each top-level entry swapped in: a file by one atomic rename over the old
//   one, a folder by two renames. The feed and the index go last, so that the feed never lists an
//   episode whose page is not there yet.
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';

/** Left alone in an output folder: the file system's own, never part of a build. */
const KEPT = new Set(['lost+found']);

export function replaceFolder(staging: string, target: string, retired: string): void {
  const previous = path.join(retired, 'previous');
  let moved = false;
  try {
    if (existsSync(target)) {
      mkdirSync(retired);
      renameSync(target, previous);
      moved = true;
    }
    renameSync(staging, target);
  } catch (error) {
    if (moved) renameSync(previous, target);
    throw error;
  }
}

/** Entries of the new output in the order they are swapped in. */
function swapOrder(names: readonly string[]): string[] {
  const last = ['index.html', 'feed.xml'];
  return [...names.filter((name) => !last.includes(name)).sort(), ...last.filter((name) => names.includes(name))];
}

const isFolder = (file: string) => lstatSync(file, { throwIfNoEntry: false })?.isDirectory() ?? false;

/**
 * Swaps the entries of `staging` (inside `target`) into `target`; entries of the previous output
 * that the new one does not have are moved to `retired`, as are replaced folders. `isWork` names
 * the work entries to leave alone. On failure every entry is put back as it was.
 */
export function replaceEntries(staging: string, target: string, retired: string, isWork: (name: string) => boolean): void {
  const previous = new Set(readdirSync(target).filter((name) => !isWork(name) && !KEPT.has(name)));
  const fresh = swapOrder(readdirSync(staging));
  mkdirSync(retired);
  const undo: Array<() => void> = [];
  const aside = (name: string) => {
    renameSync(path.join(target, name), path.join(retired, name));
    undo.push(() => renameSync(path.join(retired, name), path.join(target, name)));
  };
  try {
    for (const name of fresh) {
      const from = path.join(staging, name);
      const to = path.join(target, name);
      if (previous.has(name)) {
        if (isFolder(to) || isFolder(from)) {
          aside(name);
        } else {
          // A file over a file: one atomic rename, with the old one kept by a link in case of undo.
          linkSync(to, path.join(retired, name));
          undo.push(() => renameSync(path.join(retired, name), to));
        }
      }
      renameSync(from, to);
      undo.push(() => {
        if (existsSync(to) && !existsSync(from)) renameSync(to, from);
      });
    }
    for (const name of previous) if (!fresh.includes(name)) aside(name);
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Best effort: the error that stopped the swap is the one to report.
      }
    }
    throw error;
  }
}
