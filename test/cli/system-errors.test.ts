// Operating-system errors through the real CLI: each is one line naming the path and what to do,
// with exit 1 (2 for bad usage), and never a stack trace (issue 8, case 11).
import { chmod, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { giveAway, mountTmpfs, UNPRIVILEGED, unmountAll } from '../helpers/system.ts';

afterEach(async () => {
  unmountAll();
  await cleanUp();
});

const STACK_TRACE = /^\s+at /m;

function expectOneLine(result: CliResult, code: number, line: string | RegExp): void {
  expect(result.stderr).not.toMatch(STACK_TRACE);
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(typeof line === 'string' ? new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : line);
}

async function sampleWorkspace(): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  return root;
}

describe('castwright build meets the operating system', () => {
  it('ENOSPC: a full disk leaves the previous output as it was', async ({ skip }) => {
    const root = await sampleWorkspace();
    const disk = path.join(root, 'disk');
    await mkdir(disk);
    const refused = mountTmpfs(disk, '2m');
    if (refused) return skip(refused);
    expect((await runCli(['build', '--out', 'disk/dist'], { cwd: root })).code).toBe(0);
    const before = await snapshot(path.join(disk, 'dist'));
    // Fill the disk but for a few kilobytes, less than one more build needs.
    const { statfs } = await import('node:fs/promises');
    const free = await statfs(disk);
    await writeFile(path.join(disk, 'filler'), new Uint8Array(free.bavail * free.bsize - 16 * 1024));
    // --no-cache: every file written anew (with the cache, unchanged files are linked and take no room).
    const result = await runCli(['build', '--no-cache', '--out', 'disk/dist'], { cwd: root });
    expectOneLine(result, 1, 'castwright build: cannot write the output folder disk/dist/ (ENOSPC: the disk is full; free some space and run the command again)');
    expect(await snapshot(path.join(disk, 'dist'))).toEqual(before);
    expect((await readdir(disk)).sort()).toEqual(['dist', 'filler']);
  });

  it('EBUSY: an output folder that is a mount point is built into, twice', async ({ skip }) => {
    const root = await sampleWorkspace();
    const volume = path.join(root, 'dist');
    await mkdir(volume);
    const refused = mountTmpfs(volume, '4m');
    if (refused) return skip(refused);
    for (let run = 0; run < 2; run++) {
      const result = await runCli(['build'], { cwd: root });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(await readdir(volume)).toEqual(expect.arrayContaining(['feed.xml', 'index.html', 'episodes', 'email']));
    expect((await readdir(volume)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('ENOENT and friends while scanning --content /: one message instead of a walk of the whole disk', async () => {
    const result = await runCli(['build', '--content', '/'], { cwd: await tempDir() });
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/: holds more than 50,000 files and folders; expected the folder of one show (show.yml and its episodes): is --content right?\n');
  });

  describe.skipIf(process.platform === 'win32')('EACCES, as a user without the permission', () => {
    /** A workspace the unprivileged user owns, so that only the permission under test is missing. */
    async function ownedWorkspace(files: Record<string, string>): Promise<string> {
      const root = await workspace(files);
      // Only the test's own temporary folder changes hands; its parent (the system's temporary
      // folder) is never touched.
      giveAway(root);
      await chmod(root, 0o755);
      return root;
    }

    it('an episode file that cannot be read is a problem at that file', async () => {
      const root = await ownedWorkspace({ 'valid.md': await fixture('episodes/valid.md') });
      await chmod(path.join(root, 'episodes', 'valid.md'), 0o000);
      const result = await runCli(['build'], { cwd: root, ...UNPRIVILEGED });
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')).toEqual([
        'episodes/valid.md: cannot be read (EACCES: check its permissions, or run as a user who may use it)',
        'castwright build: 1 problem; nothing was written.',
        '',
      ]);
    });

    it('a sub-folder of the content that cannot be read is a problem, not a silent drop', async () => {
      const root = await ownedWorkspace({ 'valid.md': await fixture('episodes/valid.md'), '2021/other.md': 'x' });
      await chmod(path.join(root, 'episodes', '2021'), 0o000);
      const result = await runCli(['build'], { cwd: root, ...UNPRIVILEGED });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('episodes/2021: cannot be read (EACCES: check its permissions, or run as a user who may use it)\n');
    });

    it('a folder the output cannot be written into', async () => {
      const root = await ownedWorkspace({ 'valid.md': await fixture('episodes/valid.md') });
      await mkdir(path.join(root, 'www'));
      giveAway(path.join(root, 'www'));
      await chmod(path.join(root, 'www'), 0o555);
      const result = await runCli(['build', '--out', 'www/dist'], { cwd: root, ...UNPRIVILEGED });
      expectOneLine(
        result,
        1,
        'castwright build: cannot write in www/, where the output folder www/dist/ is built (EACCES: check its permissions, or run as a user who may use it)',
      );
    });
  });
});
