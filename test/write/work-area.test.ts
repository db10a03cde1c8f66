// Work areas (write/work-area.ts) that cannot be used or removed the ordinary way: a spare swapped
// for a symbolic link as it is taken over, and a killed build's work holding folders its owner may
// not read. Neither is followed out of the folder, and neither stops a build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, lchown, lstat, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimWorkArea } from '../../src/write/work-area.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { giveAway, UNPRIVILEGED } from '../helpers/system.ts';

afterEach(cleanUp);

describe('taking over a spare', () => {
  it('takes over only a folder: a link found in its place is removed, never followed, and the work starts empty', async () => {
    const root = await tempDir();
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'page.html'), 'not castwright\'s\n');
    const spare = path.join(root, '.dist.castwright-spare');
    await symlink(elsewhere, spare);
    const area = claimWorkArea(root, '.dist.castwright-', spare);
    expect(area.adopted).toBe(false);
    expect((await lstat(area.staging)).isDirectory()).toBe(true);
    expect(await readdir(area.staging)).toEqual([]);
    expect(await readdir(elsewhere)).toEqual(['page.html']);
    area.release();
    expect((await readdir(root)).sort()).toEqual(['elsewhere']);
  });
});

/** A claim in the name of a process of this machine that has ended: a build killed half-way. */
async function killedBuildArea(dir: string, prefix: string): Promise<string> {
  const ended = spawnSync(process.execPath, ['-e', '']).pid;
  const host = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  const id = `${prefix}${host}-${ended}-0badc0de`;
  await writeFile(path.join(dir, `${id}.claim`), 'castwright\n');
  await mkdir(path.join(dir, `${id}.new`, 'episodes', 'locked'), { recursive: true });
  return id;
}

// Root reads and removes any folder whatever its mode: the builds run as nobody (the folder given
// to it), or as the user running the tests when that is not root.
describe('the work of a killed build', () => {
  const sample = async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    return root;
  };
  const build = (root: string) => runCli(['build'], { cwd: root, ...UNPRIVILEGED });

  it('is removed by the next build even with folders its owner may not read (mode 000)', async () => {
    const root = await sample();
    const id = await killedBuildArea(root, '.dist.castwright-');
    giveAway(root);
    await chmod(path.join(root, `${id}.new`, 'episodes', 'locked'), 0o000);
    await chmod(path.join(root, `${id}.new`, 'episodes'), 0o000);
    for (let n = 0; n < 2; n++) {
      const result = await build(root);
      expect([result.code, result.stderr]).toEqual([0, '']);
    }
    expect((await readdir(root)).filter((name) => name.includes(id))).toEqual([]);
  });

  it.runIf(UNPRIVILEGED)('that the user may not remove (a folder of another user) is said, and left for later; builds go on', async () => {
    const root = await sample();
    const id = await killedBuildArea(root, '.dist.castwright-');
    giveAway(root);
    // Root's folder, closed, not empty, inside nobody's work area.
    const foreign = path.join(root, `${id}.new`, 'episodes', 'locked');
    await writeFile(path.join(foreign, 'page.html'), 'root\'s\n');
    await lchown(foreign, 0, 0);
    await chmod(foreign, 0o000);
    for (let n = 0; n < 2; n++) {
      const result = await build(root);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(`cannot remove ${id}.new, left by an earlier build (EPERM`);
    }
    expect((await readdir(root)).filter((name) => name.includes(id)).sort()).toEqual([`${id}.claim`, `${id}.new`]);
  });
});
