// The write stage: a whole output folder replaced at once. Files go to a work folder; only when all
// are written do they take the place of the previous output (write/swap.ts), so a failed build
// leaves that output as it was. Work folders are proven castwright's (write/work-area.ts) and the
// ones a killed build left are removed by the next. The output folder may be a symbolic link (the
// link is kept and its target replaced) or a mount point (its entries are replaced).
import { cpSync, lstatSync, mkdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { open, readdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isErrno, systemError, systemReason } from '../errors.ts';
import { displayPath } from '../problems.ts';
import type { OutputContent } from '../model/source-file.ts';
import { AsideFile } from './aside.ts';
import { placeContent } from './place-source.ts';
import { openPlacer } from './placer.ts';
import { contentHash, placeKnownFile, readOutputRecord, saveOutputRecord, type KnownFile, type OutputRecord, type WriteContent } from './reuse.ts';
import { replaceEntries, replaceFolder } from './swap.ts';
import { SpareTree } from './spare-tree.ts';
import { claimWorkArea, findSpare, isWorkEntry, keepSpare, removeStaleWorkAreas, type WorkArea } from './work-area.ts';

/** Work entries inside an output folder (when its entries are swapped) start with this. */
const INSIDE_PREFIX = '.castwright-';
const besidePrefix = (target: string) => `.${path.basename(target)}.castwright-`;

/** A path with nothing for normalize to do: no empty, `.` or `..` segment, not absolute, no NUL (nearly every output path). */
const PLAIN = /^(?!\.\.?(?:\/|$))(?:[^/\0]+\/(?!\.\.?(?:\/|$)))*[^/\0]+$/;

/** Output paths must stay inside the output folder, whatever a slug or template produced. */
function checkedPath(root: string, relative: string): string {
  // Thousands of paths a build: the plain ones are joined as they are (the same path join gives).
  if (path.sep === '/' && PLAIN.test(relative)) return `${root}/${relative}`;
  // A trailing slash names the same path (`./` is the folder itself).
  const normalized = path.posix.normalize(relative).replace(/(?<=.)\/+$/, '');
  if (normalized === '.') throw new Error(`refusing to write the output folder itself as a file: "${relative}"`);
  if (path.posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../') || normalized.includes('\0')) {
    throw new Error(`refusing to write outside the output folder: ${relative}`);
  }
  return path.join(root, ...normalized.split('/'));
}

/**
 * Synchronous, on the main thread, at commit: an earlier output adopted as the work folder (the
 * spare) made into the new one. What `root` holds that the new output does not have is removed,
 * and what it has is checked (write/spare-tree.ts).
 */
function writeTree(
  root: string,
  files: ReadonlyMap<string, WriteContent>,
  known: ReadonlyMap<string, KnownFile>,
  record: OutputRecord | undefined,
): void {
  record?.next.clear();
  const placed = (entries: ReadonlyMap<string, unknown>) => [...entries.keys()].map((relative) => [relative, checkedPath(root, relative)] as const);
  const contents = placed(files);
  const knowns = placed(known);
  const tree = new SpareTree(root, [...contents, ...knowns].map(([, file]) => file));
  const place = (file: string) => {
    tree.folder(path.dirname(file));
    return tree.occupied(file);
  };
  for (const [relative, file] of contents) placeContent(record, relative, file, files.get(relative)!, place(file));
  for (const [relative, file] of knowns) placeKnownFile(record, relative, file, known.get(relative)!, place(file));
}

/** Where the output really goes: the target of a symbolic link (which is kept), even a missing one. */
function resolveTarget(outDir: string): string {
  try {
    return realpathSync(outDir);
  } catch {
    try {
      return path.resolve(path.dirname(outDir), readlinkSync(outDir));
    } catch {
      return outDir;
    }
  }
}

const isMountPoint = (target: string) => {
  const own = statSync(target, { throwIfNoEntry: false });
  return own?.isDirectory() === true && own.dev !== statSync(path.dirname(target)).dev;
};

// Renaming the output folder itself is refused at a mount point, or when the folder beside it
// cannot be written: its entries can still be swapped.
const MOVING_REFUSED = new Set(['EBUSY', 'EXDEV', 'EACCES', 'EPERM', 'EROFS']);

export interface WriteOptions {
  /** Messages name paths relative to this folder (default: the working folder). */
  cwd?: string;
  /**
   * Where the record of what was written is kept (write/reuse.ts): files the previous build wrote
   * with the same content are linked from it instead of written again. Without it, all are written.
   */
  record?: string;
  /**
   * Remove the previous output in a detached process once the new one is in place (the command
   * can end sooner); by default it is removed before `writeFolder` returns, and always when it was
   * swapped out inside the output folder (a mount point), where it would be served until gone.
   */
  removeDetached?: boolean;
  /** Told when the record cannot be saved (the output is complete; the next build writes every file). */
  onWarning?: (message: string) => void;
  /** How many files are written on the main thread before a thread takes over (write/placer.ts); for tests. */
  threadFrom?: number;
  /** How long the writing thread may make no progress before the build fails (write/placer.ts); for tests. */
  stallMs?: number;
  /** More files, known by the hash of their content and read only when they cannot be linked (write/reuse.ts). */
  known?: ReadonlyMap<string, KnownFile>;
}

/**
 * An output folder being written. Files are written into the work folder as they are added (by a
 * thread past the first few hundred, write/placer.ts; `commit` waits for them), so a
 * build need not hold every file of the show until the end (only where an earlier output is
 * taken over as the work folder are they held, to know what it must lose). Nothing replaces the
 * previous output before `commit`; `abort` removes what was written and leaves it as it was.
 */
export interface OutputWriter {
  /** Adds a file; a file added again at the same path replaces the earlier one. */
  add(relative: string, content: WriteContent): void;
  /** Adds a text, written as UTF-8; gives back the content hash of those bytes (write/placer.ts's addText). */
  addText(relative: string, text: string): string;
  /** Adds a file known by the hash of its content (write/reuse.ts). */
  addKnown(relative: string, file: KnownFile): void;
  /**
   * A file in the work area where bytes can be set aside until they are written (write/aside.ts),
   * opened at the first call; undefined when it cannot be made (they are then held). Closed once
   * the output is in place or abandoned.
   */
  aside(): AsideFile | undefined;
  /** How many files were added. */
  readonly count: number;
  /** Puts the new output in place of the previous one. */
  commit(): Promise<void>;
  /** Removes the work folder; the previous output stays as it was. Harmless after commit. */
  abort(): void;
}

/** Opens `outDir` for writing: claims its work folder (see OutputWriter). */
export function openOutput(outDir: string, options: WriteOptions = {}): OutputWriter {
  const cwd = options.cwd ?? process.cwd();
  const shown = `${displayPath(path.resolve(outDir), cwd)}/`;
  const target = resolveTarget(path.resolve(outDir));
  const parent = path.dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw systemError(error, `cannot create the folder of the output folder ${shown}:`, `${displayPath(parent, cwd)}/`);
  }
  // Work a killed build left that cannot be removed is said, and left for the next build to try again.
  const staleLeft = (dir: string) => (work: string, error: unknown) =>
    options.onWarning?.(`cannot remove ${displayPath(path.join(dir, work), cwd)}, left by an earlier build (${systemReason(error)}); remove it yourself`);
  removeStaleWorkAreas(parent, besidePrefix(target), staleLeft(parent));
  const record = options.record === undefined ? undefined : readOutputRecord(options.record, target);
  const saveRecord = () => {
    if (!record) return;
    try {
      saveOutputRecord(record);
    } catch (error) {
      options.onWarning?.(`cannot save the record of ${shown} in ${displayPath(options.record!, cwd)} (${systemReason(error)}); the next build writes every file again`);
    }
  };

  // Beside the output folder, renamed into its place; inside it at a mount point, or where nothing
  // can be made beside it (swap.ts).
  let inside = isMountPoint(target);
  let area: WorkArea | undefined;
  const claimBeside = (adopt?: string) => claimWorkArea(parent, besidePrefix(target), adopt);
  if (!inside) {
    try {
      area = claimBeside(record ? findSpare(parent, besidePrefix(target)) : undefined);
    } catch (error) {
      if (!swapsInside(error, target)) throw writeError(error, shown, parent, cwd);
      inside = true;
    }
  }
  if (!area) {
    try {
      area = claimInside(target, staleLeft(target));
    } catch (error) {
      throw writeError(error, shown, undefined, cwd);
    }
  }
  // The work area from here on; `let`, as a spare that cannot be updated is swapped for an empty one (commit).
  let work: WorkArea = area;
  // An adopted earlier output must lose what the new one lacks: its files are placed at the end.
  // (Updating it on the writing thread as files come, the spare listed there while the show loads,
  // was measured: it took ~230 ms off the main thread but cost more CPU and 40 MB, for no shorter
  // build on two shared cores; see write/spare-tree.ts.)
  const held = work.adopted ? { files: new Map<string, WriteContent>(), known: new Map<string, KnownFile>() } : undefined;
  let aside: AsideFile | null | undefined;
  const closeAside = () => {
    try {
      if (aside) aside.close();
    } catch {
      // Removed with the work area, or by the next build.
    }
    aside = null;
  };
  const placer = openPlacer(work.staging, record, (relative) => checkedPath(work.staging, relative), options.threadFrom, options.stallMs);
  /** Removes the work folder, once nothing writes into it any more. */
  const release = () => {
    placer.stop();
    closeAside();
    work.release();
  };
  /** Runs one write into the work folder; an error removes it and says which folder. */
  const writing = (write: () => void) => {
    try {
      write();
    } catch (error) {
      release();
      throw writeError(error, shown, undefined, cwd);
    }
  };
  let committed = false;

  return {
    add(relative, content) {
      if (held) {
        held.known.delete(relative);
        held.files.set(relative, content);
        return;
      }
      writing(() => placer.add(relative, content));
    },
    addText(relative, text) {
      if (held) {
        const bytes = Buffer.from(text);
        held.known.delete(relative);
        held.files.set(relative, bytes);
        return contentHash(bytes);
      }
      let hash = '';
      writing(() => (hash = placer.addText(relative, text)));
      return hash;
    },
    addKnown(relative, known) {
      if (held) {
        held.files.delete(relative);
        held.known.set(relative, known);
        return;
      }
      writing(() => placer.addKnown(relative, known));
    },
    aside() {
      if (aside === undefined) {
        try {
          aside = new AsideFile(work.aside, (error) => writeError(error, shown, undefined, cwd));
        } catch {
          aside = null;
        }
      }
      return aside ?? undefined;
    },
    get count() {
      return held ? held.files.size + held.known.size : placer.count;
    },
    async commit() {
      committed = true;
      if (held) {
        for (const relative of [...held.files.keys(), ...held.known.keys()]) checkedPath(target, relative);
        try {
          writeTree(work.staging, held.files, held.known, record);
        } catch (error) {
          if (!isErrno(error)) {
            release();
            throw error;
          }
          // The spare is only a way to build faster: one that cannot be updated (a folder of it
          // unreadable) is discarded, and the output written afresh in an empty work area.
          options.onWarning?.(`the earlier output kept beside ${shown} to build faster could not be reused (${systemReason(error)}); it was discarded and every file written afresh`);
          const spoilt = work;
          try {
            work = claimBeside();
          } catch (claimError) {
            release();
            throw writeError(claimError, shown, parent, cwd);
          }
          try {
            spoilt.release();
          } catch (removeError) {
            // Its claim stays: the next build tries again, and says so if it cannot either.
            options.onWarning?.(`cannot remove ${displayPath(spoilt.staging, cwd)} (${systemReason(removeError)}); remove it yourself`);
          }
          writing(() => writeTree(work.staging, held.files, held.known, record));
        }
      }
      try {
        await placer.finish();
      } catch (error) {
        release();
        throw writeError(error, shown, undefined, cwd);
      }
      // Every file is written: what was set aside is read no more.
      closeAside();
      if (inside) {
        swapInside(work, target, shown, cwd);
        saveRecord();
        return;
      }
      try {
        replaceFolder(work.staging, target, work.retired);
      } catch (error) {
        if (!swapsInside(error, target)) {
          work.release();
          throw writeError(error, shown, undefined, cwd);
        }
        // The folder cannot be renamed (a bind mount): the staged files are copied inside it and
        // its entries swapped, as at a mount point.
        let moved: WorkArea | undefined;
        try {
          moved = claimInside(target, staleLeft(target));
          cpSync(work.staging, moved.staging, { recursive: true });
          if (record) for (const relative of record.next.keys()) restat(record, relative, path.join(moved.staging, ...relative.split('/')));
        } catch (copyError) {
          moved?.release();
          throw writeError(copyError, shown, undefined, cwd);
        } finally {
          work.release();
        }
        swapInside(moved, target, shown, cwd);
        saveRecord();
        return;
      }
      const previous = path.join(work.retired, 'previous');
      if (record && keepSpare(parent, besidePrefix(target), previous)) work.release();
      else if (options.removeDetached) work.releaseDetached();
      else work.release();
      saveRecord();
    },
    abort() {
      if (!committed) release();
    },
  };
}

/** Whether the output folder, which could not be moved or written beside, can have its entries swapped instead. */
const swapsInside = (error: unknown, target: string) =>
  isErrno(error) && MOVING_REFUSED.has(error.code!) && statSync(target, { throwIfNoEntry: false })?.isDirectory() === true;

/** A work area inside the output folder (a mount point), those a killed build left removed first. */
function claimInside(target: string, onStale: (work: string, error: unknown) => void): WorkArea {
  removeStaleWorkAreas(target, INSIDE_PREFIX, onStale);
  return claimWorkArea(target, INSIDE_PREFIX);
}

/** Swaps the entries of an area inside `target` in; inside the output folder the old entries would be served until gone: removed now, always. */
function swapInside(area: WorkArea, target: string, shown: string, cwd: string): void {
  try {
    replaceEntries(area.staging, target, area.retired, (name) => isWorkEntry(name, INSIDE_PREFIX));
    area.release();
  } catch (error) {
    area.release();
    throw writeError(error, shown, undefined, cwd);
  }
}

/** A copied file has its own size, time and inode: the record says what the live output holds. */
function restat(record: OutputRecord, relative: string, file: string): void {
  const recorded = record.next.get(relative)!;
  const { size, mtimeMs, ino } = lstatSync(file);
  record.next.set(relative, { ...recorded, size, mtimeMs, ino });
}

/** Replaces `outDir` with exactly `files` (output path → content), or throws and leaves it as it was. */
export async function writeFolder(outDir: string, files: ReadonlyMap<string, OutputContent>, options: WriteOptions = {}): Promise<void> {
  const known = options.known ?? new Map<string, KnownFile>();
  // Every path is checked before anything is made.
  const target = resolveTarget(path.resolve(outDir));
  for (const relative of [...files.keys(), ...known.keys()]) checkedPath(target, relative);
  const writer = openOutput(outDir, options);
  try {
    for (const [relative, content] of files) writer.add(relative, content);
    for (const [relative, file] of known) writer.addKnown(relative, file);
    await writer.commit();
  } finally {
    writer.abort();
  }
}

/** One line naming the folder and what to do; the guard against paths outside stays a bug. */
function writeError(error: unknown, shown: string, besideIn: string | undefined, cwd: string): Error {
  if (!isErrno(error)) return error as Error;
  if (besideIn !== undefined) {
    return systemError(error, `cannot write in ${displayPath(besideIn, cwd)}/, where the output folder ${shown} is built`, '');
  }
  return systemError(error, 'cannot write the output folder', shown);
}

/**
 * A folder made elsewhere (`staging`, on the same file system) swapped in for `target` as a whole,
 * as `writeFolder` does: for a command that prepares the new folder itself (`publish` to a folder).
 * On failure the previous folder is back in place and `staging` is removed.
 */
export async function swapIn(staging: string, target: string): Promise<void> {
  const retired = `${staging}.old`;
  try {
    replaceFolder(staging, target, retired);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(retired, { recursive: true, force: true });
  }
}

/** How a refusal names the folder and what else to do: `build` speaks of --out, `publish` of its target. */
export interface OutputFolderWording {
  /** Default: the folder as given. */
  name?: string;
  /** Default: "choose another --out". */
  instead?: string;
}

/**
 * The output folder is replaced wholesale, so it must not hold anything else: not the working
 * folder or a parent of it, not the sources, not a folder of other files.
 */
export async function checkOutputFolder(
  outDir: string,
  sources: readonly string[],
  cwd = process.cwd(),
  wording: OutputFolderWording = {},
): Promise<string | undefined> {
  const name = wording.name ?? outDir;
  const target = path.resolve(cwd, outDir);
  // A symbolic link is judged by where it leads too: `dist -> .` must not replace the working folder.
  const real = await realpath(target).catch(() => target);
  const inside = (child: string, parent: string) => {
    const relative = path.relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  const here = path.resolve(cwd);
  const realHere = await realpath(here).catch(() => here);
  if (inside(here, target) || inside(realHere, real)) return `${name} is the working folder or one of its parents`;
  for (const source of sources) {
    const folder = path.resolve(cwd, source);
    const realFolder = await realpath(folder).catch(() => folder);
    if (inside(folder, target) || inside(realFolder, real)) return `${name} contains the sources in ${source}`;
  }
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'ENOTDIR' ? `${name} is a file, not a folder` : `${name} cannot be read (${systemReason(error)})`;
  }
  const built = entries.filter((name) => !isWorkEntry(name, INSIDE_PREFIX) && name !== 'lost+found');
  if (built.length > 0 && !built.includes('feed.xml')) {
    return `${name} already holds files that castwright did not build (no feed.xml); remove it or ${wording.instead ?? 'choose another --out'}`;
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
