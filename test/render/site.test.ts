import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Generated } from '../../src/pipeline.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { dom, type Page } from '../helpers/files.ts';
import { file, generateSample, generateWorkspace } from '../helpers/generate.ts';

afterEach(cleanUp);

const SEED = 'episodes/2020-09-14-disrupt-tiktok/index.html';

describe('the show page', () => {
  let sample: Generated;
  beforeAll(async () => {
    sample = await generateSample();
  });

  it('lists the episodes newest first, each linked to its show notes', () => {
    const page = dom(file(sample, 'index.html'));
    const links = [...page.querySelectorAll('.episode-list h3 a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual([
      'episodes/2020-10-05-q3-venture-data/',
      'episodes/2020-09-28-direct-listings/',
      'episodes/2020-09-21-oracle-tiktok/',
      'episodes/2020-09-14-disrupt-tiktok/',
    ]);
  });

  it('links the feed for discovery and shows the subscribe links', () => {
    const page = dom(file(sample, 'index.html'));
    expect(page.querySelector('link[rel="alternate"][type="application/rss+xml"]')?.getAttribute('href')).toBe('feed.xml');
    const subscribe = [...page.querySelectorAll('.subscribe a')].map((a) => a.textContent);
    expect(subscribe).toEqual(['Apple Podcasts', 'Overcast', 'Spotify', 'RSS feed']);
  });
});

describe('an episode page', () => {
  let page: Page;
  beforeAll(async () => {
    page = dom(file(await generateSample(), SEED));
  });

  it('has the title, the date and a player with the audio as its source', () => {
    expect(page.querySelector('h1')?.textContent).toBe("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M");
    expect(page.querySelector('time')?.getAttribute('datetime')).toBe('2020-09-14T07:00:00-07:00');
    expect(page.querySelector('time')?.textContent).toBe('September 14, 2020');
    const audio = page.querySelector('audio');
    expect(audio?.hasAttribute('controls')).toBe(true);
    expect(audio?.getAttribute('preload')).toBe('none');
    expect(audio?.querySelector('source')?.getAttribute('src')).toBe('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3');
    expect(audio?.querySelector('source')?.getAttribute('type')).toBe('audio/mpeg');
  });

  it('lists every story as a link with its source and summary', () => {
    const items = [...page.querySelectorAll('.stories li')];
    expect(items).toHaveLength(11);
    const first = items[0]!;
    expect(first.querySelector('a')?.getAttribute('href')).toBe(
      'https://techcrunch.com/2020/09/13/musk-says-tesla-may-bring-its-bioweapon-defense-mode-air-filtration-to-home-hvac/',
    );
    expect(first.querySelector('.source')?.textContent).toBe('techcrunch.com');
    expect(first.querySelector('p')?.textContent).toMatch(/^With smoke from the West Coast wildfires/);
    expect(page.querySelector('.stories h2')?.textContent).toBe('On the podcast this morning');
  });

  it('renders the intro and outro around the stories, and names the hosts', () => {
    const notes = [...page.querySelectorAll('.notes')].map((n) => n.textContent ?? '');
    expect(notes[0]).toContain('Hello and welcome back to Equity');
    expect(notes[1]).toContain("Ok, that's all we have time for today.");
    expect(page.querySelector('.hosts')?.textContent).toBe('Hosted by Alex Wilhelm');
  });

  it('carries Open Graph tags and schema.org PodcastEpisode data', () => {
    const meta = (property: string) => page.querySelector(`meta[property="${property}"]`)?.getAttribute('content');
    expect(meta('og:title')).toBe("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M · Equity");
    expect(meta('og:url')).toBe('https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/');
    expect(meta('og:audio')).toBe('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3');
    expect(meta('og:image')).toBe('https://equity.example.com/artwork.jpg');
    const data = JSON.parse(page.querySelector('script[type="application/ld+json"]')!.textContent!);
    expect(data).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'PodcastEpisode',
      name: "Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M",
      url: 'https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/',
      datePublished: '2020-09-14T07:00:00-07:00',
      timeRequired: 'PT8M12S',
      episodeNumber: 312,
      associatedMedia: { '@type': 'MediaObject', contentUrl: 'https://cdn.example.com/equity/2020-09-14-equity-monday.mp3' },
      partOfSeries: { '@type': 'PodcastSeries', name: 'Equity', url: 'https://equity.example.com/' },
    });
  });

  it('links the stylesheet with a content version, relative to the page', () => {
    expect(page.querySelector('link[rel="stylesheet"]')?.getAttribute('href')).toMatch(/^\.\.\/\.\.\/style\.css\?v=[0-9a-f]{10}$/);
  });
});

describe('pages of other content', () => {
  it('escape hostile titles, summaries and hosts everywhere, JSON-LD included', async () => {
    const root = await workspace({ 'hostile.md': await fixture('hostile/script-title.md') });
    const generated = await generateWorkspace(root);
    for (const name of ['index.html', 'episodes/hostile/index.html']) {
      const html = file(generated, name);
      expect(html).not.toMatch(/<script>alert|<img src=x|<iframe|<b>Mallory/);
      const page = dom(html);
      expect(page.querySelectorAll('script:not([type="application/ld+json"]):not([src][defer]), iframe, img[onerror]')).toHaveLength(0);
      expect([...page.querySelectorAll('script[src]')].map((script) => script.getAttribute('src'))).toEqual([expect.stringMatching(/^(\.\.\/)*site\.js\?v=[0-9a-f]{10}$/)]);
    }
    const page = dom(file(generated, 'episodes/hostile/index.html'));
    expect(page.querySelector('h1')?.textContent).toBe('<script>alert(1)</script> & "Q&A"');
    const jsonLd = page.querySelector('script[type="application/ld+json"]')!.textContent!;
    expect(jsonLd).not.toContain('</script');
    expect(JSON.parse(jsonLd).name).toBe('<script>alert(1)</script> & "Q&A"');
  });

  it('mark drafts and scheduled episodes when they are included', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({
      'draft.md': valid.replace('episode: 7', 'episode: 7\ndraft: true'),
      'later.md': valid.replace('2021-03-01', '2031-03-01').replace('7.mp3', 'l.mp3'),
    });
    const generated = await generateWorkspace(root, { drafts: true });
    expect(dom(file(generated, 'episodes/draft/index.html')).querySelector('.status')?.textContent).toBe('Draft');
    expect(dom(file(generated, 'episodes/later/index.html')).querySelector('.status')?.textContent).toBe('Scheduled');
  });

  it('has a 404 page whose links start at the site root', async () => {
    const page = dom(file(await generateSample(), '404.html'));
    expect(page.querySelector('link[rel="stylesheet"]')?.getAttribute('href')).toMatch(/^\/style\.css/);
  });
});
