import { mkdir, readdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashedFacts } from '../../src/load/hashed-facts.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

/** A reader whose facts are the file's text, counting how often it really reads a file. */
function reader(cacheFile: string) {
  const parsed: string[] = [];
  const facts = new HashedFacts(async (file) => {
    const text = await readFile(file, 'utf8');
    parsed.push(text);
    return { text };
  }, 1, cacheFile);
  return { facts, parsed };
}

async function factsOf(cacheFile: string, file: string): Promise<{ text?: string; parsed: string[] }> {
  const { facts, parsed } = reader(cacheFile);
  const read = await facts.read(file);
  facts.save();
  return { text: typeof read === 'string' ? undefined : read.text, parsed };
}

const LONG_AGO = new Date('2024-01-01T00:00:00Z');

describe('facts of a file, kept by its bytes', () => {
  it('reads a file once while it is unchanged, across builds', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'art.txt');
    const cache = path.join(dir, 'state', 'facts.json');
    await writeFile(file, 'first');
    await utimes(file, LONG_AGO, LONG_AGO);
    expect(await factsOf(cache, file)).toEqual({ text: 'first', parsed: ['first'] });
    expect(await factsOf(cache, file)).toEqual({ text: 'first', parsed: [] });
  });

  it('reads again a file put in its place with the same size and time (another inode)', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'art.txt');
    const cache = path.join(dir, 'state', 'facts.json');
    await writeFile(file, 'first');
    await utimes(file, LONG_AGO, LONG_AGO);
    await factsOf(cache, file);
    await writeFile(`${file}.new`, 'other');
    await utimes(`${file}.new`, LONG_AGO, LONG_AGO);
    await rename(`${file}.new`, file);
    expect(await factsOf(cache, file)).toEqual({ text: 'other', parsed: ['other'] });
  });

  it('reads again a file rewritten in place within the time its clock may not tell apart, its size and time kept', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'art.txt');
    const cache = path.join(dir, 'state', 'facts.json');
    const now = new Date();
    await writeFile(file, 'first');
    await utimes(file, now, now);
    expect((await factsOf(cache, file)).text).toBe('first');
    await writeFile(file, 'other');
    await utimes(file, now, now);
    expect(await factsOf(cache, file)).toEqual({ text: 'other', parsed: ['other'] });
  });
});

describe('facts that cannot be saved', () => {
  // A full disk, or a folder in the way, left the part written beside the cache, one per build.
  it('leave nothing behind', async () => {
    const dir = await tempDir();
    const cacheFile = path.join(dir, 'state', 'facts.json');
    await mkdir(path.join(cacheFile, 'in-the-way'), { recursive: true });
    const file = path.join(dir, 'a.txt');
    await writeFile(file, 'A');
    expect((await factsOf(cacheFile, file)).text).toBe('A');
    expect(await readdir(path.dirname(cacheFile))).toEqual(['facts.json']);
  });
});
