// Issue 14: sitemap.xml, robots.txt and the JSON Feed (jsonfeed.org 1.1) beside the RSS feed.
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Generated } from '../../src/pipeline.ts';
import { textOf } from '../../src/model/source-file.ts';
import { jsonFeedItemText, renderJsonFeed } from '../../src/render/json-feed.ts';
import { file, generateSample } from '../helpers/generate.ts';

let sample: Generated;
beforeAll(async () => {
  sample = await generateSample();
});

describe('sitemap.xml and robots.txt (issue 14)', () => {
  it('lists the home page, the subscribe page and every episode, each dated', () => {
    const xml = file(sample, 'sitemap.xml');
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www\.sitemaps\.org\/schemas\/sitemap\/0\.9">/);
    const urls = new XMLParser().parse(xml).urlset.url as Array<{ loc: string; lastmod?: string }>;
    expect(urls.map((url) => url.loc)).toEqual([
      'https://equity.example.com/',
      'https://equity.example.com/subscribe/',
      'https://equity.example.com/episodes/2020-10-05-q3-venture-data/',
      'https://equity.example.com/episodes/2020-09-28-direct-listings/',
      'https://equity.example.com/episodes/2020-09-21-oracle-tiktok/',
      'https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/',
    ]);
    expect(urls[0]!.lastmod).toBe('2020-10-05T07:00:00-07:00');
    expect(urls.at(-1)!.lastmod).toBe('2020-09-14T07:00:00-07:00');
  });

  it('lets every crawler in and names the sitemap by its absolute URL', () => {
    const robots = file(sample, 'robots.txt');
    expect(robots).toContain('User-agent: *\nAllow: /\n');
    expect(robots).toMatch(/^Sitemap: https:\/\/equity\.example\.com\/sitemap\.xml$/m);
  });

  it('is linked from every page for discovery, with the JSON Feed', () => {
    for (const name of ['index.html', 'episodes/2020-09-14-disrupt-tiktok/index.html', 'subscribe/index.html']) {
      expect(file(sample, name)).toMatch(/<link rel="alternate" type="application\/feed\+json" title="Equity" href="(\.\.\/)*feed\.json">/);
    }
  });
});

describe('feed.json (issue 14)', () => {
  let feed: Record<string, any>;
  beforeAll(() => {
    feed = JSON.parse(file(sample, 'feed.json'));
  });

  it('is written as JSON.stringify writes it, two spaces an indent, its items put together one by one; with no items too', () => {
    const written = file(sample, 'feed.json');
    expect(written).toBe(`${JSON.stringify(feed, null, 2)}\n`);
    const empty = textOf(renderJsonFeed(sample.publication.show, []));
    expect(empty).toBe(`${JSON.stringify(JSON.parse(empty), null, 2)}\n`);
    expect(JSON.parse(empty).items).toEqual([]);
  });

  it('is a JSON Feed 1.1 with the show’s title, pages, art and language', () => {
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'Equity',
      home_page_url: 'https://equity.example.com/',
      feed_url: 'https://equity.example.com/feed.json',
      icon: 'https://equity.example.com/artwork.jpg',
      authors: [{ name: 'TechCrunch', url: 'https://equity.example.com/' }],
      language: 'en-us',
    });
    expect(feed.items.map((item: { url: string }) => item.url)).toEqual([
      'https://equity.example.com/episodes/2020-10-05-q3-venture-data/',
      'https://equity.example.com/episodes/2020-09-28-direct-listings/',
      'https://equity.example.com/episodes/2020-09-21-oracle-tiktok/',
      'https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/',
    ]);
  });

  it('gives each episode its guid as id, RFC 3339 date, notes as HTML and the audio as an attachment', () => {
    const seed = feed.items[3];
    const rss = file(sample, 'feed.xml');
    expect(rss).toContain(`>${seed.id}</guid>`);
    expect(seed.date_published).toBe('2020-09-14T07:00:00-07:00');
    expect(seed.title).toBe("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M");
    expect(seed.attachments).toEqual([{ url: 'https://cdn.example.com/equity/2020-09-14-equity-monday.mp3', mime_type: 'audio/mpeg', size_in_bytes: 7843200, duration_in_seconds: 492 }]);
    expect(seed.content_html).toContain('<a href="https://techcrunch.com/2020/09/14/cosmose-raises-15m-series-a/">Cosmose raises a $15M Series A</a>');
    expect(seed.authors).toEqual([{ name: 'Alex Wilhelm' }]);
  });

  it('carries the covered stories as data in its _castwright extension', () => {
    const stories = feed.items[3]._castwright.stories;
    expect(stories).toHaveLength(11);
    expect(stories[3]).toEqual({
      title: 'Cosmose raises a $15M Series A',
      url: 'https://techcrunch.com/2020/09/14/cosmose-raises-15m-series-a/',
      source: 'techcrunch.com',
      summary: expect.stringMatching(/^The foot-traffic analytics company, valued at over \$100M/),
    });
    expect(feed.items[3]._castwright.episode).toBe(312);
  });
});

describe('a JSON Feed item as written in the feed (issue 9)', () => {
  /** A text of hostile characters: line breaks, quotes, escapes, U+2028, lone surrogates, non-ASCII. */
  const hostile = (seed: number) => {
    const pieces = ['\n', '\r\n', '"', '\\', '\u2028', '\u2029', '\ud800', '\udc00', 'é', '—', '😀', '\t', '\0', ']', '}', '  ', 'items', 'a'];
    let text = '';
    for (let i = 0; i < 12; i++) text += pieces[(seed * 31 + i * 17 + ((seed >> 2) ^ i)) % pieces.length]!;
    return text;
  };

  it('is JSON.stringify of the item with each line after the first indented at its depth', () => {
    for (let seed = 0; seed < 300; seed++) {
      const item = {
        id: hostile(seed),
        url: `https://example.com/${seed}`,
        title: hostile(seed + 1),
        content_html: `<p>${hostile(seed + 2)}</p>\n<ul>\n<li>${hostile(seed + 3)}</li>\n</ul>`,
        summary: hostile(seed + 4),
        ...(seed % 3 ? { image: hostile(seed + 5) } : {}),
        date_published: '2020-09-14T07:00:00-07:00',
        ...(seed % 2 ? { authors: [{ name: hostile(seed + 6) }, { name: hostile(seed + 7), url: 'https://example.com/' }] } : {}),
        language: 'en',
        attachments: [{ url: 'https://cdn.example.com/a.mp3', mime_type: 'audio/mpeg', size_in_bytes: seed * 1000, ...(seed % 4 ? { duration_in_seconds: seed } : {}) }],
        _castwright: { ...(seed % 5 ? { episode: seed } : {}), stories: seed % 7 ? [{ title: hostile(seed + 8), url: 'https://example.com/s', source: hostile(seed + 9) }] : [] },
      };
      const expected = JSON.stringify(item, null, 2).replaceAll('\n', '\n    ');
      expect(Buffer.from(jsonFeedItemText(item)).toString()).toBe(Buffer.from(expected).toString());
    }
  });
});
