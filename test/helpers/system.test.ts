// The helpers that change mounts and owners act only inside a test's own temporary folder: on a
// shared machine, a chown of /tmp itself stops every shell.
import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, tempDir } from './content.ts';
import { bindMount, giveAway, insideTestFolder, mountTmpfs, UNPRIVILEGED } from './system.ts';

afterEach(cleanUp);

describe('the guard of the test helpers that change owners and mounts', () => {
  it('refuses the system temporary folder, its parent, and folders not made by tempDir', async () => {
    const other = await tempDir('castwright-other-');
    for (const dir of [tmpdir(), path.dirname(tmpdir()), '/', other]) {
      expect(() => giveAway(dir)).toThrow(/refusing/);
      expect(() => mountTmpfs(dir, '1m')).toThrow(/refusing/);
    }
  });

  it('refuses a path that leaves the test folder with .. or a symlink', async () => {
    const root = await tempDir();
    await symlink(tmpdir(), path.join(root, 'up'));
    expect(() => giveAway(path.join(root, '..'))).toThrow(/refusing/);
    expect(() => giveAway(path.join(root, 'up'))).toThrow(/refusing/);
    expect(() => bindMount(path.join(root, 'up'), root)).toThrow(/refusing/);
    expect(insideTestFolder(root, 'test')).toBe(path.join(path.resolve(tmpdir()), path.basename(root)));
  });

  it.skipIf(!UNPRIVILEGED)('changes the owner of the links inside the tree, never of what they point to', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'target'), 'x');
    const root = await tempDir();
    await mkdir(path.join(root, 'sub'));
    await symlink(path.join(outside, 'target'), path.join(root, 'sub', 'file-link'));
    await symlink(outside, path.join(root, 'folder-link'));
    giveAway(root);
    expect((await lstat(path.join(root, 'sub', 'file-link'))).uid).toBe(UNPRIVILEGED?.uid);
    expect((await lstat(path.join(root, 'folder-link'))).uid).toBe(UNPRIVILEGED?.uid);
    expect((await lstat(path.join(outside, 'target'))).uid).toBe(process.getuid?.());
    expect((await lstat(outside)).uid).toBe(process.getuid?.());
  });
});
