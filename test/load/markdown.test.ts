import { describe, expect, it } from 'vitest';
import { serialize } from 'node:v8';
import type { Token } from 'markdown-it';
import { readBody, isAllowedLink } from '../../src/load/markdown.ts';
import { random } from '../helpers/random-edits.ts';

const context = { file: 'ep.md', lineOffset: 10 };

function stories(markdown: string, storiesHeading?: string) {
  const { body, problems } = readBody(markdown, { ...context, storiesHeading });
  expect(problems).toEqual([]);
  return body.stories;
}

describe('the covered stories', () => {
  it('are the items under a heading starting with "On the podcast", at any level', () => {
    const found = stories('Intro.\n\n### On the Podcast This Morning:\n\n- [A](https://a.example/1) — one\n- [B](https://b.example/2)\n\nOutro.\n');
    expect(found.map((s) => [s.title, s.url, s.summary])).toEqual([
      ['A', 'https://a.example/1', 'one'],
      ['B', 'https://b.example/2', ''],
    ]);
  });

  it('are the items under a heading "Stories", numbered lists included', () => {
    expect(stories('# Stories\n\n1. [A](https://a.example/) : one\n2. [B](https://b.example/) - two\n').map((s) => s.summary)).toEqual([
      'one',
      'two',
    ]);
  });

  it('take the summary after an em dash, an en dash, a hyphen or a colon', () => {
    const list = ['—', '–', '-', ':'].map((sep, i) => `- [S${i}](https://s.example/${i}) ${sep} summary ${i}`).join('\n');
    expect(stories(`## Stories\n\n${list}\n`).map((s) => s.summary)).toEqual(['summary 0', 'summary 1', 'summary 2', 'summary 3']);
  });

  it('keep inline Markdown of a summary as HTML, and its plain text', () => {
    const [story] = stories('## Stories\n\n- [A](https://a.example/) — *early* stage, see [more](https://more.example/)\n');
    expect(story!.summaryHtml).toBe('<em>early</em> stage, see <a href="https://more.example/">more</a>');
    expect(story!.summary).toBe('early stage, see more');
  });

  it('take the whole title of a link whose text holds an autolink, and the summary after it (markdown-it nests the two)', () => {
    const found = stories('## Stories\n\n- [<https://a.example/x>](https://b.example/y) — one\n- [see <https://a.example/x> now](https://b.example/z): *two*\n');
    expect(found.map((s) => [s.title, s.url, s.summary, s.summaryHtml])).toEqual([
      ['https://a.example/x', 'https://b.example/y', 'one', 'one'],
      ['see https://a.example/x now', 'https://b.example/z', 'two', '<em>two</em>'],
    ]);
  });

  it('keep the address as every output writes it, and its host as the source', () => {
    const [story] = stories('## Stories\n\n- [A](HTTPS://WWW.News.Example.COM/a/../b?x#y) — one\n');
    expect([story!.url, story!.source]).toEqual(['https://www.news.example.com/b?x#y', 'news.example.com']);
  });

  it('hold texts of their own, not pieces of the file: one byte a character in a file written with dashes', () => {
    const [story] = stories(`## Stories\n\n- [A title long enough to be a slice](https://www.techcrunch.com/2019/02/04/a-long-address/) — a summary, *long* enough to be a slice\n\n${'\u2014'.repeat(50)}\n`);
    for (const text of [story!.title, story!.url, story!.source, story!.summary, story!.summaryHtml]) {
      expect(text.length).toBeGreaterThan(13);
      // v8 writes a string of two bytes a character as such: a piece of this file would be.
      expect(serialize(text).length, text).toBeLessThan(text.length * 1.5);
    }
  });

  it('leave the first paragraph and the stories heading texts of their own too', () => {
    const { body } = readBody(`A first paragraph of plain words.\n\n## On the podcast this morning\n\n- [A](https://a.example/)\n\n${'\u2014'.repeat(50)}\n`, context);
    for (const text of [body.firstParagraph, body.storiesHeading!]) {
      expect(text.length).toBeGreaterThan(13);
      expect(serialize(text).length, text).toBeLessThan(text.length * 1.5);
    }
  });

  it('name their source site without www.', () => {
    expect(stories('## Stories\n\n- [A](https://www.techcrunch.com/x)\n')[0]!.source).toBe('techcrunch.com');
  });

  it('follow the heading set in show.yml instead of the default ones', () => {
    expect(stories('## In this episode\n\n- [A](https://a.example/)\n', 'In this episode')).toHaveLength(1);
    const { body, problems } = readBody('## On the podcast\n\n- [A](https://a.example/)\n', { ...context, storiesHeading: 'In this episode' });
    expect(body.stories).toHaveLength(0);
    expect(problems.map((p) => p.severity)).toEqual(['warning']);
  });

  it('split the body into intro and outro around the heading and its list', () => {
    const { body } = readBody('Intro.\n\n## Stories\n\n- [A](https://a.example/)\n\nOutro.\n', context);
    expect(body.introHtml).toBe('<p>Intro.</p>\n');
    expect(body.outroHtml).toBe('<p>Outro.</p>\n');
    expect(body.firstParagraph).toBe('Intro.');
  });

  it('must follow their heading directly', () => {
    const { problems } = readBody('## Stories\n\nSome text.\n\n- [A](https://a.example/)\n', context);
    expect(problems).toEqual([
      { file: 'ep.md', line: 11, message: 'heading "Stories" must be followed by the list of stories; expected "- [Title](https://…) — summary"' },
    ]);
  });

  it('read as plain text with each run of white space one space: tabs, no-break spaces, line breaks', () => {
    const { body } = readBody(
      'Intro\u00a0 text,\ttwo  spaces\nand a break\\\nhard one, `code  span`, &nbsp;entity.  \n\n## Stories\n\n- [A\u2003title\twith  gaps](https://a.example/) —  summary\u00a0\u00a0with\u2028runs\n- [Single spaces only](https://b.example/) — just so\n',
      context,
    );
    expect(body.firstParagraph).toBe('Intro text, two spaces and a break hard one, code span, entity.');
    expect(body.stories.map((s) => [s.title, s.summary])).toEqual([
      ['A title with gaps', 'summary with runs'],
      ['Single spaces only', 'just so'],
    ]);
  });

  it('must each be one paragraph starting with a link to a web page', () => {
    const { problems } = readBody(
      '## Stories\n\n- No link\n- [Mail](mailto:tips@example.com)\n- [A](https://a.example/)\n\n  A second paragraph.\n',
      context,
    );
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '13: story has no link at its start; expected "- [Title](https://…) — summary"',
      '14: story link "mailto:tips@example.com" is not a web page; expected an http(s) URL',
      '15: a story is a single list item of one paragraph; expected "- [Title](https://…) — summary"',
    ]);
  });
});

describe('a list of links that is not read as the stories (issue 8, case 3)', () => {
  it('is a warning at the list’s line when its heading is not a stories heading, with both fixes', () => {
    const { body, problems } = readBody('Intro.\n\n## What we covered\n\n- [A](https://a.example/) — one\n- [B](https://b.example/)\n', context);
    expect(body.stories).toEqual([]);
    expect(problems).toEqual([
      {
        file: 'ep.md',
        line: 15,
        severity: 'warning',
        message:
          '"What we covered" is not a stories heading, so the episode has no stories in the feed, the page or the email; ' +
          'expected a heading starting with "On the podcast", or "Stories" right above the list, or storiesHeading: "What we covered" in show.yml',
      },
    ]);
  });

  it('is a warning when no heading at all is above it', () => {
    const { problems } = readBody('Intro.\n\n- [A](https://a.example/)\n', context);
    expect(problems).toMatchObject([{ line: 13, severity: 'warning', message: expect.stringMatching(/^this list of links has no stories heading above it, /) }]);
  });

  it('names the configured heading when show.yml sets one', () => {
    const { problems } = readBody('## Links\n\n1. [A](https://a.example/)\n', { ...context, storiesHeading: 'In this episode' });
    expect(problems[0]?.message).toContain('expected a heading starting with "In this episode" (storiesHeading in show.yml)');
  });

  it('is not raised for a list that is not of links, or when the stories heading is there', () => {
    expect(readBody('## Notes\n\n- one\n- [two](https://two.example/)\n', context).problems).toEqual([]);
    expect(readBody('## Stories\n\n- [A](https://a.example/)\n\n## Links\n\n- [B](https://b.example/)\n', context).problems).toEqual([]);
    expect(readBody('Just text with a [link](https://a.example/).\n', context).problems).toEqual([]);
  });
});

describe('link addresses (issue 8, case 4)', () => {
  it.each([
    ['[Story](https:evil.example/page)', 'link "https:evil.example/page"'],
    ['[Story](http:/evil.example/page)', 'link "http:/evil.example/page"'],
    ['![img](https:evil.example/i.png)', 'image "https:evil.example/i.png"'],
  ])('refuse %s, which a browser resolves against the show’s own site', (markdown, shown) => {
    const { problems, body } = readBody(`Fine.\n\n${markdown}\n`, context);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(13);
    expect(problems[0]!.message).toMatch(new RegExp(`^${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not allowed \\(write "https?://" with two slashes before the host\\); expected`));
    expect(body.introHtml).not.toContain('evil.example/');
  });

  it('refuse an https:host story link at its line, without a second problem for the story', () => {
    const { problems, body } = readBody('## Stories\n\n- [A](https:evil.example/a) — one\n- [B](https://b.example/)\n', context);
    expect(problems.map((p) => `${p.line}: ${p.message.split(' (')[0]}`)).toEqual(['13: link "https:evil.example/a" is not allowed']);
    expect(body.stories.map((s) => s.url)).toEqual(['https://b.example/']);
  });

  it('are written in their normalised form in the HTML and in each story', () => {
    const { body, problems } = readBody(
      'See [this](HTTPS://News.Example.COM/a/../b?q=1#top) and ![i](https://CDN.example/i.png).\n\n## Stories\n\n- [A](HTTPS://WWW.Example.COM) — [more](http://More.Example/x/./y)\n',
      context,
    );
    expect(problems).toEqual([]);
    expect(body.introHtml).toContain('href="https://news.example.com/b?q=1#top"');
    expect(body.introHtml).toContain('src="https://cdn.example/i.png"');
    expect(body.stories[0]).toMatchObject({ url: 'https://www.example.com/', source: 'example.com', summaryHtml: '<a href="http://more.example/x/y">more</a>' });
  });
});

describe('links and HTML in the body', () => {
  it('pass raw HTML through as text, never as markup', () => {
    const { body } = readBody('Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n', context);
    expect(body.introHtml).toBe('<p>Hi &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;</p>\n');
  });

  it.each([
    ['[x](javascript:alert(1))', 'javascript:alert(1)'],
    ['[x](JaVaScRiPt:alert(1))', 'JaVaScRiPt:alert(1)'],
    ['[x](java&#x73;cript:alert(1))', 'javascript:alert(1)'],
    ['<javascript:alert(1)>', 'javascript:alert(1)'],
    ['[x](data:text/html;base64,PHNjcmlwdD4=)', 'data:text/html;base64,PHNjcmlwdD4='],
    ['[x](vbscript:msgbox)', 'vbscript:msgbox'],
    ['[x](/relative/path)', '/relative/path'],
  ])('report %s at its line', (markdown, shown) => {
    const { problems } = readBody(`Fine.\n\nText ${markdown} here.\n`, context);
    expect(problems).toEqual([
      { file: 'ep.md', line: 13, message: `link "${shown}" is not allowed; expected an absolute http(s) or mailto: URL` },
    ]);
  });

  it('report an image that is not on the web', () => {
    const { problems } = readBody('![alt](data:image/png;base64,AAAA)\n', context);
    expect(problems[0]?.message).toBe('image "data:image/png;base64,AAAA" is not allowed; expected an absolute http(s) URL');
  });

  it('accept http, https and mailto links', () => {
    const { problems } = readBody('[a](http://a.example/) [b](https://b.example/) [c](mailto:c@example.com)\n', context);
    expect(problems).toEqual([]);
  });
});

describe('links hidden where lines are hard to count', () => {
  it('are found in table cells, at their row', () => {
    const { problems } = readBody('| h | i |\n|---|---|\n| x | y |\n| x | [click](javascript:alert(1)) ![i](data:image/svg+xml,x) |\n', context);
    expect(problems.map((p) => `${p.line}: ${p.message.split(';')[0]}`)).toEqual([
      '14: link "javascript:alert(1)" is not allowed',
      '14: image "data:image/svg+xml,x" is not allowed',
    ]);
  });

  it('are found after a code span that runs over two lines', () => {
    const { problems } = readBody('`code\nspanning` lines\nand [bad](javascript:one)\n', context);
    expect(problems.map((p) => p.line)).toEqual([13]);
  });

  it('never reach the HTML, even if a check missed them', () => {
    const { body } = readBody('| h |\n|---|\n| [click](javascript:alert(1)) ![i](data:image/svg+xml,x) |\n', context);
    expect(body.introHtml).not.toMatch(/javascript:|data:/);
    expect(body.introHtml).toContain('<a>click</a>');
  });
});

describe('links allowed in the show notes, as other commands ask', () => {
  it('are http(s) written scheme://host and mailto:, nothing else', () => {
    for (const href of ['https://news.example.com/a', 'HTTP://Example.com', 'mailto:desk@example.com']) expect(isAllowedLink(href), href).toBe(true);
    for (const href of ['https:evil.example/page', 'javascript:alert(1)', 'data:text/html,x', '/relative', 'ftp://example.com/x']) {
      expect(isAllowedLink(href), href).toBe(false);
    }
  });
});

describe('the parser', () => {
  // Every construct the default preset reads, nested, with the cases that make inline tokens
  // pending, delimiters and closing levels: the tokens must be markdown-it's own, field by field.
  const documents = [
    '',
    'plain text',
    '# Heading *em* **strong** ~~gone~~ `code`\n\nPara with [link](https://example.com "t") and ![img](https://example.com/a.png) and <https://auto.example.com>\nsoft\\\nhard  \nbreak &amp; &copy; \\* escaped',
    '## On the podcast\n\n- 12:34 [A story](https://example.com/a) — with *emphasis* and __strong__\n- [B](https://example.com/b): summary `x`\n  continued\n\n1. one\n2. two\n   - nested *a*\n\n> quote **b**\n> > deeper\n\n```js\nconst x = 1;\n```\n\n    indented code\n\n---\n\n| a | b |\n| - | :-: |\n| *c* | [d](https://example.com/d) |\n\nSetext\n======\n\n[ref]: https://example.com/ref\n\nUse [ref] and [the ref][ref], _a*b*c_, ***both***, **unclosed, *[nested [brackets]](https://example.com)*.\n\n<div>raw html</div> <span>inline</span>',
    '*a **b** c* ~~s~~ ~single~ **a*b** _a_b_ [x](javascript:alert(1)) [y](https:host)',
  ];

  it('gives markdown-it’s own tokens (prototype, fields and their order) for every construct', async () => {
    const { default: MarkdownIt } = await import('markdown-it');
    const stock = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
    stock.validateLink = () => true;
    const { parseMarkdown } = await import('../../src/load/markdown.ts');
    const shape = (tokens: readonly object[]): unknown =>
      tokens.map((token) => ({
        prototype: Object.getPrototypeOf(token),
        keys: Object.keys(token),
        json: JSON.stringify(token),
        children: (token as { children: object[] | null }).children && shape((token as { children: object[] }).children),
      }));
    for (const text of documents) expect(shape(parseMarkdown(text))).toEqual(shape(stock.parse(text, {})));
  });
});

describe('link addresses that skip markdown-it’s normalizeLink', () => {
  // PLAIN_LINK must only take addresses normalizeLink gives back as written; each case below is
  // an address on the edge of that (host length and labels, ports, users, escapes, case).
  const edges = [
    'https://example.com',
    'https://example.com/',
    'http://a.b-c.example/x/y.html?q=1&r=2#top',
    "https://example.com/a;b/c:d@e!f$g'h(i)j*k+l,m=n~o_p.q-r",
    'https://example.com/%20x%2Fy%e9',
    'https://example.com/%2',
    'https://example.com/%zz',
    'https://example.com/%',
    'https://example.com/a%2',
    'https://example.com?x#y#z?w',
    'https://example.com#',
    'https://Example.COM/Path',
    'HTTPS://example.com/',
    'Https://example.com/',
    'https://example.com:8080/',
    'https://example.com:/',
    'https://user@example.com/',
    'https://user:pw@example.com/',
    'https://a@b@example.com/x@y',
    'https://example.com./',
    'https://example..com/',
    'https://.example.com/',
    'https://ex_ample.com/',
    'https://ex+ample.com/',
    'https://bücher.example/',
    'https://xn--bcher-kva.example/',
    'https://[::1]/',
    'https://127.0.0.1/',
    'https://example.com/ä',
    'https://example.com/a b',
    'https://example.com/a\\b',
    'https://example.com/a"b',
    'https://example.com/a<b>',
    'https://example.com/a{b}|c^d`e',
    'https://example.com/a[b]',
    ' https://example.com/',
    'https://example.com/\u00a0',
    'https:example.com',
    'https:/example.com',
    'https:///example.com',
    'https://',
    'https://?x',
    'https://#x',
    `https://${'a'.repeat(63)}.example/`,
    `https://${'a'.repeat(64)}.example/`,
    `https://${'abcdefghi.'.repeat(24)}abcdefghijklmn/`,
    `https://${'abcdefghi.'.repeat(24)}abcdefghijklmno/`,
    `https://${'abcdefghi.'.repeat(24)}abcdefghijklmnop/`,
    'mailto:someone@example.com',
    'javascript:alert(1)',
    '//example.com/',
    '/relative/path',
  ];

  /** Random addresses, most of them close to plain ones, some with one character that is not. */
  function randomAddresses(count: number): string[] {
    const next = random(9);
    const pick = (items: string) => items[Math.floor(next() * items.length)]!;
    const hostChars = 'abcxyzABZ0189--.';
    const pathChars = "abzAZ09;/?:@&=+$,-_.!~*'()#%fF";
    const odd = ' \\"<>{}|^`[]\u00e9\u00a0\t\n\r\u2028';
    const schemes = ['https://', 'http://', 'https://', 'http://', 'HTTP://', 'https:/', 'mailto:', '//', ''];
    const addresses: string[] = [];
    for (let n = 0; n < count; n++) {
      let host = '';
      const hostLength = next() < 0.05 ? 240 + Math.floor(next() * 30) : 1 + Math.floor(next() * 20);
      while (host.length < hostLength) host += next() < 0.1 ? '.' : pick(hostChars);
      if (next() < 0.05) host = `${'a'.repeat(60 + Math.floor(next() * 8))}.${host}`;
      if (next() < 0.05) host += `:${Math.floor(next() * 9000)}`;
      if (next() < 0.05) host = `u${pick('@:')}${host}`;
      let rest = '';
      const restLength = Math.floor(next() * 30);
      for (let i = 0; i < restLength; i++) rest += next() < 0.03 ? pick(odd) : pick(pathChars);
      addresses.push(`${schemes[Math.floor(next() * schemes.length)]}${host}${next() < 0.8 ? `/${rest}` : rest}`);
    }
    return addresses;
  }

  it('are exactly those normalizeLink gives back as written', async () => {
    const { default: MarkdownIt } = await import('markdown-it');
    const stock = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
    const { PLAIN_LINK } = await import('../../src/load/markdown.ts');
    let plain = 0;
    for (const address of [...edges, ...randomAddresses(30_000)]) {
      if (!PLAIN_LINK.test(address)) continue;
      plain++;
      expect(stock.normalizeLink(address), address).toBe(address);
    }
    // The random addresses reach both sides of the rule.
    expect(plain).toBeGreaterThan(2_000);
    expect(plain).toBeLessThan(27_000);
  });

  it('become the hrefs markdown-it’s own parse gives, wherever a link is written', async () => {
    const { default: MarkdownIt } = await import('markdown-it');
    const stock = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
    stock.validateLink = () => true;
    const { parseMarkdown } = await import('../../src/load/markdown.ts');
    const hrefs = (tokens: readonly Token[]): unknown[] => tokens.flatMap((token) => [token.attrs, ...(token.children ? hrefs(token.children) : [])]);
    for (const address of [...edges, ...randomAddresses(3_000)]) {
      const safe = address.replace(/[<>\n\r]/g, '');
      const text = `[a](<${safe}>) ![b](<${safe}>) <${safe}>\n\n[c]: <${safe}>\n\n[c]`;
      expect(hrefs(parseMarkdown(text)), address).toEqual(hrefs(stock.parse(text, {})));
    }
  });
});
