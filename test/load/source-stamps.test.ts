// Issue 9: a build with its cache leaves unread the episode files whose stamps (device, inode, size,
// modification and change times) are as the previous build found them, long enough after they last
// changed; anything else is read, as a build without the cache reads it.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentHash, hashOf } from '../../src/cache/fingerprint.ts';
import { memoryCache, type BuildCache } from '../../src/cache/store.ts';
import { loadContent, type LoadOptions } from '../../src/load/content.ts';
import { SETTLED_NS, SourceStamps, stampOf } from '../../src/load/source-stamps.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { wavFile } from '../helpers/audio.ts';

afterEach(cleanUp);

const HOUR_NS = 3_600_000_000_000n;
/** A clock an hour ahead: every file of the test was left alone long enough for its stamp to count. */
const later = () => BigInt(Date.now()) * 1_000_000n + HOUR_NS;

async function show(files: Record<string, string> = {}): Promise<{ root: string; content: string; episode: string }> {
  const valid = await fixture('episodes/valid.md');
  const root = await workspace({ 'valid.md': valid, 'other.md': valid.replace('A valid episode', 'Another episode').replace('episode: 7', 'episode: 8').replace('/7.mp3', '/8.mp3'), ...files });
  return { root, content: path.join(root, 'episodes'), episode: path.join(root, 'episodes', 'valid.md') };
}

/** Loads with the cache (then saved, as a build does) and without it: the two must agree. */
async function loadBoth(content: string, cache: BuildCache, options: LoadOptions = {}) {
  const cached = await loadContent(content, { cwd: path.dirname(content), cache, stampClock: later, ...options });
  cache.save();
  const cold = await loadContent(content, { cwd: path.dirname(content) });
  return { cached: cached.episodes, cold: cold.episodes };
}

describe('episode files left unread by their stamps (issue 9)', () => {
  it('are remembered once read, and believed while their stamp is the same', async () => {
    const { content, episode } = await show();
    const cache = memoryCache();
    await loadBoth(content, cache);
    const stamps = new SourceStamps(cache, content, later);
    expect(stamps.unchanged(episode)).toEqual({ digest: contentHash(await readFile(episode, 'utf8')) });
    const { cached, cold } = await loadBoth(content, cache);
    expect(cached).toEqual(cold);
  });

  it('are read again when edited to the same size with their modification time set back: the change time moved', async () => {
    const { content, episode } = await show();
    const cache = memoryCache();
    await loadBoth(content, cache);
    const before = await stat(episode, { bigint: true });
    // touch copies the times to the nanosecond, as rsync -t or a restore from backup would.
    const times = path.join(content, '..', 'times');
    execFileSync('touch', ['-r', episode, times]);
    const text = await readFile(episode, 'utf8');
    await writeFile(episode, text.replace('Welcome to the show.', 'Welcome to the shoe.'));
    execFileSync('touch', ['-r', times, episode]);
    const after = await stat(episode, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    const { cached, cold } = await loadBoth(content, cache);
    expect(cached.find((item) => item.slug === 'valid')!.introHtml).toContain('Welcome to the shoe.');
    expect(cached).toEqual(cold);
  });

  it('are not remembered when they changed too shortly before they were looked at (the racy case), nor in the future', async () => {
    const { content, episode } = await show();
    const stamp = stampOf(episode)!;
    for (const [clock, remembered] of [
      [stamp.changedNs + SETTLED_NS / 2n, false],
      [stamp.changedNs - 1n, false],
      [stamp.changedNs + SETTLED_NS + 1n, true],
    ] as const) {
      const cache = memoryCache();
      const stamps = new SourceStamps(cache, content, () => clock);
      stamps.remember(episode, stamp, contentHash('text'));
      stamps.save();
      cache.save();
      expect(new SourceStamps(cache, content, later).unchanged(episode) !== undefined, String(clock)).toBe(remembered);
    }
  });

  it('are read when their parsed episode is gone from the cache, or the show settings it takes changed', async () => {
    const { content } = await show();
    const cache = memoryCache();
    await loadBoth(content, cache);
    const showFile = path.join(content, 'show.yml');
    await writeFile(showFile, (await readFile(showFile, 'utf8')).replace('url: https://fixture.example.com/', 'url: https://moved.example.com/'));
    const { cached, cold } = await loadBoth(content, cache);
    expect(cached[0]!.url).toMatch(/^https:\/\/moved\.example\.com\//);
    expect(cached).toEqual(cold);
    // A stamp remembered with another text's digest (what a wrong stamp would look like) finds no
    // parsed episode under it: the file is read.
    const fresh = memoryCache();
    const episode = path.join(content, 'valid.md');
    // (The stamps are kept as one text: each file's path, stamp and digest followed by a NUL.)
    fresh.set(hashOf('source-stamps', content), `${episode}\0${stampOf(episode)!.stamp}\0${contentHash('another text')}\0`);
    fresh.save();
    expect((await loadBoth(content, fresh)).cached).toEqual(cold);
  });

  it('are never trusted from a list this code did not write', async () => {
    const { content } = await show();
    const cold = (await loadBoth(content, memoryCache())).cold;
    const episode = path.join(content, 'valid.md');
    const { stamp } = stampOf(episode)!;
    const digest = contentHash(await readFile(episode, 'utf8'));
    const foreign = [
      'not a list',
      [['a', 'b']],
      [[episode, { stamp, digest }]], // the list of an earlier version
      [[episode, { stamp: 1, digest: 'x' }]],
      null,
      `${episode}\0${stamp}\0${digest}`, // cut short
      `${episode}\0${stamp}\0${digest}\0${episode}\0`,
      `${episode}\0${stamp}\0${digest.toUpperCase()}\0`,
      `${episode}\0\0${digest}\0`,
      `\0${stamp}\0${digest}\0`,
    ];
    const stampsIn = (stored: unknown) => {
      const cache = memoryCache();
      cache.set(hashOf('source-stamps', content), stored);
      return new SourceStamps(cache, content, later);
    };
    // What this code writes is believed (the file left alone long enough)…
    expect(stampsIn(`${episode}\0${stamp}\0${digest}\0`).unchanged(episode)).toEqual({ digest });
    for (const garbage of foreign) {
      // …anything else is no list at all.
      expect(stampsIn(garbage).unchanged(episode), String(garbage)).toBeUndefined();
      const cache = memoryCache();
      cache.set(hashOf('source-stamps', content), garbage);
      cache.save();
      expect((await loadBoth(content, cache)).cached).toEqual(cold);
    }
  });

  it('are always read when they name other files, which are read through them', async () => {
    const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nFirst words.\n';
    const named = (await fixture('episodes/valid.md')).replace(/^hosts: .*$/m, '$&\ntranscript: words/monday.vtt').replace('episode: 7', 'episode: 9').replace('/7.mp3', '/9.mp3');
    const { content } = await show({ 'named.md': named });
    await mkdir(path.join(content, 'words'));
    await writeFile(path.join(content, 'words', 'monday.vtt'), vtt);
    const cache = memoryCache();
    await loadBoth(content, cache);
    expect(new SourceStamps(cache, content, later).unchanged(path.join(content, 'named.md'))).toBeUndefined();
    await writeFile(path.join(content, 'words', 'monday.vtt'), vtt.replace('First', 'Edited'));
    const { cached, cold } = await loadBoth(content, cache);
    expect(JSON.stringify(cached)).toContain('Edited words.');
    expect(cached).toEqual(cold);
  });

  it('are always read when they name their audio file, whose facts are read through them', async () => {
    const named = (await fixture('episodes/valid.md')).replace(/audio:\n(?: {2}.*\n)+/, 'audio:\n  file: audio/ep9.wav\n').replace('episode: 7', 'episode: 9');
    const showFile = `${await fixture('show.yml')}audioBaseUrl: https://cdn.fixture.example.com/audio\n`;
    const { content } = await show({ 'named.md': named });
    await writeFile(path.join(content, 'show.yml'), showFile);
    await mkdir(path.join(content, 'audio'));
    await writeFile(path.join(content, 'audio', 'ep9.wav'), wavFile(3));
    const cache = memoryCache();
    await loadBoth(content, cache);
    expect(new SourceStamps(cache, content, later).unchanged(path.join(content, 'named.md'))).toBeUndefined();
    expect(new SourceStamps(cache, content, later).unchanged(path.join(content, 'valid.md'))).toBeDefined();
    await writeFile(path.join(content, 'audio', 'ep9.wav'), wavFile(5));
    const { cached, cold } = await loadBoth(content, cache);
    expect(cached.find((item) => item.slug === 'named')!.audio.duration).toBe(5);
    expect(cached).toEqual(cold);
  });
});
