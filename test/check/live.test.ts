// The guard against a live feed over HTTP (a local server) and against an imported real feed: a
// hostile or unreachable feed fails closed, as a finding that stops the build, never a skipped
// guard; foreign text in messages cannot flood or rewrite a terminal.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readLiveFeed } from '../../src/check/live.ts';
import { runGuard } from '../../src/check/run-guard.ts';
import { generate } from '../../src/pipeline.ts';
import { cleanUp, FIXTURES, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { startTestServer, type TestServer } from '../helpers/http.ts';
import { castwright, edit, findingsIn, sampleShow } from './helpers.ts';

let server: TestServer;
let routes: TestServer['routes'];
let base: string;
/** The sample show, built once: its dist/feed.xml is what the server publishes as live. */
let sample: string;
let liveFeed: string;

const ENTITIES = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<rss version="2.0"><channel><title>&c;</title></channel></rss>
`;

beforeAll(async () => {
  sample = await sampleShow({ built: true });
  liveFeed = await readFile(path.join(sample, 'dist', 'feed.xml'), 'utf8');
  server = await startTestServer();
  ({ routes, base } = server);
  routes.set('/feed.xml', (_, response) => response.writeHead(200, { 'content-type': 'application/rss+xml' }).end(liveFeed));
  routes.set('/moved', (_, response) => response.writeHead(301, { location: '/feed.xml' }).end());
  routes.set('/huge', (_, response) => response.writeHead(200, { 'content-length': String(60 * 1024 * 1024) }).end());
  routes.set('/streamed', (_, response) => {
    response.writeHead(200, { 'content-type': 'application/rss+xml' });
    response.on('error', () => undefined);
    response.end(Buffer.alloc(256 * 1024, ' '));
  });
  // Never answers: only the deadline ends the wait.
  routes.set('/silent', (_, response) => server.hold(response));
  routes.set('/entities', (_, response) => response.writeHead(200).end(ENTITIES));
  routes.set('/to-file', (_, response) => response.writeHead(302, { location: 'file:///etc/passwd' }).end());
  routes.set('/odd', (_, response) => {
    // An item the show does not have, whose guid and title carry raw terminal escapes and a direction override.
    const hostile = `<item><title>\u202Egnp.exe ${'x'.repeat(100_000)}</title><guid isPermaLink="false">\u001b[2J\u001b]0;owned\u0007guid</guid>` +
      '<enclosure url="https://cdn.example.com/hostile.mp3" length="1" type="audio/mpeg"/></item>';
    response.writeHead(200).end(liveFeed.replace('</channel>', `${hostile}</channel>`));
  });
});

afterAll(async () => {
  await server.close();
  await cleanUp();
});

afterEach(async () => {
  await rm(path.join(sample, '.castwright'), { recursive: true, force: true });
});

describe('check --against a live feed over HTTP', () => {
  it('compares with the live feed, redirects followed, and finds the sample show unchanged', async () => {
    const result = await castwright(['check', '--against', `${base}/moved`], sample);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`✓ Checked 4 episodes, the feed and 4 email digests: no problems (guard: compared with ${base}/moved).\n`);
    expect(result.code).toBe(0);
  });

  it.each([
    ['/huge', (url: string) => `${url} is 60 MB, more than 25 MB; expected a podcast feed (the largest real ones are about 10 MB)`],
    ['/silent', (url: string) => `cannot fetch ${url}: no complete answer within 0.5 s (--timeout sets the limit)`],
    ['/to-file', (url: string) => `${url} redirects to file: address file:///etc/passwd; only http(s) redirects are followed`],
    ['/gone', (url: string) => `cannot fetch ${url}: the server answered 404 Not Found`],
  ])('fails closed on %s: an error finding, exit 1, and build writes nothing', async (route, reason) => {
    const url = `${base}${route}`;
    const checked = await castwright(['check', '--against', url, '--timeout', '0.5'], sample);
    expect(checked.code).toBe(1);
    const message = `the publish guard cannot read the feed it compares with: ${reason(url)}; restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard`;
    expect(findingsIn(checked.stderr)).toEqual([{ file: url, severity: 'error', code: 'guard/live-unreadable', message }]);
    if (route === '/gone') {
      const before = await snapshot(path.join(sample, 'dist'));
      const built = await castwright(['build', '--against', url], sample);
      expect(built.code).toBe(1);
      expect(await snapshot(path.join(sample, 'dist'))).toEqual(before);
    }
  });

  it('names no --timeout when the guard runs for build or publish, which have no such option', async () => {
    // As build and publish call it: no timeoutOption (their deadline is fixed, DEFAULT_GUARD_TIMEOUT_MS; shorter here for the test).
    const { publication } = await generate({ contentDir: path.join(sample, 'episodes'), cwd: sample });
    const url = `${base}/silent`;
    const guard = await runGuard({ publication, cwd: sample, contentDir: path.join(sample, 'episodes'), against: url, timeoutMs: 300 });
    expect(guard.findings.map((item) => item.message)).toEqual([
      `the publish guard cannot read the feed it compares with: cannot fetch ${url}: no complete answer within 0.3 s; restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard`,
    ]);
    const built = await castwright(['build', '--timeout', '1'], sample);
    expect(built.stderr).toContain('unknown option --timeout');
  });

  it('refuses a feed that declares its own entities, at the line of its DOCTYPE, without expanding them', async () => {
    const result = await castwright(['check', '--against', `${base}/entities`], sample);
    expect(result.code).toBe(1);
    expect(findingsIn(result.stderr)).toEqual([
      {
        file: `${base}/entities`,
        line: 2,
        severity: 'error',
        code: 'guard/live-unreadable',
        message:
          'the publish guard cannot read the feed it compares with: the feed declares its own entities (<!ENTITY> in its DOCTYPE), which castwright never expands; podcast feeds do not need them: remove them from the feed, or from a copy of it; ' +
          'restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard',
      },
    ]);
  });

  it('stops reading a streamed feed at the size cap', async () => {
    await expect(readLiveFeed(`${base}/streamed`, { cwd: sample, timeoutMs: 5000, maxBytes: 64 * 1024 })).rejects.toThrow(`${base}/streamed: ${base}/streamed is more than 64 KB`);
  });

  it('shows a hostile guid and title escaped and cut short: no escape sequence or direction override reaches the terminal', async () => {
    const result = await castwright(['check', '--against', `${base}/odd`], sample);
    expect(result.code).toBe(1);
    const [found, ...rest] = findingsIn(result.stderr);
    expect(rest).toEqual([]);
    expect(found!.code).toBe('guard/episode-removed');
    expect(result.stderr).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(found!.message).toContain('guid "\\u001b[2J\\u001b]0;owned\\u0007guid"');
    expect(found!.message).toContain('"\\u202egnp.exe xxxx');
    expect(result.stderr.length).toBeLessThan(2000);
    // Such a guid can be acknowledged all the same, by its exact text.
    const accepted = await castwright(['check', '--against', `${base}/odd`, '--accept', '\u001b[2J\u001b]0;owned\u0007guid'], sample);
    expect(accepted.code).toBe(0);
  });
});

describe('the guard on an imported real feed', () => {
  it('finds no change between Launched and its import, then the episode deleted and the audio moved', async () => {
    const root = await tempDir();
    const feed = path.join(FIXTURES, 'import', 'real', 'launched.xml');
    expect((await castwright(['import', feed, '--url', 'https://launched.example.com/', '--feed-url', 'https://feeds.example.com/launched.xml', '--force'], root)).code).toBe(0);
    const clean = await castwright(['check', '--against', feed, '--json'], root);
    const codes = clean.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { code: string }).code);
    expect(codes.filter((code) => code.startsWith('guard/'))).toEqual([]);
    expect(clean.code).toBe(0);

    // Apps know the imported episodes by their own guids: renaming a file changes nothing for them.
    const episodes = path.join(root, 'episodes');
    const introducing = '2019-12-13-introducing-launched';
    const text = await readFile(path.join(episodes, `${introducing}.md`), 'utf8');
    await rm(path.join(episodes, `${introducing}.md`));
    const deleted = await castwright(['check', '--against', feed], root);
    expect(deleted.code).toBe(1);
    const removed = findingsIn(deleted.stderr).filter((item) => item.code.startsWith('guard/'));
    expect(removed).toEqual([expect.objectContaining({ file: 'episodes/show.yml', code: 'guard/episode-removed' })]);
    expect(removed[0]!.message).toBe(
      `"Introducing: Launched", guid "3cdd73a4-0818-459b-a4e9-523e34ec9615" (${feed}:2968), leaves the feed: no episode has its guid any more, ` +
        'so apps drop it from every subscriber\'s list; restore its file, or if removing it is meant, record it in show.yml: removed: [{ guid: "3cdd73a4-0818-459b-a4e9-523e34ec9615", reason: … }]',
    );

    const moved = text.replace(/url: (https:\/\/\S+)/, 'url: https://cdn.example.com/moved.mp3');
    await writeFile(path.join(episodes, `${introducing}.md`), moved);
    const url = await castwright(['check', '--against', feed], root);
    expect(findingsIn(url.stderr).filter((item) => item.code.startsWith('guard/'))).toEqual([
      expect.objectContaining({ file: `episodes/${introducing}.md`, code: 'guard/enclosure-url-changed' }),
    ]);
    await edit(root, `episodes/${introducing}.md`, (content) => content.replace('https://cdn.example.com/moved.mp3', /url: (https:\/\/\S+)/.exec(text)![1]!));
    expect((await castwright(['check', '--against', feed], root)).code).toBe(0);
  });
});
