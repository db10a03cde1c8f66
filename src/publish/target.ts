// One interface for every place a show is published, one small module per kind of target (as
// nodemailer has one per transport). A target puts, removes and reads back files and keeps
// castwright's record; what goes up when, and what the record says, is decided once for all in
// run.ts. Reading back fails closed: a file there that cannot be read is never taken for no file.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { RunError, isErrno, systemReason } from '../errors.ts';
import { megabytes, readAtMost } from '../feed-reader/source.ts';
import type { Upload } from './plan.ts';
import { RECORD_FILE } from './record.ts';
import type { TargetSpec } from './target-url.ts';

export interface ChangeSummary {
  /** Titles of the episodes this change adds, newest first. */
  added: string[];
  /** Slugs of the episodes it removes. */
  removed: string[];
  uploads: number;
  deletions: number;
}

export interface Target {
  /** The target as messages show it, without credentials. */
  readonly display: string;
  /** How messages name a file the target holds. */
  shown(name: string): string;
  /**
   * A file as the target holds it now (what readers and apps get), or undefined when it holds none
   * by that name. Throws UnreadableFile when one is there but cannot be read as a file of at most
   * maxBytes, and RunError when the target cannot be reached: never undefined for "could not tell".
   */
  readFile(name: string, maxBytes: number): Promise<Buffer | undefined>;
  /**
   * The record castwright keeps in the target, or undefined when there is none yet: only for a
   * target that keeps it elsewhere too (git, in a note); the others' is read from RECORD_FILE.
   */
  readRecord?(): Promise<string | undefined>;
  /** Puts files, calling `done` for each as it lands. A failure may leave some of them put. */
  put(files: readonly Upload[], done: (path: string) => void): Promise<void>;
  /** Removes files castwright put there before; one already gone is no error. */
  remove(paths: readonly string[], done: (path: string) => void): Promise<void>;
  /** Writes the record as part of the change being made (it goes live with it). */
  writeRecord(text: string): Promise<void>;
  /** Makes the change live where a target gathers it (a folder swapped in, a commit pushed). */
  commit(change: ChangeSummary): Promise<string | undefined>;
  /** Rewrites the live record on its own, after a change or without one (notifications made). */
  updateRecord(text: string): Promise<void>;
  /** Whether a file put is visible at once (S3, rsync, a folder changed in place) or only at commit. */
  readonly changesAreLive: boolean;
  /** Frees what the target holds (temporary folders, connections); the change is not made live. */
  close(): Promise<void>;
}

/** A file the target holds that cannot be read: a folder by its name, no permission, too large. */
export class UnreadableFile extends RunError {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** The record is small (a line per file of the site); anything far larger is damage. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** The record as text: the target's own way, else its file, read like any other. */
export async function recordText(target: Target): Promise<string | undefined> {
  if (target.readRecord) return target.readRecord();
  return recordFile(target);
}

export async function recordFile(target: Pick<Target, 'readFile'>): Promise<string | undefined> {
  return (await target.readFile(RECORD_FILE, MAX_RECORD_BYTES))?.toString('utf8');
}

/** How a file is named under a target shown as a folder or URL: `site/feed.xml`. */
export const underDisplay = (display: string, name: string) => `${display.replace(/\/+$/, '')}/${name}`;

export function tooLarge(file: string, size: number | undefined, max: number): UnreadableFile {
  // "26 MB, more than 25 MB", but not "25 MB, more than 25 MB" for a file a byte too large.
  const figure = size === undefined || megabytes(size) === megabytes(max) ? '' : `${megabytes(size)}, `;
  return new UnreadableFile(file, `it is ${figure}more than ${megabytes(max)}, far larger than castwright writes it`);
}

/**
 * A file on this machine (the folder target's, or one fetched from a remote target), at most max
 * bytes; undefined when there is none. Opened without blocking, so a pipe by that name cannot hold
 * the run.
 */
export function readLocalFile(file: string, shown: string, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (isErrno(error) && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw new UnreadableFile(shown, systemReason(error));
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UnreadableFile(shown, 'it is a folder, not a file');
    if (!info.isFile()) throw new UnreadableFile(shown, 'it is a socket, device or pipe, not a file');
    if (info.size > max) throw tooLarge(shown, info.size, max);
    const bytes = readAtMost(fd, max);
    if (!bytes) throw tooLarge(shown, undefined, max);
    return bytes;
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    throw new UnreadableFile(shown, systemReason(error));
  } finally {
    closeSync(fd);
  }
}

export interface TargetContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Folders the target must never be or hold (the content and templates). */
  sources: string[];
}

/** Each kind's module is loaded only when used: the S3 SDK alone takes a good part of a second. */
export async function openTarget(spec: TargetSpec, context: TargetContext): Promise<Target> {
  switch (spec.kind) {
    case 'folder':
      return (await import('./targets/folder.ts')).openFolder(spec, context);
    case 'ssh':
    case 'rsync':
      return (await import('./targets/rsync.ts')).openRsync(spec, context);
    case 's3':
      return (await import('./targets/s3.ts')).openS3(spec, context);
    case 'git':
      return (await import('./targets/git.ts')).openGit(spec, context);
  }
}
