// Issue 14 in a real browser: the sample show built by `castwright build` and served by castwright
// serve (its CSP included), opened in Debian's Chromium. Accessibility (axe-core), overflow at
// phone to desktop widths, source labels that never sit alone on a line, the digest's web copy at
// 375 px, no request to another site, the inline player, the copy button and the sticky player.
// Screenshots of every page go to test/screenshots/design/ (git-ignored) for the next reviewer.
import { createRequire } from 'node:module';
import { appendFile, cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadContent } from '../../src/load/content.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/render/templates.ts';
import { startServe, type RunningServer } from '../../src/serve/server.ts';
import { hasBrowser, launchBrowser } from '../helpers/browser.ts';
import { PROJECT, cleanUp, tempDir } from '../helpers/content.ts';

const SCREENSHOTS = path.join(PROJECT, 'test', 'screenshots', 'design');
const SEED = '2020-09-14-disrupt-tiktok';
/** The show's own host (show.yml's url and image): the only other host a page may ask anything of. */
const SHOW_HOST = 'equity.example.com';
const AUDIO_HOST = 'cdn.example.com';
const WIDTHS = [320, 375, 768, 1280] as const;
const SCHEMES = ['light', 'dark'] as const;

const PAGES = {
  index: '',
  episode: `episodes/${SEED}/`,
  subscribe: 'subscribe/',
  digest: `email/${SEED}/`,
} as const;
type PageName = keyof typeof PAGES;

const axeSource: string = createRequire(import.meta.url)('axe-core').source;

/** A 1×1 PNG: what the show's host answers for its cover art here (the network is closed). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkaPhfDwAFhAJ/wlseKgAAAABJRU5ErkJggg==', 'base64');

/** Two seconds of silence as WAV, served for an episode's audio so the players really play. */
function silentWav(seconds = 2, rate = 8000): Buffer {
  const samples = seconds * rate;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  return Buffer.concat([header, Buffer.alloc(samples, 128)]);
}

describe.skipIf(!hasBrowser)('the site and the digest in a real browser (issue 14)', () => {
  let root: string;
  let served: RunningServer;
  let browser: BrowserContext;
  /** Requests to any host but the served site's and the show's own, by page. */
  const foreign: string[] = [];
  let allowAudio = false;

  beforeAll(async () => {
    root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    // The sample show taking sign-ups: the subscribe page then carries the form too.
    await appendFile(path.join(root, 'episodes', 'show.yml'), '  subscribe: true\n');
    const silent = { write: () => undefined };
    expect(await main(['build'], { stdout: silent, stderr: silent, env: { NO_COLOR: '1' }, cwd: root })).toBe(0);
    const { show } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    served = await startServe({ out: path.join(root, 'dist'), show, templates: await loadTemplates(DEFAULT_TEMPLATES_DIR, root), host: '127.0.0.1', port: 0, trustProxy: false, log: () => undefined });
    browser = await launchBrowser();
    const origin = new URL(served.url).origin;
    await browser.route('**/*', (route: Route) => {
      const url = new URL(route.request().url());
      if (url.origin === origin) return route.continue();
      if (url.hostname === SHOW_HOST) return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
      if (url.hostname === AUDIO_HOST && allowAudio) return route.fulfill({ status: 200, contentType: 'audio/wav', body: silentWav() });
      foreign.push(url.href);
      return route.abort();
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close(1_000);
    await cleanUp();
  });

  async function open(name: PageName, options: { width?: number; scheme?: 'light' | 'dark' } = {}): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize({ width: options.width ?? 1280, height: 900 });
    await page.emulateMedia({ colorScheme: options.scheme ?? 'light' });
    const response = await page.goto(new URL(PAGES[name], served.url).href, { waitUntil: 'load' });
    expect(response?.status(), name).toBe(200);
    return page;
  }

  it('has no serious or critical axe-core violation on the index, an episode, the subscribe page and the digest’s web copy, light and dark', async () => {
    const found: string[] = [];
    for (const name of Object.keys(PAGES) as PageName[]) {
      for (const scheme of SCHEMES) {
        const page = await open(name, { scheme });
        // Evaluated, not added as a <script>: the pages' CSP rightly refuses inline script.
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
          const result = await axe.run(document);
          return result.violations.map(({ id, impact, nodes }) => ({ id, impact, targets: nodes.slice(0, 3).map((node) => node.target.join(' ')) }));
        });
        for (const violation of violations) {
          if (violation.impact === 'serious' || violation.impact === 'critical') found.push(`${name} (${scheme}): ${violation.id} [${violation.impact}] at ${violation.targets.join(', ')}`);
        }
        await page.close();
      }
    }
    expect(found).toEqual([]);
  });

  it('never scrolls sideways at 320, 375, 768 or 1280 px', async () => {
    const overflowing: string[] = [];
    for (const name of Object.keys(PAGES) as PageName[]) {
      for (const width of WIDTHS) {
        const page = await open(name, { width });
        const extra = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (extra > 0) overflowing.push(`${name} at ${width} px: ${extra} px too wide`);
        await page.close();
      }
    }
    expect(overflowing).toEqual([]);
  });

  it('never leaves a story’s source label alone on a line, at any width (element boxes)', async () => {
    const alone: string[] = [];
    const pairs: Array<[PageName, string, string]> = [
      ['episode', '.stories li', ':scope > a'],
      ['index', '.latest-stories li', ':scope > a'],
      ['digest', 'td.story', 'a.story-title'],
    ];
    for (const [name, item, link] of pairs) {
      for (const width of WIDTHS) {
        const page = await open(name, { width });
        const lines = await page.$$eval(
          item,
          (items, selector) =>
            items.map((element) => {
              const title = element.querySelector(selector)!;
              const source = element.querySelector('.source')!;
              const last = [...title.getClientRects()].at(-1)!;
              const label = source.getClientRects()[0]!;
              // On one line when the label's box overlaps the title's last line box vertically.
              return { title: title.textContent, sameLine: label.top < last.bottom && label.bottom > last.top, count: source.getClientRects().length };
            }),
          link,
        );
        expect(lines.length, `${name} at ${width}`).toBeGreaterThan(0);
        for (const line of lines) if (!line.sameLine || line.count !== 1) alone.push(`${name} at ${width} px: "${line.title}"`);
        await page.close();
      }
    }
    expect(alone).toEqual([]);
  });

  it('fits the digest in 375 px: no element of the web copy or the email itself is wider than the viewport', async () => {
    for (const url of [PAGES.digest, `email/${SEED}.html`]) {
      const page = await browser.newPage();
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(new URL(url, served.url).href);
      const wide = await page.evaluate(() =>
        [...document.body.querySelectorAll('*')]
          .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5 || element.getBoundingClientRect().left < -0.5)
          .map((element) => `${element.tagName.toLowerCase()}.${element.className}: ${Math.round(element.getBoundingClientRect().width)} px`),
      );
      expect(wide, url).toEqual([]);
      await page.close();
    }
  });

  it('asks nothing of any host but the show’s own: no font, script, image or player from elsewhere', async () => {
    foreign.length = 0;
    for (const name of Object.keys(PAGES) as PageName[]) {
      for (const scheme of SCHEMES) {
        const page = await open(name, { scheme, width: 375 });
        await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
        await page.waitForLoadState('networkidle');
        await page.close();
      }
    }
    expect(foreign).toEqual([]);
  });

  it('plays an episode in the list in place when its Play link is clicked, one at a time, and never by itself', async () => {
    allowAudio = true;
    try {
      const page = await open('index');
      expect(await page.locator('audio').count()).toBe(0);
      const play = page.locator('a.play');
      await play.nth(3).click();
      const first = page.locator('.episode-list li').nth(3).locator('audio');
      await first.waitFor();
      await page.waitForFunction(() => {
        const audio = document.querySelector('.episode-list li:nth-child(4) audio') as HTMLAudioElement | null;
        return audio !== null && !audio.paused;
      });
      expect(await first.getAttribute('src')).toBe('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3');
      expect(await page.locator('.episode-list li').nth(3).locator('a.play').count()).toBe(0);
      await play.first().click();
      await page.waitForFunction(() => {
        const [second, first] = [...document.querySelectorAll('.episode-list audio')] as HTMLAudioElement[];
        return second !== undefined && first !== undefined && !second.paused && first.paused;
      });
      expect(await page.locator('audio').count()).toBe(2);
      await page.close();
    } finally {
      allowAudio = false;
    }
  });

  it('leaves the Play link a plain link to the audio file when script is off', async () => {
    const context = await launchBrowser({ javaScript: false });
    try {
      const asked: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(served.url)) return route.continue();
        asked.push(url);
        return route.fulfill({ status: 200, contentType: 'audio/wav', body: silentWav() });
      });
      const page = await context.newPage();
      await page.goto(served.url);
      await page.locator('a.play').nth(3).click();
      await expect.poll(() => asked).toContain('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3');
      expect(await page.locator('audio.inline-player').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('copies the feed URL with the subscribe page’s button', async () => {
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(served.url).origin });
    const page = await open('subscribe');
    const button = page.getByRole('button', { name: 'Copy' });
    await button.waitFor({ state: 'visible' });
    await button.click();
    await page.locator('#feed-status', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('https://equity.example.com/feed.xml');
    expect(await page.locator('form.signup').count()).toBe(1);
    await page.close();
  });

  it('keeps the episode’s player in reach on a phone while the notes scroll, with no layout shift', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 375, height: 700 });
    await page.addInitScript(() => {
      // Shifts of the page's own elements. Chromium's audio controls rearrange their insides (in
      // the browser's shadow DOM, reported with no node) when they learn the duration, with or
      // without this page's styles: that is the browser's, not the layout's.
      const moved: string[] = [];
      (globalThis as unknown as { moved: string[] }).moved = moved;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as unknown as Array<{ sources: Array<{ node: Node | null }> }>) {
          for (const source of entry.sources) if (source.node) moved.push((source.node as Element).outerHTML?.slice(0, 80) ?? source.node.nodeName);
        }
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await page.goto(new URL(PAGES.episode, served.url).href);
    const player = page.locator('.player');
    const before = await player.boundingBox();
    await page.locator('.stories li').nth(8).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollBy(0, 400));
    await page.waitForFunction(() => document.querySelector('.player')!.getBoundingClientRect().top === 0);
    const stuck = await player.boundingBox();
    expect(stuck!.y).toBe(0);
    expect(stuck!.height).toBe(before!.height);
    expect(await page.evaluate(() => (globalThis as unknown as { moved: string[] }).moved)).toEqual([]);
    // On a desktop the player stays where it is in the page.
    await page.setViewportSize({ width: 1280, height: 700 });
    expect(await player.evaluate((element) => getComputedStyle(element).position)).toBe('static');
    await page.close();
  });

  it('saves screenshots of every page at phone and desktop width, light and dark', async () => {
    for (const name of Object.keys(PAGES) as PageName[]) {
      for (const scheme of SCHEMES) {
        for (const width of [375, 1280]) {
          const page = await open(name, { width, scheme });
          await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}-${scheme}.png`), fullPage: true });
          await page.close();
        }
      }
    }
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(SCREENSHOTS)).filter((file) => file.endsWith('.png')).length).toBeGreaterThanOrEqual(16);
  });
});
