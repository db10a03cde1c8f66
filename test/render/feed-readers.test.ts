// Every tag this issue adds, at once, in one feed: castwright's W3C-like feed lint finds nothing
// to object to, and the three independent parsers (podcast-partytime, Python's feedparser,
// gPodder's podcastparser) read every item.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { lintFeed } from '../../src/check/feed-lint.ts';
import { readFeedDocument } from '../../src/feed-reader/document.ts';
import { inCI } from '../helpers/browser.ts';
import { cleanUp, fixture, tempDir, workspace } from '../helpers/content.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { feedparserObjection, podcastparserFacts, podcastparserPython } from '../helpers/parsers.ts';
import { feedparserFacts, python } from '../import/helpers.ts';

afterEach(cleanUp);

const SHOW = `medium: podcast
txt: { text: "verify-me", purpose: applepodcastsverify }
people: [Ada Host]
funding: { url: "https://fixture.example.com/support", text: Support the show }
audioPrefix: https://op3.dev/e/
`;

const EPISODE = `episodeDisplay: Ch. 7
season: 1
seasonName: The first
soundbites: [{ start: "0:30", duration: 20, title: A good bit }]
`;

const VTT = 'WEBVTT\n\n00:00.000 --> 00:04.000\n<v Ada Host>Welcome.\n';

async function everything() {
  const valid = (await fixture('episodes/valid.md'))
    .replace('hosts: [Ada Host]\n', `hosts: [Ada Host]\n${EPISODE}`)
    .replace('- [First story]', '- 1:00 [First story]')
    .replace('- [Second story]', '- 2:00 [Second story]');
  return generateWorkspace(await workspace({ 'ep.md': valid, 'ep.vtt': VTT }, { show: `${await fixture('show.yml')}${SHOW}` }));
}

describe('a feed with every new tag', () => {
  it('passes castwright’s feed lint (the W3C validator’s and Apple’s rules) without an error or a warning', async () => {
    const xml = file(await everything(), 'feed.xml');
    expect(xml).toContain('<psc:chapters');
    expect(xml).toContain('<podcast:transcript');
    expect(lintFeed(readFeedDocument({ bytes: Buffer.from(xml), name: 'feed.xml' })).map((finding) => `${finding.code}: ${finding.message}`)).toEqual([]);
  });

  it('is read by podcast-partytime with every tag', async () => {
    const feed = parseFeed(file(await everything(), 'feed.xml'))!;
    const item = feed.items[0]!;
    expect([feed.medium, feed.podcastTxt?.length, feed.podcastFunding?.length, feed.podcastPeople?.length]).toEqual(['podcast', 1, 1, 1]);
    expect([item.podcastChapters?.type, item.podcastTranscripts?.length, item.podcastSoundbites?.length, item.podcastEpisode?.display]).toEqual([
      'application/json+chapters',
      1,
      1,
      'Ch. 7',
    ]);
  });

  it.skipIf((!python || !podcastparserPython) && !inCI)('is read by feedparser without an objection and by podcastparser: the item, its enclosure and its chapters', async () => {
    const feedFile = path.join(await tempDir(), 'feed.xml');
    await writeFile(feedFile, file(await everything(), 'feed.xml'));
    expect(feedparserObjection(feedFile)).toBeUndefined();
    const viaFeedparser = feedparserFacts(feedFile).items;
    expect(viaFeedparser.map((item) => [item.title, item.enclosure?.url])).toEqual([['A valid episode', 'https://op3.dev/e/cdn.fixture.example.com/7.mp3']]);
    const viaPodcastparser = podcastparserFacts(feedFile).episodes;
    expect(viaPodcastparser.map((episode) => episode.chapters.map((chapter) => chapter.start))).toEqual([[0, 60, 120]]);
  });
});
