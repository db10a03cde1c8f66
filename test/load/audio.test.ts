// audio.file: duration, byte length, type and embedded chapters read from the file with
// music-metadata (fixtures made at test time), cached by the file's hash, typed values checked.
import { spawnSync } from 'node:child_process';
import { readFile, stat, utimes, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/load/content.ts';
import { cleanUp, fixture, loadProblems, PROJECT, workspace } from '../helpers/content.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { flacFile, id3Chapters, m4aFile, mp3File, MP3_FRAME_SECONDS, opusFile, wavFile } from '../helpers/audio.ts';
import { jsonChapters } from '../helpers/json-chapters.ts';

afterEach(cleanUp);

const SHOW = async () => `${await fixture('show.yml')}audioBaseUrl: https://cdn.fixture.example.com/audio\n`;

/** The fixture episode with its audio block replaced by `audio`. */
async function episodeWith(audio: string): Promise<string> {
  return (await fixture('episodes/valid.md')).replace(/audio:\n(?: {2}.*\n)+/, `audio:\n${audio}`);
}

async function showWithAudio(audio: string, files: Record<string, Buffer>, show?: string) {
  const root = await workspace({ 'ep.md': await episodeWith(audio) }, { show: show ?? (await SHOW()) });
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, 'episodes', name)), { recursive: true });
    await writeFile(path.join(root, 'episodes', name), bytes);
  }
  return root;
}

const load = async (root: string) => (await loadContent(path.join(root, 'episodes'), { cwd: root })).episodes[0]!;

describe('audio read from the file', () => {
  it('reads a WAV: its duration, byte length and type; the url is audioBaseUrl + the file name', async () => {
    const wav = wavFile(3.4);
    const root = await showWithAudio('  file: audio/ep 7.wav\n', { 'audio/ep 7.wav': wav });
    const episode = await load(root);
    expect(episode.audio).toEqual({ url: 'https://cdn.fixture.example.com/audio/ep%207.wav', file: 'audio/ep 7.wav', length: wav.length, duration: 3, type: 'audio/wav' });
    // Apple does not play WAV: a warning says so, the build goes on.
    expect((await loadContent(path.join(root, 'episodes'), { cwd: root })).warnings.map((w) => w.message)).toEqual([
      'audio.file "audio/ep 7.wav" is audio/wav: Podcasting 2.0 apps play it, Apple Podcasts does not; expected MP3 or M4A for Apple',
    ]);
  });

  it('reads the file however YAML spells the key: a flow mapping, a quoted "file"', async () => {
    const wav = wavFile(2.2);
    for (const audio of ['audio: { file: audio/ep7.wav }\n', 'audio:\n  "file": audio/ep7.wav\n']) {
      const text = (await fixture('episodes/valid.md')).replace(/audio:\n(?: {2}.*\n)+/, audio);
      const root = await workspace({ 'ep.md': text }, { show: await SHOW() });
      await mkdir(path.join(root, 'episodes', 'audio'));
      await writeFile(path.join(root, 'episodes', 'audio', 'ep7.wav'), wav);
      expect((await load(root)).audio, audio).toEqual({ url: 'https://cdn.fixture.example.com/audio/ep7.wav', file: 'audio/ep7.wav', length: wav.length, duration: 2, type: 'audio/wav' });
    }
  });

  it('reads an MP3 and puts what it read in the feed: enclosure length and type, itunes:duration', async () => {
    const mp3 = mp3File(500);
    const root = await showWithAudio('  file: audio/ep7.mp3\n', { 'audio/ep7.mp3': mp3 });
    const episode = await load(root);
    expect(episode.audio.length).toBe(mp3.length);
    expect(episode.audio.type).toBe('audio/mpeg');
    expect(episode.audio.duration).toBe(Math.round(500 * MP3_FRAME_SECONDS));
    const xml = file(await generateWorkspace(root), 'feed.xml');
    expect(xml).toContain(`<enclosure url="https://cdn.fixture.example.com/audio/ep7.mp3" length="${mp3.length}" type="audio/mpeg"/>`);
    expect(xml).toContain(`<itunes:duration>${Math.round(500 * MP3_FRAME_SECONDS)}</itunes:duration>`);
  });

  it('reads M4A/AAC (branded M4A, or only mp42 and isom as many encoders write), Opus and FLAC: duration, length, type', async () => {
    const cases = [
      { name: 'ep.m4a', bytes: m4aFile(5.6), duration: 6, type: 'audio/x-m4a', warned: false },
      { name: 'ep.mp4', bytes: m4aFile(61.2, 'mp42'), duration: 61, type: 'audio/x-m4a', warned: false },
      { name: 'ep.opus', bytes: opusFile(4.2), duration: 4, type: 'audio/ogg', warned: true },
      { name: 'ep.flac', bytes: flacFile(3.5), duration: 4, type: 'audio/flac', warned: true },
    ];
    for (const { name, bytes, duration, type, warned } of cases) {
      const root = await showWithAudio(`  file: audio/${name}\n`, { [`audio/${name}`]: bytes });
      const loaded = await loadContent(path.join(root, 'episodes'), { cwd: root });
      expect(loaded.episodes[0]?.audio, name).toEqual({ url: `https://cdn.fixture.example.com/audio/${name}`, file: `audio/${name}`, length: bytes.length, duration, type });
      expect(loaded.warnings.length, name).toBe(warned ? 1 : 0);
      const xml = file(await generateWorkspace(root), 'feed.xml');
      expect(xml, name).toContain(`length="${bytes.length}" type="${type}"/>`);
      expect(xml, name).toContain(`<itunes:duration>${duration}</itunes:duration>`);
    }
  });

  it('reports typed values that disagree with the file, each at its line', async () => {
    const mp3 = mp3File(500);
    const root = await showWithAudio(`  file: audio/ep7.mp3\n  length: 99\n  duration: "1:00"\n  type: audio/x-m4a\n`, { 'audio/ep7.mp3': mp3 });
    expect(await loadProblems(root)).toEqual([
      `episodes/ep.md:7: audio.length is 99 bytes, but audio/ep7.mp3 has ${mp3.length}; expected the file's length (or no audio.length: castwright reads it)`,
      `episodes/ep.md:8: audio.duration is 60 seconds, but audio/ep7.mp3 lasts 13; expected the file's duration (or no audio.duration: castwright reads it)`,
      "episodes/ep.md:9: audio.type is audio/x-m4a, but audio/ep7.mp3 is audio/mpeg; expected the file's type (or no audio.type: castwright reads it)",
    ]);
    // Values that agree (a duration within a second) are fine.
    const agreeing = await showWithAudio(`  file: audio/ep7.mp3\n  length: ${mp3.length}\n  duration: 13\n  type: audio/mpeg\n`, { 'audio/ep7.mp3': mp3 });
    expect(await loadProblems(agreeing)).toEqual([]);
  });

  it('reads ID3 chapters (CHAP) when the Markdown has none, and publishes them as chapters.json', async () => {
    const tag = id3Chapters([
      { startMs: 0, endMs: 4000, title: 'Cold open' },
      { startMs: 4000, endMs: 9000, title: 'The news' },
      { startMs: 9000, endMs: 13000, title: 'Goodbye' },
    ]);
    const root = await showWithAudio('  file: audio/ep7.mp3\n', { 'audio/ep7.mp3': mp3File(500, tag) });
    expect((await load(root)).chapterList).toEqual([
      { start: 0, title: 'Cold open' },
      { start: 4, title: 'The news' },
      { start: 9, title: 'Goodbye' },
    ]);
    const json = jsonChapters.parse(JSON.parse(file(await generateWorkspace(root), 'episodes/ep/chapters.json')));
    expect(json.chapters.map((c) => [c.startTime, c.title])).toEqual([[0, 'Cold open'], [4, 'The news'], [9, 'Goodbye']]);
    // The stories' timestamps win over the file's chapters.
    const timed = (await episodeWith('  file: audio/ep7.mp3\n')).replace('- [First story]', '- 0:05 [First story]');
    const both = await workspace({ 'ep.md': timed }, { show: await SHOW() });
    await mkdir(path.join(both, 'episodes/audio'));
    await writeFile(path.join(both, 'episodes/audio/ep7.mp3'), mp3File(500, tag));
    expect((await load(both)).chapterList.map((c) => c.title)).toEqual(['Intro', 'First story']);
  });

  it('caches what it read by the file hash in .castwright/audio.json, and reads a changed file again', async () => {
    const root = await showWithAudio('  file: audio/ep7.wav\n', { 'audio/ep7.wav': wavFile(2) });
    expect((await load(root)).audio.duration).toBe(2);
    const cacheFile = path.join(root, '.castwright/audio.json');
    const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as { facts: Record<string, { duration: number }> };
    const [hash] = Object.keys(cache.facts);
    // What the cache says for these bytes is what the build takes, even after the file was touched:
    // the hash is the key, not the file's time.
    cache.facts[hash!]!.duration = 777;
    await writeFile(cacheFile, JSON.stringify(cache));
    const audioFile = path.join(root, 'episodes/audio/ep7.wav');
    const later = new Date((await stat(audioFile)).mtimeMs + 5000);
    await utimes(audioFile, later, later);
    expect((await load(root)).audio.duration).toBe(777);
    // New bytes are read again.
    await writeFile(audioFile, wavFile(5));
    expect((await load(root)).audio.duration).toBe(5);
  });

  it('says what is missing: no audioBaseUrl, a missing file, a file outside the content folder, not audio', async () => {
    const plain = await fixture('show.yml');
    expect(await loadProblems(await showWithAudio('  file: audio/ep7.wav\n', { 'audio/ep7.wav': wavFile(1) }, plain))).toEqual([
      'episodes/ep.md:6: audio.file "audio/ep7.wav" has no address to be published at; expected audioBaseUrl in show.yml (where the audio files are uploaded, such as https://cdn.example.com/equity/), audio.url, or audio.copy: true (published with the site)',
      'episodes/ep.md:6: warning: audio.file "audio/ep7.wav" is audio/wav: Podcasting 2.0 apps play it, Apple Podcasts does not; expected MP3 or M4A for Apple',
      'episodes/ep.md:6: audio.url: missing; expected the absolute http(s) URL of the audio file',
    ]);
    expect(await loadProblems(await showWithAudio('  file: audio/none.mp3\n', {}))).toEqual([
      'episodes/ep.md:6: audio.file "audio/none.mp3" not found',
      'episodes/ep.md:6: audio.length: missing; expected the file size in bytes, a whole number above 0',
    ]);
    expect((await loadProblems(await showWithAudio('  file: ../../outside.mp3\n', {})))[0]).toBe(
      'episodes/ep.md:6: audio.file "../../outside.mp3" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3',
    );
    expect((await loadProblems(await showWithAudio('  file: audio/notes.mp3\n', { 'audio/notes.mp3': Buffer.from('just text, not audio at all\n'.repeat(40)) })))[0]).toMatch(
      /^episodes\/ep\.md:6: audio\.file "audio\/notes\.mp3" (is not audio castwright can read|is .*not audio a podcast app plays)/,
    );
  });

  it('needs no committed audio: no media file of the repository is above 200 KB (fixtures are made at test time)', async () => {
    const listed = spawnSync('git', ['ls-files', '-z'], { cwd: PROJECT, encoding: 'utf8' });
    // Outside a git checkout (an unpacked package) there is nothing committed to look at.
    if (listed.status !== 0) return;
    const media = listed.stdout.split('\0').filter((name) => /\.(mp3|m4a|m4b|mp4|aac|wav|flac|opus|ogg|oga|aiff?|jpe?g|png|webp|gif)$/i.test(name));
    const sizes = await Promise.all(media.map(async (name) => [name, (await stat(path.join(PROJECT, name))).size] as const));
    expect(sizes.filter(([, size]) => size > 200 * 1024)).toEqual([]);
  });
});

describe('an episode with control characters and an audio file', () => {
  // Read for its other problems without the facts of its audio file, it was said to lack audio.length and audio.duration as well.
  it('is reported for its control character alone: what its audio file says is read for it too', async () => {
    const root = await showWithAudio('  file: audio/ep7.mp3\n', { 'audio/ep7.mp3': mp3File(50) });
    const episode = path.join(root, 'episodes', 'ep.md');
    await writeFile(episode, `${await readFile(episode, 'utf8')}\u0007\n`);
    const problems = await loadProblems(root);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('control character U+0007');
  });
});
