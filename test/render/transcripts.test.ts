// A transcript beside the episode (or named by transcript:) reaches the output as written, the feed
// as podcast:transcript, and the page as a readable section whose timestamps seek the player.
import path from 'node:path';
import { symlink, writeFile } from 'node:fs/promises';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { inCI } from '../helpers/browser.ts';
import { cleanUp, fixture, loadProblems as problemsOf, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { podcastparserFacts, podcastparserPython } from '../helpers/parsers.ts';

afterEach(cleanUp);

const VTT = `WEBVTT

00:00:00.000 --> 00:00:03.000
<v Ada Host>Welcome to the show.

00:00:03.000 --> 00:00:06.000
<v Ada Host>Two stories today.

00:00:06.000 --> 00:00:09.500
<v Gus Guest>Thanks for having me &amp; hello.
`;

const SRT = `1
00:00:00,000 --> 00:00:03,000
Welcome to the show.

2
00:01:05,000 --> 00:01:08,000
Two stories today.
`;

describe('transcripts', () => {
  it('a VTT and an SRT beside the episode are published as written and named in the feed, VTT as captions', async () => {
    const valid = await fixture('episodes/valid.md');
    const generated = await generateWorkspace(await workspace({ 'ep.md': valid, 'ep.vtt': VTT, 'ep.srt': SRT }));
    expect(file(generated, 'episodes/ep/transcript.vtt')).toBe(VTT);
    expect(file(generated, 'episodes/ep/transcript.srt')).toBe(SRT);
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<podcast:transcript url="https://fixture.example.com/episodes/ep/transcript.vtt" type="text/vtt" language="en-us" rel="captions"/>');
    expect(xml).toContain('<podcast:transcript url="https://fixture.example.com/episodes/ep/transcript.srt" type="application/x-subrip" language="en-us"/>');
    expect(parseFeed(xml)!.items[0]!.podcastTranscripts?.map(({ url, type }) => [url, type])).toEqual([
      ['https://fixture.example.com/episodes/ep/transcript.vtt', 'text/vtt'],
      // partytime names SubRip by its own enum value.
      ['https://fixture.example.com/episodes/ep/transcript.srt', 'application/srt'],
    ]);
  });

  it('the page shows the VTT as paragraphs by speaker, each with a timestamp that seeks the player', async () => {
    const valid = await fixture('episodes/valid.md');
    const generated = await generateWorkspace(await workspace({ 'ep.md': valid, 'ep.vtt': VTT }));
    const page = dom(file(generated, 'episodes/ep/index.html'));
    const paragraphs = [...page.querySelectorAll('.transcript p')].map((p) => p.textContent!.replace(/\s+/g, ' ').trim());
    expect(paragraphs).toEqual(['00:00 Ada Host: Welcome to the show. Two stories today.', '00:06 Gus Guest: Thanks for having me & hello.']);
    const seek = page.querySelectorAll('.transcript a.seek')[1]!;
    expect(seek.getAttribute('href')).toBe('https://cdn.fixture.example.com/7.mp3#t=6');
    expect(seek.getAttribute('data-seek')).toBe('6');
    expect(page.querySelector('script[src^="../../seek.js"]')).not.toBeNull();
    // Linked under the player too.
    expect(page.querySelector('figcaption a[href="https://fixture.example.com/episodes/ep/transcript.vtt"]')).not.toBeNull();
  });

  it('transcript: in the front matter names a file beside the episode, and an SRT reaches the page too', async () => {
    const valid = (await fixture('episodes/valid.md')).replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: words/seven.srt\n');
    const generated = await generateWorkspace(await workspace({ 'ep.md': valid, 'words/seven.srt': SRT }));
    expect(file(generated, 'episodes/ep/transcript.srt')).toBe(SRT);
    const paragraphs = [...dom(file(generated, 'episodes/ep/index.html')).querySelectorAll('.transcript p')].map((p) => p.textContent!.replace(/\s+/g, ' ').trim());
    expect(paragraphs).toEqual(['00:00 Welcome to the show.', '01:05 Two stories today.']);
  });

  it('a broken cue is a problem at its line in the transcript file, and a missing or outside file is named', async () => {
    const valid = await fixture('episodes/valid.md');
    const broken = VTT.replace('00:00:03.000 --> 00:00:06.000', '00:00:03.000 --> 00:00:02.000');
    expect(await problemsOf(await workspace({ 'ep.md': valid, 'ep.vtt': broken }))).toEqual([
      'episodes/ep.vtt:6: cue ends (2s) before it starts (3s); expected an end after the start, such as "00:01:02.500 --> 00:01:05.000"',
    ]);
    const missing = valid.replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: nowhere.vtt\n');
    expect(await problemsOf(await workspace({ 'ep.md': missing }))).toEqual(['episodes/ep.md:10: transcript "nowhere.vtt" not found; expected a .vtt or .srt file beside the episode']);
    const outside = valid.replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: ../../secret.vtt\n');
    expect(await problemsOf(await workspace({ 'ep.md': outside }))).toEqual([
      'episodes/ep.md:10: transcript "../../secret.vtt" is outside the content folder; expected a file beside the episode',
    ]);
    // A link leads where it points: one beside the episode or named by transcript: to a file outside is refused, never published.
    const root = await workspace({ 'ep.md': valid });
    const secret = path.join(root, 'secret.vtt');
    await writeFile(secret, VTT);
    await symlink(secret, path.join(root, 'episodes', 'ep.vtt'));
    expect(await problemsOf(root)).toEqual([`episodes/ep.vtt: transcript "ep.vtt" (a link to ${secret}) is outside the content folder; expected a file beside the episode`]);
    const named = await workspace({ 'ep.md': valid.replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\ntranscript: words.vtt\n') });
    await writeFile(path.join(named, 'secret.vtt'), VTT);
    await symlink(path.join(named, 'secret.vtt'), path.join(named, 'episodes', 'words.vtt'));
    expect(await problemsOf(named)).toEqual(['episodes/ep.md:10: transcript "words.vtt" is outside the content folder; expected a file beside the episode']);
  });

  it.skipIf(!podcastparserPython && !inCI)('podcastparser still reads the episode of a feed with transcripts (Debian\'s 0.6 knows no podcast:transcript)', async () => {
    const valid = await fixture('episodes/valid.md');
    const generated = await generateWorkspace(await workspace({ 'ep.md': valid, 'ep.vtt': VTT }));
    const feedFile = path.join(await tempDir(), 'feed.xml');
    await writeFile(feedFile, file(generated, 'feed.xml'));
    const [episode] = podcastparserFacts(feedFile).episodes;
    expect(episode!.title).toBe('A valid episode');
    expect(episode!.enclosures[0]!.url).toBe('https://cdn.fixture.example.com/7.mp3');
  });
});
