import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkOutputFolder, writeFolder } from '../../src/write/atomic.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';

afterEach(cleanUp);

describe('writing the output folder', () => {
  it('writes every file, creating folders as needed', async () => {
    const out = path.join(await tempDir(), 'dist');
    await writeFolder(out, new Map([['index.html', 'home'], ['episodes/a/index.html', 'a'], ['feed.xml', '<rss/>']]));
    expect(await readFile(path.join(out, 'episodes/a/index.html'), 'utf8')).toBe('a');
    expect(Object.keys(await snapshot(out))).toEqual(['episodes/a/index.html', 'feed.xml', 'index.html']);
  });

  it('replaces the previous output as a whole, so removed episodes disappear', async () => {
    const out = path.join(await tempDir(), 'dist');
    await writeFolder(out, new Map([['episodes/old/index.html', 'old'], ['feed.xml', '1']]));
    await writeFolder(out, new Map([['episodes/new/index.html', 'new'], ['feed.xml', '2']]));
    expect(Object.keys(await snapshot(out))).toEqual(['episodes/new/index.html', 'feed.xml']);
  });

  it('leaves the previous output exactly as it was when writing fails, and no staging folder behind', async () => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await writeFolder(out, new Map([['index.html', 'good'], ['feed.xml', 'good']]));
    const before = await snapshot(out);
    // "a" as a file and as a folder cannot both exist: the second write fails midway.
    await expect(writeFolder(out, new Map([['a', 'file'], ['a/b', 'nested'], ['index.html', 'bad']]))).rejects.toThrow();
    expect(await snapshot(out)).toEqual(before);
    expect(await readdir(parent)).toEqual(['dist']);
  });

  it('refuses paths that would leave the output folder', async () => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    for (const escape of ['../outside.html', '/etc/passwd', 'a/../../outside.html']) {
      await expect(writeFolder(out, new Map([[escape, 'x']]))).rejects.toThrow(/outside the output folder/);
    }
    expect(existsSync(path.join(parent, 'outside.html'))).toBe(false);
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('choosing an output folder', () => {
  it('accepts a new folder or a previous build', async () => {
    const cwd = await tempDir();
    expect(await checkOutputFolder('dist', ['episodes'], cwd)).toBeUndefined();
    await mkdir(path.join(cwd, 'dist'));
    await writeFile(path.join(cwd, 'dist', 'feed.xml'), '');
    expect(await checkOutputFolder('dist', ['episodes'], cwd)).toBeUndefined();
  });

  it('refuses the working folder, a parent of it, the sources, a folder of other files and a file', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'src'));
    await writeFile(path.join(cwd, 'src', 'main.ts'), '');
    expect(await checkOutputFolder('.', ['episodes'], cwd)).toMatch(/working folder/);
    expect(await checkOutputFolder('..', ['episodes'], cwd)).toMatch(/working folder/);
    expect(await checkOutputFolder('episodes/..', ['episodes'], cwd)).toMatch(/working folder/);
    expect(await checkOutputFolder('content', ['content/episodes'], cwd)).toMatch(/contains the sources/);
    expect(await checkOutputFolder('src', ['episodes'], cwd)).toMatch(/castwright did not build/);
    await writeFile(path.join(cwd, 'notes.txt'), 'precious');
    expect(await checkOutputFolder('notes.txt', ['episodes'], cwd)).toBe('notes.txt is a file, not a folder');
  });
});
