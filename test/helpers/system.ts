// Real operating-system conditions for tests: a small tmpfs mount (a mount point, a full disk) and
// an unprivileged user (root ignores file permissions, so EACCES needs someone else).
//
// Every helper here changes mounts or owners, which on a shared machine can break every shell if
// aimed at the wrong folder (/tmp itself once lost its owner this way). Each one therefore acts
// only on a path inside a test's own temporary folder, checked after resolving symlinks.
import { execFileSync } from 'node:child_process';
import { lchownSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The prefix of the folders `tempDir` makes; nothing outside one of them is ever touched. */
const TEST_FOLDER_PREFIX = 'castwright-test-';

/**
 * The real path of `dir` when it is a test's temporary folder or inside one; throws otherwise,
 * so that no mount or owner change can reach the system's temporary folder, a parent of the test
 * folder, or a symlink target outside it.
 */
export function insideTestFolder(dir: string, action: string): string {
  const real = realpathSync(dir);
  const relative = path.relative(realpathSync(tmpdir()), real);
  const [first] = relative.split(path.sep);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative) || !first?.startsWith(TEST_FOLDER_PREFIX)) {
    throw new Error(`${action}: refusing ${real}, which is not inside a test's temporary folder (${path.join(tmpdir(), TEST_FOLDER_PREFIX)}…)`);
  }
  return real;
}

const mounted: string[] = [];

/** Mounts a tmpfs of `size` (e.g. "4m") at `dir`, or returns why it cannot be done here. */
export function mountTmpfs(dir: string, size: string): string | undefined {
  const target = insideTestFolder(dir, 'mountTmpfs');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=755`, 'tmpfs', target], { stdio: 'pipe' });
  } catch (error) {
    return `mounting a tmpfs is not permitted here (it needs root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  mounted.push(target);
  return undefined;
}

/** Mounts `source` again at `dir` (same device: only the rename tells it is a mount point). */
export function bindMount(source: string, dir: string): string | undefined {
  const from = insideTestFolder(source, 'bindMount');
  const target = insideTestFolder(dir, 'bindMount');
  try {
    execFileSync('mount', ['--bind', from, target], { stdio: 'pipe' });
  } catch (error) {
    return `bind mounts are not permitted here (they need root): ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  mounted.push(target);
  return undefined;
}

/** Unmounts what `mountTmpfs` and `bindMount` mounted; call before removing the folders. */
export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

/** Under root, tests run the CLI as `nobody` to meet permission errors; otherwise as themselves. */
export const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/**
 * Hands a folder tree made by the test to the unprivileged user. Refuses anything outside a test's
 * own temporary folder, and uses lchown on a walk that never enters a symlink, so a link inside
 * the tree cannot carry the change of owner out of it.
 */
export function giveAway(dir: string): void {
  const root = insideTestFolder(dir, 'giveAway');
  if (!UNPRIVILEGED) return;
  const { uid, gid } = UNPRIVILEGED;
  const walk = (entry: string): void => {
    lchownSync(entry, uid, gid);
    if (!lstatSync(entry).isDirectory()) return;
    for (const name of readdirSync(entry)) walk(path.join(entry, name));
  };
  walk(root);
}
