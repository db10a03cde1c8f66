import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isSubscribed } from '../../src/lists/state.ts';
import { ListsStore, readLists } from '../../src/lists/store.ts';
import { CONFIRMATION_HOURS, readConfirmationToken, unsubscribeToken } from '../../src/send/token.ts';
import { clientKey } from '../../src/serve/client.ts';
import { cleanUp } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { closeSmtpServers, header, parse, startSmtpServer, type TestSmtpServer } from '../send/smtp.ts';
import { SECRET, closeServers, oneClick, serveInProcess, servedWorkspace, type TestServe } from './site.ts';

afterAll(cleanUp);
afterEach(async () => {
  await closeServers();
  await closeSmtpServers();
});

interface Signup {
  served: TestServe;
  smtp: TestSmtpServer;
  /** The clock the server reads: tests move it. */
  clock: { now: number };
}

async function signupSite(options: { limits?: NonNullable<Parameters<typeof serveInProcess>[1]>['limits'] } = {}): Promise<Signup> {
  const smtp = await startSmtpServer();
  const clock = { now: Date.parse('2026-03-01T12:00:00Z') };
  const served = await serveInProcess(await servedWorkspace({ subscribe: true }), { smtpUrl: smtp.url, now: () => new Date(clock.now), ...(options.limits ? { limits: options.limits } : {}) });
  return { served, smtp, clock };
}

function signUp(served: TestServe, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL('subscribe', served.url), { method: 'POST', body: new URLSearchParams({ website: '', ...fields }), headers });
}

const heading = async (response: Response) => dom(await response.text()).querySelector('h1')?.textContent;

/** The confirmation link of the n-th message received, pointed at the test server. */
async function confirmLink(signup: Signup, index: number): Promise<string> {
  const email = await parse(signup.smtp.received[index]!);
  const link = /https:\/\/fixture\.example\.com\/confirm\?token=[A-Za-z0-9_-]+/.exec(email.text ?? '')?.[0];
  if (!link) throw new Error(`no confirmation link in:\n${email.text}`);
  return new URL(`confirm${new URL(link).search}`, signup.served.url).href;
}

describe('sign-up with double opt-in', () => {
  it('mails a confirmation link; its page changes nothing until the button is pressed, which subscribes the reader once', async () => {
    const signup = await signupSite();
    const { served, smtp } = signup;
    const answer = await signUp(served, { email: 'Ada@Example.com' });
    expect(answer.status).toBe(200);
    expect(await heading(answer)).toBe('Check your inbox');
    await expect.poll(() => smtp.received.length).toBe(1);
    const message = smtp.received[0]!;
    expect(message.to).toBe('Ada@example.com');
    const email = await parse(message);
    expect(email.from).toEqual({ name: 'Fixture Weekly', address: 'news@fixture.example.com' });
    expect(email.subject).toBe('Confirm your subscription to Fixture Weekly');
    expect(header(email, 'Auto-Submitted')).toBe('auto-replied');
    expect(header(email, 'List-Unsubscribe')).toBeUndefined();
    const link = await confirmLink(signup, 0);
    expect(dom(email.html!).querySelector('a')?.getAttribute('href')).toBe(`https://fixture.example.com/confirm${new URL(link).search}`);
    const token = new URL(link).searchParams.get('token')!;
    expect(readConfirmationToken(token, SECRET, new Date(signup.clock.now))?.expires).toEqual(new Date(signup.clock.now + CONFIRMATION_HOURS * 3600_000));

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const document = dom(await page.text());
    expect(document.querySelector('h1')?.textContent).toBe('Subscribe a•••@example.com to Fixture Weekly?');
    expect(existsSync(served.lists.subscribers)).toBe(false);

    const confirmed = await fetch(link, { method: 'POST', body: new URLSearchParams({ confirm: 'yes' }) });
    expect(confirmed.status).toBe(200);
    expect(await heading(confirmed)).toBe('You are subscribed');
    expect((await readFile(served.lists.subscribers, 'utf8')).split('\n').slice(1, -1)).toEqual([expect.stringMatching(/^Ada@example\.com,,2026-03-01T12:00:00\.000Z,sign-up$/)]);
    expect((await fetch(link, { method: 'POST', body: 'confirm=yes' })).status).toBe(200);
    expect((await readFile(served.lists.subscribers, 'utf8')).split('\n')).toHaveLength(3);
    expect(served.logs.join('\n')).not.toMatch(/ada@/i);
  });

  it('answers the same page for a new, a subscribed and an unsubscribed address, and mails only those not subscribed', async () => {
    const signup = await signupSite();
    const { served, smtp } = signup;
    await served.store.change({ kind: 'subscribers', row: { address: 'known@example.com', key: 'known@example.com', source: 'import test' } });
    await served.store.change({ kind: 'unsubscribed', row: { key: 'gone@example.com', source: 'one-click' } });
    const pages: string[] = [];
    for (const address of ['new@example.com', 'known@example.com', 'gone@example.com']) {
      const response = await signUp(served, { email: address });
      expect(response.status).toBe(200);
      pages.push((await response.text()).replaceAll(address, 'ADDRESS'));
    }
    expect(new Set(pages).size).toBe(1);
    await expect.poll(() => smtp.received.map((message) => message.to).sort()).toEqual(['gone@example.com', 'new@example.com']);
    // One who unsubscribed and confirms again is subscribed again: the later row wins.
    const gone = smtp.received.findIndex((message) => message.to === 'gone@example.com');
    expect((await fetch(await confirmLink(signup, gone), { method: 'POST', body: 'confirm=yes' })).status).toBe(200);
    expect(isSubscribed(await readLists(served.lists), 'gone@example.com')).toBe(true);
  });

  it('an expired link says so and offers the form again; a forged or unsubscribe token is refused; nothing is added', async () => {
    const signup = await signupSite();
    await signUp(signup.served, { email: 'late@example.com' });
    await expect.poll(() => signup.smtp.received.length).toBe(1);
    const link = await confirmLink(signup, 0);
    signup.clock.now += CONFIRMATION_HOURS * 3600_000 + 1000;
    for (const method of ['GET', 'POST']) {
      const expired = await fetch(link, { method, ...(method === 'POST' ? { body: 'confirm=yes' } : {}) });
      expect(expired.status).toBe(410);
      const document = dom(await expired.text());
      expect(document.querySelector('h1')?.textContent).toBe('This link has expired');
      expect(document.querySelector('form.signup input[name=email]')).not.toBeNull();
    }
    const token = new URL(link).searchParams.get('token')!;
    for (const bad of [token.slice(0, -2), `${token.slice(0, 30)}${token.slice(31)}`, unsubscribeToken('late@example.com', SECRET)]) {
      const refused = await fetch(new URL(`confirm?token=${bad}`, signup.served.url), { method: 'POST', body: 'confirm=yes' });
      expect(refused.status).toBe(400);
      expect(await heading(refused)).toBe('This confirmation link does not work');
    }
    // Nor does a confirmation token unsubscribe anyone.
    expect((await oneClick(new URL(`unsubscribe?token=${token}`, signup.served.url).href)).status).toBe(400);
    expect(existsSync(signup.served.lists.subscribers)).toBe(false);
    expect(existsSync(signup.served.lists.unsubscribed)).toBe(false);
  });
});

describe('keeping robots and probes out of the sign-up', () => {
  it('answers a filled-in honeypot with the same page and sends nothing', async () => {
    const { served, smtp } = await signupSite();
    const robot = await signUp(served, { email: 'robot@example.com', website: 'https://spam.example' });
    expect(robot.status).toBe(200);
    expect(await heading(robot)).toBe('Check your inbox');
    await signUp(served, { email: 'human@example.com' });
    await expect.poll(() => smtp.received.length).toBe(1);
    expect(smtp.received[0]!.to).toBe('human@example.com');
  });

  it('limits sign-ups per address and per client with 429 and Retry-After, and mails nothing over the limits', async () => {
    const signup = await signupSite({ limits: { signupsPerAddress: { burst: 2, everyMs: 3600_000 }, signupsPerClient: { burst: 5, everyMs: 60_000 } } });
    const { served, smtp } = signup;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await signUp(served, { email: 'same@example.com' })).status);
    expect(statuses).toEqual([200, 200, 429]);
    for (let i = 0; i < 3; i++) statuses.push((await signUp(served, { email: `other${i}@example.com` })).status);
    expect(statuses.slice(3)).toEqual([200, 200, 429]);
    const limited = await signUp(served, { email: 'more@example.com' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await heading(limited)).toBe('Too many requests');
    await expect.poll(() => smtp.received.length).toBe(4);
    // Time lets the client in again.
    signup.clock.now += 60_000;
    expect((await signUp(served, { email: 'later@example.com' })).status).toBe(200);
  });

  it('counts clients by the X-Forwarded-For entry of the proxy only with --trust-proxy, and IPv6 clients by their /64', async () => {
    const limits = { signupsPerClient: { burst: 1, everyMs: 3600_000 } };
    const smtp = await startSmtpServer();
    const root = await servedWorkspace({ subscribe: true });
    const direct = await serveInProcess(root, { smtpUrl: smtp.url, limits });
    const from = (address: string) => ({ 'X-Forwarded-For': `203.0.113.9, ${address}` });
    expect((await signUp(direct, { email: 'one@example.com' }, from('198.51.100.1'))).status).toBe(200);
    // Without --trust-proxy the header is the client's word: both come from 127.0.0.1.
    expect((await signUp(direct, { email: 'two@example.com' }, from('198.51.100.2'))).status).toBe(429);
    await direct.close();
    const proxied = await serveInProcess(root, { smtpUrl: smtp.url, limits, trustProxy: true });
    expect((await signUp(proxied, { email: 'one@example.com' }, from('198.51.100.1'))).status).toBe(200);
    expect((await signUp(proxied, { email: 'two@example.com' }, from('198.51.100.2'))).status).toBe(200);
    expect((await signUp(proxied, { email: 'three@example.com' }, from('198.51.100.2'))).status).toBe(429);
    // The entries before the proxy's own are whatever the client claimed.
    expect((await signUp(proxied, { email: 'four@example.com' }, { 'X-Forwarded-For': '10.0.0.1, 198.51.100.2' })).status).toBe(429);
    expect((await signUp(proxied, { email: 'five@example.com' }, from('2001:db8:1:2::1'))).status).toBe(200);
    expect((await signUp(proxied, { email: 'six@example.com' }, from('2001:db8:1:2:ffff::9'))).status).toBe(429);
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
  });

  it('refuses what is not a plain address, header injection and spreadsheet formulas included, and sends nothing', async () => {
    const { served, smtp } = await signupSite();
    const refused = [
      '',
      'not an address',
      'Ada <ada@example.com>',
      'ada@example.com\r\nBcc: victim@example.com',
      'ada@example.com>, <victim@example.com',
      "=cmd|'/c calc'!A1@example.com",
      '+1-555@example.com',
      '-x@example.com',
      `${'a'.repeat(250)}@example.com`,
    ];
    for (const email of refused) {
      const response = await signUp(served, { email });
      expect(response.status, JSON.stringify(email)).toBe(400);
      expect(await heading(response)).toBe('This request was refused');
    }
    expect(smtp.received).toHaveLength(0);
  });

  it('refuses a sign-up or a confirmation posted from another site', async () => {
    const signup = await signupSite();
    const { served } = signup;
    expect((await signUp(served, { email: 'csrf@example.com' }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await signUp(served, { email: 'csrf@example.com' }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await signUp(served, { email: 'ok@example.com' }, { Origin: new URL(served.url).origin, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(200);
    await expect.poll(() => signup.smtp.received.length).toBe(1);
    const link = await confirmLink(signup, 0);
    expect((await fetch(link, { method: 'POST', body: 'confirm=yes', headers: { 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    expect(existsSync(served.lists.subscribers)).toBe(false);
    // The token pages send no Referer, so a browser's Origin there is "null": that is this site's own form.
    expect((await fetch(link, { method: 'POST', body: 'confirm=yes', headers: { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(200);
  });

  it('without email.subscribe there is no sign-up: /subscribe is the static subscribe page, with no form', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const page = await fetch(new URL('subscribe', served.url));
    expect(page.status).toBe(200);
    expect(dom(await page.text()).querySelector('form')).toBeNull();
    expect((await fetch(new URL('subscribe', served.url), { method: 'POST', body: 'email=a@example.com' })).status).toBe(405);
    expect(dom(await (await fetch(served.url)).text()).querySelector('form.signup')).toBeNull();
  });
});

describe('the sign-up form on every page', () => {
  it('is an accessible form without script: label, autocomplete, a honeypot out of the tab order', async () => {
    const { served } = await signupSite();
    for (const page of ['/', '/episodes/2021-03-01-valid/', '/no-such-page']) {
      const document = dom(await (await fetch(new URL(page, served.url))).text());
      const form = document.querySelector('form.signup')!;
      expect(form, page).not.toBeNull();
      expect(form.getAttribute('method')).toBe('post');
      expect(form.getAttribute('action')).toMatch(/(^|\/)subscribe$/);
      const input = form.querySelector('input[name=email]')!;
      expect(form.querySelector(`label[for=${input.getAttribute('id')}]`)?.textContent).toBe('Get each episode by email');
      expect(input.getAttribute('type')).toBe('email');
      expect(input.getAttribute('autocomplete')).toBe('email');
      const trap = form.querySelector('input[name=website]')!;
      expect(trap.getAttribute('tabindex')).toBe('-1');
      expect(trap.closest('[aria-hidden=true]')).not.toBeNull();
      // The site's own script (src, deferred) only enhances; nothing inline.
      expect(document.querySelectorAll('script:not([type="application/ld+json"]):not([src][defer])')).toHaveLength(0);
    }
  });

  it('lets a store opened elsewhere see the reader it adds: serve and the lists agree', async () => {
    const { served } = await signupSite();
    const other = await ListsStore.open(served.lists);
    await other.change({ kind: 'subscribers', row: { address: 'a@example.com', key: 'a@example.com', source: 'test' } });
    expect((await served.store.change({ kind: 'subscribers', row: { address: 'a@example.com', key: 'a@example.com', source: 'test' } })).written).toBe(false);
  });
});
