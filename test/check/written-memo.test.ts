// The memo a build records of the feed it writes (live.ts's writtenFeedMemo, run-guard.ts's
// recordFeedMemos): for the next build it must be exactly what reading the written file in parts
// gives (liveFeedInParts), whatever the show notes hold, or not be there at all (issue 9).
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { feedMemoFromJson, feedMemoToJson, parseLiveFeedInParts, writtenFeedMemo, type FeedMemo, type FeedParts } from '../../src/check/live.ts';
import { hashOf } from '../../src/cache/fingerprint.ts';
import { memoryCache, openCache, type BuildCache } from '../../src/cache/store.ts';
import { recordFeedMemos } from '../../src/check/run-guard.ts';
import { AsidePieces, type SetAsideBytes } from '../../src/model/pieces.ts';
import { stateFolder } from '../../src/state.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { castwright, edit, sampleShow } from './helpers.ts';

afterEach(cleanUp);

const FIRST = 'episodes/2020-09-14-disrupt-tiktok.md';

/** Show notes meant to confuse a search for the item's end: its end tag as text, in CDATA and in a comment, a CDATA end, long lines, wide characters. */
const HOSTILE = [
  'Notes that say </item> and &lt;/item&gt; and <![CDATA[</item>]]> and ]]> and <!-- </item> --> too.',
  '',
  '<p>Raw HTML: </item><item><guid>forged</guid></item></channel></rss></p>',
  '',
  `A very long line: ${'Café 🎙️ naïve — à la carte. '.repeat(4000)}`,
  '',
  '```xml',
  '</item>]]><![CDATA[<item>',
  '```',
].join('\n');

/** The feed's files in dist/, by name: feed.xml and its pages. */
async function feedFiles(root: string): Promise<string[]> {
  return (await readdir(path.join(root, 'dist'))).filter((name) => /^feed(-\d+)?\.xml$/.test(name)).sort();
}

/** What reading the file in parts keeps (readCached in run-guard.ts), as JSON reads it back. */
function scanned(spec: string, cwd: string, bytes: Buffer): FeedMemo {
  let parts: FeedParts | undefined;
  parseLiveFeedInParts({ name: spec, bytes }, memoryCache(), undefined, (read) => (parts = read));
  expect(parts, spec).toBeDefined();
  return feedMemoFromJson(feedMemoToJson({ feed: hashOf('live-feed', spec, cwd, bytes), parts: parts! }))!;
}

/** Each feed file's recorded memo against a scan of the file as written. */
async function expectRecorded(root: string): Promise<number> {
  const cache = openCache(path.join(stateFolder(path.join(root, 'episodes'), { env: {}, cwd: root }), 'cache'));
  const names = await feedFiles(root);
  for (const name of names) {
    const spec = `dist/${name}`;
    const bytes = await readFile(path.join(root, spec));
    const memo = feedMemoFromJson(cache.get(hashOf('live-feed-memo', spec, root)));
    expect(memo, spec).toBeDefined();
    expect(memo).toEqual(scanned(spec, root, bytes));
  }
  return names.length;
}

/** The sample show with a paged feed, a build of it in this process that must succeed, and its cache folder. */
async function pagedShow() {
  const root = await sampleShow();
  await edit(root, 'episodes/show.yml', (text) => `${text}\nfeed: { limit: 2 }\n`);
  const build = async () => {
    const result = await castwright(['build', '--drafts'], root, { CASTWRIGHT_STATE: undefined });
    expect(result.code, result.stderr).toBe(0);
  };
  return { root, build, folder: path.join(stateFolder(path.join(root, 'episodes'), { env: {}, cwd: root }), 'cache') };
}

describe('the memo of the feed a build writes (issue 9)', () => {
  it('is what a scan of each written feed file finds: hostile show notes, CRLF, wide characters, long lines, a paged feed, edits', async () => {
    const root = await sampleShow();
    await edit(root, 'episodes/show.yml', (text) => `${text}\nfeed: { limit: 2 }\n`);
    await edit(root, FIRST, (text) => text.replace(/^title: .*$/m, 'title: "A </item> title: <![CDATA[ x ]]> — Café 🎙️"').replace('\n---\n', `\n---\n${HOSTILE}\n\n`));
    await edit(root, 'episodes/2020-09-21-oracle-tiktok.md', (text) => text.replace(/\n/g, '\r\n'));
    const build = async () => {
      const result = await castwright(['build', '--drafts'], root, { CASTWRIGHT_STATE: undefined });
      expect(result.code, result.stderr).toBe(0);
    };
    await build();
    // The first build read no feed: it records nothing, and the next one reads the file.
    await build();
    expect(await expectRecorded(root)).toBeGreaterThanOrEqual(3);
    for (const change of [
      (text: string) => text.replace('<![CDATA[ x ]]>', '<![CDATA[ y ]]>'),
      (text: string) => `${text}\n\nOne more line, </item> again.\n`,
      (text: string) => text.replace('A very long line', 'A very long line, </item> at its start,').replace(/\n/g, '\r\n'),
    ]) {
      await edit(root, FIRST, change);
      await build();
      await expectRecorded(root);
    }
    // The output is the one a build without the cache writes.
    const files = await feedFiles(root);
    const cached = await Promise.all(files.map((name) => readFile(path.join(root, 'dist', name))));
    const result = await castwright(['build', '--drafts', '--no-cache'], root);
    expect(result.code, result.stderr).toBe(0);
    expect(await Promise.all(files.map((name) => readFile(path.join(root, 'dist', name))))).toEqual(cached);
  }, 120_000);

  it('is kept, not made and set again, by a build that writes the feed it read: that build rewrites no pack of the cache', async () => {
    const { root, build, folder } = await pagedShow();
    const packs = async () => {
      const names = (await readdir(folder)).filter((name) => name.endsWith('.pack')).sort();
      return Promise.all(names.map(async (name) => [name, (await stat(path.join(folder, name))).ino, await readFile(path.join(folder, name))] as const));
    };
    // The first build reads no feed; the second scans the first's and records the memo of its own.
    await build();
    await build();
    const before = await packs();
    await build();
    expect(await packs()).toEqual(before);
    expect(await expectRecorded(root)).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('is made again by a build that writes the feed it read from memory, when the cache the memo was kept in is gone', async () => {
    const { root, build, folder } = await pagedShow();
    await build();
    await build();
    // Deleting the cache is always safe; a guard in the same process still has the feed, unchanged, from memory.
    await rm(folder, { recursive: true, force: true });
    await build();
    expect(await expectRecorded(root)).toBeGreaterThanOrEqual(3);
  }, 120_000);

  // A build's guard that read the feed with this cache asked it for the memo (readCached: got it or
  // set it), so a save keeps it with nothing more said (BuildCache.keep did that, and is gone).
  it('is kept as it is by a build that writes the feed its guard read, when its pack is saved again with another entry changed', async () => {
    const bytes = Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n    <title>Show</title>\n    <item>\n      <guid>a</guid>\n      <enclosure url="https://cdn.example.com/a.mp3" length="1" type="audio/mpeg"/>\n    </item>\n  </channel>\n</rss>\n',
    );
    const cwd = '/cwd';
    const key = hashOf('live-feed-memo', 'dist/feed.xml', cwd);
    const memo = feedMemoToJson(scanned('dist/feed.xml', cwd, bytes));
    const folder = await tempDir();
    const first = openCache(folder);
    first.set(key, memo);
    first.save();
    const cache = openCache(folder);
    // What the guard did when it read the feed.
    expect(cache.get(key)).toBe(memo);
    // Another entry of the memo's pack: the pack is written again at save.
    cache.set(`${key.slice(0, 2)}${'0'.repeat(62)}`, 'another');
    let set = 0;
    const counted: BuildCache = { ...cache, set: (k, value) => (set++, cache.set(k, value)) };
    recordFeedMemos({ cache: counted, cwd, out: 'dist', feeds: new Map([['feed.xml', { chunks: [bytes] }]]), read: new Map([['dist/feed.xml', { bytes, parts: feedMemoFromJson(memo)!.parts!, recorded: { cache: counted, feed: hashOf('live-feed', 'dist/feed.xml', cwd, bytes) } }]]) });
    counted.save();
    expect(set).toBe(0);
    const again = openCache(folder);
    expect(again.get(key)).toBe(memo);
    expect(again.get(`${key.slice(0, 2)}${'0'.repeat(62)}`)).toBe('another');
  });

  it('is not trusted for a file altered since: the guard reads it again and compares with what it holds', async () => {
    const root = await sampleShow({ built: true });
    await castwright(['build'], root);
    const file = path.join(root, 'dist', 'feed.xml');
    const text = await readFile(file, 'utf8');
    // Another guid in the live feed than the episode's: the guard must see it and stop the build.
    const guid = /<guid[^>]*>([^<]+)<\/guid>/.exec(text)![1]!;
    await writeFile(file, text.replace(`>${guid}<`, '>changed-by-hand<'));
    const result = await castwright(['build'], root);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('guid');
  }, 60_000);
});

/** Bytes set aside in memory, as write/aside.ts's file would hold them. */
const aside = (bytes: Uint8Array): SetAsideBytes => ({ byteLength: bytes.byteLength, readInto: (into, offset) => void into.set(bytes, offset) });

describe('writtenFeedMemo', () => {
  const head = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>\n<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" version="2.0">\n  <channel>\n    <title><![CDATA[Show]]></title>\n    <description>A show</description>`,
  );
  const tail = Buffer.from('\n  </channel>\n</rss>\n');
  const item = (guid: string, extra = '') =>
    Buffer.from(`\n    <item>\n      <title>Episode ${guid}</title>${extra}\n      <guid isPermaLink="false">${guid}</guid>\n      <enclosure url="https://cdn.example.com/${guid}.mp3" length="1" type="audio/mpeg"/>\n    </item>`);
  const spec = 'dist/feed.xml';

  it('is the scan of the bytes, read from pieces held or set aside, knowing items of the feed read or not', () => {
    const items = [item('a', '<description><![CDATA[</item><item>]]></description>'), item('b', '\r\n<description>&lt;/item&gt; Café 🎙️</description>'), item('c')];
    const bytes = Buffer.concat([head, ...items, tail]);
    const expected = scanned(spec, '/cwd', bytes);
    const cache = memoryCache();
    expect(feedMemoFromJson(feedMemoToJson(writtenFeedMemo(spec, [spec, '/cwd'], { chunks: [head, ...items, tail] }, cache)!))).toEqual(expected);
    const pieces = new AsidePieces([head, ...items.map(aside), tail]);
    const read = { bytes, parts: expected.parts! };
    expect(feedMemoFromJson(feedMemoToJson(writtenFeedMemo(spec, [spec, '/cwd'], pieces, cache, read)!))).toEqual(expected);
    // An item changed and one added: the others known from the feed read.
    const next = [item('z'), items[0]!, item('b', '<description>longer\nby a line</description>'), items[2]!];
    expect(feedMemoFromJson(feedMemoToJson(writtenFeedMemo(spec, [spec, '/cwd'], { chunks: [head, ...next, tail] }, cache, read)!))).toEqual(
      scanned(spec, '/cwd', Buffer.concat([head, ...next, tail])),
    );
  });

  it('gives no memo where a piece is not one item as the scanner finds it', () => {
    const cache = memoryCache();
    for (const odd of [
      Buffer.concat([item('a'), item('b')]),
      Buffer.from('\n    <item><title>x</title></guid></item>'),
      Buffer.from('\n    <item><title>x</title><!-- </item>'),
      Buffer.from('\n    <item><title><![CDATA[x</title></item>'),
      Buffer.from('\n    x<item></item>'),
      Buffer.from('\n    <item><title>x\uFFFD</title></item>'),
    ]) {
      expect(writtenFeedMemo(spec, [spec, '/cwd'], { chunks: [head, item('a'), odd, tail] }, cache), odd.toString()).toBeUndefined();
    }
  });
});
