// The feed as XML: encodings, namespaces under any prefix, lines of elements, and hostile documents.
import { describe, expect, it } from 'vitest';
import { readFeedDocument } from '../../src/feed-reader/document.ts';
import { childText, decodeFeed, scanElements, type XmlNode } from '../../src/feed-reader/xml.ts';
import { ContentError } from '../../src/errors.ts';

const source = (text: string | Buffer, charset?: string) => ({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text), name: 'feed.xml', ...(charset ? { charset } : {}) });

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map((p) => `${p.line ?? '-'}: ${p.message}`);
    throw error;
  }
  throw new Error('expected problems');
}

describe('decoding a feed', () => {
  it('honours the encoding the XML declaration names, else the HTTP charset, else UTF-8', () => {
    const latin = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Café</title></channel></rss>', 'latin1');
    expect(childText(readFeedDocument(source(latin)).channel, 'title')).toBe('Café');
    const windows = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>'), Buffer.from([0x93, 0x51, 0x94]), Buffer.from('</title></channel></rss>')]);
    expect(childText(readFeedDocument(source(windows)).channel, 'title')).toBe('“Q”');
    const bare = Buffer.from('<rss version="2.0"><channel><title>Crème</title></channel></rss>', 'latin1');
    expect(childText(readFeedDocument(source(bare, 'iso-8859-1')).channel, 'title')).toBe('Crème');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<rss version="2.0"><channel><title>Ünïcode</title></channel></rss>', 'utf16le')]);
    expect(childText(readFeedDocument(source(utf16)).channel, 'title')).toBe('Ünïcode');
  });

  it('knows UTF-16 without a byte order mark by its first characters, and UTF-8 that calls itself UTF-16', () => {
    const text = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Ünïcode</title></channel></rss>';
    expect(childText(readFeedDocument(source(Buffer.from(text, 'utf16le'))).channel, 'title')).toBe('Ünïcode');
    expect(childText(readFeedDocument(source(Buffer.from(text, 'utf16le').swap16())).channel, 'title')).toBe('Ünïcode');
    expect(childText(readFeedDocument(source(Buffer.from(text, 'utf8'))).channel, 'title')).toBe('Ünïcode');
  });

  it('warns about bytes that are not valid in the declared encoding, and refuses an unknown one', () => {
    const broken = Buffer.concat([Buffer.from('<rss version="2.0"><channel><title>caf'), Buffer.from([0xe9]), Buffer.from('</title></channel></rss>')]);
    expect(readFeedDocument(source(broken)).warnings[0]!.message).toBe('1 byte sequence is not valid utf-8 and became "\uFFFD"; check the encoding the feed declares');
    expect(decodeFeed(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss/>'))).toMatch(/declares the encoding "x-klingon", which castwright cannot read/);
  });
});

describe('namespaces and lines', () => {
  it('reads Podcasting 2.0 under both namespace URLs and any prefix, and Apple\'s under any prefix', () => {
    const xml = `<rss version="2.0" xmlns:a="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:p="https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md">
<channel><a:author>A</a:author><p:guid>g</p:guid><item xmlns:q="https://podcastindex.org/namespace/1.0"><q:chapters url="u"/></item></channel></rss>`;
    const { channel, items } = readFeedDocument(source(xml));
    expect(childText(channel, 'itunes:author')).toBe('A');
    expect(childText(channel, 'podcast:guid')).toBe('g');
    expect(items[0]!.children[0]!.name).toBe('podcast:chapters');
  });

  it('knows the line of the channel, each item and each of its elements, skipping CDATA and comments', () => {
    const xml = [
      '<?xml version="1.0"?>',
      '<rss version="2.0">',
      '<!-- <item> in a comment is no item -->',
      '<channel>',
      '<title>T</title>',
      '<item><title><![CDATA[<item> in CDATA is no item]]></title>',
      '<guid a=">">1</guid></item>',
      '<item>',
      '',
      '<guid>2</guid>',
      '</item>',
      '</channel></rss>',
    ].join('\n');
    const { channel, items } = readFeedDocument(source(xml));
    const lineOf = (node: XmlNode, name: string) => node.children.find((c) => c.name === name)?.line;
    expect(channel.line).toBe(4);
    expect(items.map((item) => item.line)).toEqual([6, 8]);
    expect(items.map((item) => lineOf(item, 'guid'))).toEqual([7, 10]);
    expect(scanElements(xml).elements[0]!.children[0]!.name).toBe('channel');
  });

  it.each([
    ['a comment', '<rss><channel><item><!-- never closed'],
    ['CDATA', '<rss><channel><item><title><![CDATA[never closed'],
    ['a processing instruction', '<rss><channel><?pi never closed'],
    ['a DOCTYPE', '<!DOCTYPE rss [<!ELEMENT rss ANY'],
    ['an end tag', '<rss><channel></channel'],
  ])('ends its scan of a document cut off inside %s, where the parser would refuse it', (_, xml) => {
    expect(scanElements(xml).elements.length).toBeLessThanOrEqual(1);
  });

  it('keeps CDATA and escaped HTML as the same text, and reads &amp;lt; once', () => {
    const xml = '<rss version="2.0"><channel><item><a><![CDATA[<p>x &amp; y</p>]]></a><b>&lt;p&gt;x &amp;amp; y&lt;/p&gt;</b><c>&amp;lt;</c></item></channel></rss>';
    const [item] = readFeedDocument(source(xml)).items;
    expect(childText(item, 'a')).toBe('<p>x &amp; y</p>');
    expect(childText(item, 'b')).toBe('<p>x &amp; y</p>');
    expect(childText(item, 'c')).toBe('&lt;');
  });
});

describe('hostile documents', () => {
  it('refuses a billion laughs, and any entity a feed declares, instead of expanding it', () => {
    const laughs = ['<!ENTITY l0 "ha">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`)].join('');
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [${laughs}]><rss version="2.0"><channel><title>&l9;</title></channel></rss>`;
    const problems = problemsOf(() => readFeedDocument(source(xml)));
    expect(problems).toEqual([
      '1: the feed declares its own entities (<!ENTITY> in its DOCTYPE), which castwright never expands; podcast feeds do not need them: remove them from the feed, or from a copy of it',
    ]);
  });

  it('never reads an external entity', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&x;</title></channel></rss>';
    expect(problemsOf(() => readFeedDocument(source(xml)))[0]).toMatch(/^1: the feed declares its own entities/);
  });

  it('refuses declared entities however the DOCTYPE is dressed: after a commented-out one, with a comment holding "]" in it', () => {
    const refused = /^1: the feed declares its own entities/;
    for (const xml of [
      '<?xml version="1.0"?><!-- <!DOCTYPE x [ ]> --><!DOCTYPE rss [<!ENTITY a "EXPANDED">]><rss version="2.0"><channel><title>&a;</title></channel></rss>',
      '<?xml version="1.0"?><!DOCTYPE rss [<!-- ] --><!ENTITY a "EXPANDED">]><rss version="2.0"><channel><title>&a;</title></channel></rss>',
      '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "x[y" [<!ENTITY a "EXPANDED">]><rss version="2.0"><channel><title>&a;</title></channel></rss>',
    ]) {
      expect(problemsOf(() => readFeedDocument(source(xml)))[0], xml).toMatch(refused);
    }
  });

  it('reads notes that only talk about entities: <!ENTITY in CDATA or a comment of the body', () => {
    const xml = '<rss version="2.0"><channel><title><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></title><!-- <!ENTITY --></channel></rss>';
    expect(childText(readFeedDocument(source(xml)).channel, 'title')).toBe('<!DOCTYPE x [<!ENTITY y "z">]>');
  });

  it('says what is not a feed: empty, JSON, HTML, Atom, RSS without channel, broken XML', () => {
    expect(problemsOf(() => readFeedDocument(source('  ')))).toEqual(['-: the feed is empty; expected an RSS 2.0 podcast feed']);
    // A truncated download must not import as a shorter catalogue.
    expect(problemsOf(() => readFeedDocument(source('<rss version="2.0">\n<channel><item><title>x</title></item>\n<item><title>y</ti')))).toEqual([
      '3: not well-formed XML: Closing tag \'ti\' doesn\'t have proper closing. (a truncated download, or a broken feed)',
    ]);
    expect(problemsOf(() => readFeedDocument(source('\u0000\u0001binary')))).toEqual(['1: this is not XML, nor a feed; expected an RSS 2.0 podcast feed']);
  });
});
