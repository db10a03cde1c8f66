// feed.limit: the newest episodes in feed.xml, the rest in RFC 5005 pages (feed-2.xml, …) linked
// with atom:link first/last/next/previous and prev-archive, the site still listing every episode.
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { inCI } from '../helpers/browser.ts';
import { cleanUp, fixture, loadProblems, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { feedparserObjection, podcastparserFacts, podcastparserPython } from '../helpers/parsers.ts';
import { feedparserFacts, python } from '../import/helpers.ts';

afterEach(cleanUp);

/** Five episodes, a day apart, the newest last. */
async function fiveEpisodes(limit: string) {
  const valid = await fixture('episodes/valid.md');
  const files: Record<string, string> = {};
  for (let n = 1; n <= 5; n++) {
    files[`ep-${n}.md`] = valid
      .replace('title: A valid episode', `title: Episode number ${n}`)
      .replace('date: 2021-03-01', `date: 2021-03-0${n}`)
      .replace('episode: 7', `episode: ${n}`)
      .replace('7.mp3', `${n}.mp3`);
  }
  return workspace(files, { show: `${await fixture('show.yml')}feed: { limit: ${limit} }\n` });
}

const links = (xml: string) =>
  Object.fromEntries([...xml.matchAll(/<atom:link href="([^"]+)" rel="([^"]+)"/g)].map((m) => [m[2], m[1]!.replace('https://fixture.example.com/', '')]));

describe('feed.limit and paged archives', () => {
  it('puts the newest episodes in feed.xml and the rest, newest first, in feed-2.xml, feed-3.xml', async () => {
    const generated = await generateWorkspace(await fiveEpisodes('2'));
    const titles = (name: string) => parseFeed(file(generated, name))!.items.map((item) => item.title);
    expect(titles('feed.xml')).toEqual(['Episode number 5', 'Episode number 4']);
    expect(titles('feed-2.xml')).toEqual(['Episode number 3', 'Episode number 2']);
    expect(titles('feed-3.xml')).toEqual(['Episode number 1']);
    expect(generated.files.has('feed-4.xml')).toBe(false);
    // The site still lists every episode.
    expect(dom(file(generated, 'index.html')).querySelectorAll('a[href^="episodes/ep-"]').length).toBeGreaterThanOrEqual(5);
  });

  it('links the pages as RFC 5005 says: self, first, last, next, previous, and prev-archive from the feed', async () => {
    const generated = await generateWorkspace(await fiveEpisodes('2'));
    expect(links(file(generated, 'feed.xml'))).toEqual({ self: 'feed.xml', first: 'feed.xml', last: 'feed-3.xml', next: 'feed-2.xml', 'prev-archive': 'feed-2.xml' });
    expect(links(file(generated, 'feed-2.xml'))).toEqual({
      self: 'feed-2.xml',
      first: 'feed.xml',
      last: 'feed-3.xml',
      previous: 'feed.xml',
      next: 'feed-3.xml',
      'prev-archive': 'feed-3.xml',
    });
    expect(links(file(generated, 'feed-3.xml'))).toEqual({ self: 'feed-3.xml', first: 'feed.xml', last: 'feed-3.xml', previous: 'feed-2.xml', 'next-archive': 'feed-2.xml' });
  });

  it('writes one feed.xml without page links when the episodes fit, and refuses a limit that is no count', async () => {
    const generated = await generateWorkspace(await fiveEpisodes('5'));
    expect(parseFeed(file(generated, 'feed.xml'))!.items).toHaveLength(5);
    expect(links(file(generated, 'feed.xml'))).toEqual({ self: 'feed.xml' });
    expect(generated.files.has('feed-2.xml')).toBe(false);
    expect(await loadProblems(await fiveEpisodes('0'))).toEqual(['episodes/show.yml:16: feed.limit: expected the number of newest episodes feed.xml holds, such as 100, got the number 0']);
  });

  it.skipIf((!python || !podcastparserPython) && !inCI)('every page is read by feedparser and podcastparser, all five episodes between them', async () => {
    const generated = await generateWorkspace(await fiveEpisodes('2'));
    const folder = await tempDir();
    const guids: string[] = [];
    for (const name of ['feed.xml', 'feed-2.xml', 'feed-3.xml']) {
      await writeFile(path.join(folder, name), file(generated, name));
      expect(feedparserObjection(path.join(folder, name)), name).toBeUndefined();
      const viaFeedparser = feedparserFacts(path.join(folder, name)).items.map((item) => item.guid);
      expect(podcastparserFacts(path.join(folder, name)).episodes.map((episode) => episode.guid)).toEqual(viaFeedparser);
      guids.push(...viaFeedparser);
    }
    expect(new Set(guids).size).toBe(5);
  });
});
