// The live feed read item by item (parseLiveFeedInParts), as a build reads the feed the previous
// build wrote: whatever the feed, the same LiveFeed as reading it whole, or the same error.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLiveFeed, parseLiveFeedInParts } from '../../src/check/live.ts';
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
