import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError } from '../../src/errors.ts';
import { checkOutputFolder, writeFolder } from '../../src/write/atomic.ts';
import { cleanUp, FIXTURES, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { bindMount, mountTmpfs, unmountAll } from '../helpers/system.ts';

afterEach(async () => {
  unmountAll();
  await cleanUp();
});

const umask = process.umask();
const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

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

  it('writes a path with `.` segments or doubled slashes where it leads, inside the output folder', async () => {
    const out = path.join(await tempDir(), 'dist');
    await writeFolder(out, new Map([['a/./b.html', 'b'], ['c//d.html', 'd'], ['e/../f.html', 'f'], ['..g/h.html', 'h']]));
    expect(Object.keys(await snapshot(out))).toEqual(['..g/h.html', 'a/b.html', 'c/d.html', 'f.html']);
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

  it('refuses a path that is the output folder itself, also when an earlier output is updated into the new one, and leaves the live output as it was', async () => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    const options = { record: path.join(parent, 'record.json') };
    const files = new Map([['index.html', 'home']]);
    for (const itself of ['', '.', './', 'a/..']) {
      await expect(writeFolder(out, new Map([[itself, 'x']]))).rejects.toThrow(/the output folder itself/);
    }
    // Two builds, so that the next one takes the output before the live one as its work folder.
    await writeFolder(out, files, options);
    await writeFolder(out, files, options);
    for (const itself of ['.', 'a/..']) {
      await expect(writeFolder(out, new Map([...files, [itself, 'x']]), options)).rejects.toThrow(/the output folder itself/);
      expect(await readFile(path.join(out, 'index.html'), 'utf8')).toBe('home');
    }
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

describe('output permissions (issue 8, case 7)', () => {
  it('makes folders 0755 and files 0644, less the umask, so a web server running as another user can read them', async () => {
    const out = path.join(await tempDir(), 'dist');
    await writeFolder(out, new Map([['index.html', 'home'], ['episodes/a/index.html', 'a']]));
    for (const folder of [out, path.join(out, 'episodes'), path.join(out, 'episodes/a')]) expect(await modeOf(folder), folder).toBe(0o777 & ~umask);
    for (const file of ['index.html', 'episodes/a/index.html']) expect(await modeOf(path.join(out, file)), file).toBe(0o666 & ~umask);
  });
});

describe('a symbolic link as the output folder (issue 8, case 8)', () => {
  it.each([
    ['relative', (site: string) => path.basename(site)],
    ['absolute', (site: string) => site],
  ])('keeps a %s link and replaces its target, atomically', async (_, linkTo) => {
    const parent = await tempDir();
    const site = path.join(parent, 'site');
    await writeFolder(site, new Map([['old.html', 'old'], ['feed.xml', '1']]));
    const out = path.join(parent, 'dist');
    await symlink(linkTo(site), out);
    await writeFolder(out, new Map([['new.html', 'new'], ['feed.xml', '2']]));
    expect((await lstat(out)).isSymbolicLink()).toBe(true);
    expect(await readlink(out)).toBe(linkTo(site));
    expect(Object.keys(await snapshot(site))).toEqual(['feed.xml', 'new.html']);
    expect(await modeOf(site)).toBe(0o777 & ~umask);
    expect((await readdir(parent)).sort()).toEqual(['dist', 'site']);
  });

  it('creates the target of a link that points to no folder yet', async () => {
    const parent = await tempDir();
    await symlink('www/site', path.join(parent, 'dist'));
    await writeFolder(path.join(parent, 'dist'), new Map([['feed.xml', '1']]));
    expect(await readFile(path.join(parent, 'www', 'site', 'feed.xml'), 'utf8')).toBe('1');
    expect((await lstat(path.join(parent, 'dist'))).isSymbolicLink()).toBe(true);
  });
});

describe('an output folder that is a mount point (issue 8, case 9)', () => {
  it('swaps the entries inside it, since the folder itself cannot be renamed', async ({ skip }) => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await mkdir(out);
    const refused = mountTmpfs(out, '4m');
    if (refused) return skip(refused);
    await writeFolder(out, new Map([['episodes/old/index.html', 'old'], ['style.css', 'a'], ['feed.xml', '1'], ['index.html', '1']]));
    await writeFolder(out, new Map([['episodes/new/index.html', 'new'], ['feed.xml', '2'], ['index.html', '2']]));
    expect(await snapshot(out)).toEqual(await snapshot(await writeElsewhere(new Map([['episodes/new/index.html', 'new'], ['feed.xml', '2'], ['index.html', '2']]))));
    expect((await readdir(out)).sort()).toEqual(['episodes', 'feed.xml', 'index.html']);
    expect(await readdir(parent)).toEqual(['dist']);
  });

  it('falls back to swapping entries when renaming meets EBUSY (a bind mount on the same disk)', async ({ skip }) => {
    const parent = await tempDir();
    const [volume, out] = [path.join(parent, 'volume'), path.join(parent, 'dist')];
    await mkdir(volume);
    await mkdir(out);
    const refused = bindMount(volume, out);
    if (refused) return skip(refused);
    await writeFolder(out, new Map([['old.html', 'old'], ['feed.xml', '1']]));
    await writeFolder(out, new Map([['new.html', 'new'], ['feed.xml', '2']]));
    expect((await readdir(volume)).sort()).toEqual(['feed.xml', 'new.html']);
    expect((await readdir(parent)).sort()).toEqual(['dist', 'volume']);
  });

  it('leaves the previous output as it was when a write inside the mount point fails', async ({ skip }) => {
    const out = path.join(await tempDir(), 'dist');
    await mkdir(out);
    const refused = mountTmpfs(out, '4m');
    if (refused) return skip(refused);
    await writeFolder(out, new Map([['index.html', 'good'], ['feed.xml', 'good']]));
    const before = await snapshot(out);
    // The disk fills up half-way through the new output.
    await expect(writeFolder(out, new Map<string, string | Uint8Array>([['index.html', 'bad'], ['big.bin', new Uint8Array(5 * 1024 * 1024)]]))).rejects.toThrow(
      /^cannot write the output folder .*dist\/ \(ENOSPC: the disk is full; free some space and run the command again\)$/,
    );
    expect(await snapshot(out)).toEqual(before);
    expect((await readdir(out)).sort()).toEqual(['feed.xml', 'index.html']);
  });
});

async function writeElsewhere(files: Map<string, string>): Promise<string> {
  const out = path.join(await tempDir(), 'dist');
  await writeFolder(out, files);
  return out;
}

describe('work folders left by a killed build (issue 8, case 10)', () => {
  const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

  /** A process that has claimed a work area beside `out` and written part of it, still running. */
  async function halfWrittenBuild(out: string) {
    const child = spawn(process.execPath, ['--import', TSX, path.join(FIXTURES, 'write', 'half-written-build.ts'), path.dirname(out), `.${path.basename(out)}.castwright-`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const staging = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
        if (output.endsWith('\n')) resolve(output.trim());
      });
      child.on('exit', (code) => reject(new Error(`exited ${code} before claiming its work area`)));
    });
    const kill = () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
    return { staging, kill };
  }

  it('are removed by the next build once their process is gone; nothing else is', async () => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await writeFolder(out, new Map([['feed.xml', '1']]));
    const killed = await halfWrittenBuild(out);
    const running = await halfWrittenBuild(out);
    await killed.kill();
    // Look-alikes: the staging folder of an older castwright, and one without a claim.
    const lookAlikes = ['.dist.new-Ab12Cd', '.dist.castwright-00000000-1-ff.new', 'dist.castwright-notes'];
    for (const name of lookAlikes) await mkdir(path.join(parent, name));
    expect(existsSync(killed.staging)).toBe(true);

    await writeFolder(out, new Map([['feed.xml', '2']]));
    expect(existsSync(killed.staging)).toBe(false);
    expect(existsSync(running.staging)).toBe(true);
    const left = await readdir(parent);
    expect(left.filter((name) => name.startsWith(path.basename(killed.staging).replace(/\.new$/, '')))).toEqual([]);
    for (const name of lookAlikes) expect(left).toContain(name);
    await running.kill();
    await writeFolder(out, new Map([['feed.xml', '3']]));
    expect((await readdir(parent)).sort()).toEqual(['dist', ...lookAlikes].sort());
  });
});

describe('operating-system errors while writing (issue 8, case 11)', () => {
  it('say in one line which folder could not be written and what to do', async ({ skip }) => {
    const mount = await tempDir();
    const refused = mountTmpfs(mount, '1m');
    if (refused) return skip(refused);
    const out = path.join(mount, 'dist');
    const error = await writeFolder(out, new Map([['big.bin', new Uint8Array(2 * 1024 * 1024)]]), { cwd: mount }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe('cannot write the output folder dist/ (ENOSPC: the disk is full; free some space and run the command again)');
    expect(await readdir(mount)).toEqual([]);
  });
});
