// dev shows check's findings in a real browser: in the panel in the corner that lists the build's
// warnings too, which leaves the page usable, unlike the overlay of a failed build.
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSession, type Session } from '../../src/dev/session.ts';
import { hasBrowser, launchBrowser } from '../helpers/browser.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

const SCREENSHOTS = path.join(PROJECT, 'test', 'screenshots');
const SEED = '2020-09-21-oracle-tiktok';

describe.skipIf(!hasBrowser)("check's findings in the preview", () => {
  let root: string;
  let session: Session;
  let browser: BrowserContext;

  beforeAll(async () => {
    root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    session = await startSession({ contentDir: path.join(root, 'episodes'), host: '127.0.0.1', port: 0, cwd: root });
    browser = await launchBrowser();
    await session.firstBuild;
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await session?.close();
    await cleanUp();
  });

  it('appear in a panel after a save, without blocking the page, and go when fixed', async () => {
    const page = await browser.newPage();
    await page.goto(new URL(`episodes/${SEED}/`, session.url).href);
    expect(await page.locator('#castwright-warnings').count()).toBe(0);
    const file = path.join(root, 'episodes', `${SEED}.md`);
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace("title: Oracle and Walmart's", "title: \"Ep. 315: Oracle and Walmart's").replace('steps aside', 'steps aside"'));
    const panel = page.locator('#castwright-warnings');
    await panel.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await panel.locator('.castwright-warnings-title').textContent()).toBe('1 warning (the build went on)');
    expect(await panel.locator('.castwright-warning').first().textContent()).toMatch(new RegExp(`^episodes/${SEED}\\.md:2: warning: the title "Ep\\. 315: .*\\[feed/title-episode-number\\]$`));
    // The page under it is the new build, and stays usable: no overlay, links still work.
    expect(await page.locator('h1').first().textContent()).toContain('Ep. 315');
    expect(await page.locator('#castwright-overlay').count()).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dev-check-findings.png') });
    await writeFile(file, original);
    await page.waitForFunction(() => !document.querySelector('h1')?.textContent?.includes('Ep. 315'), undefined, { timeout: 10_000 });
    await page.waitForLoadState();
    // The fixed build is served before its check runs (a save is not held up by check): the panel
    // goes once that check finds nothing, without another save or a reload by hand.
    await panel.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.locator('#castwright-warnings').count()).toBe(0);
    expect(await page.locator('h1').first().textContent()).not.toContain('Ep. 315');
    await page.close();
  });
});
