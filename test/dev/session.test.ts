import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PATH } from '../../src/dev/server.ts';
import { startSession, type Session } from '../../src/dev/session.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { waitForState, type State } from './dev-process.ts';

const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});
// Folders stay until the file ends: the server tests share one session and its workspace.
afterAll(cleanUp);

async function preview(root: string, options: { templatesDir?: string; port?: number } = {}): Promise<Session> {
  const session = await startSession({
    contentDir: path.join(root, 'episodes'),
    templatesDir: options.templatesDir,
    host: '127.0.0.1',
    port: options.port ?? 0,
    cwd: root,
  });
  sessions.push(session);
  await session.firstBuild;
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
  // One session answers every request here (each session starts a build thread): the requests
  // only read. The workspace holds what the traversal test tries to reach.
  let url: string;
  let root: string;
  let shared: Session;
  beforeAll(async () => {
    root = await episodeWorkspace();
    await writeFile(path.join(root, 'secret.txt'), 'top secret');
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'episodes', 'leak.txt'));
    await symlink('/etc', path.join(root, 'episodes', 'etc'));
    shared = await startSession({ contentDir: path.join(root, 'episodes'), host: '127.0.0.1', port: 0, cwd: root });
    await shared.firstBuild;
    url = shared.url;
  });
  afterAll(() => shared.close());

  it('serves the site with the right content types, drafts included', async () => {
    for (const [target, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/episodes/draft/', 'text/html; charset=utf-8'],
      ['/style.css?v=anything', 'text/css; charset=utf-8'],
      ['/feed.xml', 'application/xml; charset=utf-8'],
      ['/feed.xsl', 'application/xslt+xml; charset=utf-8'],
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
    const page = dom(await text(url, '/episodes/valid/'));
    const links = [...page.querySelectorAll('#castwright-preview-bar a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['/email/valid/', '/feed.xml', '/']);
    expect(page.querySelector('script[src="/__castwright/client.js"]')?.getAttribute('data-version')).toBe('1');
  });

  it('shows the email with its subject, preheader, text part and size, light and dark', async () => {
    const page = dom(await text(url, '/email/valid/'));
    expect(page.querySelector('#subject')?.textContent).toBe('A valid episode');
    expect(page.querySelector('#preheader')?.textContent).toBe('Welcome to the show.');
    expect(page.querySelector('#size')?.textContent).toMatch(/^\d+(\.\d)? KB of Gmail's 102 KB clipping limit$/);
    expect(page.querySelector('#size')?.getAttribute('class')).toBe('size-ok');
    expect(page.querySelector('#text-part')?.textContent).toContain('1. First story (news.example.com)');
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
    const response = await fetch(new URL('/no/such/page', url));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(dom(await response.text()).querySelector('h1')?.textContent).toBe('Page not found');
  });

  it('redirects a page path without its trailing slash', async () => {
    const response = await fetch(new URL('/episodes/valid?x=1', url), { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/episodes/valid/?x=1');
  });

  it('refuses traversal, encoded traversal, absolute paths and symlinks out of the preview', async () => {
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
    const response = await fetch(new URL(EVENTS_PATH, url), { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('rebuilding on save', () => {
  it('serves the edited episode after a save and tells open pages to reload', async () => {
    const root = await episodeWorkspace();
    const { url } = await preview(root);
    const file = path.join(root, 'episodes', 'valid.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A valid episode', 'An edited episode'));
    expect(await waitForState(url, (state) => state.version === 2)).toEqual({ version: 2, problems: [], warnings: [] });
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
    // Back to the text of the last good build: the problems go, and open pages need no reload.
    await writeFile(file, good);
    expect(await waitForState(url, (state) => state.problems.length === 0)).toEqual({ version: 1, problems: [], warnings: [] });
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
    expect(await waitForState(url, (state) => state.problems.length === 0)).toEqual({ version: 1, problems: [], warnings: [] });
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
    await waitForState(url, (state) => state.problems.length === 0);
    const file = path.join(content, 'valid.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A valid episode', 'Back again'));
    await waitForState(url, (state) => state.version === 2);
    expect(dom(await text(url, '/episodes/valid/')).querySelector('h1')?.textContent).toBe('Back again');
  });

  it('never writes the preview to disk', async () => {
    const root = await episodeWorkspace();
    await preview(root);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });
});

/** Waits for a condition a process or thread brings about (there is no event to wait on). */
async function until(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a build that takes long or never ends (issue 8, cases 1 and 2)', () => {
  const HANGING_PREVIEW = new URL('../fixtures/dev/hanging-preview.ts', import.meta.url).href;

  async function hangingSession(options: { restartAfterMs?: number } = {}) {
    const root = await episodeWorkspace();
    const session = await startSession({
      contentDir: path.join(root, 'episodes'),
      host: '127.0.0.1',
      port: 0,
      cwd: root,
      previewModule: HANGING_PREVIEW,
      ...options,
    });
    sessions.push(session);
    expect((await session.firstBuild).ok).toBe(true);
    /** Starts a build that never ends, and resolves once it is under way. */
    const hang = async () => {
      await writeFile(path.join(root, 'episodes', 'HANG'), '');
      void session.rebuild();
      await until(() => existsSync(path.join(root, 'hanging')), 'the build to start spinning');
    };
    return { root, session, hang };
  }

  it('keeps serving the last good build while a build spins', async () => {
    const { session, hang } = await hangingSession();
    await hang();
    const page = await fetch(new URL('/episodes/valid/', session.url));
    expect(page.status).toBe(200);
    expect(dom(await page.text()).querySelector('h1')?.textContent).toBe('A valid episode');
    expect(await waitForState(session.url, () => true)).toEqual({ version: 1, problems: [], warnings: [] });
  });

  it('stops a spinning build when the preview is stopped (Ctrl+C)', async () => {
    const { session, hang } = await hangingSession();
    await hang();
    await session.close();
    sessions.splice(sessions.indexOf(session), 1);
    await expect(fetch(session.url)).rejects.toThrow();
  });

  it('gives up a long build for a newer save, and builds that one', async () => {
    const { root, session, hang } = await hangingSession({ restartAfterMs: 0 });
    await hang();
    await rm(path.join(root, 'episodes', 'HANG'));
    const file = path.join(root, 'episodes', 'valid.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace('A valid episode', 'Saved during a stuck build'));
    const report = await session.rebuild();
    expect(report.ok).toBe(true);
    expect(dom(await text(session.url, '/episodes/valid/')).querySelector('h1')?.textContent).toBe('Saved during a stuck build');
  });
});

describe('warnings in the preview (issue 8, case 3)', () => {
  it('are sent to open pages with the build, which is served, and go when fixed', async () => {
    const root = await episodeWorkspace();
    const file = path.join(root, 'episodes', 'valid.md');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.replace('## On the podcast this morning', '## What we covered'));
    const session = await preview(root);
    const report = await session.firstBuild;
    expect(report.ok && report.warnings.map((warning) => warning.message)).toEqual([expect.stringMatching(/^"What we covered" is not a stories heading/)]);
    const state = await waitForState(session.url, () => true);
    expect(state.problems).toEqual([]);
    expect(state.warnings).toEqual([
      { severity: 'warning', text: expect.stringMatching(/^episodes\/valid\.md:15: warning: "What we covered" is not a stories heading/) },
    ]);
    expect((await fetch(new URL('/episodes/valid/', session.url))).status).toBe(200);
    await writeFile(file, good);
    expect((await waitForState(session.url, (next) => next.warnings.length === 0)).problems).toEqual([]);
  });
});

describe('what dev watches (issue 8, case 14)', () => {
  it('exactly the folders the build reads: not a link out of the content folder, not skipped names', async () => {
    const root = await episodeWorkspace();
    const content = path.join(root, 'episodes');
    const valid = await readFile(path.join(content, 'valid.md'), 'utf8');
    await mkdir(path.join(content, '2021'));
    await mkdir(path.join(content, '_notes'));
    await mkdir(path.join(content, 'node_modules', 'big'), { recursive: true });
    await mkdir(path.join(root, 'outside'));
    await symlink('/usr', path.join(content, 'usr'));
    await symlink(path.join(root, 'outside'), path.join(content, 'outside'));
    await symlink(path.join(content, '2021'), path.join(content, 'this-year'));
    await writeFile(path.join(content, '2021', 'later.md'), valid.replace('episode: 7', 'episode: 9').replace('7.mp3', '9.mp3'));
    const session = await preview(root);
    expect(session.watchedFolders().sort()).toEqual([content, path.join(content, '2021')].map((folder) => realpathSync(folder)).sort());
    const report = await session.firstBuild;
    expect(report.ok && report.warnings.map((warning) => warning.file)).toEqual(['episodes/outside', 'episodes/this-year', 'episodes/usr']);
  });

  it('a folder added while it runs, from the build after', async () => {
    const root = await episodeWorkspace();
    const content = path.join(root, 'episodes');
    const session = await preview(root);
    await mkdir(path.join(content, '2022'));
    await until(() => session.watchedFolders().includes(realpathSync(path.join(content, '2022'))), 'the new folder to be watched');
    const valid = await readFile(path.join(content, 'valid.md'), 'utf8');
    await writeFile(path.join(content, '2022', 'new.md'), valid.replace('episode: 7', 'episode: 10').replace('7.mp3', '10.mp3').replace('A valid episode', 'In a new folder'));
    const state = await waitForState(session.url, (next) => next.version >= 2);
    expect(state.problems).toEqual([]);
    expect(dom(await text(session.url, '/episodes/new/')).querySelector('h1')?.textContent).toBe('In a new folder');
  });
});
