// The write stage: a whole output folder replaced at once. Files go to a fresh sibling folder; only
// when all are written is it swapped in, so a failed build leaves the previous output as it was.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { systemError } from '../errors.ts';

/** Output paths must stay inside the output folder, whatever a slug or template produced. */
function checkedPath(root: string, relative: string): string {
  const normalized = path.posix.normalize(relative);
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../') || normalized.includes('\0')) {
    throw new Error(`refusing to write outside the output folder: ${relative}`);
  }
  return path.join(root, ...normalized.split('/'));
}

export async function writeFolder(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): Promise<void> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.new-`));
  try {
    const entries = [...files].map(([relative, content]) => [checkedPath(staging, relative), content] as const);
    const folders = [...new Set(entries.map(([file]) => path.dirname(file)))].sort();
    // Synchronous on purpose: thousands of small writes through libuv's thread pool take about
    // twice as long as writing them one after the other.
    for (const folder of folders) mkdirSync(folder, { recursive: true });
    for (const [file, content] of entries) writeFileSync(file, content);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await swapIn(staging, target);
}

/**
 * Renames the old folder aside and the new one into place. Linux has no atomic exchange of two
 * folders from Node, so for an instant between the renames the path is missing, never half-written.
 */
export async function swapIn(staging: string, target: string): Promise<void> {
  const retired = `${staging}.old`;
  let hadPrevious = true;
  try {
    await rename(target, retired);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    hadPrevious = false;
  }
  try {
    await rename(staging, target);
  } catch (error) {
    if (hadPrevious) await rename(retired, target);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (hadPrevious) await rm(retired, { recursive: true, force: true });
}

/**
 * The output folder is replaced wholesale, so it must not hold anything else: not the working
 * folder or a parent of it, not the sources, not a folder of other files.
 */
export async function checkOutputFolder(outDir: string, sources: readonly string[], cwd = process.cwd()): Promise<string | undefined> {
  const target = path.resolve(cwd, outDir);
  const inside = (child: string, parent: string) => {
    const relative = path.relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  if (inside(path.resolve(cwd), target)) return `${outDir} is the working folder or one of its parents`;
  for (const source of sources) {
    if (inside(path.resolve(cwd, source), target)) return `${outDir} contains the sources in ${source}`;
  }
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'ENOTDIR' ? `${outDir} is a file, not a folder` : `${outDir} cannot be read (${code})`;
  }
  if (entries.length > 0 && !entries.includes('feed.xml')) {
    return `${outDir} already holds files that castwright did not build (no feed.xml); remove it or choose another --out`;
  }
  return undefined;
}

/**
 * One file replaced whole: written and synced under a temporary name beside it, then renamed into
 * place, so a reader of the path sees the old file or the new, never part of one. A file system
 * error becomes one line naming `shown`.
 */
export async function writeFileAtomic(file: string, content: string, shown = file): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw systemError(error, 'cannot write', shown);
  }
}
