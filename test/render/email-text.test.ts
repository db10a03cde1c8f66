// The digest's plain text, construct by construct. Each fixture is Markdown read by load (so the HTML
// is exactly what our markdown-it makes of it), except where a test says it feeds HTML directly.
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/load/markdown.ts';
import { columnsOf, htmlToPlainText, TEXT_WIDTH, type TextOptions } from '../../src/render/email-text.ts';
import { tagLinksInHtml } from '../../src/render/utm.ts';

const FIXTURES = {
  paragraphs: 'A first paragraph\nwritten on two lines.\n\nA second one.\n',
  longParagraph: `${'Every word of this sentence is short enough to wrap. '.repeat(4).trim()}\n`,
  emphasis: 'Some *em*, some **strong**, ~~struck~~ and `a code span`.\n',
  headings: 'Before.\n\n# A title\n\n## A section\n\nAfter.\n',
  link: 'See [the show](https://example.com/show) and [me](https://example.com/me "My page").\n',
  longLink: 'Read [the story](https://example.com/2020/09/14/a-long-story-slug-that-goes-on-and-on/index.html?id=1) today.\n',
  autolinks: 'See <https://example.com/page> or write to <me@example.com>.\n',
  mailLink: 'Write [to us](mailto:us@example.com).\n',
  hardBreak: 'One line  \nand the next\\\nand the last.\n',
  bullets: '- one\n- two\n- three\n',
  nestedLists: '- one\n  - one a\n  - one b\n    1. deep\n    2. deeper\n- two\n',
  orderedFrom: '7. seven\n8. eight\n9. nine\n10. ten\n',
  looseList: '- one\n\n- two\n\n  more of two\n',
  wrappedItem: `- ${'words that wrap under their marker '.repeat(3).trim()}\n`,
  quote: '> Quoted text.\n>\n> > And a quote in it.\n\nAfter.\n',
  fencedCode: 'Code:\n\n```js\nif (a < b)   {\n\treturn "x";\n}\n```\n\nAfter.\n',
  rule: 'Above.\n\n---\n\nBelow.\n',
  images: '![A chart](https://example.com/chart.png) and ![](https://example.com/b.png).\n',
  narrowTable: '| Name | Raised |\n| :--- | -----: |\n| Alpha | $1M |\n| Beta | $20M |\n',
  wideTable: `| Company | What it does |\n| --- | --- |\n| Alpha | ${'A long description of what the company does. '.repeat(2).trim()} |\n| Beta | Robots. |\n`,
  entities: 'Q&amp;A: 5 &gt; 3, &copy; 2020, "quoted" &amp; <b>not bold</b>.\n',
  rawHtml: 'Raw <script>alert(1)</script> and <style>p {}</style> stay text.\n',
} as const;

type Fixture = keyof typeof FIXTURES;

/** The text part of a fixture's body, through load's Markdown renderer. */
function text(name: Fixture, options?: TextOptions): string {
  const { body, problems } = readBody(FIXTURES[name], { file: `${name}.md`, lineOffset: 0 });
  expect(problems).toEqual([]);
  return htmlToPlainText(body.introHtml, options);
}

const lines = (...all: string[]) => all.join('\n');

describe('the text part of the digest', () => {
  it('joins a paragraph’s lines and puts a blank line between paragraphs', () => {
    expect(text('paragraphs')).toBe(lines('A first paragraph written on two lines.', '', 'A second one.'));
  });

  it('wraps at the width, between words', () => {
    const wrapped = text('longParagraph').split('\n');
    expect(wrapped.length).toBeGreaterThan(1);
    for (const line of wrapped) expect(line.length).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(wrapped.join(' ')).toBe(FIXTURES.longParagraph.trim());
    expect(text('longParagraph', { width: 30 }).split('\n')).toEqual([
      'Every word of this sentence is',
      'short enough to wrap. Every',
      'word of this sentence is short',
      'enough to wrap. Every word of',
      'this sentence is short enough',
      'to wrap. Every word of this',
      'sentence is short enough to',
      'wrap.',
    ]);
  });

  it('keeps room for a few words on a line, however narrow the width or deep the nesting', () => {
    const narrow = htmlToPlainText('<p>Some words that would not fit in ten columns at all.</p>', { width: 10 }).split('\n');
    expect(narrow).toEqual(['Some words that would', 'not fit in ten columns', 'at all.']);
  });

  it('keeps the words of emphasis and code, marks struck text', () => {
    expect(text('emphasis')).toBe('Some em, some strong, ~~struck~~ and a code span.');
  });

  it('gives headings lines of their own, as written', () => {
    expect(text('headings')).toBe(lines('Before.', '', 'A title', '', 'A section', '', 'After.'));
  });

  it('follows a link’s text with its address in brackets', () => {
    expect(text('link')).toBe('See the show [https://example.com/show] and me [https://example.com/me].');
  });

  it('never breaks an address: one longer than the line stands alone on its line', () => {
    expect(text('longLink')).toBe(
      lines('Read the story', '[https://example.com/2020/09/14/a-long-story-slug-that-goes-on-and-on/index.html?id=1]', 'today.'),
    );
  });

  it('shows a link written as its address once, with its campaign tags', () => {
    expect(text('autolinks')).toBe('See https://example.com/page or write to me@example.com.');
    const { body } = readBody(FIXTURES.autolinks, { file: 'autolinks.md', lineOffset: 0 });
    const tagged = tagLinksInHtml(body.introHtml, { source: 'show', medium: 'email', campaign: 'ep' });
    expect(htmlToPlainText(tagged, { width: 200 })).toBe(
      'See https://example.com/page?utm_source=show&utm_medium=email&utm_campaign=ep or write to me@example.com.',
    );
  });

  it('shows a bare host written as its address once, though the link is given a "/"', () => {
    const { body } = readBody('See <https://example.com> and [https://example.com](https://example.com).\n', { file: 'host.md', lineOffset: 0 });
    expect(htmlToPlainText(body.introHtml)).toBe('See https://example.com/ and https://example.com/.');
  });

  it('puts one space between a link’s text and its address, whatever the spaces around them (HTML fed directly)', () => {
    expect(htmlToPlainText('<p>See <a href="https://example.com/"> the show </a> now.</p>')).toBe('See the show [https://example.com/] now.');
  });

  it('shows a mail link’s address with its scheme', () => {
    expect(text('mailLink')).toBe('Write to us [mailto:us@example.com].');
  });

  it('shows the text of a link it may not follow, never its address (HTML fed directly)', () => {
    expect(htmlToPlainText('<p>A <a href="javascript:alert(1)">trap</a>, a <a href="/relative">path</a> and a <a>bare</a> link.</p>')).toBe(
      'A trap, a path and a bare link.',
    );
  });

  it('breaks lines where the Markdown has hard breaks', () => {
    expect(text('hardBreak')).toBe(lines('One line', 'and the next', 'and the last.'));
  });

  it('marks list items with a dash, no blank line between the items of a tight list', () => {
    expect(text('bullets')).toBe(lines('- one', '- two', '- three'));
  });

  it('indents nested lists under their item', () => {
    expect(text('nestedLists')).toBe(lines('- one', '  - one a', '  - one b', '    1. deep', '    2. deeper', '- two'));
  });

  it('numbers ordered lists from their start, the item’s text aligned after its number', () => {
    expect(text('orderedFrom')).toBe(lines('7. seven', '8. eight', '9. nine', '10. ten'));
  });

  it('puts blank lines between the items and paragraphs of a loose list', () => {
    expect(text('looseList')).toBe(lines('- one', '', '- two', '', '  more of two'));
  });

  it('wraps an item under its text, not under its marker', () => {
    expect(text('wrappedItem', { width: 40 })).toBe(
      lines('- words that wrap under their marker', '  words that wrap under their marker', '  words that wrap under their marker'),
    );
  });

  it('prefixes quoted lines, blank ones too, with ">"', () => {
    expect(text('quote')).toBe(lines('> Quoted text.', '>', '> > And a quote in it.', '', 'After.'));
  });

  it('keeps code as written, indented and never wrapped', () => {
    expect(text('fencedCode')).toBe(lines('Code:', '', '    if (a < b)   {', '        return "x";', '    }', '', 'After.'));
  });

  it('draws a rule as a line of dashes the width of the text', () => {
    expect(text('rule')).toBe(lines('Above.', '', '-'.repeat(TEXT_WIDTH), '', 'Below.'));
  });

  it('shows an image as its alt text and address', () => {
    expect(text('images')).toBe('A chart [https://example.com/chart.png] and [https://example.com/b.png].');
  });

  it('lays out a table that fits as aligned columns under an underlined header', () => {
    expect(text('narrowTable')).toBe(lines('Name   Raised', '-----  ------', 'Alpha     $1M', 'Beta     $20M'));
  });

  it('writes a table too wide for the line as one "Header: value" block per row', () => {
    expect(text('wideTable')).toBe(
      lines(
        'Company: Alpha',
        'What it does: A long description of what the company does. A long',
        'description of what the company does.',
        '',
        'Company: Beta',
        'What it does: Robots.',
      ),
    );
  });

  it('decodes entities, so the text reads as the author wrote it', () => {
    expect(text('entities')).toBe('Q&A: 5 > 3, © 2020, "quoted" & <b>not bold</b>.');
  });

  it('shows HTML written in the Markdown as the text it is (load never passes it through)', () => {
    expect(text('rawHtml')).toBe('Raw <script>alert(1)</script> and <style>p {}</style> stay text.');
  });

  it('never shows the content of script or style elements, nor any tag (HTML fed directly)', () => {
    const hostile = '<p>Before</p><script>alert(1)</script><style>p { color: red }</style><p>After <iframe src="https://x.example">inside</iframe><b>bold</b><!-- note --></p>';
    expect(htmlToPlainText(hostile)).toBe(lines('Before', '', 'After bold'));
  });

  it('indents every line with text, within the width', () => {
    expect(text('paragraphs', { indent: '   ', width: 30 })).toBe(lines('   A first paragraph written', '   on two lines.', '', '   A second one.'));
    expect(htmlToPlainText('A summary with no markup at all, wrapped like the rest', { indent: '   ', width: 30 })).toBe(
      lines('   A summary with no markup at', '   all, wrapped like the rest'),
    );
  });

  it('is empty for an empty body', () => {
    expect(htmlToPlainText('')).toBe('');
    expect(htmlToPlainText('\n')).toBe('');
  });

  it('takes time in proportion to the links of a paragraph, not their square (HTML fed directly)', () => {
    // 40,000 links in one paragraph: ~0.1 s read in one pass. When each link rebuilt the text before it, 80,000 took 120 s.
    const many = (count: number) => `<p>${Array.from({ length: count }, (_, i) => `<a href="https://e.example/${i}?utm_source=x">https://e.example/${i}</a> and <a href="https://e.example/">t${i}</a>`).join(' ')}</p>`;
    expect(htmlToPlainText(many(2))).toBe('https://e.example/0?utm_source=x and t0 [https://e.example/]\nhttps://e.example/1?utm_source=x and t1 [https://e.example/]');
    const html = many(20_000);
    const started = performance.now();
    htmlToPlainText(html);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('writes a table of any length (a 1 MB summary can hold 150,000 rows; HTML fed directly)', () => {
    const rows = 150_000;
    const html = `<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>${'<tr><td>x</td><td>yy</td></tr>'.repeat(rows)}</tbody></table>`;
    const written = htmlToPlainText(html).split('\n');
    expect(written.slice(0, 3)).toEqual(['a  b', '-  --', 'x  yy']);
    expect(written).toHaveLength(rows + 2);
  });

  it('counts width in the columns a fixed-width font gives: an accent written apart none, CJK and emoji two', () => {
    expect(columnsOf('cafe\u0301')).toBe(4);
    expect(columnsOf('日本語')).toBe(6);
    expect(columnsOf('ｆｕｌｌ')).toBe(8);
    expect(columnsOf('😀 ok')).toBe(5);
    expect(columnsOf('“quoted” — text…')).toBe(16);
    // Twelve words of five wide characters (10 columns and a space each) make two lines of six, not one of twelve.
    const cjk = Array.from({ length: 12 }, () => '日本語です').join(' ');
    expect(htmlToPlainText(`<p>${cjk}</p>`).split('\n')).toHaveLength(2);
    // Decomposed accents take no room: the line is as long as its composed twin.
    const composed = 'déjà vu '.repeat(20).trim();
    expect(htmlToPlainText(`<p>${composed.normalize('NFD')}</p>`).normalize('NFC')).toBe(htmlToPlainText(`<p>${composed}</p>`));
  });

  it('breaks Chinese and Japanese written without spaces between characters, never before a closing mark nor after an opening one', () => {
    const ja = '今日のエピソードでは、東京のスタートアップが新しい資金調達ラウンドを発表しました。「これは大きな一歩です」と創業者は語りました。';
    const written = htmlToPlainText(`<p>${ja}</p>`).split('\n');
    expect(written.join('')).toBe(ja);
    expect(written.length).toBeGreaterThan(1);
    for (const line of written) expect(columnsOf(line)).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(written[0]).toHaveLength(36);
    for (const line of written.slice(1)) expect(line).not.toMatch(/^[、。」]/u);
    for (const line of written) expect(line).not.toMatch(/「$/u);
    // A run of Latin letters or digits inside stays whole, and spaces still separate words.
    expect(htmlToPlainText('<p>中文测试：今天我们讨论了风险投资的最新趋势，包括人工智能公司的估值和2024年的IPO市场。 Mixed English words.</p>', { width: 30 }).split('\n')).toEqual([
      '中文测试：今天我们讨论了风险投',
      '资的最新趋势，包括人工智能公司',
      '的估值和2024年的IPO市场。',
      'Mixed English words.',
    ]);
    // An address with wide characters in it is still never broken.
    const address = `https://例え.example/${'東京'.repeat(40)}`;
    expect(htmlToPlainText(`<p><a href="${address}">${address}</a></p>`)).toBe(address);
  });

  it('lines up the columns of a table of wide characters', () => {
    const { body } = readBody('| 名前 | 金額 |\n| --- | ---: |\n| アルファ | 100 |\n| Beta | 2 |\n', { file: 'cjk.md', lineOffset: 0 });
    expect(htmlToPlainText(body.introHtml)).toBe(lines('名前      金額', '--------  ----', 'アルファ   100', 'Beta         2'));
  });
});
