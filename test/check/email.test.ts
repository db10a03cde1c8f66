// The email lint, finding by finding. Each fixture in test/fixtures/check/email/ is a valid digest
// with one defect, named for the code it must raise, at its line, with its message. Then the lint
// through the real pipeline: the template castwright shipped before this check existed, the fixed
// one, content mistakes at the episode's line, and Gmail's clip measured as the sender sends.
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplateCss } from '../../src/check/email-css.ts';
import { lintDigest } from '../../src/check/email-lint.ts';
import type { ComposedDigest } from '../../src/check/email-message.ts';
import { SourceLines } from '../../src/check/locate.ts';
import { checkGenerated } from '../../src/check/run.ts';
import type { ListedEpisode, MailingShow } from '../../src/model/types.ts';
import { generate } from '../../src/pipeline.ts';
import { cleanUp, fixture, FIXTURES, PROJECT, tempDir, workspace } from '../helpers/content.ts';

afterAll(cleanUp);

const EMAIL = path.join(FIXTURES, 'check', 'email');
const UNSUBSCRIBE = 'https://fixture.example.com/unsubscribe?token=reader-token';
const HEADERS = new Map([
  ['list-unsubscribe', `<${UNSUBSCRIBE}>`],
  ['list-unsubscribe-post', 'List-Unsubscribe=One-Click'],
]);

let show: MailingShow;
let episode: ListedEpisode;
let root: string;

beforeAll(async () => {
  root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
  const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root, now: new Date('2026-01-01T00:00:00Z') });
  show = generated.publication.show as MailingShow;
  episode = generated.publication.episodes[0]!;
  // The workspace outlives this file's tests: made again for each test would cost seconds.
  await cp(EMAIL, path.join(root, 'email'), { recursive: true });
});

/** The lint of a fixture digest (HTML and text), located in the fixture files as templates. */
function lint(html: string, text = 'valid.txt', change: Partial<ComposedDigest> = {}) {
  const htmlText = readFileSync(path.join(EMAIL, html), 'utf8');
  const composed: ComposedDigest = {
    html: htmlText,
    text: readFileSync(path.join(EMAIL, text), 'utf8'),
    subject: 'A valid episode',
    unsubscribeUrl: UNSUBSCRIBE,
    htmlBytes: Buffer.byteLength(htmlText),
    wireBytes: Buffer.byteLength(htmlText),
    encoding: 'quoted-printable',
    headers: HEADERS,
    ...change,
  };
  return lintDigest({
    show,
    episode,
    composed,
    files: { htmlTemplate: `email/${html}`, textTemplate: `email/${text}`, showFile: 'episodes/show.yml' },
    lines: new SourceLines(root),
  });
}

describe('email lint, finding by finding', () => {
  it('finds nothing in a digest that keeps every rule', () => {
    expect(lint('valid.html')).toEqual([]);
  });

  it.each<[string, 'error' | 'warning', number, string]>([
    ['html-lang', 'warning', 2, 'the digest\'s <html> has no lang, so screen readers may read it in the wrong language; write <mjml lang="{{show.language}}">'],
    ['body-lang', 'warning', 8, "the digest's body has no element with lang: Gmail and Outlook drop the <html> element, and its lang with it; give <mjml> a lang (MJML repeats it on the body wrapper)"],
    ['table-role', 'warning', 11, '1 layout table has no role="presentation", so screen readers announce rows and columns; add it to each <table>'],
    ['img-alt', 'warning', 12, 'the image "https://fixture.example.com/art.png" has no alt text; write what it shows, or alt="" when it is decoration'],
    ['color-scheme', 'warning', 3, 'the digest has no <meta name="color-scheme" content="light dark">, so Apple Mail and Outlook may invert its colours in dark mode; add it in <mj-head> inside <mj-raw>'],
    ['preheader-missing', 'warning', 8, 'the digest has no preheader (a hidden first line), so inboxes show whatever text comes first; add <mj-preview>{{preheader}}</mj-preview>'],
    [
      'remote-font',
      'error',
      6,
      'the digest loads "https://fonts.googleapis.com/css?family=Lato:400,700" (MJML adds it for "Lato" in font-family; its fonts option turns that off): every reader who opens it tells fonts.googleapis.com their IP address; use fonts readers have (a system font stack), or if fonts.googleapis.com is yours, list it in email.allowRemote in show.yml',
    ],
    [
      'tracking-pixel',
      'error',
      18,
      'the digest has a hidden or 1-pixel image from t.tracker.example.net ("https://t.tracker.example.net/open.gif?r=8842"): a tracking pixel that reports every opening; remove it, or list t.tracker.example.net in email.allowRemote in show.yml',
    ],
    ['link-not-https', 'warning', 17, 'the link "http://archive.example.net/fixture" is not https: mail apps warn about it and readers\' connections can be read or changed; link to its https address'],
    ['link-invalid', 'error', 17, 'the link "/episodes/valid/" is not an absolute https or mailto: address, so it leads nowhere from an inbox'],
    ['unsubscribe-link-missing', 'error', 19, 'the HTML part has no unsubscribe link: each reader\'s own link is filled in at send time where the template writes {{unsubscribeUrl}}; put it in both templates'],
    ['postal-address-missing', 'error', 20, 'the HTML part does not show the postal address (email.address): anti-spam laws require it in every message; write {{address}} in the footer'],
  ])('email/%s: %s at its line', (name, severity, line, message) => {
    expect(lint(`${name}.html`)).toEqual([{ file: `email/${name}.html`, line, severity, code: `email/${name}`, message }]);
  });

  it('email/text-missing: an empty text part is an error at the text template', () => {
    const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : 1);
    expect(lint('valid.html', 'text-missing.txt').sort(byCode)).toEqual([
      // Nor does the empty part carry the address or the unsubscribe link.
      expect.objectContaining({ code: 'email/postal-address-missing', file: 'email/text-missing.txt' }),
      {
        file: 'email/text-missing.txt',
        line: 1,
        severity: 'error',
        code: 'email/text-missing',
        message: 'the text part is empty; spam filters distrust HTML-only mail and some readers read text only',
      },
      expect.objectContaining({ code: 'email/unsubscribe-link-missing', file: 'email/text-missing.txt' }),
    ]);
  });

  it('email/text-story-missing: a story link missing from the text part, at the text template', () => {
    expect(lint('valid.html', 'text-story-missing.txt')).toEqual([
      {
        file: 'email/text-story-missing.txt',
        line: 1,
        severity: 'error',
        code: 'email/text-story-missing',
        message: 'the text part lacks story links (the first: "https://news.example.com/first"); write {{url}} for each story',
      },
    ]);
  });

  it('email/unsubscribe-header-missing: a message without one-click unsubscribe headers, at email.unsubscribe', () => {
    expect(lint('valid.html', 'valid.txt', { headers: new Map([['list-unsubscribe', `<${UNSUBSCRIBE}>`]]) })).toEqual([
      {
        file: 'episodes/show.yml',
        line: 15,
        severity: 'error',
        code: 'email/unsubscribe-header-missing',
        message: 'the message lacks List-Unsubscribe with an https link and List-Unsubscribe-Post: List-Unsubscribe=One-Click; Gmail and Yahoo junk bulk mail without one-click unsubscribe',
      },
    ]);
  });

  it('email/size-clipped and email/size-near-clip: measured as sent, at the start of the episode body', () => {
    const clipped = lint('valid.html', 'valid.txt', { htmlBytes: 100_000, wireBytes: 108_000 });
    expect(clipped).toEqual([
      {
        file: 'episodes/valid.md',
        line: 11,
        severity: 'error',
        code: 'email/size-clipped',
        message:
          'the HTML part is 105.5 KB as sent (quoted-printable; 97.7 KB of HTML): Gmail clips messages above 102.0 KB and hides the rest, the unsubscribe link with it; shorten the notes or the stories',
      },
    ]);
    expect(lint('valid.html', 'valid.txt', { htmlBytes: 88_000, wireBytes: 93_000 })).toEqual([
      {
        file: 'episodes/valid.md',
        line: 11,
        severity: 'warning',
        code: 'email/size-near-clip',
        message: "the HTML part is 90.8 KB as sent (quoted-printable; 85.9 KB of HTML), close to Gmail's clip at 102.0 KB; a few more stories and Gmail hides the end of it",
      },
    ]);
    expect(lint('valid.html', 'valid.txt', { htmlBytes: 80_000, wireBytes: 92_159 })).toEqual([]);
  });

  it('email/style-too-large: styles Gmail drops whole, at the <style>', () => {
    const html = readFileSync(path.join(EMAIL, 'valid.html'), 'utf8').replace('a { color: #0b6e4f; }', `.x { color: #0b6e4f; }\n`.repeat(800));
    expect(lint('valid.html', 'valid.txt', { html })).toEqual([
      {
        file: 'email/valid.html',
        line: 6,
        severity: 'warning',
        code: 'email/style-too-large',
        message: "the digest's styles add up to 18.0 KB; Gmail drops all of them above 16.0 KB",
      },
    ]);
  });

  it('lets the show allow a host it trusts for fonts and pixels (email.allowRemote)', () => {
    const allowing = { ...show, email: { ...show.email, allowRemote: ['googleapis.com', 'tracker.example.net'] } };
    const saved = show;
    show = allowing;
    try {
      expect(lint('remote-font.html')).toEqual([]);
      expect(lint('tracking-pixel.html')).toEqual([]);
    } finally {
      show = saved;
    }
  });

  it('email/css-unsupported: template CSS a main client ignores, at its line; enhancements and polish are left alone', async () => {
    const template = [
      '<mjml><mj-head><mj-style>',
      '.card { display: flex; gap: 8px; border-radius: 4px; }',
      '@media (prefers-color-scheme: dark) { .card { position: relative; } }',
      '.badge { position: absolute; white-space: nowrap; }',
      '</mj-style></mj-head></mjml>',
    ].join('\n');
    const found = await lintTemplateCss(template, 'templates/email/digest.mjml.hbs');
    expect(found.map((item) => [item.line, item.severity, item.code])).toEqual([
      [2, 'warning', 'email/css-unsupported'],
      [4, 'warning', 'email/css-unsupported'],
    ]);
    expect(found[0]!.message).toBe(
      '"display: flex": display:flex is not supported by Outlook (Windows), which ignores it (caniemail.com); make sure the digest reads well without it',
    );
    expect(found[1]!.message).toBe(
      '"position: absolute": position is not supported by Gmail (web), Gmail (iOS), Gmail (Android), Outlook (Windows), Outlook (iOS), which ignore it (caniemail.com); make sure the digest reads well without it',
    );
  });
});

/** A templates folder: castwright's own, with the email templates given replaced. */
async function templatesWith(files: Record<string, string>): Promise<string> {
  const dir = path.join(await tempDir(), 'templates');
  await cp(path.join(PROJECT, 'templates'), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function emailFindings(workspaceRoot: string, templatesDir?: string) {
  const generated = await generate({ contentDir: path.join(workspaceRoot, 'episodes'), templatesDir, cwd: workspaceRoot, now: new Date('2026-01-01T00:00:00Z') });
  const report = await checkGenerated(generated, { cwd: workspaceRoot, contentDir: 'episodes', templatesDir, guard: { skip: true } });
  return report.findings.filter((item) => item.code.startsWith('email/'));
}

describe('email lint through the real pipeline', () => {
  it("flags the digest template castwright shipped before: no color-scheme declaration; the fixed one passes", async () => {
    const ws = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const before = await templatesWith({ 'email/digest.mjml.hbs': await readFile(path.join(EMAIL, 'today.mjml.hbs'), 'utf8') });
    const found = await emailFindings(ws, before);
    expect(found.map((item) => [item.file.replace(/^.*templates\//, 'templates/'), item.line, item.code])).toEqual([['templates/email/digest.mjml.hbs', 2, 'email/color-scheme']]);
    expect(await emailFindings(ws)).toEqual([]);
  });

  it('no longer gets MJML\'s Google Fonts import for a font named in font-family, and flags one a template asks for', async () => {
    const ws = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const generated = await generate({ contentDir: path.join(ws, 'episodes'), cwd: ws, now: new Date('2026-01-01T00:00:00Z') });
    const html = generated.files.get('email/valid.html')!;
    expect(html).toContain("font-family:-apple-system, 'Segoe UI', Roboto");
    expect(html).not.toMatch(/fonts\.googleapis|@import/);
    const source = (await readFile(path.join(PROJECT, 'templates', 'email', 'digest.mjml.hbs'), 'utf8')).replace(
      '<mj-attributes>',
      '<mj-font name="Lato" href="https://fonts.googleapis.com/css?family=Lato" />\n    <mj-attributes>',
    ).replace("font-family=\"-apple-system,", 'font-family="Lato, -apple-system,');
    const found = await emailFindings(ws, await templatesWith({ 'email/digest.mjml.hbs': source }));
    expect(found.map((item) => [item.line, item.code, item.severity])).toEqual([[9, 'email/remote-font', 'error']]);
    expect(found[0]!.message).toMatch(/^the digest loads "https:\/\/fonts\.googleapis\.com\/css\?family=Lato": every reader who opens it tells fonts\.googleapis\.com/);
  });

  it('points a plain-http story link at its line in the episode', async () => {
    const text = (await fixture('episodes/valid.md')).replace('https://news.example.com/first', 'http://news.example.com/first');
    const ws = await workspace({ 'insecure.md': text });
    expect(await emailFindings(ws)).toEqual([
      {
        file: 'episodes/insecure.md',
        line: 15,
        severity: 'warning',
        code: 'email/link-not-https',
        message:
          'the link "http://news.example.com/first?utm_source=fixture-weekly&utm_medium=email&utm_campaign=insecure" is not https: mail apps warn about it and readers\' connections can be read or changed; link to its https address',
      },
    ]);
  });

  it('measures a long digest as the sender sends it: near the clip, then clipped', async () => {
    const story = (n: number) => `- [Story number ${n} about the markets this week](https://news.example.com/2021/03/01/story-${n}) — ${'A summary that runs on. '.repeat(12)}`;
    const withStories = async (count: number) => {
      const body = (await fixture('episodes/valid.md')).replace(/## On the podcast this morning[\s\S]*?\n\n/, `## On the podcast this morning\n\n${Array.from({ length: count }, (_, i) => story(i)).join('\n')}\n\n`);
      return emailFindings(await workspace({ 'long.md': body }));
    };
    const near = await withStories(78);
    expect(near.map((item) => [item.file, item.line, item.code])).toEqual([['episodes/long.md', 11, 'email/size-near-clip']]);
    expect(near[0]!.message).toMatch(/^the HTML part is 9\d\.\d KB as sent \(quoted-printable; \d+\.\d KB of HTML\), close to Gmail's clip at 102\.0 KB/);
    const clipped = await withStories(100);
    expect(clipped.map((item) => [item.file, item.line, item.code])).toEqual([['episodes/long.md', 11, 'email/size-clipped']]);
  });
});
