// The reader of our own HTML (own-html.ts) against htmlparser2, which it stands in for: on seeded,
// generated hostile Markdown (through load's renderer and the campaign tags, as the digest reads
// it) it must read every body itself and give the same events and the same text part; on HTML of
// any other kind it must give up (and the text part then comes from htmlparser2).
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/load/markdown.ts';
import { htmlToPlainText, htmlparser2PlainText } from '../../src/render/email-text.ts';
import { readOwnHtml, type HtmlHandler } from '../../src/render/own-html.ts';
import { tagLinksInHtml } from '../../src/render/utm.ts';
import { random } from '../helpers/random-edits.ts';

type Event = ['open', string, Record<string, string>] | ['text', string] | ['close', string];

/** A handler that records events, adjacent texts joined (htmlparser2 splits text where it likes). */
function recorder(): HtmlHandler & { events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    open: (name, attributes) => void events.push(['open', name, { ...attributes }]),
    text: (text) => {
      const last = events[events.length - 1];
      if (last?.[0] === 'text') last[1] += text;
      else events.push(['text', text]);
    },
    close: (name) => void events.push(['close', name]),
  };
}

function htmlparser2Events(html: string): Event[] {
  const handler = recorder();
  new Parser({ onopentag: handler.open, ontext: handler.text, onclosetag: handler.close }, { decodeEntities: true }).end(html);
  return handler.events;
}

const TEXTS = [
  'plain words',
  '<script>alert("x")</script>',
  '&amp; &copy; &#x1F600; &lt;b&gt; & AT&T',
  ']]> and <![CDATA[ x ]]>',
  '😀 𝕏 𠜎 emoji and astral',
  '中文测试：今天我们讨论了风险投资的最新趋势',
  'e\u0301 composed',
  '"quoted" \'single\'',
  'a\u00a0no-break',
  '<!-- comment -->',
  '</p></li></ul>',
  '<img src=x onerror=alert(1)>',
  'tab\there',
  'x'.repeat(90),
  '\u2028\u2029 separators',
  '`code <b> & span`',
  '*em* **strong** ~~struck~~ ***both***',
  '\\<escaped\\>',
];
const URLS = [
  'https://example.com/',
  'https://example.com/a?b=1&c=2',
  `https://example.com/${'long-path-segment/'.repeat(8)}?q=${'v'.repeat(60)}`,
  'https://例え.jp/パス?q=値',
  'https://example.com/x#frag"ment',
  'https://EXAMPLE.com:8080/../a/./b',
  'https://example.com/?utm_source=theirs',
  'mailto:me@example.com',
  'javascript:alert(1)',
];

/** Inline Markdown of one to six pieces: text, links, images, autolinks, code, breaks. */
function inline(next: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const pieces: string[] = [];
  for (let count = 1 + Math.floor(next() * 6); count > 0; count--) {
    const kind = next();
    if (kind < 0.4) pieces.push(pick(TEXTS));
    else if (kind < 0.6) pieces.push(`[${pick(TEXTS)}](${pick(URLS)}${next() < 0.2 ? ' "a &quot;title&quot;"' : ''})`);
    else if (kind < 0.68) pieces.push(`<${pick(URLS)}>`);
    else if (kind < 0.76) pieces.push(`![${pick(TEXTS)}](${pick(URLS)})`);
    else if (kind < 0.84) pieces.push(`[${pick(URLS)}](${pick(URLS)})`);
    else if (kind < 0.92) pieces.push('  \n');
    else pieces.push(`\`${pick(TEXTS)}\``);
  }
  return pieces.join(pick([' ', '', '\n']));
}

/** A block of Markdown: paragraphs, headings, nested lists, quotes, code, rules, tables. */
function block(next: () => number, depth = 0): string {
  const kind = next();
  if (kind < 0.3 || depth > 3) return inline(next);
  if (kind < 0.4) return `${'#'.repeat(1 + Math.floor(next() * 6))} ${inline(next)}`;
  if (kind < 0.6) {
    const ordered = next() < 0.5;
    const start = Math.floor(next() * 12);
    const items = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => {
      const marker = ordered ? `${start + i}. ` : '- ';
      const body = [block(next, depth + 1), ...(next() < 0.3 ? [block(next, depth + 1)] : [])].join(next() < 0.5 ? '\n\n' : '\n');
      return marker + body.split('\n').join(`\n${' '.repeat(marker.length)}`);
    });
    return items.join(next() < 0.3 ? '\n\n' : '\n');
  }
  if (kind < 0.7) return block(next, depth + 1).split('\n').map((line) => `> ${line}`).join('\n');
  if (kind < 0.78) return `\`\`\`${next() < 0.5 ? 'js' : '"x<y>&'}\n${TEXTS[Math.floor(next() * TEXTS.length)]}\n\tindented\n\n\`\`\``;
  if (kind < 0.83) return '---';
  const columns = 1 + Math.floor(next() * 4);
  const row = () => `| ${Array.from({ length: columns }, () => inline(next).replace(/\n/g, ' ').replace(/\|/g, '/')).join(' | ')} |`;
  const align = ['---', ':--', '--:', ':-:'];
  return [row(), `| ${Array.from({ length: columns }, () => align[Math.floor(next() * 4)]).join(' | ')} |`, row(), row()].join('\n');
}

/** A body: blocks, then perhaps the stories heading with a list of stories, each with a summary, then more blocks. */
function markdown(next: () => number): string {
  const blocks = (count: number) => Array.from({ length: count }, () => block(next)).join('\n\n');
  const stories = Array.from({ length: Math.floor(next() * 4) }, (_, i) => `- [Story ${i}](https://example.com/s/${i}) — ${inline(next).replace(/\n/g, ' ')}`);
  return `${blocks(1 + Math.floor(next() * 4))}\n\n${stories.length ? `## On the podcast\n\n${stories.join('\n')}\n\n${blocks(Math.floor(next() * 3))}` : ''}\n`;
}

const CAMPAIGN = { source: 'show', medium: 'email', campaign: 'an-episode' };

describe('reading our own HTML', () => {
  it('reads every body our Markdown renderer makes as htmlparser2 does, and writes the same text part', () => {
    const next = random(20261203);
    let bodies = 0;
    for (let run = 0; run < 400; run++) {
      const { body } = readBody(markdown(next), { file: 'hostile.md', lineOffset: 0 });
      const htmls = [body.introHtml, body.outroHtml, ...body.stories.map((story) => story.summaryHtml)].map((html) => tagLinksInHtml(html, CAMPAIGN));
      for (const html of htmls) {
        const own = recorder();
        expect(readOwnHtml(html, own), html).toBe(true);
        expect(own.events, html).toEqual(htmlparser2Events(html));
        for (const options of [{}, { indent: '   ' }, { width: 30, indent: '10. ' }]) {
          expect(htmlToPlainText(html, options), html).toBe(htmlparser2PlainText(html, options));
        }
        bodies++;
      }
    }
    expect(bodies).toBeGreaterThan(1000);
  });

  it('gives up on HTML markdown-it does not write, and the text part is htmlparser2’s', () => {
    const others = [
      '<p>a &copy; b</p>',
      '<p>AT&T</p>',
      '<p>&#60;</p>',
      '<p>one<p>two</p>',
      '<ul><li>one<li>two</ul>',
      '<p>open',
      '<p><em>crossed</p></em>',
      '<div>block</div>',
      '<script>alert(1)</script>',
      '<p>a <!-- note --> b</p>',
      '<P>upper</P>',
      "<a href='single'>quoted</a>",
      '<a href=bare>unquoted</a>',
      '<img src="x" alt="y" />',
      '<p>a < b</p>',
      '</p>',
      '<table><tr><td>a<td>b</tr></table>',
      // Well nested, but htmlparser2 closes the paragraph where the rule or the list opens.
      '<p>a<hr>b</p>',
      '<p>a<ul><li>b</li></ul></p>',
      '<br/>',
      '<a href="x" data-x="1">dash</a>',
      '<p>x</p><hr>',
      '<p>x</p><hr><p>y</p>',
    ];
    for (const html of others) {
      const own = recorder();
      const read = readOwnHtml(html, own);
      // What it reads, it reads as htmlparser2 does; of the rest it reads nothing.
      if (read) expect(own.events, html).toEqual(htmlparser2Events(html));
      expect(htmlToPlainText(html), html).toBe(htmlparser2PlainText(html));
    }
    for (const html of others.slice(0, -2)) expect(readOwnHtml(html, recorder()), html).toBe(false);
  });

  it('decodes entities in text and in attribute values', () => {
    const own = recorder();
    expect(readOwnHtml('<p><a href="https://e.example/?a=1&amp;b=&quot;2&quot;" title="&lt;t&gt;">x &amp;lt; y</a></p>', own)).toBe(true);
    expect(own.events).toEqual([
      ['open', 'p', {}],
      ['open', 'a', { href: 'https://e.example/?a=1&b="2"', title: '<t>' }],
      ['text', 'x &lt; y'],
      ['close', 'a'],
      ['close', 'p'],
    ]);
  });
});
