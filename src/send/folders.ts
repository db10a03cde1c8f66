// The folders a send writes into (the state folder, the outbox): made with their parents, and made
// durable. Made with a cause a user can act on: Node's recursive mkdir reports ENOENT ("it does not
// exist") whatever stopped it, a read-only disk or a folder without permission included.
import { lstat, mkdir, open, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

/** mkdir -p; resolves with the first folder it created, if any, as mkdir does. */
export async function makeFolder(folder: string): Promise<string | undefined> {
  try {
    return await mkdir(folder, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Again one folder at a time, from the highest missing one down: the first that fails says why.
  const missing: string[] = [];
  for (let dir = path.resolve(folder); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (await stat(path.dirname(dir)).then(() => true, () => false)) break;
  }
  let first: string | undefined;
  for (const dir of missing) {
    try {
      await mkdir(dir);
      first ??= dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}

/** fsync of a folder makes the names in it durable: a new file survives a power cut only with it. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Whether there is something by that name: a link to nothing (a share not mounted), or an entry that
 * cannot be looked at, counts, so that reading it fails and stops the send, rather than the send
 * going out as if there were no list or ledger there.
 */
export async function present(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    async (error: NodeJS.ErrnoException) => error.code !== 'ENOENT' || (await linkToNothing(file)) !== undefined,
  );
}

/**
 * For a file not found: the symbolic link to nothing that is it or a folder on its way (a share
 * not mounted), with where it leads; undefined when the file is simply not there. A folder on the
 * way that is such a link hides the file as well as the file's own link does.
 */
export async function linkToNothing(file: string): Promise<{ link: string; target: string } | undefined> {
  for (let at = path.resolve(file); at !== path.dirname(at); at = path.dirname(at)) {
    const info = await lstat(at).catch(() => undefined);
    if (!info) continue;
    if (!info.isSymbolicLink() || (await stat(at).then(() => true, () => false))) return undefined;
    return { link: at, target: await readlink(at) };
  }
  return undefined;
}

/** How a message names a link to nothing found on the way to `file` (shown as `shown`): nothing when it is the file itself. */
export function linkNamed(link: string, file: string, shown: string): string {
  if (link === path.resolve(file)) return '';
  const below = path.relative(link, file).split(path.sep).join('/');
  const named = shown.endsWith(`/${below}`) ? shown.slice(0, -below.length - 1) : link;
  return `${named}, on its way, is `;
}
