// Where castwright keeps what it must remember between runs of a show (which readers got which
// episode, later a build cache). It belongs to the show, not to the folder a command happens to be
// run from: by default `.castwright/` beside the content folder, wherever the command is started.
import path from 'node:path';

/** Moves the state folder, like `--state DIR`; the option wins over the variable. */
export const STATE_VARIABLE = 'CASTWRIGHT_STATE';

export interface StateOptions {
  /** `--state DIR`, relative to cwd. */
  state?: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The show's state folder, absolute. */
export function stateFolder(contentDir: string, options: StateOptions): string {
  const chosen = options.state ?? (options.env[STATE_VARIABLE] || undefined);
  if (chosen !== undefined) return path.resolve(options.cwd, chosen);
  return path.join(path.dirname(path.resolve(options.cwd, contentDir)), '.castwright');
}
