// The live feed read item by item (parseLiveFeedInParts), as a build reads the feed the previous
// build wrote: whatever the feed, the same LiveFeed as reading it whole, or the same error.
import { readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleParts, feedMemoFromJson, feedMemoToJson, parseLiveFeed, parseLiveFeedInParts, type FeedParts } from '../../src/check/live.ts';
import { runGuard } from '../../src/check/run-guard.ts';
import { generate } from '../../src/pipeline.ts';
import { memoryCache, type BuildCache } from '../../src/cache/store.ts';
import { cleanUp } from '../helpers/content.ts';
import { sampleShow } from './helpers.ts';

afterEach(cleanUp);

const source = (text: string) => ({ name: 'dist/feed.xml', bytes: Buffer.from(text) });

/** Both readings of `text`: the LiveFeed, or the error's message and line. */
function both(text: string, cache: BuildCache): { whole: unknown; parts: unknown } {
  const outcome = (read: () => unknown) => {
    try {
      return read();
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  return { whole: outcome(() => parseLiveFeed(source(text))), parts: outcome(() => parseLiveFeedInParts(source(text), cache)) };
}

const item = (guid: string, extra = '') =>
  `<item>\n  <title>Episode ${guid}</title>${extra}\n  <guid>${guid}</guid>\n  <enclosure url="https://cdn.example.com/${guid}.mp3" length="1" type="audio/mpeg"/>\n  <pubDate>Mon, 14 Sep 2020 07:00:00 -0700</pubDate>\n</item>`;

const feed = (items: string[], { head = '', tail = '' } = {}) =>
  `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"\n  xmlns:it="http://www.itunes.com/dtds/podcast-1.0.dtd">\n<channel>\n<title>Show</title>${head}\n${items.join('\n')}\n${tail}</channel>\n</rss>\n`;

describe('the live feed read item by item (issue 9)', () => {
  it('is the feed read whole: the sample show, then with an item changed, added and removed', async () => {
    const root = await sampleShow({ built: true });
    const text = await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8');
    const cache = memoryCache();
    const first = both(text, cache);
    expect((first.whole as { items: unknown[] }).items.length).toBeGreaterThan(2);
    expect(first.parts).toEqual(first.whole);
    const items = text.split('<item>');
    for (const changed of [
      text.replace(/<title>[^<]*<\/title>/g, (title, at: number) => (at > text.indexOf('<item>') + 200 ? title : '<title>Retitled\nover two lines</title>')),
      `${items[0]}<item>${items[2]}<item>${items.slice(1).join('<item>')}`,
      `${items[0]}<item>${items.slice(2).join('<item>')}`,
    ]) {
      const { whole, parts } = both(changed, cache);
      expect(parts).toEqual(whole);
    }
  }, 60_000);

  it('is the feed read whole where items hide in comments and CDATA, lack an enclosure, repeat a guid or sit among other elements', () => {
    const cache = memoryCache();
    const texts = [
      feed([item('a'), item('b'), item('a', '<it:duration>1:00</it:duration>')]),
      feed([item('a', '<!-- </item><item> -->'), item('b', '<description><![CDATA[<item><guid>x</guid></item>]]></description>')], { head: '\n<!-- <item> -->' }),
      feed([item('a'), '<item><title>No enclosure</title></item>', item('c')], { tail: '<it:category text="News"/>\n<link>https://example.com/</link>\n' }),
      feed([item('a', '<it:title xmlns:it="https://example.com/other">Other</it:title>'), item('b')], { head: '<it:explicit>yes</it:explicit>' }),
      feed([item('a')]).replace('<channel>', '<channel xmlns:pod="https://podcastindex.org/namespace/1.0">').replace('<title>Show</title>', '<title>Show</title><pod:guid>abc</pod:guid><pod:locked>yes</pod:locked>'),
    ];
    for (const text of texts) {
      const { whole, parts } = both(text, cache);
      expect(parts, text).toEqual(whole);
      expect(JSON.stringify(parts)).toContain('"line"');
    }
  });

  it('fails as the feed read whole does where it is broken, in an item or around them', () => {
    const cache = memoryCache();
    let errors = 0;
    for (const text of [
      feed([item('a'), '<item><title>Unclosed</item>', item('c')]),
      feed([item('a'), item('b', '<title a="1" a="2">x</title>')]),
      `${feed([item('a'), item('b')])}<rss/>`,
      feed([item('a'), item('b')]).replace('</channel>', ''),
      feed([item('a', '&undefined;')]),
    ]) {
      const { whole, parts } = both(text, cache);
      if (typeof whole === 'object' && whole && 'error' in whole) errors++;
      expect(parts, text).toEqual(whole);
    }
    expect(errors).toBeGreaterThanOrEqual(3);
  });

  it('is the feed read whole, at the same lines, with characters of two, three and four bytes before, in and between items', () => {
    const memory = memoryCache();
    // Counts the items kept: read whole, a feed keeps none.
    let kept = 0;
    const cache: BuildCache = { ...memory, set: (key, value) => (kept++, memory.set(key, value)) };
    const wide = 'Café — naïve 🎙️ à\u00a0la carte';
    const texts = [
      feed([item('a', `<description>${wide}</description>`), item('b'), item('c', `\n<it:author>${wide}</it:author>`)], { head: `<description>${wide}\n${wide}</description>` }),
      feed([item('é'), item('🎙️'), item('à')]),
      feed([item('a')], { head: '<!-- à\u00a0<item> -->' }).replace('<channel>', '<channel>\u00a0'),
    ];
    for (const text of texts) {
      const { whole, parts } = both(text, cache);
      expect((whole as { items: unknown[] }).items.length, text).toBeGreaterThan(0);
      expect(parts, text).toEqual(whole);
    }
    expect(kept).toBe(7);
  });

  it('is the feed read whole where its bytes are not plain UTF-8: bytes of no character, a U+FFFD of its own, a second byte order mark, windows-1252', () => {
    const cache = memoryCache();
    const text = feed([item('a', '<description>Café</description>'), item('b')]);
    const utf8 = Buffer.from(text);
    const cafe = utf8.indexOf('Caf') + 3;
    const sources = [
      Buffer.concat([utf8.subarray(0, cafe), Buffer.from([0xe9]), utf8.subarray(cafe + 2)]),
      Buffer.from(text.replace('Café', 'Caf\uFFFD')),
      Buffer.from(`\uFEFF${text}`),
      Buffer.from(text.replace('\uFEFF', '').replace('UTF-8', 'windows-1252').replace('Café', 'Caf\u00e9 \u201cquoted\u201d'), 'latin1'),
    ];
    for (const bytes of sources) {
      const outcome = (read: () => unknown) => {
        try {
          return read();
        } catch (error) {
          return { error: (error as Error).message };
        }
      };
      const whole = outcome(() => parseLiveFeed({ name: 'dist/feed.xml', bytes }));
      expect(outcome(() => parseLiveFeedInParts({ name: 'dist/feed.xml', bytes }, cache))).toEqual(whole);
    }
  });
});

describe('the feed a build last read, kept in the build cache as one JSON text (issue 9)', () => {
  /** The parts of `text` read with `cache` (and `known`), and the feed they make. */
  const inParts = (text: string, cache: BuildCache, known?: FeedParts) => {
    let parts: FeedParts | undefined;
    const live = parseLiveFeedInParts(source(text), cache, known, (read) => (parts = read));
    return { live, parts: parts! };
  };

  it('reads back as the feed it was, dates as dates: in parts for the sample show and feeds with and without dates, links and a next page, or whole', async () => {
    const root = await sampleShow({ built: true });
    const texts = [
      await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8'),
      feed([item('a'), item('b').replace(/<pubDate>.*<\/pubDate>/, ''), item('c', '<link>https://example.com/c/</link>'), item('a')], {
        head: '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="next" href="feed-2.xml"/>',
      }),
    ];
    for (const text of texts) {
      const { live, parts } = inParts(text, memoryCache());
      expect(live).toEqual(parseLiveFeed(source(text)));
      const back = feedMemoFromJson(feedMemoToJson({ feed: 'f'.repeat(64), parts }));
      expect(back?.feed).toBe('f'.repeat(64));
      expect(assembleParts(back!.parts!)).toEqual(live);
      expect(assembleParts(back!.parts!).items.filter((entry) => entry.date).every((entry) => entry.date instanceof Date)).toBe(true);
      expect(feedMemoFromJson(feedMemoToJson({ feed: 'f'.repeat(64), whole: live }))?.whole).toEqual(live);
    }
  });

  it('gives the items and the rest it knows, without asking the cache for them, and the feed is the feed read whole', () => {
    const memory = memoryCache();
    let asked = 0;
    const cache: BuildCache = { ...memory, get: <T>(key: string) => (asked++, memory.get<T>(key)) };
    const items = ['a', 'b', 'c', 'd'].map((guid) => item(guid));
    const { parts } = inParts(feed(items), cache);
    const known = feedMemoFromJson(feedMemoToJson({ feed: 'f'.repeat(64), parts }))!.parts!;
    const changes: Array<[text: string, unknown: number]> = [
      [feed(items), 0],
      [feed([items[0]!, item('b', '<link>https://example.com/b/</link>'), items[2]!, items[3]!]), 1],
      [feed(['<item><title>x</title></item>', ...items.slice(1)], { head: '\n<link>https://example.com/</link>' }), 1],
    ];
    for (const [changed, unknown] of changes) {
      asked = 0;
      const { live } = inParts(changed, cache, known);
      expect(live).toEqual(parseLiveFeed(source(changed)));
      // Only the items it does not know are asked of the cache.
      expect(asked).toBe(unknown);
    }
  });

  it('reads the rest again where an item grown by lines moves it: elements after the items or between them, a comment after them', () => {
    const grown = (text: string) => text.replace('<title>Episode b</title>', '<title>Episode b</title>\n\n\n');
    const newUrl = '<itunes:new-feed-url xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">https://example.com/new.xml</itunes:new-feed-url>';
    const self = '<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://example.com/feed.xml"/>';
    const locked = '<podcast:locked xmlns:podcast="https://podcastindex.org/namespace/1.0">yes</podcast:locked>';
    const feeds = [
      feed([item('a'), item('b'), item('c')], { head: `\n${locked}` }),
      feed([item('a'), item('b'), item('c')], { tail: `${self}\n${locked}\n` }),
      feed([item('a'), item('b'), self, item('c'), locked], { tail: `${newUrl}\n` }),
      feed([item('a'), item('b'), item('c')], { tail: `<!-- ${self} -->\n${locked}\n` }),
    ];
    for (const text of feeds) {
      const cache = memoryCache();
      const { parts } = inParts(text, cache);
      const known = feedMemoFromJson(feedMemoToJson({ feed: 'f'.repeat(64), parts }))!.parts!;
      for (const next of [grown(text), grown(grown(text)), text]) {
        expect(inParts(next, cache, known).live).toEqual(parseLiveFeed(source(next)));
      }
    }
  });

  it('is a miss when the entry is damaged or foreign: not a text, not JSON, or JSON of another shape', () => {
    const { parts } = inParts(feed([item('a')]), memoryCache());
    const good = JSON.parse(feedMemoToJson({ feed: 'f'.repeat(64), parts })) as { feed: string; parts: { rest: { key: string; feed: Record<string, unknown> }; items: Array<Record<string, unknown> & { item: Record<string, unknown> }> } };
    const first = good.parts.items[0]!;
    const withItem = (change: Record<string, unknown>) => JSON.stringify({ ...good, parts: { ...good.parts, items: [{ ...first, item: { ...first.item, ...change } }] } });
    const variants: unknown[] = [
      undefined,
      { ...good },
      Buffer.from(JSON.stringify(good)),
      '{"feed":',
      'null',
      '[]',
      JSON.stringify({ ...good, feed: 'not a hash' }),
      JSON.stringify({ ...good, parts: undefined }),
      JSON.stringify({ ...good, whole: good.parts.rest.feed }),
      JSON.stringify({ ...good, parts: { ...good.parts, items: {} } }),
      JSON.stringify({ ...good, parts: { ...good.parts, rest: { ...good.parts.rest, key: 7 } } }),
      JSON.stringify({ ...good, parts: { ...good.parts, rest: { ...good.parts.rest, feed: { ...good.parts.rest.feed, name: 7 } } } }),
      JSON.stringify({ ...good, parts: { ...good.parts, rest: { ...good.parts.rest, feed: { ...good.parts.rest.feed, items: [first.item] } } } }),
      JSON.stringify({ ...good, parts: { ...good.parts, rest: { ...good.parts.rest, feed: { ...good.parts.rest.feed, locked: true } } } }),
      JSON.stringify({ ...good, parts: { ...good.parts, items: [{ ...first, shift: 1.5 }] } }),
      JSON.stringify({ ...good, parts: { ...good.parts, items: [{ ...first, key: 'a' }] } }),
      JSON.stringify({ ...good, parts: { ...good.parts, items: [null] } }),
      withItem({ guid: 1 }),
      withItem({ date: Date.parse('2020-09-14T14:00:00.000Z') }),
      withItem({ date: 'Mon, 14 Sep 2020' + ' no date' }),
      withItem({ enclosure: 'https://cdn.example.com/a.mp3' }),
      withItem({ line: '4' }),
    ];
    for (const value of variants) expect(feedMemoFromJson(value)).toBeUndefined();
    expect(feedMemoFromJson(JSON.stringify(good))).toBeDefined();
  });

  it('is what the guard reads of an earlier build\'s feed it has seen, and a damaged entry is read past', async () => {
    const root = await sampleShow({ built: true });
    const file = path.join(root, 'dist', 'feed.xml');
    const { publication, content } = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const { episodes } = content;
    const memory = memoryCache();
    let sets = 0;
    let damaged = false;
    const cache: BuildCache = {
      ...memory,
      get: <T>(key: string) => (damaged ? ('{"feed": 1}' as T) : memory.get<T>(key)),
      set: (key, value) => (sets++, memory.set(key, value)),
    };
    const guard = () => runGuard({ publication, episodes, cwd: root, contentDir: path.join(root, 'episodes'), cache });
    // Each run with a new stamp on the file, so that the guard's own memo of the file (dev's) does not answer.
    let touches = 0;
    const touch = () => utimes(file, new Date(), new Date(Date.now() + ++touches * 1000));
    const first = await guard();
    const stored = sets;
    expect(stored).toBeGreaterThan(0);
    await touch();
    expect(await guard()).toEqual(first);
    expect(sets).toBe(stored);
    damaged = true;
    await touch();
    expect(await guard()).toEqual(first);
    expect(sets).toBeGreaterThan(stored);
    await touch();
    expect(await runGuard({ publication, episodes, cwd: root, contentDir: path.join(root, 'episodes') })).toEqual(first);
  });
});
