// The page's timestamps in a real browser (Debian's Chromium): a click seeks the player to the
// story's time and plays, instead of opening the audio file (which the link's #t= does without
// script). The site and a generated WAV are served to the browser through request routing.
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasBrowser, launchBrowser } from '../helpers/browser.ts';
import { wavFile } from '../helpers/audio.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { generateWorkspace } from '../helpers/generate.ts';
import type { OutputFiles } from '../../src/render/publication.ts';

describe.skipIf(!hasBrowser)('timestamps that seek the player', () => {
  let browser: BrowserContext;
  let files: OutputFiles;

  beforeAll(async () => {
    const episode = (await fixture('episodes/valid.md'))
      .replace('https://cdn.fixture.example.com/7.mp3', 'https://cdn.fixture.example.com/7.wav')
      .replace('- [First story]', '- 0:05 [First story]')
      .replace('- [Second story]', '- 0:08 [Second story]');
    files = (await generateWorkspace(await workspace({ 'ep.md': episode }))).files;
    browser = await launchBrowser();
    const audio = wavFile(10);
    await browser.route('https://cdn.fixture.example.com/**', (route) => route.fulfill({ status: 200, contentType: 'audio/wav', body: audio }));
    await browser.route('https://fixture.example.com/**', (route) => {
      const key = new URL(route.request().url()).pathname.slice(1).replace(/(^|\/)$/, '$1index.html');
      const body = files.get(key) as string | undefined;
      const type = key.endsWith('.js') ? 'text/javascript' : key.endsWith('.css') ? 'text/css' : 'text/html';
      return body === undefined ? route.fulfill({ status: 404, body: 'not found' }) : route.fulfill({ status: 200, contentType: type, body });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await cleanUp();
  });

  it('seeks the player to the story’s time on a click, and stays on the page', async () => {
    const page = await browser.newPage();
    await page.goto('https://fixture.example.com/episodes/ep/');
    const seekLinks = page.locator('.stories a.seek');
    expect(await seekLinks.allTextContents()).toEqual(['00:05', '00:08']);
    const at = (low: number, high: number) =>
      page.waitForFunction(([from, to]) => {
        const time = (document.querySelector('audio') as HTMLAudioElement).currentTime;
        return time >= from! && time < to!;
      }, [low, high], { timeout: 30_000 });
    await seekLinks.nth(1).click();
    await at(8, 10.5);
    // Back to an earlier time: playing on could never get there, only the seek.
    await seekLinks.nth(0).click();
    await at(5, 7.9);
    expect(page.url()).toBe('https://fixture.example.com/episodes/ep/');
    await page.close();
  });
});
