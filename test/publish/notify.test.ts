import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../src/publish/record.ts';
import { spawnCli } from '../helpers/cli.ts';
import { cleanUp } from '../helpers/content.ts';
import { recordingServer, type RecordingServer } from '../helpers/http.ts';
import { KEYS, startS3, type TestS3 } from '../helpers/s3.ts';
import { CLEAN_ENV, addEpisode, publish, publishWorkspace, uploadedIn } from './show.ts';

const servers: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => ('close' in s ? s.close() : s.stop())));
  await cleanUp();
});

const FEED = 'https://fixture.example.com/feed.xml';
const TOKEN = 'podping-token-7f3a9c';

async function services(): Promise<{ hub: RecordingServer; podping: RecordingServer; settings: string }> {
  const hub = await recordingServer('/hub');
  const podping = await recordingServer('/');
  podping.answer = 200;
  servers.push(hub, podping);
  return { hub, podping, settings: `websub: ${hub.url}\npodping: ${podping.url}\n` };
}

describe('notifying podcast apps', () => {
  it('pings the WebSub hub and podping once per feed change, with the right requests, and never when nothing changed', async () => {
    const { hub, podping, settings } = await services();
    const root = await publishWorkspace([1], settings);
    const site = path.join(root, 'site');
    const env = { PODPING_TOKEN: TOKEN };

    const first = await publish(root, ['--to', site], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('; WebSub and podping pinged');
    expect(first.stdout + first.stderr).not.toContain(TOKEN);
    expect(hub.requests).toHaveLength(1);
    const [ping] = hub.requests;
    expect(ping!.method).toBe('POST');
    expect(ping!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(ping!.body))).toEqual({ 'hub.mode': 'publish', 'hub.url': FEED });
    expect(podping.requests).toHaveLength(1);
    const [pod] = podping.requests;
    expect(pod!.method).toBe('GET');
    expect(Object.fromEntries(pod!.url.searchParams)).toEqual({ url: FEED, reason: 'update', medium: 'podcast' });
    expect(pod!.headers.authorization).toBe(TOKEN);
    expect(pod!.headers['user-agent']).toMatch(/^castwright\/\d+\.\d+\.\d+$/);
    // The feed names the hub, so apps can subscribe to it.
    expect(await readFile(path.join(site, 'feed.xml'), 'utf8')).toContain(`<atom:link href="${hub.url}" rel="hub"/>`);

    const unchanged = await publish(root, ['--to', site], env);
    expect(unchanged.stdout).toContain('Nothing to publish');
    expect([hub.requests.length, podping.requests.length]).toEqual([1, 1]);

    await addEpisode(root, 2);
    const changed = await publish(root, ['--to', site], env);
    expect(changed.code).toBe(0);
    expect([hub.requests.length, podping.requests.length]).toEqual([2, 2]);
  });

  it('tells a service that failed on the next run, once, and only that one', async () => {
    const { hub, podping, settings } = await services();
    const root = await publishWorkspace([1], settings);
    const site = path.join(root, 'site');
    const env = { PODPING_TOKEN: TOKEN };
    hub.answer = 503;
    const failed = await publish(root, ['--to', site], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('  not reached: the WebSub hub');
    expect(failed.stdout).toContain('answered 503');
    expect(failed.stderr).toContain('the next publish tells them again');
    expect([hub.requests.length, podping.requests.length]).toEqual([1, 1]);

    hub.answer = 204;
    const retried = await publish(root, ['--to', site], env);
    expect(retried.code).toBe(0);
    expect(uploadedIn(retried.stdout)).toEqual([]);
    expect(retried.stdout).toContain('nothing uploaded; 0 deleted; WebSub pinged');
    expect([hub.requests.length, podping.requests.length]).toEqual([2, 1]);

    expect((await publish(root, ['--to', site], env)).stdout).toContain('Nothing to publish');
    expect([hub.requests.length, podping.requests.length]).toEqual([2, 1]);
  });

  it('refuses to start without PODPING_TOKEN when show.yml asks for podping', async () => {
    const { hub, settings } = await services();
    const root = await publishWorkspace([1], settings);
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PODPING_TOKEN is not set');
    expect(hub.requests).toHaveLength(0);
  });

  it('pings exactly once when a publish is killed after the feed went up and before it could ping', async () => {
    const hub = await recordingServer('/hub');
    const s3: TestS3 = await startS3();
    servers.push(hub, s3);
    const root = await publishWorkspace([1], `websub: ${hub.url}\n`);
    const to = `s3://site/?endpoint=${s3.endpoint}&region=us-east-1`;
    const env = { ...CLEAN_ENV, ...KEYS };

    // The first run dies right after the feed is stored: when it goes to write the record that
    // would say so (and before it pings), it is killed with SIGKILL.
    const child = spawnCli(['publish', '--to', to], { cwd: root, env });
    const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_, signal) => resolve(signal)));
    s3.onRequest = (request) => {
      const feedStored = s3.requests.some((r) => r.method === 'PUT' && r.key === 'feed.xml');
      if (feedStored && request.method === 'PUT' && request.key === RECORD_FILE) {
        child.kill('SIGKILL');
        return new Promise(() => undefined);
      }
    };
    expect(await killed).toBe('SIGKILL');
    expect(hub.requests).toHaveLength(0);

    s3.onRequest = undefined;
    const rerun = await publish(root, ['--to', to], KEYS);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('WebSub pinged');
    expect(hub.requests).toHaveLength(1);

    expect((await publish(root, ['--to', to], KEYS)).stdout).toContain('Nothing to publish');
    expect(hub.requests).toHaveLength(1);
  });
});
