// npm run bench:serve [-- --requests 2000 --concurrency 50]
//
// What castwright serve answers per second on this machine: the built sample site (a page, the
// stylesheet, the page again with If-None-Match, the page brotli-compressed), and one-click
// unsubscribes, each a row fsync'd before its 200 (grouped: one fsync for the rows that arrive
// while the last one runs). The server runs in a child process, as in production, so the client
// does not share its event loop.
import { fork } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { main } from '../src/cli/main.ts';
import { unsubscribeToken } from '../src/send/token.ts';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const SECRET = 'bench-secret-0123456789abcdef';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '50' }, server: { type: 'string' } } });

if (values.server) {
  // The child: castwright serve itself, on a free port, telling the parent which.
  const silent = { write: () => undefined };
  const stdout = { write: (text: string) => void (/castwright serve: (http:\S+)/.exec(text) && process.send!(/castwright serve: (http:\S+)/.exec(text)![1])) };
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  await main(['serve', '--port', '0'], { stdout, stderr: silent, env: { ...process.env, CASTWRIGHT_SECRET: SECRET, NO_COLOR: '1' }, cwd: values.server });
  process.exit(0);
}

const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const work = await mkdtemp(path.join(tmpdir(), 'castwright-bench-serve-'));
await cp(path.join(PROJECT, 'episodes'), path.join(work, 'episodes'), { recursive: true });
const silent = { write: () => undefined };
await main(['build'], { stdout: silent, stderr: silent, env: { NO_COLOR: '1' }, cwd: work });

const child = fork(fileURLToPath(import.meta.url), ['--server', work], { execArgv: ['--import', import.meta.resolve('tsx')] });
const base = await new Promise<string>((resolve) => child.once('message', (url) => resolve(String(url))));

async function measure(label: string, request: (index: number) => Promise<Response>): Promise<void> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < requests; index = next++) {
        const response = await request(index);
        await response.arrayBuffer();
        if (response.status >= 400) failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(44)} ${(requests / seconds).toFixed(0).padStart(6)} requests/s${failed ? `  (${failed} failed)` : ''}`);
}

const page = new URL('episodes/2020-09-14-disrupt-tiktok/', base);
const etag = (await fetch(page, { headers: { 'Accept-Encoding': 'identity' } })).headers.get('etag')!;
console.log(`castwright serve, ${requests} requests, ${concurrency} at a time:`);
await measure('GET an episode page', () => fetch(page, { headers: { 'Accept-Encoding': 'identity' } }));
await measure('GET an episode page, brotli', () => fetch(page, { headers: { 'Accept-Encoding': 'br' } }));
await measure('GET an episode page, If-None-Match (304)', () => fetch(page, { headers: { 'Accept-Encoding': 'identity', 'If-None-Match': etag } }));
await measure('GET the stylesheet', () => fetch(new URL('style.css', base)));
await measure('POST one-click unsubscribe, a new reader each', (index) =>
  fetch(new URL(`unsubscribe?token=${unsubscribeToken(`reader${index}@example.com`, SECRET)}`, base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  }),
);
child.disconnect();
await new Promise((resolve) => child.once('exit', resolve));
await rm(work, { recursive: true, force: true });
