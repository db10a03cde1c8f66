import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseFeed } from 'podcast-partytime';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APPLE_DESCRIPTION_BYTES, podcastGuid } from '../../src/model/schema.ts';
import { ContentError } from '../../src/errors.ts';
import { formatProblem } from '../../src/problems.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { file, generateSample, generateWorkspace } from '../helpers/generate.ts';

afterEach(cleanUp);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  cdataPropName: false as unknown as string,
  parseTagValue: false,
  isArray: (name) => ['item', 'itunes:category', 'podcast:person'].includes(name),
});

type Node = Record<string, any>;

function channelOf(xml: string): Node {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml).rss.channel;
}

const text = (node: unknown): string => (typeof node === 'object' && node !== null ? String((node as Node)['#text'] ?? '') : String(node));

describe('the podcast feed of the sample show', () => {
  let xml: string;
  let channel: Node;
  let seed: Node;

  beforeAll(async () => {
    xml = file(await generateSample(), 'feed.xml');
    channel = channelOf(xml);
    seed = channel.item.find((item: Node) => text(item.title).startsWith('Disrupt kicks off'));
  });

  it('declares RSS 2.0 with the itunes, content, atom and podcast namespaces', () => {
    const rss = parser.parse(xml).rss;
    expect(rss['@version']).toBe('2.0');
    expect(rss['@xmlns:itunes']).toBe('http://www.itunes.com/dtds/podcast-1.0.dtd');
    expect(rss['@xmlns:content']).toBe('http://purl.org/rss/1.0/modules/content/');
    expect(rss['@xmlns:atom']).toBe('http://www.w3.org/2005/Atom');
    expect(rss['@xmlns:podcast']).toBe('https://podcastindex.org/namespace/1.0');
  });

  it('points browsers at its stylesheet, which the build writes next to it', async () => {
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<\?xml-stylesheet type="text\/xsl" href="feed.xsl"\?>\n<rss /);
    expect(file(await generateSample(), 'feed.xsl')).toContain('<xsl:stylesheet');
  });

  it('describes the show in the channel, as Apple and Podcasting 2.0 ask', () => {
    expect(text(channel.title)).toBe('Equity');
    expect(channel.link).toBe('https://equity.example.com/');
    expect(text(channel.description)).toMatch(/^Equity is TechCrunch's venture capital podcast/);
    expect(text(channel.language)).toBe('en-us');
    expect(channel['atom:link']).toMatchObject({ '@href': 'https://equity.example.com/feed.xml', '@rel': 'self', '@type': 'application/rss+xml' });
    expect(channel['itunes:image']['@href']).toBe('https://equity.example.com/artwork.jpg');
    expect(channel['itunes:explicit']).toBe('false');
    expect(channel['itunes:author']).toBe('TechCrunch');
    expect(channel['itunes:owner']).toEqual({ 'itunes:name': 'TechCrunch', 'itunes:email': 'podcasts@example.com' });
    expect(channel['itunes:type']).toBe('episodic');
    expect(text(channel.copyright)).toBe('© 2020 TechCrunch');
    expect(channel['podcast:guid']).toBe(podcastGuid('https://equity.example.com/feed.xml'));
    expect(channel['podcast:locked']).toEqual({ '#text': 'yes', '@owner': 'podcasts@example.com' });
    expect(channel.author).toBeUndefined();
  });

  it('nests each Apple subcategory in its category', () => {
    expect(channel['itunes:category']).toEqual([
      { '@text': 'Business', 'itunes:category': [{ '@text': 'Investing' }] },
      { '@text': 'Technology' },
      { '@text': 'News', 'itunes:category': [{ '@text': 'Tech News' }] },
    ]);
  });

  it('lists the published episodes newest first, leaving the draft out', () => {
    expect(channel.item.map((item: Node) => item.pubDate)).toEqual([
      'Mon, 05 Oct 2020 14:00:00 GMT',
      'Mon, 28 Sep 2020 14:00:00 GMT',
      'Mon, 21 Sep 2020 14:00:00 GMT',
      'Mon, 14 Sep 2020 14:00:00 GMT',
    ]);
    expect(xml).not.toContain('The IPO window stays open');
  });

  it('dates the channel by its newest episode, not by the clock', () => {
    expect(channel.lastBuildDate).toBe('Mon, 05 Oct 2020 14:00:00 GMT');
    expect(channel.pubDate).toBe('Mon, 05 Oct 2020 14:00:00 GMT');
  });

  it('gives each item its link, permanent guid, enclosure and iTunes fields', () => {
    expect(seed.link).toBe('https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/');
    expect(seed.guid).toMatchObject({ '@isPermaLink': 'false' });
    expect(text(seed.guid)).toMatch(/^[0-9a-f-]{36}$/);
    expect(seed.enclosure).toEqual({
      '@url': 'https://cdn.example.com/equity/2020-09-14-equity-monday.mp3',
      '@length': '7843200',
      '@type': 'audio/mpeg',
    });
    expect(seed['itunes:duration']).toBe('492');
    expect(seed['itunes:episode']).toBe('312');
    expect(seed['itunes:season']).toBe('4');
    expect(seed['itunes:episodeType']).toBe('full');
    expect(seed['itunes:explicit']).toBe('false');
    expect(seed['podcast:person']).toEqual([{ '#text': 'Alex Wilhelm', '@role': 'host' }]);
  });

  it('carries every story with its link: all in content:encoded, as many as fit in the description', () => {
    const description = text(seed.description);
    const content = text(seed['content:encoded']);
    expect(Buffer.byteLength(description)).toBeLessThan(APPLE_DESCRIPTION_BYTES);
    for (const link of ['https://techcrunch.com/2020/09/14/cosmose-raises-15m-series-a/', 'https://techcrunch.com/2020/09/14/hmd-global-raises-230m/']) {
      expect(description).toContain(`href="${link}"`);
      expect(content).toContain(`href="${link}"`);
    }
    expect(content.match(/<li>/g)).toHaveLength(11);
    expect(content).toContain('Hello and welcome back to Equity');
    expect(content).toContain('See you at Disrupt in a few hours!');
  });

  it('reads back the same through a podcast-aware parser (podcast-partytime)', () => {
    const feed = parseFeed(xml, { allowMissingGuid: false })!;
    expect(feed.title).toBe('Equity');
    expect(feed.guid).toBe(podcastGuid('https://equity.example.com/feed.xml'));
    expect(feed.locked).toBe(true);
    expect(feed.itunesType).toBe('episodic');
    expect(feed.owner).toEqual({ name: 'TechCrunch', email: 'podcasts@example.com' });
    expect(feed.items).toHaveLength(4);
    const item = feed.items.find((i) => i.title?.startsWith('Disrupt kicks off'))!;
    expect(item.duration).toBe(492);
    expect(item.enclosure).toEqual({ url: 'https://cdn.example.com/equity/2020-09-14-equity-monday.mp3', length: 7843200, type: 'audio/mpeg' });
    expect(item.itunesEpisode).toBe(312);
    expect(item.podcastPeople?.[0]?.name).toBe('Alex Wilhelm');
    expect(String(item.podcastPeople?.[0]?.role).toLowerCase()).toBe('host');
  });
});

describe('the feed of other content', () => {
  it('includes drafts and future episodes only when asked', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({
      'past.md': valid,
      'future.md': valid.replace('2021-03-01', '2031-03-01').replace('7.mp3', 'f.mp3'),
      'draft.md': valid.replace('episode: 7', 'episode: 7\ndraft: true').replace('7.mp3', 'd.mp3'),
    });
    const now = new Date('2026-01-01T00:00:00Z');
    const published = channelOf(file(await generateWorkspace(root, { now }), 'feed.xml'));
    expect(published.item.map((i: Node) => i.link)).toEqual(['https://fixture.example.com/episodes/past/']);
    const preview = channelOf(file(await generateWorkspace(root, { now, drafts: true }), 'feed.xml'));
    expect(preview.item.map((i: Node) => i.link)).toHaveLength(3);
  });

  it('keeps a 60-story description under 4000 bytes and points to the rest', async () => {
    const valid = await fixture('episodes/valid.md');
    const list = Array.from({ length: 60 }, (_, i) => `- [Story number ${i} with a long enough title](https://news.example.com/${i}/${'x'.repeat(40)}) — summary ${i}`).join('\n');
    const root = await workspace({ 'long.md': valid.replace(/- \[First[\s\S]*summary\.\n/, `${list}\n`) });
    const item = channelOf(file(await generateWorkspace(root), 'feed.xml')).item[0];
    const description = text(item.description);
    expect(Buffer.byteLength(description)).toBeLessThan(4000);
    expect(description).toMatch(/And \d+ more stories in the show notes/);
    expect(text(item['content:encoded']).match(/<li>/g)).toHaveLength(60);
  });

  it('puts the items in the channel, not in a show description holding the text the channel ends with', async () => {
    // The description is written as it is (CDATA): its own "\n  </channel>" came first in the feed.
    const show = (await fixture('show.yml')).replace('description: A small show for tests.', 'description: |\n  Pasted XML:\n    </channel>');
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') }, { show });
    const channel = channelOf(file(await generateWorkspace(root), 'feed.xml'));
    expect(text(channel.description)).toBe('Pasted XML:\n  </channel>');
    expect([channel.item].flat()).toHaveLength(1);
  });

  // Control characters never reach a renderer: load refuses them (test/load/content.test.ts).
  it('escapes hostile text and survives "]]>"', async () => {
    const hostile = (await fixture('hostile/script-title.md')).replace('Raw', 'Bell raw \u{1F399}\uFE0F');
    const root = await workspace({ 'hostile.md': hostile });
    const xml = file(await generateWorkspace(root), 'feed.xml');
    const item = channelOf(xml).item[0];
    expect(text(item.title)).toBe('<script>alert(1)</script> & "Q&A"');
    expect(text(item['content:encoded'])).toContain('summary with ]]&gt; in it');
    expect(text(item['content:encoded'])).toContain('&lt;script&gt;alert(3)&lt;/script&gt;');
    expect(text(item['content:encoded'])).not.toMatch(/<script|<iframe|<b>/);
    expect(item['podcast:person'][0]['#text']).toBe('<b>Mallory</b>');
    // A character beyond the Basic Multilingual Plane (a surrogate pair) is kept whole.
    expect(xml).toContain('raw \u{1F399}\uFE0F');
  });
});

describe('fitting the item description in Apple’s 4000 bytes (issue 8, cases 1 and 2)', () => {
  const storyList = (count: number) =>
    Array.from({ length: count }, (_, i) => `- [Story ${i}](https://news.example.com/${i}/${'x'.repeat(40)}) — summary ${i}`).join('\n');

  async function descriptionOf(markdownList: string, options: { summary?: string } = {}): Promise<string> {
    let valid = (await fixture('episodes/valid.md')).replace(/- \[First[\s\S]*summary\.\n/, `${markdownList}\n`);
    if (options.summary) valid = valid.replace('Welcome to the show.', options.summary);
    const root = await workspace({ 'long.md': valid });
    return text(channelOf(file(await generateWorkspace(root), 'feed.xml')).item[0].description);
  }

  it('reports a content problem, instead of spinning forever, when even the empty description cannot fit', async () => {
    // Handlebars writes each "=" of the address as "&#x3D;": a 1,400-character path becomes 4,900 bytes.
    const show = (await fixture('show.yml')).replace('url: https://fixture.example.com/', `url: https://fixture.example.com/${'a='.repeat(700)}/`);
    // The address is only in "And N more stories…", written when not every story fits.
    const valid = (await fixture('episodes/valid.md')).replace(/- \[First[\s\S]*summary\.\n/, `${storyList(60)}\n`);
    const root = await workspace({ 'valid.md': valid }, { show });
    const error = await generateWorkspace(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^episodes\/valid\.md: the feed description cannot fit in Apple's 4000 bytes: without a summary or stories it takes \d{4} bytes, \d{4} of them for the show notes address; expected a shorter url in show\.yml$/,
      ),
    ]);
  });

  it('shows the most stories that fit, and counts the rest', async () => {
    const description = await descriptionOf(storyList(300));
    expect(Buffer.byteLength(description)).toBeLessThanOrEqual(APPLE_DESCRIPTION_BYTES);
    const shown = description.match(/<li>/g)!.length;
    const more = Number(/And (\d+) more stories/.exec(description)![1]);
    expect(shown + more).toBe(300);
    // One story more would not have fitted: the next item is longer than the room left.
    const next = `<li><a href="https://news.example.com/${shown}/${'x'.repeat(40)}">Story ${shown}</a> (news.example.com)</li>\n`;
    expect(Buffer.byteLength(description) + Buffer.byteLength(next) - 1).toBeGreaterThan(APPLE_DESCRIPTION_BYTES);
  });

  it('fits 10,000 stories without rendering them once per count', async () => {
    const description = await descriptionOf(storyList(10_000));
    expect(Buffer.byteLength(description)).toBeLessThanOrEqual(APPLE_DESCRIPTION_BYTES);
    expect(description).toMatch(/And 99\d\d more stories in the show notes/);
  });

  it('shortens a summary that alone is too long at a word, escapes included, and keeps the link to the rest', async () => {
    const summary = 'Q&A: fees & funds. '.repeat(400).trim();
    const description = await descriptionOf(storyList(3), { summary });
    expect(Buffer.byteLength(description)).toBeLessThanOrEqual(APPLE_DESCRIPTION_BYTES);
    expect(Buffer.byteLength(description)).toBeGreaterThan(APPLE_DESCRIPTION_BYTES - 40);
    expect(description).toMatch(/^<p>Q&amp;A: fees &amp; funds\. .* (Q&amp;A:|fees|&amp;|funds\.)…<\/p>/);
    expect(description).toContain('And 3 more stories in the show notes.');
  });
});
