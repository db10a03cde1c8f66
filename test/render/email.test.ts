import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GMAIL_CLIP_BYTES } from '../../src/render/email.ts';
import { withUtm } from '../../src/render/utm.ts';
import { PROJECT, cleanUp, fixture, workspace } from '../helpers/content.ts';
import { dom, type Page } from '../helpers/files.ts';
import { file, generateSample, generateWorkspace } from '../helpers/generate.ts';

afterEach(cleanUp);

const SLUG = '2020-09-14-disrupt-tiktok';
const TAGS = `utm_source=equity&utm_medium=email&utm_campaign=${SLUG}`;

describe('the email digest of the seed episode', () => {
  let html: string;
  let text: string;
  let page: Page;

  beforeAll(async () => {
    const sample = await generateSample();
    html = file(sample, `email/${SLUG}.html`);
    text = file(sample, `email/${SLUG}.txt`);
    page = dom(html);
  });

  it('has every story as a campaign-tagged link with its source and summary', () => {
    const stories = [...page.querySelectorAll('a.story-title')];
    expect(stories).toHaveLength(11);
    for (const link of stories) {
      const url = new URL(link.getAttribute('href')!);
      expect(url.host).toBe('techcrunch.com');
      expect(url.searchParams.get('utm_source')).toBe('equity');
      expect(url.searchParams.get('utm_medium')).toBe('email');
      expect(url.searchParams.get('utm_campaign')).toBe(SLUG);
    }
    expect(stories[3]!.textContent).toBe('Cosmose raises a $15M Series A');
    expect(html).toContain('The foot-traffic analytics company, valued at over $100M');
  });

  it('has a preheader, the show header, the title and date, and a Listen button to the show notes', () => {
    expect(page.querySelector('title')?.textContent).toBe("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M");
    expect(html).toContain('Disrupt starts today, TikTok');
    expect(page.querySelector('img')?.getAttribute('alt')).toBe('Equity');
    expect(page.querySelector('h1')?.textContent).toBe("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M");
    expect(page.querySelector('img')?.getAttribute('src')).toBe('https://equity.example.com/artwork.jpg');
    expect(page.body.textContent).toContain('Episode 312 · September 14, 2020');
    const listen = [...page.querySelectorAll('a')].find((a) => a.textContent?.includes('Listen'));
    expect(listen?.getAttribute('href')).toBe(`https://equity.example.com/episodes/${SLUG}/?${TAGS}`);
  });

  it('has the intro and outro, with their links tagged too', () => {
    expect(html).toContain(`href="https://twitter.com/equitypod?${TAGS.replaceAll('&', '&amp;')}"`);
    expect(html).toContain('See you at Disrupt in a few hours!');
  });

  it('ends with the subscribe links, the postal address and an unsubscribe placeholder', () => {
    expect(html).toContain('410 Townsend St, San Francisco, CA 94107');
    const unsubscribe = [...page.querySelectorAll('a')].find((a) => a.textContent === 'Unsubscribe');
    expect(unsubscribe?.getAttribute('href')).toBe('https://equity.example.com/unsubscribe?token={token}');
    expect([...page.querySelectorAll('a')].map((a) => a.textContent)).toEqual(expect.arrayContaining(['Apple Podcasts', 'Overcast', 'Spotify']));
  });

  it('is an accessible email: a language, alt text, presentation tables', () => {
    expect(page.documentElement.getAttribute('lang')).toBe('en-us');
    for (const img of page.querySelectorAll('img')) expect(img.hasAttribute('alt')).toBe(true);
    for (const table of page.querySelectorAll('table')) expect(table.getAttribute('role')).toBe('presentation');
  });

  it('has a text part with the same stories, links and footer', () => {
    expect(text).toMatch(/^Disrupt kicks off, TikTok's deadline stands and Cosmose raises \$15M\nEquity · September 14, 2020\n/);
    expect(text).toContain(`Listen (8:12): https://equity.example.com/episodes/${SLUG}/?${TAGS}`);
    expect(text).toContain(`4. Cosmose raises a $15M Series A (techcrunch.com)\n   https://techcrunch.com/2020/09/14/cosmose-raises-15m-series-a/?${TAGS}\n`);
    expect(text.match(/^\d+\. .* \(techcrunch\.com\)$/gm)).toHaveLength(11);
    expect(text).toContain(`View in your browser: https://equity.example.com/email/${SLUG}/`);
    expect(text).toContain('Unsubscribe with one click: https://equity.example.com/unsubscribe?token={token}');
    expect(text).toContain('410 Townsend St, San Francisco, CA 94107');
    expect(text).not.toMatch(/<[a-z]/i);
    // Intro, outro and summaries are wrapped at 72 columns, the summaries indented within them; an
    // address is never broken. (A story's title line is the template's, as written.)
    const prose = text.split('\n').filter((line) => !/^\d+\. .* \(techcrunch\.com\)$/.test(line));
    for (const line of prose) expect(line.replace(/https?:\/\/\S+/g, 'URL').length).toBeLessThanOrEqual(72);
    expect(text).toContain('1. Musk wants Tesla\'s Bioweapon Defense Mode in home HVAC (techcrunch.com)\n   https://techcrunch.com/2020/09/13/');
    expect(text).toContain(`\n   With smoke from the West Coast wildfires in the air, Musk says the\n   HEPA filtration in Tesla's cars`);
    expect(text).toContain(`can follow the show on Twitter\n[https://twitter.com/equitypod?${TAGS}]\nand myself`);
  });

  it("lines a story's address and summary up under its title, past story 9 too", () => {
    const story10 = text.slice(text.indexOf('\n10. ') + 1).split('\n\n')[0]!.split('\n');
    expect(story10[0]).toMatch(/^10\. \S/);
    expect(story10.length).toBeGreaterThan(2);
    for (const line of story10.slice(1)) expect(line).toMatch(/^ {4}\S/);
    expect(text).toMatch(/\n9\. .*\n {3}https:\/\//);
  });
});

describe('the digest as a newsletter (issue 14)', () => {
  let generated: Awaited<ReturnType<typeof generateSample>>;
  let page: Page;

  beforeAll(async () => {
    generated = await generateSample();
    page = dom(file(generated, `email/${SLUG}.html`));
  });

  it('numbers the stories, each in its own ruled block', () => {
    const blocks = [...page.querySelectorAll('td.story')];
    expect(blocks).toHaveLength(11);
    expect(blocks.map((block) => block.querySelector('.story-number')?.textContent)).toEqual(Array.from({ length: 11 }, (_, i) => String(i + 1)));
    expect(page.querySelector('style:last-of-type')?.textContent).toMatch(/\.story \{ border-top: 1px solid #[0-9a-f]{6}; \}/);
    expect(page.querySelector('h2')?.textContent).toBe('On the podcast this morning · 11 stories');
  });

  it('keeps each source label joined to its story title by non-breaking spaces', () => {
    for (const source of page.querySelectorAll('td.story .source')) {
      expect(source.textContent).toMatch(/^\u00a0·\u00a0\S+$/);
      expect(source.previousSibling?.nodeName).toBe('A');
    }
  });

  it('opens with a "view in browser" link to the web copy, and repeats it in the footer', () => {
    const links = [...page.querySelectorAll('a')].filter((a) => a.textContent === 'View in your browser');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([`https://equity.example.com/email/${SLUG}/`, `https://equity.example.com/email/${SLUG}/`]);
  });

  it('has a web copy at email/<slug>/ with the same stories and nothing of a reader: no unsubscribe link, no token', () => {
    const html = file(generated, `email/${SLUG}/index.html`);
    const copy = dom(html);
    expect(html).not.toContain('{token}');
    expect(html).not.toMatch(/unsubscribe/i);
    expect([...copy.querySelectorAll('a')].some((a) => a.textContent === 'View in your browser')).toBe(false);
    const webTagged = (href: string | null) => href!.replace('utm_medium=email', 'utm_medium=referral');
    expect([...copy.querySelectorAll('a.story-title')].map((a) => a.getAttribute('href'))).toEqual([...page.querySelectorAll('a.story-title')].map((a) => webTagged(a.getAttribute('href'))));
    const subscribe = [...copy.querySelectorAll('a')].find((a) => a.textContent === 'Subscribe');
    expect(subscribe?.getAttribute('href')).toBe('https://equity.example.com/subscribe/');
    expect(copy.body.textContent).toContain('410 Townsend St, San Francisco, CA 94107');
  });

  it('tags the web copy\'s links as a web page\'s: the show and the episode as source and campaign, but not medium=email', () => {
    const mail = [...page.querySelectorAll('a')].map((a) => a.getAttribute('href')!);
    const copy = [...dom(file(generated, `email/${SLUG}/index.html`)).querySelectorAll('a')].map((a) => a.getAttribute('href')!);
    const tagged = (links: string[]) => links.filter((href) => new URL(href).searchParams.has('utm_medium'));
    // The story links, the Listen button, and the links of the intro and outro.
    expect(tagged(copy)).toHaveLength(tagged(mail).length);
    expect(tagged(copy).length).toBeGreaterThan(11);
    for (const href of tagged(copy)) {
      const tags = new URL(href).searchParams;
      expect([tags.get('utm_source'), tags.get('utm_medium'), tags.get('utm_campaign')]).toEqual(['equity', 'referral', SLUG]);
    }
    const listen = dom(file(generated, `email/${SLUG}/index.html`)).querySelector('td.listen a');
    expect(listen?.getAttribute('href')).toBe(`https://equity.example.com/episodes/${SLUG}/?utm_source=equity&utm_medium=referral&utm_campaign=${SLUG}`);
  });

  it('loads no fonts from anywhere: no font import, no stylesheet link', () => {
    const html = file(generated, `email/${SLUG}.html`);
    expect(html).not.toMatch(/fonts\.googleapis|@import|@font-face/);
    expect(page.querySelectorAll('link')).toHaveLength(0);
  });

  it('gives the Listen button dark text on light green in dark mode, over the rule that lightens every link', () => {
    const css = page.querySelector('style:last-of-type')!.textContent!;
    const dark = css.slice(css.indexOf('prefers-color-scheme: dark'));
    expect(dark).toMatch(/\.paper \.listen td \{ background: #5fd3a7 !important; \}/);
    expect(dark).toMatch(/\.paper \.listen a \{ color: #0f0e0d !important; background: #5fd3a7 !important; \}/);
    expect(page.querySelector('td.listen a')).not.toBeNull();
  });

  it('lays out with sections and columns; mj-raw holds only Handlebars blocks and the head meta tags', async () => {
    const source = await readFile(path.join(PROJECT, 'templates', 'email', 'digest.mjml.hbs'), 'utf8');
    const raws = [...source.matchAll(/<mj-raw>([\s\S]*?)<\/mj-raw>/g)].map((match) => match[1]!.trim());
    const [head, ...body] = raws;
    expect(head).toMatch(/^<meta name="color-scheme"[^>]*>\s*<meta name="supported-color-schemes"[^>]*>$/);
    for (const raw of body) expect(raw).toMatch(/^\{\{[#/](if|unless|each)\b[^}]*\}\}$/);
  });
});

describe('campaign tags', () => {
  const campaign = { source: 'equity', medium: 'email', campaign: 'ep' };

  it('are added to a link without them, keeping its own query and fragment', () => {
    expect(withUtm('https://a.example/x?id=1#top', campaign)).toBe('https://a.example/x?id=1&utm_source=equity&utm_medium=email&utm_campaign=ep#top');
  });

  it('leave a tag the link already has', () => {
    expect(withUtm('https://a.example/?utm_source=partner', campaign)).toBe('https://a.example/?utm_source=partner&utm_medium=email&utm_campaign=ep');
  });

  it('leave mailto links alone', () => {
    expect(withUtm('mailto:a@example.com', campaign)).toBe('mailto:a@example.com');
  });
});

describe('digests of other content', () => {
  it('stay under Gmail’s clipping limit with 30 stories', async () => {
    const valid = await fixture('episodes/valid.md');
    const summary = 'A summary of a sentence or two, about as long as the ones producers write for each covered story in the list.';
    const list = Array.from({ length: 30 }, (_, i) => `- [A story title of a usual length, number ${i}](https://techcrunch.com/2020/09/14/a-story-slug-of-usual-length-${i}/) — ${summary}`).join('\n');
    const root = await workspace({ 'thirty.md': valid.replace(/- \[First[\s\S]*summary\.\n/, `${list}\n`) });
    const html = file(await generateWorkspace(root), 'email/thirty.html');
    expect(dom(html).querySelectorAll('a.story-title')).toHaveLength(30);
    expect(Buffer.byteLength(html)).toBeLessThan(GMAIL_CLIP_BYTES);
  });

  it('escape hostile text in HTML and keep it readable in the text part', async () => {
    const root = await workspace({ 'hostile.md': await fixture('hostile/script-title.md') });
    const generated = await generateWorkspace(root);
    const html = file(generated, 'email/hostile.html');
    expect(html).not.toMatch(/<script>alert|<img src=x|<iframe|<b>tags/);
    expect(dom(html).querySelector('h1')?.textContent).toBe('<script>alert(1)</script> & "Q&A"');
    expect(file(generated, 'email/hostile.txt')).toMatch(/^<script>alert\(1\)<\/script> & "Q&A"\n/);
  });

  it('use the subject and preheader set in front matter', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'valid.md': valid.replace('episode: 7', 'episode: 7\nsubject: Special subject\npreheader: Read this first') });
    const page = dom(file(await generateWorkspace(root), 'email/valid.html'));
    expect(page.querySelector('title')?.textContent).toBe('Special subject');
    expect(page.body.textContent).toContain('Read this first');
  });
});
