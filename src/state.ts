// Where castwright keeps what it must remember between runs of a show (which readers got which
// episode, later a build cache). It belongs to the show, not to the folder a command happens to be
// run from: by default `.castwright/` beside the content folder, wherever the command is started,
// and whatever symbolic links lead to the content folder.
import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Moves the state folder, like `--state DIR`; the option wins over the variable. */
export const STATE_VARIABLE = 'CASTWRIGHT_STATE';

export interface StateOptions {
  /** `--state DIR`, relative to cwd. */
  state?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A path with every symbolic link in it resolved, or as it is when it does not exist. */
export function realPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * The show's folder: the one that holds the content folder, found through symbolic links, so that a
 * link to the content folder (a shortcut, a deploy) leads to the same state, never to a new one.
 */
export function showFolder(contentDir: string, cwd: string): string {
  return path.dirname(realPath(path.resolve(cwd, contentDir)));
}

/** The show's state folder, absolute. */
export function stateFolder(contentDir: string, options: StateOptions): string {
  const chosen = options.state ?? (options.env[STATE_VARIABLE] || undefined);
  if (chosen !== undefined) return path.resolve(options.cwd, chosen);
  return path.join(showFolder(contentDir, options.cwd), '.castwright');
}

/**
 * Opens a file castwright keeps in the state folder (a cache pack, a record) for reading; throws
 * when it is anything but a regular file. Opened without blocking, and checked before it is read:
 * a named pipe put in its place held the build forever, and a link to /dev/zero read without end.
 */
export function openStateFile(file: string): number {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** The bytes of a file in the state folder (see openStateFile). */
export function readStateFile(file: string): Buffer {
  const fd = openStateFile(file);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
