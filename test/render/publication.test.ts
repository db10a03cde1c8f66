import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/cache/fingerprint.ts';
import { memoryCache, type BuildCache } from '../../src/cache/store.ts';
import { isSourceFile, textOf } from '../../src/model/source-file.ts';
import type { Episode } from '../../src/model/types.ts';
import { generate, generateForWriting, type Generated } from '../../src/pipeline.ts';
import type { FileSink } from '../../src/render/publication.ts';
import { withUtm } from '../../src/render/utm.ts';
import { AsidePieces } from '../../src/model/pieces.ts';
import { cleanUp, fixture, PROJECT, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { asTexts, file, generateSample, generateWorkspace } from '../helpers/generate.ts';

const SLUG = '2020-09-14-disrupt-tiktok';

describe('the stories of the seed episode', () => {
  let generated: Generated;
  let episode: Episode;

  beforeAll(async () => {
    generated = await generateSample();
    episode = generated.publication.episodes.find((e) => e.slug === SLUG)!;
  });

  it('are the eleven stories the episode covered', () => {
    expect(episode.stories).toHaveLength(11);
  });

  it('reach the show notes page, each with its link, title and source', () => {
    const links = [...dom(file(generated, `episodes/${SLUG}/index.html`)).querySelectorAll('.stories li')].map((li) => ({
      url: li.querySelector('a')?.getAttribute('href'),
      title: li.querySelector('a')?.textContent,
      source: li.querySelector('.source')?.textContent,
    }));
    expect(links).toEqual(episode.stories.map(({ url, title, source }) => ({ url, title, source })));
  });

  it('reach the feed item, each with its link and title', () => {
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'item' });
    const items = parser.parse(file(generated, 'feed.xml')).rss.channel.item as Array<Record<string, string>>;
    const item = items.find((i) => i.link === episode.url)!;
    const content = dom(item['content:encoded']!);
    const links = [...content.querySelectorAll('li a')].map((a) => [a.getAttribute('href'), a.textContent]);
    expect(links).toEqual(episode.stories.map((s) => [s.url, s.title]));
  });

  it('reach both parts of the email, each with its campaign-tagged link', () => {
    const campaign = { source: 'equity', medium: 'email', campaign: SLUG };
    const html = dom(file(generated, `email/${SLUG}.html`));
    const links = [...html.querySelectorAll('a.story-title')].map((a) => [a.getAttribute('href'), a.textContent]);
    expect(links).toEqual(episode.stories.map((s) => [withUtm(s.url, campaign), s.title]));
    const text = file(generated, `email/${SLUG}.txt`);
    for (const [index, story] of episode.stories.entries()) {
      expect(text).toContain(`${index + 1}. ${story.title} (${story.source})\n${' '.repeat(`${index + 1}. `.length)}${withUtm(story.url, campaign)}\n`);
    }
  });
});

describe('links written oddly in the source (issue 8, case 4)', () => {
  afterEach(cleanUp);

  it('reach page, feed and email in one normalised form', async () => {
    const valid = (await fixture('episodes/valid.md'))
      .replace('(https://news.example.com/first)', '(HTTPS://News.Example.COM/a/../first)')
      .replace('Welcome to the show.', 'Welcome to the show, see [our site](http://Fixture.Example.com/./about).');
    const generated = await generateWorkspace(await workspace({ 'valid.md': valid }));
    const page = file(generated, 'episodes/valid/index.html');
    const feed = file(generated, 'feed.xml');
    const email = file(generated, 'email/valid.html');
    for (const [name, output] of [['page', page], ['feed', feed], ['email', email]] as const) {
      expect(output, name).toContain('https://news.example.com/first');
      expect(output, name).toContain('http://fixture.example.com/about');
      expect(output, name).not.toMatch(/News\.Example|\/a\/\.\.\/|\/\.\/about/);
    }
  });
});

describe('renderings for writing, with a cache (issue 9)', () => {
  it('keep no texts, even in a cache that can hold them; a kept file loads its episode rendered again', async () => {
    const options = { contentDir: path.join(PROJECT, 'episodes'), cwd: PROJECT, drafts: true, now: new Date('2026-01-01T00:00:00Z') };
    const cache = memoryCache();
    const texts = cache.texts!;
    let set = 0;
    const counted: BuildCache = { ...cache, texts: { get: (hash) => texts.get(hash), set: (hash, text) => (set++, texts.set(hash, text)) } };
    const write = async () => {
      const files = new Map<string, unknown>();
      const known: string[] = [];
      const sink: FileSink = {
        add: (file, content) => {
          if (content instanceof AsidePieces) throw new Error('nothing is set aside in a sink that offers no aside file');
          files.set(file, typeof content === 'string' || isSourceFile(content) ? content : textOf(content));
        },
        addKnown: (file, kept) => {
          known.push(file);
          const text = kept.load();
          expect(contentHash(text), file).toBe(kept.hash);
          files.set(file, text);
        },
      };
      await generateForWriting({ ...options, cache: counted }, sink);
      counted.save();
      return { files, known };
    };
    const cold = asTexts((await generate(options)).files);
    const first = await write();
    expect(first.known).toEqual([]);
    expect(first.files).toEqual(cold);
    const second = await write();
    expect(second.known.length).toBeGreaterThan(10);
    expect(second.known).toContain(`episodes/${SLUG}/index.html`);
    expect(second.files).toEqual(cold);
    expect(set).toBe(0);
  }, 60_000);
});
