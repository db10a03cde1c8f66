import { cp, readFile, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_PATH } from '../../src/dev/server.ts';
import { startSession, type Session } from '../../src/dev/session.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';

const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await cleanUp();
});

async function preview(root: string, options: { templatesDir?: string; port?: number } = {}): Promise<Session> {
  const session = await startSession({
    contentDir: path.join(root, 'episodes'),
    templatesDir: options.templatesDir,
    host: '127.0.0.1',
    port: options.port ?? 0,
    cwd: root,
  });
  sessions.push(session);
  return session;
}

/** A GET sent exactly as written: no client-side normalisation of `..`. */
function rawGet(base: string, target: string): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface State {
  version: number;
  problems: string[];
}

/** Reads the preview's event stream until a state matches (or fails after a few seconds). */
async function waitForState(base: string, matches: (state: State) => boolean): Promise<State> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 8000);
  try {
    const response = await fetch(new URL(EVENTS_PATH, base), { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data && /^event: state$/m.test(event)) {
          const state = JSON.parse(data) as State;
          if (matches(state)) return state;
        }
      }
    }
    throw new Error('event stream ended');
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

async function text(base: string, target: string): Promise<string> {
  return (await fetch(new URL(target, base))).text();
}

async function episodeWorkspace(): Promise<string> {
  const valid = await fixture('episodes/valid.md');
  return workspace({
    'valid.md': valid,
    'draft.md': valid.replace('episode: 7', 'episode: 8\ndraft: true').replace('7.mp3', 'd.mp3').replace('A valid episode', 'A draft episode'),
  });
}

describe('the preview server', () => {
  it('serves the site with the right content types, drafts included', async () => {
    const { url } = await preview(await episodeWorkspace());
    for (const [target, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/episodes/draft/', 'text/html; charset=utf-8'],
      ['/style.css?v=anything', 'text/css; charset=utf-8'],
      ['/feed.xml', 'application/xml; charset=utf-8'],
      ['/feed.xsl', 'text/xsl; charset=utf-8'],
      ['/email/valid.txt', 'text/plain; charset=utf-8'],
      ['/__castwright/client.js', 'text/javascript; charset=utf-8'],
    ]) {
      const response = await fetch(new URL(target!, url));
      expect(response.status, target).toBe(200);
      expect(response.headers.get('content-type'), target).toBe(type);
    }
    const draft = dom(await text(url, '/episodes/draft/'));
    expect(draft.querySelector('.status')?.textContent).toBe('Draft');
  });

  it('adds a preview bar linking the episode’s email preview and the feed, and the reload client', async () => {
    const { url } = await preview(await episodeWorkspace());
    const page = dom(await text(url, '/episodes/valid/'));
    const links = [...page.querySelectorAll('#castwright-preview-bar a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/email/valid/', '/feed.xml', '/']);
    expect(page.querySelector('script[src="/__castwright/client.js"]')?.getAttribute('data-version')).toBe('1');
  });

  it('shows the email with its subject, preheader, text part and size, light and dark', async () => {
    const { url } = await preview(await episodeWorkspace());
    const page = dom(await text(url, '/email/valid/'));
    expect(page.querySelector('#subject')?.textContent).toBe('A valid episode');
    expect(page.querySelector('#preheader')?.textContent).toBe('Welcome to the show.');
    expect(page.querySelector('#size')?.textContent).toMatch(/^\d+(\.\d)? KB of Gmail's 102 KB clipping limit$/);
    expect(page.querySelector('#size')?.getAttribute('class')).toBe('size-ok');
    expect(page.querySelector('#text-part')?.textContent).toContain('- First story (news.example.com)');
    expect([...page.querySelectorAll('iframe')].map((f) => f.getAttribute('src'))).toEqual(['/email/valid.html', '/email/valid.html']);
    const dark = dom(await text(url, '/email/valid/dark/'));
    expect([...dark.querySelectorAll('iframe')].map((f) => f.getAttribute('src'))).toEqual(['/email/valid.dark.html', '/email/valid.dark.html']);
    const darkEmail = await text(url, '/email/valid.dark.html');
    expect(darkEmail).toContain('@media all');
    expect(darkEmail).not.toContain('prefers-color-scheme: dark');
    // The email inside the frames is exactly the built one: no reload client in it.
    expect(await text(url, '/email/valid.html')).not.toContain('__castwright');
  });

  it('answers unknown paths with the site’s 404 page', async () => {
    const { url } = await preview(await episodeWorkspace());
    const response = await fetch(new URL('/no/such/page', url));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(dom(await response.text()).querySelector('h1')?.textContent).toBe('Page not found');
  });

  it('redirects a page path without its trailing slash', async () => {
    const { url } = await preview(await episodeWorkspace());
    const response = await fetch(new URL('/episodes/valid?x=1', url), { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/episodes/valid/?x=1');
  });

  it('refuses traversal, encoded traversal, absolute paths and symlinks out of the preview', async () => {
    const root = await episodeWorkspace();
    await writeFile(path.join(root, 'secret.txt'), 'top secret');
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'episodes', 'leak.txt'));
    await symlink('/etc', path.join(root, 'episodes', 'etc'));
    const { url } = await preview(root);
    for (const target of [
      '/../secret.txt',
      '/episodes/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '//etc/passwd',
      '/leak.txt',
      '/episodes/leak.txt',
      '/etc/passwd',
      '/episodes/etc/passwd',
      `${url}../secret.txt`,
    ]) {
      const response = await rawGet(url, target);
      expect(response.status, target).toBe(404);
      expect(response.body, target).not.toMatch(/top secret|root:/);
    }
  });

  it('answers only to localhost or an IP address, so a rebinding web page cannot read drafts', async () => {
    const { url } = await preview(await episodeWorkspace());
    const { port } = new URL(url);
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/episodes/draft/', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await withHost(`attacker.example:${port}`)).toBe(403);
    expect(await withHost(`localhost:${port}`)).toBe(200);
    expect(await withHost(`127.0.0.1:${port}`)).toBe(200);
    expect(await withHost(`192.168.1.20:${port}`)).toBe(200);
  });

  it('answers HEAD on the event stream without holding the connection', async () => {
    const { url } = await preview(await episodeWorkspace());
    const response = await fetch(new URL(EVENTS_PATH, url), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
  });

  it('refuses methods other than GET and HEAD', async () => {
    const { url } = await preview(await episodeWorkspace());
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('moves to the next port when the one asked for is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const { url } = await preview(await episodeWorkspace(), { port: taken });
      expect(Number(new URL(url).port)).toBeGreaterThan(taken);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      blocker.close();
    }
  });
});

describe('rebuilding on save', () => {
  it('serves the edited episode after a save and tells open pages to reload', async () => {
    const root = await episodeWorkspace();
    const { url } = await preview(root);
    const file = path.join(root, 'episodes', 'valid.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A valid episode', 'An edited episode'));
    expect(await waitForState(url, (state) => state.version === 2)).toEqual({ version: 2, problems: [], findings: [] });
    expect(dom(await text(url, '/episodes/valid/')).querySelector('h1')?.textContent).toBe('An edited episode');
  });

  it('keeps the last good build on an invalid save, reports file:line, and recovers on the next valid save', async () => {
    const root = await episodeWorkspace();
    const { url } = await preview(root);
    const file = path.join(root, 'episodes', 'valid.md');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('date: 2021-03-01T07:00:00-08:00', 'date: 2021-02-30T07:00:00-08:00'));
    const failed = await waitForState(url, (state) => state.problems.length > 0);
    expect(failed.version).toBe(1);
    expect(failed.problems).toEqual([
      'episodes/valid.md:3: date: "2021-02-30T07:00:00-08:00" is not a usable date: no such day in the calendar; expected one such as 2020-09-14T07:00:00-07:00',
    ]);
    expect(dom(await text(url, '/episodes/valid/')).querySelector('h1')?.textContent).toBe('A valid episode');
    await writeFile(file, good);
    expect(await waitForState(url, (state) => state.version === 2)).toEqual({ version: 2, problems: [], findings: [] });
  });

  it('survives a broken template and recovers when it is fixed', async () => {
    const root = await episodeWorkspace();
    const templatesDir = path.join(await tempDir(), 'templates');
    await cp(path.join(PROJECT, 'templates'), templatesDir, { recursive: true });
    const { url } = await preview(root, { templatesDir });
    const template = path.join(templatesDir, 'site', 'episode.hbs');
    const good = await readFile(template, 'utf8');
    await writeFile(template, good.replace('{{/each}}', '{{/if}}'));
    const failed = await waitForState(url, (state) => state.problems.length > 0);
    expect(failed.problems[0]).toMatch(/site\/episode\.hbs:\d+: template error: /);
    expect((await fetch(new URL('/episodes/valid/', url))).status).toBe(200);
    await writeFile(template, good);
    expect((await waitForState(url, (state) => state.version === 2)).problems).toEqual([]);
  });

  it('starts on invalid content with a waiting page that turns into the site once fixed', async () => {
    const root = await workspace({ 'bad.md': await fixture('invalid/bad-date.md') });
    const { url } = await preview(root);
    const waiting = await fetch(url);
    expect(waiting.status).toBe(503);
    expect(await waiting.text()).toContain('<script src="/__castwright/client.js" data-version="0">');
    const client = await fetch(new URL('/__castwright/client.js', url));
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await client.text()).toContain("new EventSource('/__castwright/events')");
    expect((await waitForState(url, () => true)).problems[0]).toMatch(/^episodes\/bad\.md:3: /);
    await writeFile(path.join(root, 'episodes', 'bad.md'), await fixture('episodes/valid.md'));
    await waitForState(url, (state) => state.version === 1);
    expect((await fetch(new URL('/episodes/bad/', url))).status).toBe(200);
  });

  it('keeps watching when the content folder is renamed away and back', async () => {
    const root = await episodeWorkspace();
    const { url } = await preview(root);
    const { rename } = await import('node:fs/promises');
    const content = path.join(root, 'episodes');
    await rename(content, `${content}-away`);
    await waitForState(url, (state) => state.problems.length > 0);
    await rename(`${content}-away`, content);
    await waitForState(url, (state) => state.version === 2 && state.problems.length === 0);
    const file = path.join(content, 'valid.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A valid episode', 'Back again'));
    await waitForState(url, (state) => state.version === 3);
    expect(dom(await text(url, '/episodes/valid/')).querySelector('h1')?.textContent).toBe('Back again');
  });

  it('never writes the preview to disk', async () => {
    const root = await episodeWorkspace();
    await preview(root);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });
});
