// check --links against a local HTTP server (never the internet): HEAD then GET, redirects, a time
// limit, at most N requests at once, audio and artwork judged from what the server sends, and a
// day's cache of the links that answered.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { imageFacts, judgeArtwork } from '../../src/check/artwork.ts';
import { CACHE_MS, checkLinks, type LinkTarget } from '../../src/check/links.ts';
import { cleanUp, fixture, tempDir, workspace } from '../helpers/content.ts';
import { startTestServer, type Handler, type TestServer } from '../helpers/http.ts';
import { castwright, findingsIn } from './helpers.ts';
import { wavFile } from '../helpers/audio.ts';
import { episodeWithAudio } from '../helpers/copied-audio.ts';
import { rgbJpeg } from '../helpers/images.ts';

/** The first bytes of a PNG of this size and colour type (2 RGB, 0 gray, 3 palette). */
function png(width: number, height: number, colorType = 2): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header[24] = 8;
  header[25] = colorType;
  return header;
}

/** A JPEG's start: an APP0 segment, then the frame header with its size and component count. */
function jpeg(width: number, height: number, components = 3): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const frame = Buffer.alloc(10 + components * 3);
  frame.writeUInt16BE(0xffc0, 0);
  frame.writeUInt16BE(8 + components * 3, 2);
  frame[4] = 8;
  frame.writeUInt16BE(height, 5);
  frame.writeUInt16BE(width, 7);
  frame[9] = components;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, frame]);
}

let server: TestServer;
let routes: TestServer['routes'];
let requests: string[];
let base: string;

const serve = (type: string, body: Buffer | string, length?: number): Handler => (request, response) => {
  response.writeHead(200, { 'content-type': type, 'content-length': String(length ?? Buffer.byteLength(body)) });
  response.end(request.method === 'HEAD' ? undefined : body);
};

beforeAll(async () => {
  server = await startTestServer();
  ({ routes, requests, base } = server);
  routes.set('/ok', serve('text/html', '<p>ok</p>'));
  routes.set('/no-head', (request, response) => {
    if (request.method === 'HEAD') response.writeHead(405).end();
    else serve('text/html', '<p>ok</p>')(request, response);
  });
  routes.set('/moved', (_, response) => response.writeHead(301, { location: '/ok' }).end());
  routes.set('/to-file', (_, response) => response.writeHead(302, { location: 'file:///etc/passwd' }).end());
  routes.set('/busy', (_, response) => response.writeHead(503).end());
  routes.set('/silent', (_, response) => server.hold(response));
  routes.set('/audio.mp3', serve('audio/mpeg', Buffer.alloc(1000)));
  routes.set('/audio-octet.mp3', serve('application/octet-stream', Buffer.alloc(1000)));
  routes.set('/art.png', serve('image/png', png(1400, 1400)));
  routes.set('/art-small.png', serve('image/png', png(500, 500)));
  routes.set('/art-wide.png', serve('image/png', png(3000, 1600)));
  routes.set('/art-cmyk.jpg', serve('image/jpeg', jpeg(2000, 2000, 4)));
  routes.set('/art.gif', serve('image/gif', Buffer.from('GIF89a\x40\x01\x40\x01', 'latin1')));
  routes.set('/art-named.jpg', serve('image/jpeg', png(1400, 1400)));
});

afterAll(async () => {
  await server.close();
});

afterEach(async () => {
  requests.length = 0;
  await cleanUp();
});

const link = (route: string, kind: LinkTarget['kind'] = 'link', extra: Partial<LinkTarget> = {}): LinkTarget => ({
  url: `${base}${route}`,
  kind,
  file: 'episodes/valid.md',
  line: 15,
  ...extra,
});

const check = (targets: LinkTarget[], options: { cacheFile?: string; now?: number; concurrency?: number } = {}) =>
  checkLinks(targets, { timeoutMs: 1000, concurrency: options.concurrency ?? 4, ...options });

describe('checking links', () => {
  it('takes a page that answers HEAD, one that only answers GET, and a redirect to one', async () => {
    expect(await check([link('/ok'), link('/no-head'), link('/moved')])).toEqual([]);
    expect(requests.sort()).toEqual(['GET /no-head', 'HEAD /moved', 'HEAD /no-head', 'HEAD /ok', 'HEAD /ok'].sort());
  });

  it('links/broken: a page that is gone, at the line of the link', async () => {
    expect(await check([link('/gone'), link('/gone', 'link', { line: 30 })])).toEqual([
      { file: 'episodes/valid.md', line: 15, severity: 'warning', code: 'links/broken', message: `"${base}/gone" answers 404; fix or remove the link (and 1 more place)` },
    ]);
  });

  it('links/unreachable: a server that does not answer in time, a 503, or a redirect to file:', async () => {
    const found = await check([link('/silent'), link('/busy'), link('/to-file')]);
    expect(found.map((item) => [item.code, item.severity, item.message])).toEqual([
      ['links/unreachable', 'warning', `"${base}/silent" no answer within 1 s; it may work another time (try again later)`],
      ['links/unreachable', 'warning', `"${base}/busy" answers 503; it may work another time (try again later)`],
      ['links/unreachable', 'warning', `"${base}/to-file" redirects to a file: address (file:///etc/passwd); only http(s) is followed; it may work another time (try again later)`],
    ]);
  });

  it('links/audio-broken, links/audio-length and links/audio-type: the audio as its server sends it', async () => {
    const found = await check([
      link('/audio.mp3', 'audio', { length: 1000, type: 'audio/mpeg' }),
      link('/missing.mp3', 'audio', { length: 1000, type: 'audio/mpeg', line: 8 }),
      link('/audio-octet.mp3', 'audio', { length: 999, type: 'audio/mpeg', line: 9 }),
    ]);
    expect(found).toEqual([
      { file: 'episodes/valid.md', line: 8, severity: 'error', code: 'links/audio-broken', message: `the audio "${base}/missing.mp3" answers 404: the episode cannot be played or downloaded` },
      {
        file: 'episodes/valid.md',
        line: 9,
        severity: 'warning',
        code: 'links/audio-length',
        message: `the audio "${base}/audio-octet.mp3" is 1000 bytes, but audio.length says 999: apps trust the length and may stop playback early or refuse the file; write 1000`,
      },
      {
        file: 'episodes/valid.md',
        line: 9,
        severity: 'warning',
        code: 'links/audio-type',
        message: `the audio "${base}/audio-octet.mp3" is served as application/octet-stream, but the feed says audio/mpeg: some apps will not play it; fix the server's Content-Type or audio.type`,
      },
    ]);
  });

  it('feed/artwork-*: cover art read from its first bytes, as Apple requires it', async () => {
    const art = (route: string) => link(route, 'artwork', { file: 'episodes/show.yml', line: 7 });
    const found = await check([art('/art.png'), art('/art-small.png'), art('/art-wide.png'), art('/art-cmyk.jpg'), art('/art.gif'), art('/art-named.jpg'), art('/art-gone.png')]);
    expect(found.map((item) => [item.code, item.severity, item.message])).toEqual([
      ['feed/artwork-size', 'error', `the artwork ${base}/art-small.png is 500 × 500 px; Apple requires a square of 1400 to 3000 px`],
      ['feed/artwork-size', 'error', `the artwork ${base}/art-wide.png is 3000 × 1600 px; Apple requires a square of 1400 to 3000 px`],
      ['feed/artwork-color', 'warning', `the artwork ${base}/art-cmyk.jpg is in CMYK; Apple asks for RGB`],
      ['feed/artwork-type', 'error', `the artwork ${base}/art.gif is GIF; Apple takes JPEG or PNG only`],
      ['feed/artwork-extension', 'warning', `the artwork ${base}/art-named.jpg is a PNG, but its name ends in .jpg and the server calls it image/jpeg; Apple asks that the name match the real type`],
      ['links/artwork-broken', 'error', `the artwork "${base}/art-gone.png" answers 404: Apple rejects a show without cover art`],
    ]);
  });

  it('asks at most N at once', async () => {
    const total = 9;
    const limit = 3;
    let active = 0;
    let most = 0;
    let arrived = 0;
    const waiting: Array<() => void> = [];
    // Each answer waits until `limit` requests are in flight (or all have come): the most the
    // checker may have open at once is then reached, deterministically, if it is not kept.
    for (let i = 0; i < total; i++) {
      routes.set(`/wait-${i}`, (_, response) => {
        active++;
        arrived++;
        most = Math.max(most, active);
        waiting.push(() => {
          active--;
          response.writeHead(200).end();
        });
        if (waiting.length === limit || arrived === total) waiting.splice(0).forEach((answer) => answer());
      });
    }
    const found = await check(Array.from({ length: total }, (_, i) => link(`/wait-${i}`)), { concurrency: limit });
    expect(found).toEqual([]);
    expect(most).toBe(limit);
  });

  it('remembers the links that answered for a day, never those that failed', async () => {
    const cacheFile = path.join(await tempDir(), 'state', 'links.json');
    const now = Date.UTC(2026, 0, 1);
    expect(await check([link('/ok'), link('/gone')], { cacheFile, now })).toHaveLength(1);
    const cached = JSON.parse(await readFile(cacheFile, 'utf8'));
    expect(Object.keys(cached.answers)).toEqual([`${base}/ok`]);
    requests.length = 0;
    expect(await check([link('/ok'), link('/gone')], { cacheFile, now: now + CACHE_MS - 1 })).toHaveLength(1);
    expect(requests).toEqual(['HEAD /gone', 'GET /gone']);
    requests.length = 0;
    await check([link('/ok')], { cacheFile, now: now + CACHE_MS + 1 });
    expect(requests).toEqual(['HEAD /ok']);
  });

  it('reads image sizes without trusting the bytes: a truncated or hostile header ends the scan', () => {
    expect(imageFacts(png(1400, 1400))).toEqual({ format: 'png', width: 1400, height: 1400, color: 'rgb' });
    expect(imageFacts(jpeg(1600, 1600, 1))).toEqual({ format: 'jpeg', width: 1600, height: 1600, color: 'gray' });
    expect(imageFacts(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toEqual({ format: 'jpeg' });
    expect(imageFacts(png(1400, 1400).subarray(0, 20))).toEqual({ format: 'png' });
    expect(judgeArtwork({ format: 'png' }, 'https://x.example/a.png')).toEqual([
      { code: 'feed/artwork-type', severity: 'error', message: 'the artwork https://x.example/a.png is a PNG whose size cannot be read (a damaged or truncated file)' },
    ]);
  });
});

describe('castwright check --links', () => {
  it('checks the show\'s links and keeps its cache in .castwright/ beside the content folder', async () => {
    const show = (await fixture('show.yml')).replace('https://fixture.example.com/art.png', `${base}/art-small.png`).replace('https://podcasts.apple.com/us/podcast/fixture/id1', `${base}/ok`);
    const episode = (await fixture('episodes/valid.md'))
      .replace('https://cdn.fixture.example.com/7.mp3', `${base}/audio.mp3`)
      .replace('length: 1234567', 'length: 1000')
      .replace('https://news.example.com/first', `${base}/gone`)
      .replace('https://www.other.example.org/second?id=2', `${base}/moved`);
    const root = await workspace({ 'valid.md': episode }, { show });
    const result = await castwright(['check', '--links', '--concurrency', '2'], root);
    expect(result.code).toBe(1);
    // (The local server's links are plain http, which the email lint flags too: not what this test is about.)
    expect(findingsIn(result.stderr).filter((item) => !item.code.startsWith('email/'))).toEqual([
      { file: 'episodes/show.yml', line: 7, severity: 'error', code: 'feed/artwork-size', message: `the artwork ${base}/art-small.png is 500 × 500 px; Apple requires a square of 1400 to 3000 px` },
      { file: 'episodes/valid.md', line: 15, severity: 'warning', code: 'links/broken', message: `"${base}/gone" answers 404; fix or remove the link` },
    ]);
    expect(result.stderr).toMatch(/castwright check: 1 error and \d+ warnings in 1 episode, the feed, 1 email digest and 5 links \(guard: no earlier build at dist\/feed.xml to compare with\)/);
    const cache = JSON.parse(await readFile(path.join(root, '.castwright', 'links.json'), 'utf8'));
    expect(Object.keys(cache.answers).sort()).toEqual([`${base}/art-small.png`, `${base}/audio.mp3`, `${base}/moved`, `${base}/ok`].sort());
  });

  it('judges what the build puts on the site (local art, copied audio, a transcript, a page) from the build, not from a site that may not have it yet', async () => {
    const site = `${base}/site/`;
    const show = (await fixture('show.yml')).replace('https://fixture.example.com/', site).replace('https://fixture.example.com/art.png', 'art/cover.jpg').replace('https://podcasts.apple.com/us/podcast/fixture/id1', `${base}/ok`);
    const episode = (await episodeWithAudio('  file: audio/ep 7.wav\n  copy: true\n'))
      .replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\nimage: art/ep.jpg\n')
      .replace('https://news.example.com/first', `${site}episodes/ep/`)
      .replace('https://www.other.example.org/second?id=2', `${site}not-built.html`);
    const root = await workspace({ 'ep.md': episode, 'ep.vtt': 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n' }, { show });
    await mkdir(path.join(root, 'episodes', 'audio'));
    await writeFile(path.join(root, 'episodes', 'audio', 'ep 7.wav'), wavFile(3));
    await mkdir(path.join(root, 'episodes', 'art'));
    await writeFile(path.join(root, 'episodes', 'art', 'cover.jpg'), await rgbJpeg(1400));
    await writeFile(path.join(root, 'episodes', 'art', 'ep.jpg'), await rgbJpeg(1400));
    // The site answers 404 to everything: nothing is published there yet.
    const result = await castwright(['check', '--links'], root);
    expect(findingsIn(result.stderr).filter((item) => item.code.startsWith('links/') || item.code.startsWith('feed/artwork'))).toEqual([
      { file: 'episodes/ep.md', line: 16, severity: 'warning', code: 'links/broken', message: `"${site}not-built.html" answers 404; fix or remove the link` },
    ]);
    // Only the link to a file the build does not make was asked; the answers about the build are not cached either.
    expect(requests.filter((request) => request.includes('/site/'))).toEqual([`HEAD /site/not-built.html`, `GET /site/not-built.html`]);
    const cache = JSON.parse(await readFile(path.join(root, '.castwright', 'links.json'), 'utf8'));
    expect(Object.keys(cache.answers)).toEqual([`${base}/ok`]);
  });
});
