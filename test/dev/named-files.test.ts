// dev rebuilds when a file the content names changes (issue 9): audio.file, local artwork and a
// transcript named by `transcript:` may sit in folders the scan skips (_media/), and an episode
// file may be a link to one there; none of them is in a folder the watcher follows.
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSession, type BuildReport, type Session } from '../../src/dev/session.ts';
import { mp3File } from '../helpers/audio.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { rgbJpeg } from '../helpers/images.ts';

let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
  await cleanUp();
});

/** Polls until `check` holds; a generous deadline, so only a save never built fails. */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const served = async (url: string, file: string) => (await fetch(new URL(file, url))).text();

describe('dev and the files the content names', () => {
  it('rebuilds when the audio file, the artwork, a named transcript or a linked episode file changes, each in a skipped folder', async () => {
    const valid = await fixture('episodes/valid.md');
    const episode = valid
      .replace(/audio:\n(?: {2}.*\n)+/, 'audio:\n  file: _media/ep.mp3\n')
      .replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: _text/ep.vtt\n');
    const show = `${(await fixture('show.yml')).replace('image: https://fixture.example.com/art.png', 'image: _art/cover.jpg')}audioBaseUrl: https://cdn.fixture.example.com/audio\n`;
    const root = await workspace({ 'ep.md': episode }, { show });
    const content = path.join(root, 'episodes');
    const write = async (name: string, bytes: string | Buffer) => {
      await mkdir(path.dirname(path.join(content, name)), { recursive: true });
      await writeFile(path.join(content, name), bytes);
    };
    await write('_media/ep.mp3', mp3File(500));
    await write('_art/cover.jpg', await rgbJpeg(1400));
    await write('_text/ep.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nFirst words.\n');
    await write('_drafts/linked.md', valid.replace('episode: 7', 'episode: 8').replace('7.mp3', '8.mp3').replace('A valid episode', 'A linked episode'));
    await symlink(path.join(content, '_drafts', 'linked.md'), path.join(content, 'linked.md'));

    const reports: BuildReport[] = [];
    session = await startSession({ contentDir: content, host: '127.0.0.1', port: 0, cwd: root }, (report) => reports.push(report));
    expect(await session.firstBuild).toMatchObject({ ok: true });
    const url = session.url;

    const longer = mp3File(900);
    await write('_media/ep.mp3', longer);
    await eventually(async () => (await served(url, 'feed.xml')).includes(`length="${longer.length}"`), 'the feed with the longer audio file');

    await write('_text/ep.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nOther words.\n');
    await eventually(async () => (await served(url, 'episodes/ep/transcript.vtt')).includes('Other words.'), 'the named transcript as changed');

    await write('_drafts/linked.md', valid.replace('episode: 7', 'episode: 8').replace('7.mp3', '8.mp3').replace('A valid episode', 'A linked episode, saved'));
    await eventually(async () => (await served(url, 'episodes/linked/')).includes('A linked episode, saved'), 'the linked episode as saved');

    // Artwork Apple refuses stops the build: proof that its change was built.
    const before = reports.length;
    await write('_art/cover.jpg', await rgbJpeg(200));
    await eventually(() => reports.slice(before).some((report) => !report.ok && report.problems.some((problem) => /cover\.jpg|image/.test(`${problem.file} ${problem.message}`))), 'a build of the smaller artwork');
    await write('_art/cover.jpg', await rgbJpeg(1400));
    await eventually(() => reports.at(-1)?.ok === true, 'a good build again');

    await rm(path.join(content, '_media', 'ep.mp3'));
    await eventually(() => reports.at(-1)?.ok === false, 'a build without the audio file');
  }, 120_000);

  // The transcript was watched where it really is: a link on its way pointed elsewhere was never
  // seen, and the preview kept the words it led to before.
  it('rebuilds when a link on the way to a named transcript is pointed elsewhere', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'ep.md': valid.replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: _text/current/ep.vtt\n') });
    const content = path.join(root, 'episodes');
    for (const version of ['v1', 'v2']) {
      await mkdir(path.join(content, '_text', version), { recursive: true });
      await writeFile(path.join(content, '_text', version, 'ep.vtt'), `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nWords of ${version}.\n`);
    }
    const current = path.join(content, '_text', 'current');
    await symlink('v1', current);
    const reports: BuildReport[] = [];
    session = await startSession({ contentDir: content, host: '127.0.0.1', port: 0, cwd: root }, (report) => reports.push(report));
    expect(await session.firstBuild).toMatchObject({ ok: true });
    const url = session.url;
    expect(await served(url, 'episodes/ep/transcript.vtt')).toContain('Words of v1.');
    // The build once more for the files newly watched (session.ts), after which the link is pointed.
    await eventually(() => reports.length >= 2, 'the build for the files newly watched');
    await symlink('v2', `${current}.tmp`);
    await rename(`${current}.tmp`, current);
    await eventually(async () => (await served(url, 'episodes/ep/transcript.vtt')).includes('Words of v2.'), 'the transcript the link now leads to');
  }, 120_000);
});
