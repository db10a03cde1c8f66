// The code cache of a command's program (cli/code-cache.ts, issue 9): taken only when it was sealed
// for exactly the program's source; anything else (corrupt, cut short, for another source, absent,
// refused by V8) is left aside and the program compiled from its source, never a failed command.
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProgram, openedCache, sealedCache } from '../../src/cli/code-cache.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterAll(cleanUp);

// A program as scripts/bundle.ts writes one: CommonJS, its packages imported through the loader.
const PROGRAM = `
const helper = (n) => n * 2;
exports.main = async (argv) => helper(argv.length) + (await __castwrightImport('node:path')).sep.length;
exports.processIo = () => ({ from: 'program' });
`;

/** A folder with the program and the cache V8 makes of it once it ran (as scripts/code-cache.ts). */
async function programFolder(): Promise<{ folder: string; file: string; cache: string }> {
  const folder = await tempDir('castwright-code-cache-');
  const file = path.join(folder, 'build.cjs');
  await writeFile(file, PROGRAM);
  const loaded = loadProgram('build', folder)!;
  expect(await loaded.program.main(['build', '--drafts'], { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: folder })).toBe(5);
  await writeFile(`${file}.cache`, sealedCache(Buffer.from(PROGRAM), loaded.script.createCachedData()));
  return { folder, file, cache: `${file}.cache` };
}

const io = { stdout: { write() {} }, stderr: { write() {} }, env: {}, cwd: '/' };

describe('the sealed code cache', () => {
  const source = Buffer.from(PROGRAM);
  const data = Buffer.from('V8 data');

  it('opens for the source it was sealed for', () => {
    expect(openedCache(source, sealedCache(source, data))).toEqual(data);
  });

  it('does not open for another source of the same length (V8 checks only the length)', () => {
    const other = Buffer.from(PROGRAM.replace('n * 2', 'n * 3'));
    expect(other.length).toBe(source.length);
    expect(openedCache(other, sealedCache(source, data))).toBeUndefined();
  });

  it('does not open when a byte of the data changed, the data was cut short, or it is not ours', () => {
    const sealed = sealedCache(source, data);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 2] = flipped[flipped.length - 2]! ^ 0x20;
    expect(openedCache(source, flipped)).toBeUndefined();
    expect(openedCache(source, sealed.subarray(0, sealed.length - 1))).toBeUndefined();
    expect(openedCache(source, sealed.subarray(0, 40))).toBeUndefined();
    expect(openedCache(source, Buffer.concat([Buffer.from('other'), sealed.subarray(5)]))).toBeUndefined();
    expect(openedCache(source, data)).toBeUndefined();
  });
});

describe('loading a program', () => {
  it('runs it from its code cache when V8 takes it', async () => {
    const { folder } = await programFolder();
    const loaded = loadProgram('build', folder)!;
    expect(loaded.cached).toBe(true);
    expect(await loaded.program.main(['build'], io)).toBe(3);
    expect(loaded.program.processIo()).toEqual({ from: 'program' });
  });

  it('runs it compiled from its source when the cache is corrupt, cut short, missing or for another source', async () => {
    const { folder, file, cache } = await programFolder();
    const sealed = await readFile(cache);
    // A byte flipped inside V8's data: given to V8, such data can crash the process.
    const corrupt = Buffer.from(sealed);
    corrupt[corrupt.length >> 1] = corrupt[corrupt.length >> 1]! ^ 0x5a;
    for (const bad of [corrupt, sealed.subarray(0, sealed.length / 2), Buffer.alloc(0)]) {
      await writeFile(cache, bad);
      const loaded = loadProgram('build', folder)!;
      expect(loaded.cached).toBe(false);
      expect(await loaded.program.main(['build', 'x'], io)).toBe(5);
    }
    // The source rewritten at the same length: the cache of the old one is not used.
    await writeFile(cache, sealed);
    await writeFile(file, PROGRAM.replace('n * 2', 'n * 3'));
    const changed = loadProgram('build', folder)!;
    expect(changed.cached).toBe(false);
    expect(await changed.program.main(['build'], io)).toBe(4);
    await writeFile(cache, '');
    await writeFile(file, PROGRAM);
    expect(loadProgram('build', folder)!.cached).toBe(false);
  });

  it('runs it compiled from its source when V8 refuses a cache sealed for it (another V8 or flags)', async () => {
    const folder = await tempDir('castwright-code-cache-');
    // A source this process never compiled (V8 would reuse its own compilation of one it did), and
    // data V8 made for another script, sealed for it: our seal holds, V8 refuses the data.
    const source = `${PROGRAM}// never compiled before\n`;
    await writeFile(path.join(folder, 'build.cjs'), source);
    const foreign = new vm.Script('(function () { return 1; })').createCachedData();
    await writeFile(path.join(folder, 'build.cjs.cache'), sealedCache(Buffer.from(source), foreign));
    const loaded = loadProgram('build', folder)!;
    expect(loaded.cached).toBe(false);
    expect(loaded.script.cachedDataRejected).toBe(true);
    expect(await loaded.program.main(['build'], io)).toBe(3);
  });

  it('leaves the command to the ES modules when there is no program for it', async () => {
    const folder = await tempDir('castwright-code-cache-');
    expect(loadProgram('build', folder)).toBeUndefined();
  });

  // A cut-short program failed the command with a SyntaxError; a named pipe for a file held it forever.
  it('leaves the command to the ES modules when its program is cut short, garbled or not a file, and ignores a cache that is not a file', async () => {
    const { folder, file, cache } = await programFolder();
    for (const bad of [PROGRAM.slice(0, PROGRAM.length / 2), 'exports.main = 1;', 'throw new Error("garbled");']) {
      await writeFile(file, bad);
      expect(loadProgram('build', folder)).toBeUndefined();
    }
    await writeFile(file, PROGRAM);
    await rm(cache);
    execFileSync('mkfifo', [cache]);
    const loaded = loadProgram('build', folder)!;
    expect(loaded.cached).toBe(false);
    expect(await loaded.program.main(['build'], io)).toBe(3);
    await rm(file);
    execFileSync('mkfifo', [file]);
    expect(loadProgram('build', folder)).toBeUndefined();
  });
});
