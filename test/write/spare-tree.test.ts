// An earlier output taken over as the work folder (the spare, write/spare-tree.ts), updated at
// commit: whatever was done to it or to the live output since, the new output is exactly a cold one.
import { chmod, cp, lchown, lstat, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/cache/fingerprint.ts';
import type { OutputContent } from '../../src/model/source-file.ts';
import { writeFolder, type WriteOptions } from '../../src/write/atomic.ts';
import type { KnownFile } from '../../src/write/reuse.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { giveAway, UNPRIVILEGED } from '../helpers/system.ts';

afterEach(cleanUp);

/** Every entry under `dir` with its kind, so that a stray folder or link counts too. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const kind = (entry: (typeof entries)[number]) => (entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other');
  return entries.map((entry) => `${path.relative(dir, path.join(entry.parentPath, entry.name))} ${kind(entry)}`).sort();
}

/** The files of build `n`: most the same in every build, a few changed, one episode only in the first. */
function build(n: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let episode = 0; episode < 30; episode++) {
    if (episode === 29 && n > 1) continue;
    files.set(`episodes/${episode}/index.html`, `episode ${episode}${episode === 5 ? ` edited in build ${n}` : ''}`);
    files.set(`email/${episode}.txt`, `digest ${episode}`);
  }
  files.set('feed.xml', `<rss>build ${n}</rss>`);
  files.set('index.html', 'home');
  files.set('about', 'a file');
  return files;
}

/** Build `n` as a cached build gives it: texts the previous build wrote are known by their hash. */
async function writeBuild(out: string, n: number, options: WriteOptions): Promise<void> {
  const previous = n > 1 ? build(n - 1) : new Map<string, string>();
  const files = new Map<string, OutputContent>();
  const known = new Map<string, KnownFile>();
  for (const [relative, text] of build(n)) {
    if (previous.get(relative) === text) known.set(relative, { hash: contentHash(Buffer.from(text)), load: () => text });
    else files.set(relative, text);
  }
  await writeFolder(out, files, { ...options, known });
}

/** Two builds written into dist/ of a new folder: the live output is build 2, the spare beside it build 1. */
async function twoBuilds() {
  const root = await tempDir();
  const out = path.join(root, 'dist');
  const spare = path.join(root, '.dist.castwright-spare');
  const options: WriteOptions = { record: path.join(root, 'record.json') };
  await writeBuild(out, 1, options);
  await writeBuild(out, 2, options);
  return { root, out, spare, options };
}

describe('a spare (the output before the live one) updated into the new output', () => {
  it('loses what was added to it by hand, gets back what was removed or replaced, and rewrites what was altered in the live output', async () => {
    const { root, out, spare, options } = await twoBuilds();
    // The spare is build 1; everything a killed build or a curious hand could leave in it.
    expect(await readFile(path.join(spare, 'feed.xml'), 'utf8')).toBe('<rss>build 1</rss>');
    await writeFile(path.join(spare, 'stray.html'), 'not in the output\n');
    await mkdir(path.join(spare, 'stray', 'deeper'), { recursive: true });
    await writeFile(path.join(spare, 'stray', 'deeper', 'page.html'), 'not in the output\n');
    await writeFile(path.join(spare, 'episodes', '3', 'extra.html'), 'not in the output\n');
    await rm(path.join(spare, 'index.html'));
    await symlink(path.join(root, 'record.json'), path.join(spare, 'index.html'));
    await rm(path.join(spare, 'episodes', '7'), { recursive: true });
    await writeFile(path.join(spare, 'episodes', '7'), 'a file where a folder belongs\n');
    await rm(path.join(spare, 'about'));
    await mkdir(path.join(spare, 'about', 'inside'), { recursive: true });
    await symlink(root, path.join(spare, 'email', 'linked-folder'));
    await rm(path.join(spare, 'email', '4.txt'));
    await writeFile(path.join(spare, 'email', '4.txt'), 'another file by the same name\n');
    await rm(path.join(spare, 'episodes', '8'), { recursive: true });
    // Edited in place in the live output, same size, its time set back: the spare holds the same
    // file (a link), edited too; only its inode's change shows… its time is another.
    const live = path.join(out, 'episodes', '9', 'index.html');
    await writeFile(live, 'EPISODE 9');
    await utimes(live, new Date(2001, 1, 1), new Date(2001, 1, 1));

    await writeBuild(out, 3, options);
    const cold = path.join(root, 'cold');
    await writeFolder(cold, build(3));
    expect(await tree(out)).toEqual(await tree(cold));
    expect(await snapshot(out)).toEqual(await snapshot(cold));
    expect((await lstat(path.join(out, 'index.html'))).isSymbolicLink()).toBe(false);
    expect(await readFile(path.join(root, 'record.json'), 'utf8')).not.toContain('home');
    // An unchanged file is the same file as in the previous output, not a copy.
    expect((await stat(path.join(out, 'episodes', '1', 'index.html'))).nlink).toBeGreaterThan(1);

    await writeBuild(out, 4, options);
    await writeFolder(cold, build(4));
    expect(await tree(out)).toEqual(await tree(cold));
    expect(await snapshot(out)).toEqual(await snapshot(cold));
  });

  it('leaves the live output as it was when a file cannot be placed in the spare', async () => {
    const root = await tempDir();
    const out = path.join(root, 'dist');
    const options: WriteOptions = { record: path.join(root, 'record.json') };
    await writeBuild(out, 1, options);
    await writeBuild(out, 2, options);
    const before = await tree(out);
    const files = await snapshot(out);
    // "about" as a file and as a folder cannot both exist: the write fails midway.
    await expect(writeFolder(out, new Map([...build(3), ['about/page.html', 'nested']]), options)).rejects.toThrow(/cannot write the output folder/);
    expect(await tree(out)).toEqual(before);
    expect(await snapshot(out)).toEqual(files);
    // No work folder left; the spare was used up (its claim waits for the next one).
    expect((await readdir(root)).filter((name) => !name.endsWith('.claim')).sort()).toEqual(['dist', 'record.json']);
  });
});

describe('a spare that cannot be used: discarded, never followed, and the build goes on', () => {
  it('discards a spare replaced by a symbolic link: what it leads to is untouched, and the next output is kept as the spare again', async () => {
    const { root, out, spare, options } = await twoBuilds();
    // Someone else's folder, shaped like an output (with a stray file a walk of the spare would remove).
    const elsewhere = path.join(root, 'elsewhere');
    await cp(spare, elsewhere, { recursive: true });
    await writeFile(path.join(elsewhere, 'stray.html'), 'not castwright\'s\n');
    const before = await tree(elsewhere);
    const files = await snapshot(elsewhere);
    await rm(spare, { recursive: true });
    await symlink(elsewhere, spare);

    await writeBuild(out, 3, options);
    expect(await tree(elsewhere)).toEqual(before);
    expect(await snapshot(elsewhere)).toEqual(files);
    const cold = path.join(root, 'cold');
    await writeFolder(cold, build(3));
    expect(await snapshot(out)).toEqual(await snapshot(cold));
    // The link is gone (not what it led to), and build 2's output is the spare now.
    expect((await lstat(spare)).isDirectory()).toBe(true);
    expect(await readFile(path.join(spare, 'feed.xml'), 'utf8')).toBe('<rss>build 2</rss>');

    await writeBuild(out, 4, options);
    await writeFolder(cold, build(4));
    expect(await snapshot(out)).toEqual(await snapshot(cold));
    expect(await tree(elsewhere)).toEqual(before);
  });

  // Root reads any folder whatever its mode: the builds run as nobody (the folder given to it), or
  // as the user running the tests when that is not root.
  it('discards a spare with folders its owner may not read (mode 000), with a warning; the build and every later one succeed', async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    giveAway(root);
    const build = (...args: string[]) => runCli(['build', ...args], { cwd: root, ...UNPRIVILEGED });
    for (let n = 0; n < 2; n++) expect((await build()).code).toBe(0);
    const spare = path.join(root, '.dist.castwright-spare');
    // A folder the new output has too, and one it does not.
    const episode = path.join(spare, 'episodes', '2020-09-14-disrupt-tiktok');
    const stray = path.join(spare, 'stray', 'deeper');
    await mkdir(stray, { recursive: true });
    if (UNPRIVILEGED) for (const folder of [stray, path.dirname(stray)]) await lchown(folder, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
    await chmod(episode, 0o000);
    await chmod(stray, 0o000);

    const result = await build();
    expect(result.stderr).toContain('the earlier output kept beside dist/ to build faster could not be reused (EACCES');
    expect(result.code).toBe(0);
    expect((await build('--out', 'cold', '--no-guard')).code).toBe(0);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(await snapshot(path.join(root, 'cold')));
    // Nothing left of it, and the next builds keep and use a spare again, without a word.
    const again = await build();
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect((await build()).code).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['.castwright', '.dist.castwright-spare', '.dist.castwright-spare.claim', 'cold', 'dist', 'episodes']);
  });
});
