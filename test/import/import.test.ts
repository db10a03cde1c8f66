// castwright import, case by case (the numbers are those of the list in the README's
// "castwright import" section): what is written where, what is reported, what stops the import.
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { podcastGuid } from '../../src/model/schema.ts';
import { splitFrontMatter } from '../../src/load/front-matter.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanUp, FIXTURES, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { castwright, partytimeFacts } from './helpers.ts';

afterEach(cleanUp);

const COMPLETE = path.join(FIXTURES, 'import', 'complete.xml');
const SITE = 'https://every.example.com/';

type Fields = Record<string, any>;

async function frontMatter(file: string): Promise<{ fields: Fields; body: string }> {
  const text = await readFile(file, 'utf8');
  const split = splitFrontMatter(text, file);
  if (Array.isArray(split)) throw new Error(split.map((p) => p.message).join('; '));
  return { fields: split.frontMatter.data as Fields, body: split.body };
}

/** A feed around the given items, with the channel fields castwright needs. */
function feed(items: string, channel = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
<title>Test Show</title>
<description>A show for tests.</description>
<language>en</language>
<itunes:author>Tess</itunes:author>
<itunes:owner><itunes:name>Tess</itunes:name><itunes:email>tess@example.com</itunes:email></itunes:owner>
<itunes:image href="https://example.com/art.jpg"/>
<itunes:category text="Technology"/>
<itunes:explicit>false</itunes:explicit>
<podcast:guid>c2b5fb8c-0a5e-5d1b-8cbb-7d3b7c0a9a11</podcast:guid>
${channel}
${items}
</channel>
</rss>
`;
}

function item(n: number, extra = ''): string {
  return `<item>
<title>Episode ${n}</title>
<guid isPermaLink="false">guid-${n}</guid>
<pubDate>Mon, 0${n} Jan 2024 10:00:00 GMT</pubDate>
<enclosure url="https://cdn.example.com/${n}.mp3" length="${n}000" type="audio/mpeg"/>
<itunes:duration>${n}:00</itunes:duration>
${extra}
</item>`;
}

async function feedFile(root: string, xml: string, name = 'feed.xml'): Promise<string> {
  await writeFile(path.join(root, name), xml);
  return name;
}

describe('castwright import of a feed that uses every field', () => {
  it('(2) writes show.yml from the channel: retired Apple categories renamed, podcast:guid from the self link, funding, extra', async () => {
    const root = await tempDir();
    const result = await castwright(['import', COMPLETE, '--url', SITE], root);
    expect(result.code).toBe(0);
    const show = parse(await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8'));
    expect(show).toEqual({
      title: 'Every Field Weekly',
      description: 'A show that uses every field & then some.',
      url: SITE,
      language: 'en-gb',
      author: 'Every Field Media',
      owner: { name: 'Olive Owner', email: 'olive@example.com' },
      image: 'https://old.example.com/art.jpg',
      categories: ['Leisure > Video Games', 'Technology', 'Comedy'],
      explicit: false,
      type: 'serial',
      copyright: '© 2024 Every Field',
      guid: podcastGuid('https://old.example.com/feed.rss'),
      locked: false,
      funding: { url: 'https://old.example.com/support', text: 'Support the show' },
      extra: { link: 'https://old.example.com/', 'itunes:keywords': 'every, field' },
    });
    expect(result.stderr).toContain('complete.xml:13: warning: itunes:category "Games & Hobbies > Video Games" is Apple\'s retired name; written as "Leisure > Video Games"');
    expect(result.stderr).toContain('complete.xml:16: warning: itunes:category "Basket Weaving" is not an Apple category');
    expect(result.stderr).toMatch(/Kept in extra \(castwright has no field for them yet; not rendered\): itunes:keywords \(the show and 1 episode\)/);
  });

  it('(3) maps each item to front matter: permalink guid, date with its offset, numbers, type, explicit, audio, image, people, transcripts, chapters', async () => {
    const root = await tempDir();
    expect((await castwright(['import', COMPLETE, '--url', SITE], root)).code).toBe(0);
    const files = (await readdir(path.join(root, 'episodes'))).sort();
    // (7) Named YYYY-MM-DD-<slug>.md, the title's path turned into words: nothing outside the folder.
    expect(files).toEqual(['2024-03-03-first-episode.md', '2024-03-04-second-episode.md', '2024-03-05-etc-passwd-a-path-in-a-title.md', 'show.yml']);
    const third = await frontMatter(path.join(root, 'episodes', '2024-03-05-etc-passwd-a-path-in-a-title.md'));
    expect(third.fields).toEqual({
      title: '../../etc/passwd: a path in a title',
      date: '2024-03-05T14:30:00-08:00',
      guid: { value: 'https://old.example.com/episodes/3', isPermaLink: true },
      episode: 3,
      season: 1,
      type: 'bonus',
      explicit: true,
      summary: 'A short summary of the third episode.',
      audio: { url: 'https://cdn.example.com/every/3.mp3', length: 3000, type: 'audio/mpeg', duration: '1:02:04' },
      image: 'https://old.example.com/3.jpg',
      hosts: [{ name: 'Gina Guest', role: 'guest', img: 'https://guest.example.com/me.jpg', href: 'https://guest.example.com/' }, 'Hana Host'],
      transcript: [
        { url: 'https://old.example.com/3.vtt', type: 'text/vtt' },
        { url: 'https://old.example.com/3.json', type: 'application/json', language: 'en', rel: 'captions' },
      ],
      chapters: 'https://old.example.com/3.chapters.json',
      extra: { link: 'https://old.example.com/episodes/3', 'itunes:keywords': 'third' },
    });
    const second = await frontMatter(path.join(root, 'episodes', '2024-03-04-second-episode.md'));
    // A guid without isPermaLink that is no URL stays a plain text; an author other than the show's is a host.
    expect(second.fields).toMatchObject({ guid: 'second-episode-guid', date: '2024-03-04T08:00:00+01:00', hosts: ['Sam Solo'], audio: { duration: '1:15:12' } });
    const first = await frontMatter(path.join(root, 'episodes', '2024-03-03-first-episode.md'));
    expect(first.fields).toMatchObject({ guid: '1', date: '2024-03-03T09:15:00Z' });
    expect(first.fields.hosts).toBeUndefined();
  });

  it('(4) turns notes into Markdown: links and lists kept, relative links resolved, scripts and javascript: links removed and reported', async () => {
    const root = await tempDir();
    const result = await castwright(['import', COMPLETE, '--url', SITE], root);
    const { body } = await frontMatter(path.join(root, 'episodes', '2024-03-05-etc-passwd-a-path-in-a-title.md'));
    expect(body).toContain('The _third_ episode, with a trap and [a relative link](https://old.example.com/notes/3).');
    expect(body).not.toMatch(/javascript:|<script|alert\(2\)|data:image/);
    // A paragraph "---" stays text, never a rule or the end of the front matter.
    expect(body).toContain('\\---');
    expect(result.stderr).toContain(
      'complete.xml:41: warning: item "../../etc/passwd: a path in a title": removed from the notes: link "javascript:alert(1)", <script>, image "data:image/png;base64,AAAA"',
    );
    const plain = await frontMatter(path.join(root, 'episodes', '2024-03-03-first-episode.md'));
    expect(plain.body).toBe('Plain text notes.  \nSecond line with [https://example.com/page](https://example.com/page).\n\nA second paragraph.\n');
  });

  it('(5) makes a list of links the stories, under the stories heading: the digest and story index get them', async () => {
    const root = await tempDir();
    expect((await castwright(['import', COMPLETE, '--url', SITE], root)).code).toBe(0);
    const third = await frontMatter(path.join(root, 'episodes', '2024-03-05-etc-passwd-a-path-in-a-title.md'));
    expect(third.body).toContain('## Stories\n\n- [First story](https://news.example.com/a) — what happened first\n- [Second story](https://news.example.com/b): and then this\n');
    // A list of links without a heading gets one.
    const second = await frontMatter(path.join(root, 'episodes', '2024-03-04-second-episode.md'));
    expect(second.body).toBe('Notes of the second episode, with links:\n\n## Stories\n\n- [A story](https://news.example.com/c)\n- [Another](https://news.example.com/d) - with a summary\n');
    const built = await castwright(['build'], root);
    expect(built.code).toBe(0);
    const page = await readFile(path.join(root, 'dist', 'episodes', '2024-03-05-etc-passwd-a-path-in-a-title', 'index.html'), 'utf8');
    expect(page).toMatch(/<section class="stories"[\s\S]*First story[\s\S]*Second story/);
  });

  it('(6) leaves out an item without audio with a warning, and builds the rest as they were published', async () => {
    const root = await tempDir();
    const result = await castwright(['import', COMPLETE, '--url', SITE], root);
    expect(result.stderr).toContain('complete.xml:74: warning: item "A blog post, not an episode": no enclosure (no audio file), so not an episode; left out');
    expect((await castwright(['build'], root)).code).toBe(0);
    const xml = await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8');
    expect(xml).toContain('<guid isPermaLink="true">https://old.example.com/episodes/3</guid>');
    expect(xml).toContain('<podcast:person role="guest" img="https://guest.example.com/me.jpg" href="https://guest.example.com/">Gina Guest</podcast:person>');
    expect(xml).toContain('<podcast:transcript url="https://old.example.com/3.json" type="application/json" language="en" rel="captions"/>');
    expect(xml).toContain('<podcast:chapters url="https://old.example.com/3.chapters.json" type="application/json+chapters"/>');
    expect(xml).toContain('<podcast:funding url="https://old.example.com/support">Support the show</podcast:funding>');
    const facts = partytimeFacts(xml);
    expect(facts.podcastGuid).toBe(podcastGuid('https://old.example.com/feed.rss'));
    expect(facts.items.map((i) => i.guid)).toEqual(['https://old.example.com/episodes/3', 'second-episode-guid', '1']);
  });
});

describe('castwright import of control characters', () => {
  it('writes files the build takes: Windows-1252 punctuation left as C1 characters becomes itself, other control characters go, with a warning', async () => {
    const root = await tempDir();
    const notes = '<description><![CDATA[<p>It\u0092s here \u0093today\u0094\u0081.</p>]]></description>';
    await writeFile(path.join(root, 'feed.xml'), feed(item(1, notes).replace('Episode 1', 'Episode 1 \u0096 it\u0092s out')));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/feed\.xml:\d+: warning: item "Episode 1 \\u0096 it\\u0092s out": 6 control characters left out \(those standing for Windows-1252 punctuation written as it\), as the build refuses them/);
    const [written] = (await readdir(path.join(root, 'episodes'))).filter((name) => name.endsWith('.md'));
    const { fields, body } = await frontMatter(path.join(root, 'episodes', written!));
    expect(fields.title).toBe('Episode 1 – it’s out');
    expect(body).toContain('It’s here “today”.');
    expect((await castwright(['build'], root)).code).toBe(0);
  });
});

describe('castwright import of enclosure types', () => {
  it('(3) takes a type or file extension named like a JavaScript property for an unknown one', async () => {
    const root = await tempDir();
    const odd = item(1).replace('type="audio/mpeg"', 'type="constructor"') + item(2).replace('2.mp3', '2.constructor');
    await feedFile(root, feed(odd));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.stderr).not.toContain('function');
    expect(result.stderr).toContain('item "Episode 1": enclosure type "constructor" is not one Apple accepts; written as "audio/mpeg" from the file name');
    expect(result.code).toBe(0);
  });
});

describe('castwright import into a folder that already holds the show', () => {
  it('(8) adds only items whose guid is new and never touches a file the host changed; --dry-run writes nothing', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1) + item(2)));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    const episodeFile = path.join(root, 'episodes', '2024-01-01-episode-1.md');
    const edited = (await readFile(episodeFile, 'utf8')).replace('title: Episode 1', 'title: Episode 1, edited by the host');
    await writeFile(episodeFile, edited);
    const before = await snapshot(path.join(root, 'episodes'));

    await feedFile(root, feed(item(3) + item(1) + item(2)));
    const dry = await castwright(['import', 'feed.xml', '--url', SITE, '--dry-run'], root);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  would write episodes/2024-01-03-episode-3.md\n');
    expect(dry.stdout).toMatch(/○ Would write 1 episode into episodes\/ in \d+\.\d\d s \(2 episodes already present\); nothing was written \(--dry-run\)/);
    expect(await snapshot(path.join(root, 'episodes'))).toEqual(before);

    const again = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/✓ Wrote 1 episode into episodes\/ in \d+\.\d\d s \(2 episodes already present\)/);
    const after = await snapshot(path.join(root, 'episodes'));
    expect(Object.keys(after).sort()).toEqual([...Object.keys(before), '2024-01-03-episode-3.md'].sort());
    for (const [name, hash] of Object.entries(before)) expect(after[name]).toBe(hash);
    expect(await readFile(episodeFile, 'utf8')).toBe(edited);
  });

  it('(8) stops, writing nothing, when a file in the folder cannot be read: its episode would be imported twice', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1) + item(2)));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    const broken = path.join(root, 'episodes', '2024-01-01-episode-1.md');
    await writeFile(broken, (await readFile(broken, 'utf8')).replace('title: Episode 1', 'title: "Episode 1'));
    await writeFile(path.join(root, 'episodes', 'notes.md'), 'A file without front matter.\n');
    const before = await snapshot(path.join(root, 'episodes'));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/episodes\/2024-01-01-episode-1\.md:2: invalid YAML: .*; import cannot tell which episode this file holds: fix it, then import again/);
    expect(result.stderr).toContain('episodes/notes.md:1: no front matter; expected the episode fields between two --- lines at the top; import cannot tell which episode this file holds: fix it, then import again');
    expect(await snapshot(path.join(root, 'episodes'))).toEqual(before);

    const show = path.join(root, 'episodes', 'show.yml');
    await writeFile(show, 'title: [Test Show\n');
    const unreadableShow = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(unreadableShow.code).toBe(1);
    expect(unreadableShow.stderr).toMatch(/episodes\/show\.yml:1: invalid YAML: .*; import cannot tell which show this folder holds: fix it, then import again/);
  });

  it('(9) refuses a folder that holds another show, writing nothing', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'episodes'));
    await writeFile(path.join(root, 'episodes', 'show.yml'), 'title: Another Show\nurl: https://another.example.com/\n');
    await feedFile(root, feed(item(1)));
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/episodes\/show.yml:1: this folder holds the show "Another Show" \(podcast:guid [0-9a-f-]{36}\), not "Test Show" \(c2b5fb8c-0a5e-5d1b-8cbb-7d3b7c0a9a11\) of feed.xml; expected an empty --content folder or the same show/);
    expect(await readdir(path.join(root, 'episodes'))).toEqual(['show.yml']);
  });

  it('(9) refuses a folder whose show.yml pins another podcast:guid, even under the same title', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'episodes'));
    await writeFile(path.join(root, 'episodes', 'show.yml'), 'title: Test Show\nguid: 11111111-1111-5111-8111-111111111111\n');
    await feedFile(root, feed(item(1)));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/show.yml:1: this folder holds the show "Test Show" (podcast:guid 11111111-1111-5111-8111-111111111111), not "Test Show" (c2b5fb8c-0a5e-5d1b-8cbb-7d3b7c0a9a11) of feed.xml');
    expect(await readdir(path.join(root, 'episodes'))).toEqual(['show.yml']);
  });

  it('(10) --since imports only what was published from that date on', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1) + item(2) + item(3)));
    const result = await castwright(['import', 'feed.xml', '--since', '2024-01-02', '--url', SITE], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(1 episode before --since)');
    expect((await readdir(path.join(root, 'episodes'))).sort()).toEqual(['2024-01-02-episode-2.md', '2024-01-03-episode-3.md', 'show.yml']);
  });
});

describe('castwright import of what castwright cannot take as it is', () => {
  it('(11) stops on duplicate guids and duplicate audio files, naming both lines, with nothing written', async () => {
    const root = await tempDir();
    const twin = item(2).replace('guid-2', 'guid-1');
    const sameAudio = item(3).replace('3.mp3', '1.mp3');
    await feedFile(root, feed(item(1) + twin + sameAudio));
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('feed.xml:23: item "Episode 2": guid "guid-1" is also used by the item at line 16 ("Episode 1"); apps would take them for one episode. Fix the feed (or a copy of it) and import again');
    expect(result.stderr).toContain('feed.xml:32: item "Episode 3": enclosure url "https://cdn.example.com/1.mp3" is also used by the item at line 18 ("Episode 1")');
    expect(result.stderr).toMatch(/castwright import: 2 problems; nothing was written\.\n$/);
    expect(existsSync(path.join(root, 'episodes'))).toBe(false);
  });

  it('(11) stops on audio URLs that differ only in how they are written, as the build would', async () => {
    const root = await tempDir();
    const spelled = item(2).replace('https://cdn.example.com/2.mp3', 'https://CDN.example.com/a b.mp3');
    const encoded = item(3).replace('https://cdn.example.com/3.mp3', 'https://cdn.example.com/a%20b.mp3');
    await feedFile(root, feed(item(1) + spelled + encoded));
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('feed.xml:32: item "Episode 3": enclosure url "https://cdn.example.com/a%20b.mp3" is also used by the item at line 25 ("Episode 2")');
    expect(existsSync(path.join(root, 'episodes'))).toBe(false);
  });

  it('(12) takes the audio URL as the guid of an item without one, as apps already do, and says so', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1).replace('<guid isPermaLink="false">guid-1</guid>', '')));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('feed.xml:14: warning: item "Episode 1": no guid; its enclosure URL becomes the guid, as podcast apps already identify it');
    const { fields } = await frontMatter(path.join(root, 'episodes', '2024-01-01-episode-1.md'));
    expect(fields.guid).toBe('https://cdn.example.com/1.mp3');
  });

  it('(13) stops on a date it cannot read, at its line', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1).replace('Mon, 01 Jan 2024 10:00:00 GMT', 'the first of January') + item(2).replace('<pubDate>Mon, 02 Jan 2024 10:00:00 GMT</pubDate>', '')));
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('feed.xml:17: item "Episode 1": pubDate "the first of January": not an RFC 822 date such as "Mon, 14 Sep 2020 14:00:00 GMT"');
    expect(result.stderr).toContain('feed.xml:21: item "Episode 2": no pubDate; expected the date the episode was published');
  });

  it('(14) refuses a locked feed unless --force, naming its owner', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1), '<podcast:locked owner="tess@example.com">yes</podcast:locked>'));
    const refused = await castwright(['import', 'feed.xml'], root);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'feed.xml:13: the feed is locked (podcast:locked yes, owner tess@example.com): its owner asks other platforms not to import it. If you are the owner (tess@example.com), run again with --force',
    );
    expect(existsSync(path.join(root, 'episodes'))).toBe(false);
    expect((await castwright(['import', 'feed.xml', '--force', '--url', SITE], root)).code).toBe(0);
  });

  it('(15) shortens a title over the build\'s 255 characters at a word, with a warning, and quotes at most a line of an enormous value in a message', async () => {
    const root = await tempDir();
    const title = `A long title ${'word '.repeat(80)}end`.trim();
    const huge = `ftp://cdn.example.com/${'x'.repeat(100_000)}.mp3`;
    await feedFile(root, feed(item(1).replace('Episode 1', title) + item(2).replace('https://cdn.example.com/2.mp3', huge)));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(0);
    const [file] = (await readdir(path.join(root, 'episodes'))).filter((name) => name.startsWith('2024-01-01'));
    // The build refuses a title over 255 characters (issue 7, case 9): the import shortens it rather than refuse the episode.
    expect((await frontMatter(path.join(root, 'episodes', file!))).fields.title).toBe(`A long title ${'word '.repeat(48).trim()}…`);
    expect(result.stderr).toMatch(/feed\.xml:\d+: warning: item "A long title word[^"]*…": the title is 416 characters long; shortened to 255, the longest one-line text the build takes\n/);
    expect((await castwright(['build'], root)).code).toBe(0);
    expect(result.stderr).toMatch(/item "Episode 2": enclosure url "ftp:\/\/cdn\.example\.com\/x+…" is not an http\(s\) address; left out/);
    expect(Math.max(...result.stderr.split('\n').map((line) => line.length))).toBeLessThan(300);
  });

  it('(15) leaves what the feed lacks empty for the host to fill in, and the build refuses it until then', async () => {
    const root = await tempDir();
    const bare = feed(item(1).replace(/ length="\d+"/, ''))
      .replace(/<itunes:owner>.*<\/itunes:owner>/, '')
      .replace('<itunes:category text="Technology"/>', '<itunes:category text="Basket Weaving"/>');
    await feedFile(root, bare);
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('To fill in before "castwright build" accepts the show (4):\n  episodes/show.yml: url\n  episodes/show.yml: owner.email\n  episodes/show.yml: categories\n  episodes/2024-01-01-episode-1.md: audio.length\n');
    const show = await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8');
    expect(show).toMatch(/^url: # where dist\/ will be served, such as https:\/\/example.com\/$/m);
    const built = await castwright(['build'], root);
    expect(built.code).toBe(1);
    expect(built.stderr).toContain('episodes/show.yml:5: url: expected the address where dist/ is served, such as https://equity.example.com/, got nothing');
    expect(built.stderr).toContain('episodes/show.yml:10: owner.email: expected an email address such as podcasts@example.com, got nothing');
    expect(built.stderr).toContain('episodes/2024-01-01-episode-1.md:7: audio.length: expected the file size in bytes, a whole number above 0, got nothing');
  });

  it('(15) leaves an episode number to fill in where a serial show has none (the build requires one)', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1, '<itunes:episode>1</itunes:episode>') + item(2, '<itunes:episodeType>trailer</itunes:episodeType>'), '<itunes:type>serial</itunes:type>'));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('feed.xml:21: warning: item "Episode 2": no itunes:episode, but the show is serial and castwright numbers every episode of a serial show; the episode file gets an empty episode to fill in');
    expect(result.stdout).toContain('To fill in before "castwright build" accepts the show (1):\n  episodes/2024-01-02-episode-2.md: episode\n');
    const built = await castwright(['build'], root);
    expect(built.stderr).toContain('episodes/2024-01-02-episode-2.md:5: episode: expected the episode number, a whole number above 0, got nothing');
  });

  it('(15) keeps an episode or season number castwright cannot take in extra, with a warning, and imports the rest', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1, '<itunes:episode>99999999999999999999</itunes:episode>') + item(2, '<itunes:season>0x10</itunes:season>') + item(3, '<itunes:episode>123456</itunes:episode>')));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('item "Episode 1": itunes:episode: "99999999999999999999" is not a whole number above 0; left out (kept in extra)');
    expect(result.stderr).toContain('item "Episode 2": itunes:season: "0x10" is not a whole number above 0; left out (kept in extra)');
    // The build's own bound: a larger number is refused there, so the import leaves it out.
    expect(result.stderr).toContain('item "Episode 3": itunes:episode: "123456" is above 99,999, the largest the build takes; left out (kept in extra)');
    const { fields } = await frontMatter(path.join(root, 'episodes', '2024-01-02-episode-2.md'));
    expect(fields.season).toBeUndefined();
    expect(fields.extra).toEqual({ 'itunes:season': '0x10' });
  });

  it('(16) says what a page, an Atom feed or JSON is instead of a feed', async () => {
    const root = await tempDir();
    const cases: Array<[string, string]> = [
      ['<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="https://example.com/feed.xml"></head><body>Hi</body></html>', 'page.html:1: this is a web page, not a feed; the page names its feed: https://example.com/feed.xml'],
      ['<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', 'page.html:2: this is an Atom feed; castwright reads RSS 2.0 podcast feeds'],
      ['{"version": "https://jsonfeed.org/version/1"}', 'page.html:1: this is JSON, not a feed'],
      ['<rss version="2.0"><title>no channel</title></rss>', 'page.html:1: the feed has no <channel>'],
      ['<rss><channel><item><title>x</title></item', 'page.html:1: not well-formed XML'],
    ];
    for (const [content, message] of cases) {
      await writeFile(path.join(root, 'page.html'), content);
      const result = await castwright(['import', 'page.html'], root);
      expect(result.code, content).toBe(1);
      expect(result.stderr).toContain(message);
    }
  });

  it('(2) pins podcast:guid exactly as published, capitals included, and knows the show by it again', async () => {
    const root = await tempDir();
    const upper = 'C2B5FB8C-0A5E-5D1B-8CBB-7D3B7C0A9A11';
    await feedFile(root, feed(item(1)).replace('c2b5fb8c-0a5e-5d1b-8cbb-7d3b7c0a9a11', upper));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    expect(parse(await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).guid).toBe(upper);
    expect((await castwright(['build'], root)).code).toBe(0);
    expect(await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8')).toContain(`<podcast:guid>${upper}</podcast:guid>`);
    const again = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('podcast:guid');
  });

  it('(17) asks for --feed-url when the feed has no podcast:guid and does not name itself', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1)).replace(/<podcast:guid>.*<\/podcast:guid>/, ''));
    const result = await castwright(['import', 'feed.xml'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the feed has no podcast:guid and does not say its own address (atom:link rel="self"); expected --feed-url <the address apps subscribe to>');
    const ok = await castwright(['import', 'feed.xml', '--feed-url', 'https://feeds.example.com/test'], root);
    expect(ok.code).toBe(0);
    expect(parse(await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).guid).toBe(podcastGuid('https://feeds.example.com/test'));
  });
});

describe('the castwright import command line', () => {
  it('(18) has --help, refuses a non-http URL and a missing file with exit 2, and runs as a real process', async () => {
    const root = await tempDir();
    const help = await runCli(['import', '--help'], { cwd: root });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: castwright import <feed> \[options\]/);
    for (const option of ['--content', '--url', '--feed-url', '--since', '--dry-run', '--force', '--timeout']) expect(help.stdout).toContain(option);
    const ftp = await runCli(['import', 'ftp://example.com/feed.xml'], { cwd: root });
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain('castwright import: "ftp://example.com/feed.xml" is a ftp: address; expected a feed file or an http(s) URL');
    const js = await runCli(['import', 'javascript:alert(1)'], { cwd: root });
    expect(js.code).toBe(2);
    const missing = await runCli(['import', 'nowhere.xml'], { cwd: root });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('castwright import: nowhere.xml: no such file');
    const badSince = await runCli(['import', 'nowhere.xml', '--since', 'yesterday'], { cwd: root });
    expect(badSince.code).toBe(2);
  });

  it('(18) takes a --content that is a file for bad usage, before reading the feed', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, 'episodes'), 'not a folder');
    await feedFile(root, feed(item(1)));
    const result = await castwright(['import', 'feed.xml', '--url', SITE], root);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('castwright import: --content episodes is a file; expected the content folder (created if missing)');
  });

  it('(7) names items of one title and day -2, -3… past the names the folder already has', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1)));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    const same = (n: number) => item(1).replace('guid-1', `guid-1-${n}`).replace('1.mp3', `1-${n}.mp3`);
    await feedFile(root, feed(item(1) + same(2) + same(3) + same(4)));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    expect((await readdir(path.join(root, 'episodes'))).sort()).toEqual([
      '2024-01-01-episode-1-2.md', '2024-01-01-episode-1-3.md', '2024-01-01-episode-1-4.md', '2024-01-01-episode-1.md', 'show.yml',
    ]);
  });

  it('(7) counts an episode file written .MD, which the build reads, as a name already taken', async () => {
    const root = await tempDir();
    await feedFile(root, feed(item(1)));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    const episodes = path.join(root, 'episodes');
    await rename(path.join(episodes, '2024-01-01-episode-1.md'), path.join(episodes, '2024-01-01-episode-1.MD'));
    await feedFile(root, feed(item(1) + item(1).replace('guid-1', 'guid-1-2').replace('1.mp3', '1-2.mp3')));
    expect((await castwright(['import', 'feed.xml', '--url', SITE], root)).code).toBe(0);
    expect((await readdir(episodes)).sort()).toEqual(['2024-01-01-episode-1-2.md', '2024-01-01-episode-1.MD', 'show.yml']);
    expect((await castwright(['build'], root)).code).toBe(0);
  });
});
