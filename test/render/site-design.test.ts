// Issue 14: the site as a podcast's home. The index (numbers, artwork, inline play, paging, latest
// stories), the subscribe page, the episode page's story labels and share links. How these look
// and behave in a browser is in test/render/design-browser.test.ts.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Generated } from '../../src/pipeline.ts';
import { PAGE_SIZE, archivePages } from '../../src/render/archive.ts';
import { markOf } from '../../src/render/platforms.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateSample, generateWorkspace } from '../helpers/generate.ts';

afterEach(cleanUp);

const SEED = 'episodes/2020-09-14-disrupt-tiktok/index.html';

/** `count` episodes of the valid fixture, a day apart, numbered 1…count. */
async function showWith(count: number, show?: string): Promise<string> {
  const valid = await fixture('episodes/valid.md');
  const files: Record<string, string> = {};
  for (let n = 1; n <= count; n++) {
    const day = new Date(Date.UTC(2021, 0, n)).toISOString().slice(0, 10);
    files[`${day}-ep-${n}.md`] = valid
      .replace('title: A valid episode', `title: Episode title ${n}`)
      .replace('date: 2021-03-01T07:00:00-08:00', `date: ${day}T07:00:00-08:00`)
      .replace('episode: 7', `episode: ${n}`)
      .replace('https://cdn.fixture.example.com/7.mp3', `https://cdn.fixture.example.com/${n}.mp3`)
      .replace('[First story]', `[First story of ${n}]`);
  }
  return workspace(files, show === undefined ? {} : { show });
}

describe('the index (issue 14)', () => {
  let sample: Generated;
  beforeAll(async () => {
    sample = await generateSample();
  });

  it('shows each episode with its number, date, duration and artwork', () => {
    const page = dom(file(sample, 'index.html'));
    const cards = [...page.querySelectorAll('.episode-card')];
    expect(cards).toHaveLength(4);
    const seed = cards[3]!;
    expect(seed.querySelector('.meta')?.textContent).toBe('Episode 312 · September 14, 2020 · 8:12');
    expect(seed.querySelector('time')?.getAttribute('datetime')).toBe('2020-09-14T07:00:00-07:00');
    const art = seed.querySelector('img.episode-art')!;
    expect(art.getAttribute('src')).toBe('https://equity.example.com/artwork.jpg');
    // Beside the title, the art is decoration; width and height keep its room before it loads.
    expect([art.getAttribute('alt'), art.getAttribute('width'), art.getAttribute('height'), art.getAttribute('loading')]).toEqual(['', '88', '88', 'lazy']);
  });

  it('uses an episode’s own art when it has some', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'art.md': valid.replace('episode: 7', 'episode: 7\nimage: https://fixture.example.com/ep7.jpg') });
    const page = dom(file(await generateWorkspace(root), 'index.html'));
    expect(page.querySelector('img.episode-art')?.getAttribute('src')).toBe('https://fixture.example.com/ep7.jpg');
  });

  it('has a play control that is a plain link to the audio without script, and no player that could autoplay', () => {
    const page = dom(file(sample, 'index.html'));
    const play = page.querySelectorAll('a.play');
    expect(play).toHaveLength(4);
    const seed = play[3]!;
    expect(seed.getAttribute('href')).toBe('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3');
    expect(seed.hasAttribute('data-play')).toBe(true);
    expect(seed.getAttribute('aria-label')).toBe("Play: Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M");
    expect(page.querySelectorAll('audio, [autoplay]')).toHaveLength(0);
    expect(page.querySelector('script[src]')?.getAttribute('src')).toMatch(/^site\.js\?v=/);
    expect(file(sample, 'site.js')).toContain("addEventListener(\n    'play'");
  });

  it('lists the latest stories across episodes, newest first, at most four from one episode', () => {
    const page = dom(file(sample, 'index.html'));
    const items = [...page.querySelectorAll('.latest-stories li')];
    expect(items).toHaveLength(10);
    const from = items.map((item) => item.querySelector('.from a')?.textContent);
    expect(from).toEqual(['Episode 319', 'Episode 319', 'Episode 319', 'Episode 317', 'Episode 317', 'Episode 317', 'Episode 315', 'Episode 315', 'Episode 315', 'Episode 315']);
    expect(items[0]!.querySelector('a')?.getAttribute('href')).toMatch(/^https:\/\//);
    expect(items[0]!.querySelector('.from a')?.getAttribute('href')).toBe('episodes/2020-10-05-q3-venture-data/');
    expect(items[0]!.querySelector('.source')?.textContent).toBe('techcrunch.com');
  });
});

describe('paging of the archive (issue 14)', () => {
  it(`puts ${PAGE_SIZE} episodes a page at index.html, page/2/, page/3/…, linked both ways`, async () => {
    const generated = await generateWorkspace(await showWith(2 * PAGE_SIZE + 5));
    const titles = (name: string) => [...dom(file(generated, name)).querySelectorAll('.episode-list h3 a')].map((a) => a.textContent);
    expect(titles('index.html')).toHaveLength(PAGE_SIZE);
    expect(titles('index.html')[0]).toBe('Episode title 45');
    expect(titles('page/2/index.html')[0]).toBe('Episode title 25');
    expect(titles('page/3/index.html')).toEqual(['Episode title 5', 'Episode title 4', 'Episode title 3', 'Episode title 2', 'Episode title 1']);
    expect(generated.files.has('page/4/index.html')).toBe(false);
    expect(generated.files.has('page/1/index.html')).toBe(false);

    const second = dom(file(generated, 'page/2/index.html'));
    expect(second.querySelector('link[rel=prev]')?.getAttribute('href')).toBe('../../');
    expect(second.querySelector('link[rel=next]')?.getAttribute('href')).toBe('../../page/3/');
    expect(second.querySelector('link[rel=canonical]')?.getAttribute('href')).toBe('https://fixture.example.com/page/2/');
    expect(second.querySelector('.episode-list h3 a')?.getAttribute('href')).toBe('../../episodes/2021-01-25-ep-25/');
    expect(second.querySelector('h1')?.textContent).toBe('Fixture Weekly: episodes, page 2 of 3');
    expect(second.querySelector('[aria-current=page]')?.textContent).toBe('2');
    // The latest stories and the show's introduction are on the first page only.
    expect(second.querySelector('.latest-stories')).toBeNull();
    const first = dom(file(generated, 'index.html'));
    expect(first.querySelector('link[rel=next]')?.getAttribute('href')).toBe('page/2/');
    expect(first.querySelector('link[rel=prev]')).toBeNull();
    expect(first.querySelector('.pager a[rel=next]')?.textContent).toBe('Older →');
  });

  it('shows the first, the last and the pages near the current one, with gaps between', () => {
    const pages = archivePages(Array.from({ length: 400 }, (_, i) => i), 20);
    expect(pages).toHaveLength(20);
    const shown = (n: number) => pages[n - 1]!.paging.pages.map((link) => (link.gap ? '…' : String(link.number)));
    expect(shown(1)).toEqual(['1', '2', '3', '…', '20']);
    expect(shown(10)).toEqual(['1', '…', '8', '9', '10', '11', '12', '…', '20']);
    expect(shown(20)).toEqual(['1', '…', '18', '19', '20']);
    expect(pages[9]!.episodes).toEqual(Array.from({ length: 20 }, (_, i) => 180 + i));
  });

  it('has one page, without a pager, for a show with no episodes yet', () => {
    const pages = archivePages([], 20);
    expect(pages.map(({ paging }) => [paging.file, paging.pages.length])).toEqual([['index.html', 1]]);
  });
});

describe('the subscribe page (issue 14)', () => {
  it('gives the feed URL with a copy button, and each app with its mark drawn inline', async () => {
    const page = dom(file(await generateSample(), 'subscribe/index.html'));
    expect(page.querySelector('h1')?.textContent).toBe('Subscribe to Equity');
    const input = page.querySelector('input#feed-url')!;
    expect(input.getAttribute('value')).toBe('https://equity.example.com/feed.xml');
    expect(input.hasAttribute('readonly')).toBe(true);
    expect(page.querySelector('label[for=feed-url]')?.textContent).toBe('Feed address');
    const copy = page.querySelector('button[data-copy]')!;
    expect(copy.getAttribute('data-copy')).toBe('https://equity.example.com/feed.xml');
    // Shown by the script only where the clipboard works; without it the address is there to select.
    expect(copy.hasAttribute('hidden')).toBe(true);
    const apps = [...page.querySelectorAll('.platforms a')];
    expect(apps.map((a) => [a.textContent, a.querySelector('svg[aria-hidden=true]') !== null])).toEqual([
      ['Apple Podcasts', true],
      ['Overcast', true],
      ['Spotify', true],
    ]);
    // Nothing on the page is fetched from another site: marks are inline, no <img> of an app.
    expect([...page.querySelectorAll('[src]')].map((element) => element.getAttribute('src')).sort()).toEqual([expect.stringMatching(/^\.\.\/site\.js\?v=/), 'https://equity.example.com/artwork.jpg']);
    expect(page.querySelector('form')).toBeNull();
  });

  it('carries the sign-up form when the show takes sign-ups, and only once', async () => {
    const page = dom(file(await generateWorkspace(await showWith(1, `${await fixture('show.yml')}  subscribe: true\n`)), 'subscribe/index.html'));
    expect(page.querySelectorAll('form.signup')).toHaveLength(1);
    expect(page.querySelector('form.signup')?.getAttribute('action')).toBe('../subscribe');
  });

  it('knows the apps by their links, whatever the show calls them', () => {
    expect(markOf({ name: 'iTunes', url: 'https://podcasts.apple.com/us/podcast/x/id1' })).toBe('apple');
    expect(markOf({ name: 'Listen', url: 'https://open.spotify.com/show/1' })).toBe('spotify');
    expect(markOf({ name: 'Pocket Casts', url: 'https://pca.st/abc' })).toBe('pocketcasts');
    expect(markOf({ name: 'YouTube Music', url: 'https://music.youtube.com/x' })).toBe('youtube');
    expect(markOf({ name: 'Overcast', url: 'https://example.com/overcast' })).toBe('overcast');
    expect(markOf({ name: 'Podcast Republic', url: 'https://podcastrepublic.net/x' })).toBe('podcast');
  });
});

describe('the episode page (issue 14)', () => {
  it('glues each source label to the title with non-breaking spaces, no white space between', () => {
    const html = file(generateSampleSync(), SEED);
    const items = [...dom(html).querySelectorAll('.stories li')];
    expect(items).toHaveLength(11);
    for (const item of items) {
      const link = item.querySelector(':scope > a')!;
      expect(link.nextSibling?.textContent).toBe('\u00a0·\u00a0');
      expect(link.nextSibling?.nextSibling?.textContent).toBe('techcrunch.com');
    }
  });

  it('has share links without third-party scripts: copy link and email', () => {
    const page = dom(file(generateSampleSync(), SEED));
    const share = page.querySelector('.share')!;
    expect(share.querySelector('button[data-copy]')?.getAttribute('data-copy')).toBe('https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/');
    const email = share.querySelector('a[href^="mailto:"]')!.getAttribute('href')!;
    expect(email).toBe(
      `mailto:?subject=${encodeURIComponent("Disrupt kicks off, TikTok's deadline stands and Cosmose raises $15M")}&body=${encodeURIComponent('https://equity.example.com/episodes/2020-09-14-disrupt-tiktok/')}`,
    );
    expect([...page.querySelectorAll('script[src]')].map((script) => script.getAttribute('src'))).toEqual([expect.stringMatching(/^\.\.\/\.\.\/site\.js\?v=/)]);
  });
});

let sampleCache: Generated | undefined;
beforeAll(async () => {
  sampleCache = await generateSample();
});
function generateSampleSync(): Generated {
  return sampleCache!;
}
