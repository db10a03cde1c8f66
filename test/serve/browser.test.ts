import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSubscribed, isSuppressed } from '../../src/lists/state.ts';
import { readLists } from '../../src/lists/store.ts';
import { CONFIRMATION_HOURS } from '../../src/send/token.ts';
import { hasBrowser, launchBrowser } from '../helpers/browser.ts';
import { PROJECT, cleanUp } from '../helpers/content.ts';
import { closeSmtpServers, parse, startSmtpServer, type TestSmtpServer } from '../send/smtp.ts';
import { closeServers, serveInProcess, servedWorkspace, type TestServe } from './site.ts';

const SCREENSHOTS = path.join(PROJECT, 'test', 'screenshots');

describe.skipIf(!hasBrowser)('sign-up and unsubscribe in a real browser', () => {
  let browser: BrowserContext;
  let served: TestServe;
  let smtp: TestSmtpServer;
  const clock = { now: Date.now() };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    served = await serveInProcess(await servedWorkspace({ subscribe: true }), { smtpUrl: smtp.url, now: () => new Date(clock.now) });
    browser = await launchBrowser();
    await mkdir(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await closeServers();
    await closeSmtpServers();
    await cleanUp();
  });

  /** A page that records what the browser refused under the Content-Security-Policy. */
  async function open(url: string): Promise<{ page: Page; violations: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(url);
    return { page, violations };
  }

  async function confirmationLink(to: string): Promise<string> {
    await expect.poll(() => smtp.received.filter((message) => message.to === to).length, { timeout: 20_000 }).toBeGreaterThan(0);
    const email = await parse(smtp.received.filter((message) => message.to === to).at(-1)!);
    const link = /https:\/\/fixture\.example\.com\/confirm\?token=[A-Za-z0-9_-]+/.exec(email.text ?? '')![0];
    return new URL(`confirm${new URL(link).search}`, served.url).href;
  }

  it('signs a reader up: the form on the page, the message, its link, the button, and the reader is on the list', async () => {
    const { page, violations } = await open(served.url);
    await page.getByLabel('Get each episode by email').fill('reader@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(await page.locator('.notice p').first().textContent()).toContain('reader@example.com');

    const link = await confirmationLink('reader@example.com');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Subscribe r•••@example.com to Fixture Weekly?' }).waitFor();
    expect(isSubscribed(await readLists(served.lists), 'reader@example.com')).toBe(false);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'serve-confirm.png') });
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    expect(isSubscribed(await readLists(served.lists), 'reader@example.com')).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('unsubscribes with the page’s button, and subscribes again from the page after it', async () => {
    const { page, violations } = await open(served.unsubscribeUrl('reader@example.com'));
    await page.getByRole('heading', { name: 'Unsubscribe r•••@example.com from Fixture Weekly?' }).waitFor();
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(isSuppressed(await readLists(served.lists), 'reader@example.com')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'serve-unsubscribed.png') });
    await page.getByRole('button', { name: 'Subscribe again' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    expect(isSubscribed(await readLists(served.lists), 'reader@example.com')).toBe(true);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('says a link has expired, and the form on that page starts over', async () => {
    const { page } = await open(served.url);
    await page.getByLabel('Get each episode by email').fill('late@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    const link = await confirmationLink('late@example.com');
    clock.now += CONFIRMATION_HOURS * 3600_000 + 60_000;
    await page.goto(link);
    await page.getByRole('heading', { name: 'This link has expired' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'serve-expired.png') });
    await page.locator('.notice').getByLabel('Get each episode by email').fill('late@example.com');
    await page.locator('.notice').getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(isSubscribed(await readLists(served.lists), 'late@example.com')).toBe(false);
    await page.close();
  });
});
