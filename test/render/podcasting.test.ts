// The fields an imported show brings (and any show may use): permalink guids, people with roles,
// transcripts, chapters, funding, new-feed-url, unknown durations, no email settings. Each reaches
// the feed and, where a listener sees it, the episode page.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { castwright } from '../import/helpers.ts';

afterEach(cleanUp);

const EXTRAS = `funding:
  - { url: "https://fixture.example.com/support", text: Support the show }
newFeedUrl: https://new.fixture.example.com/feed.xml
extra:
  itunes:keywords: kept, never shown
`;

async function imported(frontMatter: string, options: { show?: string } = {}) {
  const valid = await fixture('episodes/valid.md');
  const episode = valid.replace('hosts: [Ada Host]\n', frontMatter);
  const show = options.show ?? `${await fixture('show.yml')}${EXTRAS}`;
  return workspace({ 'imported.md': episode }, { show });
}

describe('Podcasting 2.0 fields in the feed and on the page', () => {
  it('writes a permalink guid as published, escaped, and a plain one with isPermaLink="false"', async () => {
    const root = await imported('guid: { value: "https://old.example.com/ep?a=1&b=<2>", isPermaLink: true }\n');
    const xml = file(await generateWorkspace(root), 'feed.xml');
    expect(xml).toContain('<guid isPermaLink="true">https://old.example.com/ep?a=1&amp;b=&lt;2&gt;</guid>');
    expect(xml).not.toContain('castwright-permalink');
    expect(parseFeed(xml)!.items[0]!.guid).toBe('https://old.example.com/ep?a=1&b=<2>');
    const plain = file(await generateWorkspace(await imported('guid: "1600-2823"\n')), 'feed.xml');
    expect(plain).toContain('<guid isPermaLink="false">1600-2823</guid>');
  });

  it('writes people with their role, group, picture and page, and lists guests apart from hosts on the page', async () => {
    const root = await imported(
      'hosts:\n  - Ada Host\n  - { name: Gus Guest, role: guest, group: cast, img: "https://img.example.com/g.jpg", href: "https://gus.example.com/" }\n',
    );
    const generated = await generateWorkspace(root);
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<podcast:person role="host">Ada Host</podcast:person>');
    expect(xml).toContain('<podcast:person role="guest" group="cast" img="https://img.example.com/g.jpg" href="https://gus.example.com/">Gus Guest</podcast:person>');
    const page = dom(file(generated, 'episodes/imported/index.html'));
    const lines = [...page.querySelectorAll('.hosts')].map((p) => p.textContent!.replace(/\s+/g, ' ').trim());
    expect(lines).toEqual(['Hosted by Ada Host', 'With Gus Guest (guest)']);
    expect(page.querySelector('.hosts a[href="https://gus.example.com/"]')?.textContent).toBe('Gus Guest');
  });

  it('writes transcripts (type from the extension or as given) and chapters, and links transcripts under the player', async () => {
    const root = await imported(
      'transcript:\n  - { url: "https://t.example.com/7.vtt", type: text/vtt, language: en, rel: captions }\n  - { url: "https://t.example.com/7.srt", type: application/srt }\nchapters: https://t.example.com/7.json\n',
    );
    const generated = await generateWorkspace(root);
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<podcast:transcript url="https://t.example.com/7.vtt" type="text/vtt" language="en" rel="captions"/>');
    expect(xml).toContain('<podcast:transcript url="https://t.example.com/7.srt" type="application/srt"/>');
    expect(xml).toContain('<podcast:chapters url="https://t.example.com/7.json" type="application/json+chapters"/>');
    const item = parseFeed(xml)!.items[0]!;
    expect(item.podcastTranscripts?.map((t) => t.url)).toEqual(['https://t.example.com/7.vtt', 'https://t.example.com/7.srt']);
    expect(item.podcastChapters?.url).toBe('https://t.example.com/7.json');
    const page = dom(file(generated, 'episodes/imported/index.html'));
    expect([...page.querySelectorAll('figcaption a[type]')].map((a) => a.getAttribute('href'))).toEqual(['https://t.example.com/7.vtt', 'https://t.example.com/7.srt']);

    const bare = await generateWorkspace(await imported('transcript: https://t.example.com/7.vtt\n'));
    expect(file(bare, 'feed.xml')).toContain('<podcast:transcript url="https://t.example.com/7.vtt" type="text/vtt"/>');
  });

  it('refuses a transcript URL whose extension does not tell its type', async () => {
    const root = await imported('transcript: https://t.example.com/7.pdf\n');
    await expect(generateWorkspace(root)).rejects.toThrow(/transcript: "\.pdf" does not tell the transcript format; expected a list such as/);
  });

  it('writes funding and itunes:new-feed-url in the channel, and the funding link on the site', async () => {
    const generated = await generateWorkspace(await imported('hosts: [Ada Host]\n'));
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<podcast:funding url="https://fixture.example.com/support">Support the show</podcast:funding>');
    expect(xml).toContain('<itunes:new-feed-url>https://new.fixture.example.com/feed.xml</itunes:new-feed-url>');
    expect(xml).not.toContain('kept, never shown');
    const feed = parseFeed(xml)!;
    expect(feed.podcastFunding?.[0]).toMatchObject({ url: 'https://fixture.example.com/support', message: 'Support the show' });
    const index = dom(file(generated, 'index.html'));
    expect(index.querySelector('a[rel="payment"]')?.getAttribute('href')).toBe('https://fixture.example.com/support');
  });

  it('leaves out itunes:duration when the length is unknown, and the page and email say nothing of it', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'unknown.md': valid.replace('  duration: "12:34"\n', '') });
    const generated = await generateWorkspace(root);
    expect(file(generated, 'feed.xml')).not.toContain('itunes:duration');
    expect(parseFeed(file(generated, 'feed.xml'))!.items[0]!.duration).toBe(0);
    const meta = dom(file(generated, 'episodes/unknown/index.html')).querySelector('.meta')!.textContent!.replace(/\s+/g, ' ').trim();
    expect(meta).toBe('March 1, 2021 · Episode 7');
    expect(file(generated, 'email/unknown.txt')).toContain('\nListen: https://fixture.example.com/episodes/unknown/');
  });
});

describe('a show without email settings', () => {
  const withoutEmail = async () => (await fixture('show.yml')).replace(/\nemail:\n(?: {2}.*\n)+/, '\n');

  it('builds without digests and says so once', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') }, { show: await withoutEmail() });
    const result = await castwright(['build'], root);
    expect(result.code).toBe(0);
    expect(result.stdout.match(/No email digests/g)).toHaveLength(1);
    expect(result.stdout).toContain('No email digests: episodes/show.yml has no email settings (add email: { from, address, unsubscribe } to render them).');
    expect(existsSync(path.join(root, 'dist', 'email'))).toBe(false);
    expect(await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8')).toContain('<title><![CDATA[A valid episode]]></title>');
  });

  it('refuses to send, saying what to add', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') }, { show: await withoutEmail() });
    const result = await castwright(['send', 'valid', '--test', 'me@example.com'], root, { CASTWRIGHT_SECRET: 'a-secret-of-at-least-16-characters', SMTP_URL: undefined });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('episodes/show.yml has no email settings; add email: { from, address, unsubscribe } to it');
  });
});
