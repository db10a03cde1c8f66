// Reading a feed from a URL or a file: redirects, deadlines, size caps and refused schemes, against
// a real HTTP server on a random port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunError, UsageError } from '../../src/errors.ts';
import { MAX_FEED_BYTES, readFeedSource } from '../../src/feed-reader/source.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { castwright } from '../import/helpers.ts';

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
<title>Served Show</title><description>Served over HTTP.</description><language>en</language>
<itunes:author>S</itunes:author><itunes:owner><itunes:name>S</itunes:name><itunes:email>s@example.com</itunes:email></itunes:owner>
<itunes:image href="https://example.com/a.jpg"/><itunes:category text="Technology"/><itunes:explicit>no</itunes:explicit>
<item><title>One</title><guid>one</guid><pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>
<enclosure url="https://cdn.example.com/1.mp3" length="10" type="audio/mpeg"/></item>
</channel></rss>
`;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const routes = new Map<string, Handler>();
let server: Server;
let base: string;
const held: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const handler = routes.get(request.url ?? '');
    if (handler) handler(request, response);
    else response.writeHead(404).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  routes.set('/feed.xml', (_, response) => response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' }).end(FEED));
  routes.set('/moved', (_, response) => response.writeHead(301, { location: '/feed.xml' }).end());
  routes.set('/moved-twice', (_, response) => response.writeHead(302, { location: `${base}/moved` }).end());
  routes.set('/loop-a', (_, response) => response.writeHead(301, { location: '/loop-b' }).end());
  routes.set('/loop-b', (_, response) => response.writeHead(301, { location: '/loop-a' }).end());
  for (let i = 0; i < 8; i++) routes.set(`/chain-${i}`, (_, response) => response.writeHead(302, { location: `/chain-${i + 1}` }).end());
  routes.set('/to-file', (_, response) => response.writeHead(301, { location: 'file:///etc/passwd' }).end());
  routes.set('/page', (_, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'),
  );
  routes.set('/huge-declared', (_, response) => response.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).end());
  routes.set('/huge-streamed', (_, response) => {
    // 50 MB in chunks without a length: the reader must stop at the cap, not buffer it all.
    response.writeHead(200, { 'content-type': 'application/rss+xml' });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const write = () => {
      while (sent < 50) {
        sent++;
        if (!response.write(chunk)) return void response.once('drain', write);
      }
      response.end();
    };
    response.on('error', () => undefined);
    write();
  });
  // Answers nothing, ever: only the deadline ends the wait.
  routes.set('/silent', (_, response) => void held.push(response));
  routes.set('/latin1', (_, response) =>
    response
      .writeHead(200, { 'content-type': 'text/xml; charset=iso-8859-1' })
      .end(Buffer.from(FEED.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '').replace('Served Show', 'Café Crème'), 'latin1')),
  );
});

afterAll(async () => {
  for (const response of held) response.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(cleanUp);

const read = (spec: string, timeoutMs = 10_000) => readFeedSource(spec, { cwd: process.cwd(), timeoutMs });

describe('reading a feed from a URL', () => {
  it('follows redirects to the feed, and names the URL it was given', async () => {
    const source = await read(`${base}/moved-twice`);
    expect(source.bytes.toString()).toBe(FEED);
    expect(source.url).toBe(`${base}/moved-twice`);
    expect(source.charset).toBe('utf-8');
  });

  it('stops a redirect loop, a chain of more than 5 redirects and a redirect to file:', async () => {
    await expect(read(`${base}/loop-a`)).rejects.toThrow(new RunError(`${base}/loop-a redirects in a loop (${base}/loop-b → ${base}/loop-a)`));
    await expect(read(`${base}/chain-0`)).rejects.toThrow(`${base}/chain-0 redirects more than 5 times; expected the feed`);
    await expect(read(`${base}/to-file`)).rejects.toThrow(`${base}/to-file redirects to file: address file:///etc/passwd; only http(s) redirects are followed`);
  });

  it('refuses other schemes before any work, as bad usage', async () => {
    for (const spec of ['file:///etc/passwd', 'ftp://example.com/feed.xml', 'javascript:alert(1)', 'data:text/xml,<rss/>']) {
      await expect(read(spec)).rejects.toBeInstanceOf(UsageError);
    }
  });

  it('gives up on a server that never answers, at the deadline, naming the option that sets it only when the caller has one', async () => {
    // build and publish read --against with a fixed deadline: no option of theirs sets it.
    await expect(read(`${base}/silent`, 500)).rejects.toThrow(new RunError(`cannot fetch ${base}/silent: no complete answer within 0.5 s`));
    const withOption = readFeedSource(`${base}/silent`, { cwd: process.cwd(), timeoutMs: 500, timeoutOption: '--timeout' });
    await expect(withOption).rejects.toThrow(new RunError(`cannot fetch ${base}/silent: no complete answer within 0.5 s (--timeout sets the limit)`));
  });

  it('refuses a 50 MB feed, whether the server says its size or streams it', async () => {
    await expect(read(`${base}/huge-declared`)).rejects.toThrow(`${base}/huge-declared is 50 MB, more than 25 MB; expected a podcast feed`);
    await expect(read(`${base}/huge-streamed`)).rejects.toThrow(`${base}/huge-streamed is more than 25 MB; expected a podcast feed`);
  });

  it('says what an error status or a closed port means', async () => {
    await expect(read(`${base}/nothing-here`)).rejects.toThrow(`cannot fetch ${base}/nothing-here: the server answered 404 Not Found`);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(read(`http://127.0.0.1:${port}/feed.xml`)).rejects.toThrow(/ECONNREFUSED: nothing is listening there/);
  });

  it('imports over HTTP with the charset the server names, and says when a URL is a web page', async () => {
    const root = await tempDir();
    const latin = await castwright(['import', `${base}/latin1`, '--url', 'https://new.example.com/'], root);
    expect(latin.code).toBe(0);
    expect(latin.stderr).not.toContain('\uFFFD');
    expect(await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).toContain('title: Café Crème\n');
    const page = await castwright(['import', `${base}/page`], root);
    expect(page.code).toBe(1);
    expect(page.stderr).toContain(`${base}/page:1: this is a web page, not a feed; the page names its feed: /feed.xml`);
    const timeout = await castwright(['import', `${base}/silent`, '--timeout', '0.3'], root);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain('no complete answer within 0.3 s (--timeout sets the limit)');
  });
});

describe('reading a feed from a file', () => {
  it('refuses a file over the cap without reading it, and /dev/zero after the cap', async () => {
    const root = await tempDir();
    const big = path.join(root, 'big.xml');
    const handle = await open(big, 'w');
    await handle.truncate(50 * 1024 * 1024);
    await handle.close();
    await expect(readFeedSource('big.xml', { cwd: root, timeoutMs: 1000 })).rejects.toThrow('big.xml is 50 MB, more than 25 MB; expected a podcast feed');
    await expect(readFeedSource('/dev/zero', { cwd: root, timeoutMs: 1000, maxBytes: 1024 })).rejects.toThrow('/dev/zero is more than 1 KB');
    expect(MAX_FEED_BYTES).toBe(25 * 1024 * 1024);
  });

  it('is a usage error when the file is missing or a folder', async () => {
    const root = await tempDir();
    await writeFile(path.join(root, 'ok.xml'), FEED);
    await expect(readFeedSource('missing.xml', { cwd: root, timeoutMs: 1000 })).rejects.toThrow(new UsageError('missing.xml: no such file; expected a feed file or an http(s) URL'));
    await expect(readFeedSource('.', { cwd: root, timeoutMs: 1000 })).rejects.toBeInstanceOf(UsageError);
    expect((await readFeedSource('ok.xml', { cwd: root, timeoutMs: 1000 })).name).toBe('ok.xml');
  });
});
