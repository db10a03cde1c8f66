// Show notes HTML → Markdown the build renders as the feed meant it, and nothing it would not.
import { describe, expect, it } from 'vitest';
import { readBody } from '../../src/load/markdown.ts';
import { convertNotes, finishNotes } from '../../src/import/notes.ts';

const markdown = (html: string, configured?: string, baseUrl?: string) => finishNotes(convertNotes(html, baseUrl ? { baseUrl } : {}), configured);
const read = (body: string, storiesHeading?: string) => readBody(body, { file: 'x.md', lineOffset: 0, storiesHeading });

describe('notes from HTML', () => {
  it('keeps paragraphs, emphasis, links and nested lists', () => {
    const body = markdown('<p>Hi <strong>all</strong>, see <a href="https://a.example.com/x">this</a>.</p><ol><li>One<ul><li>Nested</li></ul></li><li>Two</li></ol>');
    expect(body).toBe('Hi **all**, see [this](https://a.example.com/x).\n\n1. One\n   - Nested\n2. Two');
    expect(read(body).problems).toEqual([]);
  });

  it('never passes through what castwright would not render, and says what it removed', () => {
    const notes = convertNotes(
      '<p><a href="javascript:alert(1)">click</a> <a href="data:text/html,x">data</a> <img src="x" onerror="alert(1)"><img src="https://i.example.com/a.png" alt="ok"></p>' +
        '<script>alert(2)</script><style>p{}</style><iframe src="https://evil.example.com"></iframe><object data="x"></object><form><input></form>',
    );
    const body = finishNotes(notes, undefined);
    expect(body).toBe('click data ![ok](https://i.example.com/a.png)');
    // An image with no usable address is dropped too; empty elements leave nothing to report.
    expect(notes.removed).toEqual(['link "javascript:alert(1)"', 'link "data:text/html,x"', 'image "x"', '<script>', '<iframe>', '<input>', '<form>']);
    expect(read(body).problems).toEqual([]);
  });

  it('escapes text that Markdown would read as markup: ---, headings, lists, raw HTML', () => {
    const body = markdown('<p>---</p><p># not a heading</p><p>1. not a list</p><p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(body.split('\n\n')).toEqual(['\\---', '\\# not a heading', '1\\. not a list', '<script>alert(1)</script>']);
    const { body: rendered } = read(body);
    expect(rendered.introHtml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rendered.introHtml).not.toContain('<hr');
  });

  it('resolves relative links against the old page', () => {
    expect(markdown('<p><a href="/notes/1">notes</a></p>', undefined, 'https://old.example.com/ep/1')).toBe('[notes](https://old.example.com/notes/1)');
  });
});

describe('stories from a list of links', () => {
  it('takes the first list of links under the stories heading, keeping the heading as written', () => {
    const body = markdown('<p>Intro.</p><h3>Links</h3><ul><li><a href="https://a.example.com/">A</a> — first</li><li><a href="https://b.example.com/">B</a>: second</li></ul><p>Outro.</p>', 'Links');
    expect(body).toBe('Intro.\n\n### Links\n\n- [A](https://a.example.com/) — first\n- [B](https://b.example.com/): second\n\nOutro.');
    const { body: read1, problems } = read(body, 'Links');
    expect(problems).toEqual([]);
    expect(read1.stories.map((s) => [s.title, s.summary])).toEqual([['A', 'first'], ['B', 'second']]);
  });

  it('puts a list of links that has no heading under the stories heading, and leaves other lists alone', () => {
    const body = markdown('<p>Intro.</p><ul><li>Website - <a href="https://w.example.com/">w</a></li></ul><ul><li><a href="https://a.example.com/">A</a></li></ul>');
    expect(body).toBe('Intro.\n\n- Website - [w](https://w.example.com/)\n\n## Stories\n\n- [A](https://a.example.com/)');
    expect(read(body).body.stories.map((s) => s.title)).toEqual(['A']);
  });

  it('turns another heading the build would take for the stories heading into bold text', () => {
    const body = markdown('<h2>On the podcast today</h2><p>No list here.</p><h2>Stories</h2><ul><li><a href="https://a.example.com/">A</a></li></ul>');
    expect(body).toBe('**On the podcast today**\n\nNo list here.\n\n## Stories\n\n- [A](https://a.example.com/)');
    expect(read(body).problems).toEqual([]);
    const none = markdown('<h2>Stories</h2><p>No list at all.</p>');
    expect(none).toBe('**Stories**\n\nNo list at all.');
    expect(read(none).problems).toEqual([]);
  });

  it('never takes a list inside a quote or an item for the stories, and leaves no marker behind', () => {
    const body = markdown('<blockquote><ul><li><a href="https://a.example.com/">A</a></li></ul></blockquote>');
    expect(body).toBe('> - [A](https://a.example.com/)');
    expect(body).not.toContain('castwright-links');
  });

  it("drops the site castwright's own feed shows after each story link", () => {
    const body = markdown('<h2>On the podcast this morning</h2><ul><li><a href="https://www.techcrunch.com/a">A</a> (techcrunch.com) — summary</li><li><a href="https://b.example.com/">B</a> (other.example.com)</li></ul>');
    expect(body).toBe('## On the podcast this morning\n\n- [A](https://www.techcrunch.com/a) — summary\n- [B](https://b.example.com/) (other.example.com)');
  });
});

describe('notes in plain text', () => {
  it('keeps paragraphs and line breaks, links bare URLs and escapes the rest', () => {
    const body = markdown('Line one with https://example.com/a_(b)).\nLine *two*\n\n# Not a heading');
    expect(body).toBe('Line one with [https://example.com/a\\_(b)](https://example.com/a_\\(b\\))).  \nLine \\*two\\*\n\n\\# Not a heading');
  });
});
