// Issue 9: what load finds from an episode file's text alone (its hash, whether it may name files)
// and the key it is cached under are kept with the read: dev's reader gives back the very same read
// for a file that has not changed, so a save hashes the one text it changed, not every episode's;
// and what it loads is still what a load from nothing gives.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as fingerprint from '../../src/cache/fingerprint.ts';
import { memoryCache } from '../../src/cache/store.ts';
import { KeptReads } from '../../src/dev/kept-reads.ts';
import { loadContent } from '../../src/load/content.ts';
import { digestOf, mayNameFiles, mentionsOf } from '../../src/load/text-facts.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';

vi.mock('../../src/cache/fingerprint.ts', async (original) => {
  const actual = await original<typeof import('../../src/cache/fingerprint.ts')>();
  return { ...actual, contentHash: vi.fn(actual.contentHash) };
});

afterEach(cleanUp);

describe('the facts of a text read', () => {
  it('are its hash and the keys that may name files it mentions, found once per read', () => {
    const read = { text: '---\ntitle: A\naudio: { "file": a.mp3 }\n---\nBody\n' };
    vi.mocked(fingerprint.contentHash).mockClear();
    expect(digestOf(read)).toBe(fingerprint.contentHash(read.text));
    expect(digestOf(read)).toBe(digestOf(read));
    // Once for digestOf, once above: asked again, the read's digest is not computed again.
    expect(fingerprint.contentHash).toHaveBeenCalledTimes(2);
    expect(mentionsOf(read)).toEqual({ audio: true, image: false, transcript: false });
    expect(mayNameFiles(read)).toBe(true);
    // Another read of the same text is another read: looked at on its own.
    expect(mayNameFiles({ text: 'title: B\nimages: none\n' })).toBe(false);
    expect(mentionsOf({ text: "'transcript' : t.vtt" })).toEqual({ audio: false, image: false, transcript: true });
  });
});

describe('a load through dev’s kept reads after a save', () => {
  async function show() {
    const valid = await fixture('episodes/valid.md');
    const files: Record<string, string> = {};
    for (let n = 1; n <= 5; n++) files[`e${n}.md`] = valid.replace('A valid episode', `Episode ${n}`).replace('episode: 7', `episode: ${n}`).replace('/7.mp3', `/${n}.mp3`);
    const root = await workspace(files);
    return path.join(root, 'episodes');
  }
  /** The show loaded once through dev's kept reads and a cache; `load` loads it again the same way. */
  async function loadedOnce() {
    const content = await show();
    const cwd = path.dirname(content);
    const reads = new KeptReads();
    const cache = memoryCache();
    const load = () => loadContent(content, { cwd, cache, readText: reads.read });
    await load();
    return { content, cwd, reads, load };
  }
  const texts = () => new Set(vi.mocked(fingerprint.contentHash).mock.calls.map(([text]) => text).filter((text) => typeof text === 'string' && text.startsWith('---')));

  it('hashes only the file saved, and loads what a load from nothing loads', async () => {
    const { content, cwd, reads, load } = await loadedOnce();
    const saved = path.join(content, 'e3.md');
    await writeFile(saved, `${await readFile(saved, 'utf8')}\nA paragraph saved.\n`);
    reads.forget([saved]);
    vi.mocked(fingerprint.contentHash).mockClear();
    const after = await load();
    expect([...texts()]).toEqual([await readFile(saved, 'utf8')]);
    expect(after.episodes).toEqual((await loadContent(content, { cwd })).episodes);
  });

  it('sees a transcript added beside an unchanged episode, and its removal', async () => {
    const { content, cwd, reads, load } = await loadedOnce();
    const transcript = path.join(content, 'e2.vtt');
    await writeFile(transcript, 'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nSaid beside.\n');
    reads.forget([transcript]);
    const added = await load();
    expect(added.episodes.find((episode) => episode.slug === 'e2')!.transcriptFiles).toHaveLength(1);
    expect(added.episodes).toEqual((await loadContent(content, { cwd })).episodes);
    await rm(transcript);
    reads.forget([transcript]);
    const removed = await load();
    expect(removed.episodes.find((episode) => episode.slug === 'e2')!.transcriptFiles).toEqual([]);
    expect(removed.episodes).toEqual((await loadContent(content, { cwd })).episodes);
  });
});
