// Where castwright keeps what it must remember between runs of a show (which readers got which
// episode, later a build cache). It belongs to the show, not to the folder a command happens to be
// run from: by default `.castwright/` beside the content folder, wherever the command is started,
// and whatever symbolic links lead to the content folder.
import { realpathSync } from 'node:fs';
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

