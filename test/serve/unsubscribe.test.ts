import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isSubscribed, isSuppressed } from '../../src/lists/state.ts';
import { readLists } from '../../src/lists/store.ts';
import { confirmationToken, unsubscribeToken } from '../../src/send/token.ts';
import { cleanUp } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { SECRET, closeServers, oneClick, rawRequest, serveInProcess, servedWorkspace, type TestServe } from './site.ts';

afterAll(cleanUp);
afterEach(closeServers);

/** The list files that exist: none until something is recorded (the folder itself is made when serve starts). */
const listFiles = (served: TestServe) => [served.lists.subscribers, served.lists.unsubscribed].filter((file) => existsSync(file));
const rows = async (file: string) => (existsSync(file) ? (await readFile(file, 'utf8')).split('\n').slice(1, -1) : []);

describe('one-click unsubscribe (RFC 8058)', () => {
  it('records the reader on disk before it answers 200, from a urlencoded or a multipart body, once however often it is sent', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const ada = served.unsubscribeUrl('Ada@Example.com');
    const response = await oneClick(ada);
    expect(response.status).toBe(200);
    // Answered means written: the file already holds the row, synced, when the answer arrives.
    expect(await rows(served.lists.unsubscribed)).toEqual([expect.stringMatching(/^ada@example\.com,\d{4}-\d\d-\d\dT[\d:.]+Z,one-click$/)]);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(dom(await response.text()).querySelector('h1')?.textContent).toBe('You are unsubscribed');
    expect((await oneClick(served.unsubscribeUrl('bob@example.com'), 'multipart')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await oneClick(ada, i % 2 ? 'multipart' : 'urlencoded')).status).toBe(200);
    expect((await rows(served.lists.unsubscribed)).map((row) => row.split(',')[0])).toEqual(['ada@example.com', 'bob@example.com']);
    expect(served.logs.join('\n')).not.toMatch(/ada@|bob@/i);
    expect(served.logs).toContain(`unsubscribed reader ${(await import('../../src/send/token.ts')).readerId('ada@example.com', SECRET)} (one-click)`);
  });

  it('a token in the path works the same, when email.unsubscribe puts it there', async () => {
    const root = await servedWorkspace();
    const show = path.join(root, 'episodes', 'show.yml');
    await writeFile(show, (await readFile(show, 'utf8')).replace('unsubscribe: https://fixture.example.com/unsubscribe?token={token}', 'unsubscribe: https://fixture.example.com/u/{token}/'));
    const served = await serveInProcess(root);
    expect((await oneClick(new URL(`u/${unsubscribeToken('ada@example.com', SECRET)}/`, served.url).href)).status).toBe(200);
    expect((await rows(served.lists.unsubscribed)).map((row) => row.split(',')[0])).toEqual(['ada@example.com']);
    const page = await fetch(new URL(`u/${unsubscribeToken('bob@example.com', SECRET)}/`, served.url));
    expect(page.status).toBe(200);
    // The page's stylesheet and form are found from the token's depth.
    const document = dom(await page.text());
    expect(document.querySelector('link[rel=stylesheet]')?.getAttribute('href')).toMatch(/^\.\.\/\.\.\/style\.css\?v=/);
    expect(document.querySelector('form')?.getAttribute('action')).toBe('');
  });
});

describe('the unsubscribe page', () => {
  it('is what a GET shows: the masked address and a button, and no GET or HEAD ever changes a list', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const url = served.unsubscribeUrl('reader@example.com');
    for (const method of ['GET', 'HEAD', 'GET']) {
      const response = await fetch(url, { method });
      expect(response.status).toBe(200);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-robots-tag')).toBe('noindex');
      if (method === 'GET') {
        const document = dom(await response.text());
        expect(document.querySelector('h1')?.textContent).toBe('Unsubscribe r•••@example.com from Fixture Weekly?');
        const form = document.querySelector('form')!;
        expect(form.getAttribute('method')).toBe('post');
        expect(form.getAttribute('action')).toBe(`unsubscribe?token=${unsubscribeToken('reader@example.com', SECRET)}`);
        expect(document.body.innerHTML).not.toContain('reader@example.com');
      }
    }
    expect(listFiles(served)).toEqual([]);
  });

  it('unsubscribes with its button, and the page after it subscribes the reader again', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const url = served.unsubscribeUrl('reader@example.com');
    const form = (fields: Record<string, string>) => fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers: { Origin: new URL(served.url).origin } });
    const unsubscribed = await form({ 'List-Unsubscribe': 'One-Click', via: 'page' });
    expect(unsubscribed.status).toBe(200);
    const document = dom(await unsubscribed.text());
    expect(document.querySelector('form input[name=action]')?.getAttribute('value')).toBe('resubscribe');
    expect(await rows(served.lists.unsubscribed)).toEqual([expect.stringMatching(/,unsubscribe page$/)]);
    const again = await form({ action: 'resubscribe' });
    expect(again.status).toBe(200);
    expect(dom(await again.text()).querySelector('h1')?.textContent).toBe('Welcome back');
    const lists = await readLists(served.lists);
    expect(isSubscribed(lists, 'reader@example.com')).toBe(true);
    expect(await rows(served.lists.subscribers)).toEqual([expect.stringMatching(/^reader@example\.com,,[^,]+,re-subscribe$/)]);
  });
});

describe('tokens that are not genuine', () => {
  it('get 400 and the page saying so, without touching any list, for every way of forging, cutting or swapping them', async () => {
    const root = await servedWorkspace();
    const served = await serveInProcess(root);
    await writeFile(served.lists.unsubscribed, 'email,unsubscribed,source\n');
    const before = await stat(served.lists.unsubscribed);
    const ada = unsubscribeToken('ada@example.com', SECRET);
    const bob = unsubscribeToken('bob@example.com', SECRET);
    const spliced = (a: string, b: string) => Buffer.concat([Buffer.from(a, 'base64url').subarray(0, 20), Buffer.from(b, 'base64url').subarray(20)]).toString('base64url');
    const forged = [
      '',
      ada.slice(0, -1),
      ada.slice(0, 20),
      `${ada}AA`,
      ada.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A')),
      spliced(ada, bob),
      spliced(bob, ada),
      unsubscribeToken('ada@example.com', 'another-secret-of-some-length'),
      confirmationToken('ada@example.com', SECRET, new Date(Date.now() + 3600_000)),
      Buffer.from('ada@example.com').toString('base64url'),
      'ada@example.com',
      '%00',
      'x'.repeat(5000),
    ];
    for (const token of forged) {
      const url = new URL(`unsubscribe?token=${encodeURIComponent(token)}`, served.url).href;
      const posted = await oneClick(url);
      expect(posted.status, token.slice(0, 40)).toBe(400);
      expect(dom(await posted.text()).querySelector('h1')?.textContent).toBe('This unsubscribe link does not work');
      expect((await fetch(url)).status).toBe(400);
    }
    // A second token parameter does not smuggle one past the first.
    expect((await oneClick(new URL(`unsubscribe?token=forged&token=${ada}`, served.url).href)).status).toBe(400);
    const after = await stat(served.lists.unsubscribed);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(existsSync(served.lists.subscribers)).toBe(false);
  });

  it('a genuine token with anything but the one-click body gets 400 and changes nothing', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const url = served.unsubscribeUrl('ada@example.com');
    for (const body of ['', 'List-Unsubscribe=Two-Clicks', 'list-unsubscribe=one-click', 'action=unsubscribe']) {
      expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body })).status, body).toBe(400);
    }
    expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"List-Unsubscribe":"One-Click"}' })).status).toBe(415);
    expect((await fetch(url, { method: 'PUT', body: 'List-Unsubscribe=One-Click' })).status).toBe(405);
    expect(listFiles(served)).toEqual([]);
  });
});

describe('under load', () => {
  it('200 concurrent one-click POSTs for 200 readers, each sent twice, leave exactly 200 rows while pages keep being served', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const readers = Array.from({ length: 200 }, (_, i) => `reader${i}@example.com`);
    const posts = [...readers, ...readers].map((reader) => oneClick(served.unsubscribeUrl(reader)).then(async (response) => [response.status, await response.text()] as const));
    const pages = Array.from({ length: 50 }, (_, i) => fetch(new URL(i % 2 ? '/' : '/style.css', served.url)).then(async (response) => [response.status, await response.text()] as const));
    const answers = await Promise.all(posts);
    const served200 = await Promise.all(pages);
    expect(answers.filter(([status]) => status !== 200)).toEqual([]);
    expect(served200.every(([status]) => status === 200)).toBe(true);
    const written = await rows(served.lists.unsubscribed);
    expect(written).toHaveLength(200);
    expect(new Set(written.map((row) => row.split(',')[0]))).toEqual(new Set(readers));
    const lists = await readLists(served.lists);
    for (const reader of readers) expect(isSuppressed(lists, reader)).toBe(true);
  });
});

describe('limits', () => {
  const MB = 1024 * 1024;

  it('a 1 MB body gets 413 however it is sent, and nothing is recorded', async () => {
    const served = await serveInProcess(await servedWorkspace());
    const url = served.unsubscribeUrl('ada@example.com');
    const big = `List-Unsubscribe=One-Click&padding=${'x'.repeat(MB)}`;
    const declared = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: big });
    expect(declared.status).toBe(413);
    // Chunked: no length announced, found out while reading.
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 16; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? 'List-Unsubscribe=One-Click&p=' : 'y'.repeat(MB / 16)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const { pathname, search } = new URL(url);
    const expecting = await rawRequest(url, `POST ${pathname}${search} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${MB}\r\nExpect: 100-continue\r\n\r\n`);
    expect(expecting).toMatch(/^HTTP\/1\.1 413 /);
    expect(listFiles(served)).toEqual([]);
    expect((await fetch(served.url)).status).toBe(200);
  });

  it('a body sent too slowly is cut off, and nothing is recorded', async () => {
    const served = await serveInProcess(await servedWorkspace(), { timeouts: { requestMs: 600, headersMs: 400 } });
    const { pathname, search } = new URL(served.unsubscribeUrl('ada@example.com'));
    const answer = await rawRequest(served.url, `POST ${pathname}${search} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 26\r\n\r\nList-Unsub`);
    expect(answer === '' || /^HTTP\/1\.1 (408|400) /.test(answer)).toBe(true);
    expect(listFiles(served)).toEqual([]);
  });

  it('a list that cannot be written gets 503 and a page that says the request was not recorded, never a 200', async () => {
    const served = await serveInProcess(await servedWorkspace());
    await mkdir(served.lists.unsubscribed, { recursive: true });
    const response = await oneClick(served.unsubscribeUrl('ada@example.com'));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(dom(await response.text()).querySelector('h1')?.textContent).toBe('Something went wrong on our side');
    // Read through the regular-file reader, a folder is refused as no list before any read.
    expect(served.logs.join('\n')).toMatch(/could not record a change: (cannot open lists\/unsubscribed\.csv \(EISDIR|lists\/unsubscribed\.csv: not a regular file \(a named pipe, device or folder\); expected the list of readers who unsubscribed)/);
  });
});
