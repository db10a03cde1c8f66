// The rest of a best-in-class feed: podcast:medium, podcast:txt, podcast:person for the show,
// podcast:episode display, podcast:season name, podcast:soundbite, itunes:image per episode and
// tracking prefixes on the enclosures (the feed only). Each read back with podcast-partytime.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { inCI } from '../helpers/browser.ts';
import { cleanUp, fixture, loadProblems as problemsOf, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { podcastparserFacts, podcastparserPython } from '../helpers/parsers.ts';
import { castwright } from '../import/helpers.ts';

afterEach(cleanUp);

const SHOW_EXTRAS = `medium: newsletter
txt:
  - { text: "S3cr3t-verify-token", purpose: applepodcastsverify }
  - Any note for machines
people:
  - Ada Host
  - { name: Pat Producer, role: producer, group: audio post-production, href: "https://pat.example.com/" }
audioPrefix: [https://dts.podtrac.com/redirect.mp3/, https://op3.dev/e/]
`;

const EPISODE_EXTRAS = `episodeDisplay: Ch. 7
season: 2
seasonName: The Long Season
image: https://fixture.example.com/ep7.jpg
soundbites:
  - { start: "1:05", duration: 30, title: The best minute }
  - { start: 200.5, duration: "0:45" }
`;

async function showWith(showExtras: string, episodeExtras: string) {
  const valid = await fixture('episodes/valid.md');
  return workspace({ 'ep.md': valid.replace('hosts: [Ada Host]\n', `hosts: [Ada Host]\n${episodeExtras}`) }, { show: `${await fixture('show.yml')}${showExtras}` });
}

describe('the rest of the feed', () => {
  it('writes podcast:medium, podcast:txt and the show’s podcast:person at channel level', async () => {
    const xml = file(await generateWorkspace(await showWith(SHOW_EXTRAS, '')), 'feed.xml');
    expect(xml).toContain('<podcast:medium>newsletter</podcast:medium>');
    expect(xml).toContain('<podcast:txt purpose="applepodcastsverify">S3cr3t-verify-token</podcast:txt>');
    expect(xml).toContain('<podcast:txt>Any note for machines</podcast:txt>');
    const feed = parseFeed(xml)!;
    expect(feed.medium).toBe('newsletter');
    expect(feed.podcastTxt).toEqual([{ value: 'S3cr3t-verify-token', purpose: 'applepodcastsverify' }, { value: 'Any note for machines' }]);
    // partytime capitalises roles and groups as the Podcast Taxonomy Project writes them.
    expect(feed.podcastPeople?.map(({ name, role, group, href }) => ({ name, role: role.toLowerCase(), group: group.toLowerCase(), href }))).toEqual([
      { name: 'Ada Host', role: 'host', group: 'cast', href: undefined },
      { name: 'Pat Producer', role: 'producer', group: 'audio post-production', href: 'https://pat.example.com/' },
    ]);
  });

  it('writes podcast:episode with display, podcast:season with name, podcast:soundbite and itunes:image per item', async () => {
    const xml = file(await generateWorkspace(await showWith('', EPISODE_EXTRAS)), 'feed.xml');
    const item = parseFeed(xml)!.items[0]!;
    expect(item.podcastEpisode).toEqual({ number: 7, display: 'Ch. 7' });
    expect(item.podcastSeason).toEqual({ number: 2, name: 'The Long Season' });
    expect(item.itunesImage ?? item.image).toBe('https://fixture.example.com/ep7.jpg');
    expect(item.podcastSoundbites).toEqual([
      { startTime: 65, duration: 30, title: 'The best minute' },
      // Without a title of its own, partytime names a soundbite after the show.
      { startTime: 200.5, duration: 45, title: 'Fixture Weekly' },
    ]);
  });

  it('prefixes enclosures with the tracking prefixes in order, in the feed only; the page links the file itself', async () => {
    const generated = await generateWorkspace(await showWith(SHOW_EXTRAS, ''));
    const item = parseFeed(file(generated, 'feed.xml'))!.items[0]!;
    expect(item.enclosure.url).toBe('https://dts.podtrac.com/redirect.mp3/op3.dev/e/cdn.fixture.example.com/7.mp3');
    const page = dom(file(generated, 'episodes/ep/index.html'));
    expect(page.querySelector('audio source')?.getAttribute('src')).toBe('https://cdn.fixture.example.com/7.mp3');
    expect(page.querySelector('a[download]')?.getAttribute('href')).toBe('https://cdn.fixture.example.com/7.mp3');
  });

  it('lets the publish guard take an added tracking prefix as the same audio file', async () => {
    const root = await showWith('', '');
    expect((await castwright(['build', '--content', 'episodes', '--out', 'dist'], root)).code).toBe(0);
    await writeFile(path.join(root, 'episodes/show.yml'), `${await fixture('show.yml')}audioPrefix: https://op3.dev/e/\n`);
    const again = await castwright(['build', '--content', 'episodes', '--out', 'dist'], root);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });

  it('refuses what Podcasting 2.0 and the tracking services do not take, at its line', async () => {
    const show = `medium: radio
txt: "${'x'.repeat(4001)}"
audioPrefix: [https://op3.dev/e, "https://track.example.com/p/?id=1"]
`;
    const episode = `episodeDisplay: "${'d'.repeat(33)}"
soundbites:
  - { start: "12:00", duration: 60 }
  - { start: "1:75", duration: 10 }
`;
    expect(await problemsOf(await showWith(show, episode))).toEqual([
      'episodes/ep.md:10: episodeDisplay: is 33 characters long; Podcasting 2.0 takes at most 32',
      'episodes/ep.md:13: soundbites[1].start: "1:75" is seconds must be below 60; expected a time in the audio such as "12:34" or "1:02:03"',
      expect.stringMatching(/^episodes\/show\.yml:16: medium: expected one of podcast, music/),
      'episodes/show.yml:17: txt[0].text: is 4001 characters long; Podcasting 2.0 takes at most 4000',
      'episodes/show.yml:18: audioPrefix[0]: "https://op3.dev/e" does not end in "/", so the audio URL cannot follow it; expected a tracking prefix URL such as https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/',
      'episodes/show.yml:18: audioPrefix[1]: "https://track.example.com/p/?id=1" has a query or fragment, so the audio URL cannot follow it; expected a tracking prefix URL such as https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/',
    ]);
  });

  it('refuses a funding text over 128 characters, a txt purpose over 128, and people links that are not http(s), at their lines', async () => {
    const show = `funding: { url: "https://fixture.example.com/support", text: "${'f'.repeat(129)}" }
txt: { text: ok, purpose: "${'p'.repeat(129)}" }
people:
  - { name: Pat, img: "javascript:alert(1)" }
  - { name: Sam, href: "data:text/html,hi" }
`;
    expect(await problemsOf(await showWith(show, ''))).toEqual([
      'episodes/show.yml:16: funding.text: is 129 characters long; Podcasting 2.0 takes at most 128',
      'episodes/show.yml:17: txt[0].purpose: expected a purpose of at most 128 characters',
      // (The person's own field is not named: the union of a name and a record says what it takes.)
      "episodes/show.yml:19: people[0]: expected a host's name, or { name, role, img, href }, got a set of fields",
      "episodes/show.yml:20: people[1]: expected a host's name, or { name, role, img, href }, got a set of fields",
    ]);
  });

  it('refuses a soundbite that runs past the end of the episode', async () => {
    const problems = await problemsOf(await showWith('', 'soundbites:\n  - { start: "12:20", duration: 30 }\n'));
    expect(problems).toEqual(['episodes/ep.md:11: soundbites[0] runs to 12:50, past the end of the episode (12:34); expected a start and duration within the audio']);
  });

  it.skipIf(!podcastparserPython && !inCI)('is read by podcastparser with every new tag in it', async () => {
    const generated = await generateWorkspace(await showWith(SHOW_EXTRAS, EPISODE_EXTRAS));
    const feedFile = path.join(await tempDir(), 'feed.xml');
    await writeFile(feedFile, file(generated, 'feed.xml'));
    const facts = podcastparserFacts(feedFile);
    expect(facts.episodes).toHaveLength(1);
    expect(facts.episodes[0]!.enclosures[0]!.url).toBe('https://dts.podtrac.com/redirect.mp3/op3.dev/e/cdn.fixture.example.com/7.mp3');
    expect(facts.episodes[0]!.number).toBe(7);
  });
});
