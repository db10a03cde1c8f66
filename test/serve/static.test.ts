import { readFile, readdir, symlink, writeFile, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { contentTypeOf } from '../../src/model/content-types.ts';
import { acceptedEncodings } from '../../src/serve/static.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { SLUG, closeServers, rawRequest, serveInProcess, servedWorkspace, type TestServe } from './site.ts';

afterAll(cleanUp);

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

describe('the built site, served', () => {
  let root: string;
  let served: TestServe;
  beforeAll(async () => {
    root = await servedWorkspace();
    served = await serveInProcess(root);
  });
  afterAll(closeServers);
  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(new URL(pathname, served.url), { headers: { 'Accept-Encoding': 'identity', ...headers }, redirect: 'manual' });

  it('serves every file of the build exactly, with its content type', async () => {
    const built = await files(path.join(root, 'dist'));
    expect(built).toContain(`episodes/${SLUG}/index.html`);
    for (const file of built) {
      const response = await get(`/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type')).toBe(contentTypeOf(file));
      expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(path.join(root, 'dist', file))), file).toBe(true);
    }
    expect(await (await get('/')).text()).toBe(await readFile(path.join(root, 'dist', 'index.html'), 'utf8'));
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const [head, full] = await Promise.all([fetch(served.url, { method: 'HEAD', headers: { 'Accept-Encoding': 'identity' } }), get('/')]);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const name of ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'content-security-policy']) expect(head.headers.get(name), name).toBe(full.headers.get(name));
  });

  it('revalidates with ETag and Last-Modified: 304 without a body, and a changed file gets a new ETag', async () => {
    const first = await get('/');
    const etag = first.headers.get('etag')!;
    const modified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    for (const headers of <Array<Record<string, string>>>[{ 'If-None-Match': etag }, { 'If-None-Match': `W/${etag}, "other"` }, { 'If-None-Match': '*' }, { 'If-Modified-Since': modified }]) {
      const again = await get('/', headers);
      expect(again.status, JSON.stringify(headers)).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
    }
    expect((await get('/', { 'If-None-Match': '"stale"' })).status).toBe(200);
    expect((await get('/', { 'If-None-Match': '"stale"', 'If-Modified-Since': modified })).status).toBe(200);
    expect((await get('/', { 'If-Modified-Since': new Date(Date.parse(modified) - 1000).toUTCString() })).status).toBe(200);
    // The stylesheet's versioned link never changes meaning.
    const css = await get('/style.css?v=0123456789');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('compresses the feed\'s stylesheet and the JSON Feed, named by +xml and +json types, and keeps the stylesheet an hour', async () => {
    for (const [file, type, cache] of [
      ['/feed.xsl', 'application/xslt+xml; charset=utf-8', 'public, max-age=3600'],
      ['/feed.json', 'application/feed+json; charset=utf-8', 'public, max-age=3600'],
      ['/feed.xml', 'application/xml; charset=utf-8', 'no-cache'],
    ]) {
      const response = await get(file!, { 'Accept-Encoding': 'gzip' });
      expect([response.headers.get('content-type'), response.headers.get('content-encoding'), response.headers.get('cache-control')], file).toEqual([type, 'gzip', cache]);
    }
  });

  it('compresses text with brotli or gzip as the client accepts, never what it refuses', async () => {
    const page = `/episodes/${SLUG}/`;
    const plain = Buffer.from(await (await get(page)).arrayBuffer());
    const br = await get(page, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    const brBytes = await rawBody(served.url, page, 'br');
    expect(brotliDecompressSync(brBytes).equals(plain)).toBe(true);
    expect(brBytes.length).toBeLessThan(plain.length);
    const gz = await rawBody(served.url, page, 'gzip');
    expect(gunzipSync(gz).equals(plain)).toBe(true);
    expect((await get(page, { 'Accept-Encoding': 'br;q=0, gzip' })).headers.get('content-encoding')).toBe('gzip');
    expect((await get(page, { 'Accept-Encoding': 'br;q=0, gzip;q=0' })).headers.get('content-encoding')).toBeNull();
    // Each encoding has its own ETag, so a cache never answers one with the other.
    const tags = new Set([(await get(page)).headers.get('etag'), br.headers.get('etag'), (await get(page, { 'Accept-Encoding': 'gzip' })).headers.get('etag')]);
    expect(tags.size).toBe(3);
    expect((await get(page, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.get('etag')! })).status).toBe(304);
    expect(acceptedEncodings('gzip;q=0.5, br;q=0.8, *;q=0')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('*')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings('identity')).toEqual([]);
  });

  it('answers unknown paths with the site’s 404 page, lists no folder, and adds the slash a page needs', async () => {
    const missing = await get('/no/such/page');
    expect(missing.status).toBe(404);
    expect(dom(await missing.text()).querySelector('h1')?.textContent).toBe('Page not found');
    expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const folder = await get('/episodes/');
    expect(folder.status).toBe(404);
    expect(await folder.text()).not.toContain(SLUG);
    const redirect = await get(`/episodes/${SLUG}?utm_source=x`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(`/episodes/${SLUG}/?utm_source=x`);
    expect((await fetch(new URL('/no', served.url), { method: 'HEAD' })).status).toBe(404);
  });

  it('refuses other methods with 405 and the methods it allows', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const response = await fetch(served.url, { method, ...(method === 'OPTIONS' ? {} : { body: 'x' }) });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it("sends the security headers: a CSP on pages that allows only the site's own script files, nosniff everywhere", async () => {
    const page = await get('/');
    expect(page.headers.get('content-security-policy')).toBe(
      "default-src 'none'; style-src 'self'; script-src 'self'; img-src * data:; media-src *; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    for (const file of ['/style.css', '/feed.xml', '/404.html', '/no-such']) expect((await get(file)).headers.get('x-content-type-options'), file).toBe('nosniff');
    expect((await get('/feed.xml')).headers.get('content-security-policy')).toBeNull();
  });

  it('lets the digest’s web copy keep its inline email styles, and run no script (issue 14)', async () => {
    const copy = await get(`/email/${SLUG}/`);
    expect(copy.status).toBe(200);
    expect(copy.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src * data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'");
    expect(copy.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect((await get('/')).headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });
});

async function rawBody(base: string, pathname: string, encoding: string): Promise<Buffer> {
  const { hostname, port } = new URL(base);
  const answer = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: ${encoding}\r\nConnection: close\r\n\r\n`);
  });
  return answer.subarray(answer.indexOf('\r\n\r\n') + 4);
}

describe('probes at the site', () => {
  let root: string;
  let served: TestServe;
  const secret = 'the contents of a file outside the site';
  beforeAll(async () => {
    root = await servedWorkspace();
    await writeFile(path.join(root, 'secret.txt'), secret);
    await mkdir(path.join(root, 'dist', '.git'));
    await writeFile(path.join(root, 'dist', '.git', 'config'), secret);
    await writeFile(path.join(root, 'dist', '.env'), secret);
    await symlink(path.join(root, 'secret.txt'), path.join(root, 'dist', 'linked.txt'));
    await symlink(root, path.join(root, 'dist', 'up'));
    served = await serveInProcess(root);
  });
  afterAll(closeServers);

  const probes = [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/episodes/..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/secret.txt%00.html',
    '/.git/config',
    '/.env',
    '/linked.txt',
    '/up/secret.txt',
    '//secret.txt',
    '/%c0%ae%c0%ae/secret.txt',
    '/index.html/../../secret.txt',
  ];

  it.each(probes)('never serves what lies outside the site: %s', async (probe) => {
    const answer = await rawRequest(served.url, `GET ${probe} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 (400|404) /);
    expect(answer).not.toContain(secret);
  });

  it('never redirects anywhere but to a page of its own', async () => {
    for (const probe of ['/%2F%2Fevil.example%2F', '/%5Cevil.example', '/%2F%5Cevil.example', '/episodes/%2F%2Fevil.example', '/\\evil.example/']) {
      const answer = await rawRequest(served.url, `GET ${probe} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer, probe).toMatch(/^HTTP\/1\.1 (400|404) /);
      expect(answer).not.toMatch(/^Location:/im);
    }
  });

  it('answers requests that are not origin-form, malformed or oversized with 400 or 431, and goes on serving', async () => {
    const requests = [
      'GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-Injected: a\rb\r\nConnection: close\r\n\r\n',
      'GET /\x00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      'NOT HTTP AT ALL\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    ];
    for (const request of requests) {
      const answer = await rawRequest(served.url, request);
      expect(answer.slice(0, 40), JSON.stringify(request.slice(0, 60))).toMatch(/^HTTP\/1\.1 (400|404|431) /);
    }
    expect((await fetch(served.url)).status).toBe(200);
  });

  it('cuts off a client too slow to send its headers, without holding the server', async () => {
    const slow = await serveInProcess(root, { timeouts: { headersMs: 400, requestMs: 800 } });
    // The headers never end: the server is the one to close the connection.
    const answer = await rawRequest(slow.url, 'GET / HTTP/1.1\r\nHost: x\r\n');
    expect(answer === '' || /^HTTP\/1\.1 408 /.test(answer)).toBe(true);
    expect((await fetch(slow.url)).status).toBe(200);
    await slow.close();
  });
});

describe('a new build', () => {
  afterEach(closeServers);

  it('is served as soon as it is swapped in, without a restart, and requests during the swap never fail', async () => {
    const root = await servedWorkspace();
    const served = await serveInProcess(root);
    const episodeFile = path.join(root, 'episodes', `${SLUG}.md`);
    const original = await readFile(episodeFile, 'utf8');
    const silent = { write: () => undefined };
    const failures: string[] = [];
    let building = true;
    const reader = (async () => {
      while (building) {
        for (const page of ['/', `/episodes/${SLUG}/`, '/style.css']) {
          const response = await fetch(new URL(page, served.url), { headers: { 'Accept-Encoding': 'identity' } });
          if (response.status !== 200) failures.push(`${page}: ${response.status}`);
          await response.arrayBuffer();
        }
      }
    })();
    try {
      for (let build = 1; build <= 4; build++) {
        // A small retitling: the publish guard rightly refuses one that makes the episode unrecognisable.
        await writeFile(episodeFile, original.replace('title: A valid episode', `title: A valid episode, take ${build}`));
        let said = '';
        const stderr = { write: (text: string) => ((said += text), true) };
        expect(await main(['build'], { stdout: silent, stderr, env: { NO_COLOR: '1' }, cwd: root }), said).toBe(0);
        const page = await (await fetch(new URL(`episodes/${SLUG}/`, served.url))).text();
        expect(dom(page).querySelector('h1')?.textContent).toBe(`A valid episode, take ${build}`);
      }
    } finally {
      // Stop reading before the server closes, even when an assertion failed.
      building = false;
      await reader;
    }
    expect(failures).toEqual([]);
  });

  it('keeps its ETags when the build wrote the same bytes, so browsers keep their copies', async () => {
    const root = await servedWorkspace();
    const served = await serveInProcess(root);
    const before = (await fetch(served.url)).headers.get('etag');
    const silent = { write: () => undefined };
    expect(await main(['build'], { stdout: silent, stderr: silent, env: { NO_COLOR: '1' }, cwd: root })).toBe(0);
    const after = await fetch(served.url, { headers: { 'If-None-Match': before! } });
    expect(after.status).toBe(304);
  });

  it('is waited for while --out is missing, then 503 rather than a crash', async () => {
    const root = await tempDir();
    const served = await servedWorkspace();
    const server = await serveInProcess(served);
    await import('node:fs/promises').then((fs) => fs.rename(path.join(served, 'dist'), path.join(root, 'moved')));
    const response = await fetch(server.url);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
  });
});
