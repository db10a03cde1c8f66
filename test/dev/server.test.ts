// Where the preview listens, and the one-line messages when it cannot (issue 8, case 11).
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError, UsageError } from '../../src/errors.ts';
import { startServer, type PreviewServer } from '../../src/dev/server.ts';

const servers: PreviewServer[] = [];
const blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(blockers.splice(0).map((blocker) => new Promise((resolve) => blocker.close(resolve))));
});

async function serve(host: string, port: number): Promise<PreviewServer> {
  const server = await startServer({ host, port, waitingPage: 'waiting', client: '' });
  servers.push(server);
  return server;
}

/** Listens on `port`, or says it could not (taken by someone else). */
function block(port: number): Promise<boolean> {
  const blocker = createServer();
  return new Promise((resolve) => {
    blocker.once('error', () => resolve(false));
    blocker.listen(port, '127.0.0.1', () => {
      blockers.push(blocker);
      resolve(true);
    });
  });
}

/** `count` consecutive ports, all held by this test: a range other programs happen not to use. */
async function blockRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = 20000 + Math.floor(Math.random() * 40000);
    let held = 0;
    while (held < count && (await block(first + held))) held++;
    if (held === count) return first;
    await Promise.all(blockers.splice(0).map((blocker) => new Promise((resolve) => blocker.close(resolve))));
  }
  throw new Error(`found no ${count} free consecutive ports`);
}

describe('the port and address of the preview', () => {
  it('moves to the next port when the one asked for is taken', async () => {
    const taken = await blockRange(1);
    const server = await serve('127.0.0.1', taken);
    expect(Number(new URL(server.url).port)).toBeGreaterThan(taken);
    expect((await fetch(server.url)).status).toBe(503);
  });

  it('leaves no listener behind on the ports it tried: twelve taken ports raise no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const taken = await blockRange(12);
      const server = await serve('127.0.0.1', taken);
      expect(Number(new URL(server.url).port)).toBeGreaterThanOrEqual(taken + 12);
      // A warning is emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('says which ports it tried when they are all taken: exit 1, no stack trace', async () => {
    const first = await blockRange(51);
    const error = await serve('127.0.0.1', first).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe(
      `ports ${first} to ${first + 50} on 127.0.0.1 are all in use; stop what uses them, or choose another --port (0: any free port)`,
    );
  });

  it('refuses an address this machine does not have as bad usage (exit 2)', async () => {
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    const error = await serve('192.0.2.1', 0).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      '--host 192.0.2.1: this machine has no such address; expected 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of its own addresses',
    );
  });
});

describe('files held as bytes (as they come from the build thread)', () => {
  it('are served byte for byte, and a page held as bytes still gets the live-reload client', async () => {
    const server = await serve('127.0.0.1', 0);
    const feed = '<rss>épisode — 1</rss>';
    const page = '<html><body>épisode</body></html>';
    server.publish(new Map([['feed.xml', new TextEncoder().encode(feed)], ['index.html', new TextEncoder().encode(page)]]));
    const served = await fetch(new URL('feed.xml', server.url));
    expect(served.headers.get('content-length')).toBe(String(Buffer.byteLength(feed)));
    expect(Buffer.from(await served.arrayBuffer()).toString('utf8')).toBe(feed);
    const html = await (await fetch(server.url)).text();
    expect(html).toMatch(/^<html><body>épisode<script src="\/__castwright\/client.js" data-version="1"><\/script>\n<\/body><\/html>$/);
  });

  it('reload no page when the same bytes come again in new buffers (a build thread started afresh sends every file)', async () => {
    const server = await serve('127.0.0.1', 0);
    const files = () => new Map([['index.html', new TextEncoder().encode('<html><body>épisode</body></html>')]]);
    server.publish(files());
    server.publish(files());
    expect(await (await fetch(server.url)).text()).toContain('data-version="1"');
    server.publish(new Map([['index.html', new TextEncoder().encode('<html><body>épisode 2</body></html>')]]));
    expect(await (await fetch(server.url)).text()).toContain('data-version="2"');
  });
});
