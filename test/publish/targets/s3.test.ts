import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../../src/publish/record.ts';
import { cleanUp } from '../../helpers/content.ts';
import { KEYS, startS3, type TestS3 } from '../../helpers/s3.ts';
import { spawnCli } from '../../helpers/cli.ts';
import { CLEAN_ENV, acceptedRemoval, addEpisode, builtFiles, publish, publishWorkspace, removeEpisode, uploadedIn } from '../show.ts';

let s3: TestS3 | undefined;
afterEach(async () => {
  await s3?.stop();
  s3 = undefined;
  await cleanUp();
});

const PREFIX = 'shows/equity/';
const target = (store: TestS3) => `s3://site/${PREFIX}?endpoint=${store.endpoint}&region=us-east-1`;
/** What castwright changed on the storage, in the order the storage received it. */
const writes = (store: TestS3) => store.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => `${r.method} ${r.key.slice(PREFIX.length)}`);

async function expectHoldsBuild(root: string, store: TestS3): Promise<void> {
  for (const [name, sha256] of Object.entries(await builtFiles(root))) expect((await store.object(`${PREFIX}${name}`))?.sha256, name).toBe(sha256);
}

describe('castwright publish to S3-compatible storage', () => {
  it('stores each file with its Content-Type, Cache-Control and hash, then sends nothing when nothing changed', async () => {
    s3 = await startS3();
    const root = await publishWorkspace([1, 2]);
    const first = await publish(root, ['--to', target(s3)], KEYS);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    await expectHoldsBuild(root, s3);
    expect(await s3.object(`${PREFIX}feed.xml`)).toMatchObject({ contentType: 'application/xml; charset=utf-8', cacheControl: 'public, max-age=300' });
    expect(await s3.object(`${PREFIX}episodes/ep-1/index.html`)).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=300' });
    expect(await s3.object(`${PREFIX}email/ep-1.txt`)).toMatchObject({ contentType: 'text/plain; charset=utf-8', cacheControl: 'public, max-age=300' });
    expect(await s3.object(`${PREFIX}style.css`)).toMatchObject({ contentType: 'text/css; charset=utf-8', cacheControl: 'public, max-age=3600' });
    expect(await s3.object(`${PREFIX}feed.xsl`)).toMatchObject({ contentType: 'application/xslt+xml; charset=utf-8' });
    expect(await s3.object(`${PREFIX}${RECORD_FILE}`)).toMatchObject({ contentType: 'application/json', cacheControl: 'no-cache' });
    expect(writes(s3).filter((w) => w.startsWith('PUT ') && !w.endsWith(RECORD_FILE)).at(-1)).toBe('PUT feed.xml');

    s3.requests.length = 0;
    const second = await publish(root, ['--to', target(s3)], KEYS);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Nothing to publish');
    // The live feed, for the guard, and the record: nothing else.
    expect(s3.requests).toEqual([
      { method: 'GET', key: `${PREFIX}feed.xml` },
      { method: 'GET', key: `${PREFIX}${RECORD_FILE}` },
    ]);
  });

  it('puts an added episode’s pages up before the feed and deletes a removed one only after it', async () => {
    s3 = await startS3();
    const root = await publishWorkspace([1, 2]);
    expect((await publish(root, ['--to', target(s3)], KEYS)).code).toBe(0);
    await addEpisode(root, 3);
    await removeEpisode(root, 1);
    s3.requests.length = 0;
    const result = await publish(root, ['--to', target(s3), '--accept', 'ep-1'], KEYS);
    expect(result.code).toBe(0);
    const order = writes(s3).filter((w) => !w.endsWith(RECORD_FILE));
    expect(order.slice(0, -5).sort()).toEqual(['PUT email/ep-3.html', 'PUT email/ep-3.txt', 'PUT email/ep-3/index.html', 'PUT episodes/ep-3/index.html', 'PUT feed.json', 'PUT index.html', 'PUT sitemap.xml']);
    expect(order.indexOf('PUT episodes/ep-3/index.html')).toBeLessThan(order.indexOf('PUT index.html'));
    expect(order.indexOf('PUT index.html')).toBeLessThan(order.indexOf('PUT feed.json'));
    expect(order.slice(-5)).toEqual(['PUT feed.xml', 'DELETE email/ep-1/index.html', 'DELETE episodes/ep-1/index.html', 'DELETE email/ep-1.html', 'DELETE email/ep-1.txt']);
    expect(await s3.object(`${PREFIX}episodes/ep-1/index.html`)).toBeUndefined();
    await expectHoldsBuild(root, s3);
  });

  it('after a failure mid-upload the old feed stays live with all its files, and the next run completes', async () => {
    s3 = await startS3();
    const root = await publishWorkspace([1, 2]);
    expect((await publish(root, ['--to', target(s3)], KEYS)).code).toBe(0);
    const oldFeed = (await s3.object(`${PREFIX}feed.xml`))!.body;
    await addEpisode(root, 3);
    await removeEpisode(root, 1);
    s3.cut = (request) => request.method === 'PUT' && request.key === `${PREFIX}episodes/ep-3/index.html`;
    const failed = await publish(root, ['--to', target(s3), '--accept', 'ep-1'], KEYS);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`cannot upload ${PREFIX}episodes/ep-3/index.html`);
    expect(failed.stderr).toContain('but not the feed: apps and readers still see the previous episodes, whose files are all still there. Run publish again to finish');
    expect((await s3.object(`${PREFIX}feed.xml`))!.body).toBe(oldFeed);
    for (const page of ['episodes/ep-1/index.html', 'episodes/ep-2/index.html', 'index.html']) expect(await s3.object(`${PREFIX}${page}`), page).toBeDefined();

    s3.cut = undefined;
    s3.requests.length = 0;
    // The feed apps read is still the old one, so the removal is still to be accepted.
    const rerun = await publish(root, ['--to', target(s3), '--accept', 'ep-1'], KEYS);
    expect(rerun.stderr).toMatch(acceptedRemoval(1));
    expect(rerun.code).toBe(0);
    // What went up before the failure is recorded and not sent again.
    expect(uploadedIn(rerun.stdout)).not.toContain('email/ep-3.txt');
    expect(uploadedIn(rerun.stdout).at(-1)).toBe('feed.xml');
    // The removed episode's page, its digest (HTML, text) and the digest's web copy.
    expect(writes(s3).filter((w) => w.startsWith('DELETE'))).toHaveLength(4);
    await expectHoldsBuild(root, s3);
    expect((await publish(root, ['--to', target(s3)], KEYS)).stdout).toContain('Nothing to publish');
  });

  it('stops with a clear error, nothing written, when the live feed cannot be fetched for the guard', async () => {
    s3 = await startS3();
    const root = await publishWorkspace([1]);
    expect((await publish(root, ['--to', target(s3)], KEYS)).code).toBe(0);
    await addEpisode(root, 2);
    s3.cut = (request) => request.method === 'GET' && request.key === `${PREFIX}feed.xml`;
    s3.requests.length = 0;
    const result = await publish(root, ['--to', target(s3)], KEYS);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`: cannot read ${PREFIX}feed.xml (ECONNRESET: the other side closed the connection)`);
    expect(writes(s3)).toEqual([]);
  });

  it('stops on Ctrl-C after the files in flight, before the feed, and the next run finishes', async () => {
    s3 = await startS3();
    const store = s3;
    const root = await publishWorkspace([1, 2]);
    const child = spawnCli(['publish', '--to', target(store)], { cwd: root, env: { ...CLEAN_ENV, ...KEYS } });
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    const stopping = new Promise<void>((resolve) => child.stderr!.on('data', (chunk) => (stderr += chunk) && stderr.includes('Stopping') && resolve()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The first upload is held until the run has heard the interrupt.
    let held = false;
    store.onRequest = async (request) => {
      if (held || request.method !== 'PUT' || request.key.endsWith(RECORD_FILE)) return;
      held = true;
      child.kill('SIGINT');
      await stopping;
    };
    expect(await exited).toBe(1);
    expect(stderr).toContain('stopped on request;');
    expect(stderr).toContain('but not the feed');
    expect(await store.object(`${PREFIX}feed.xml`)).toBeUndefined();
    expect(uploadedIn(stdout).length).toBeGreaterThan(0);

    store.onRequest = undefined;
    const rerun = await publish(root, ['--to', target(store)], KEYS);
    expect(rerun.code).toBe(0);
    expect(uploadedIn(rerun.stdout).at(-1)).toBe('feed.xml');
    await expectHoldsBuild(root, store);
  });

  it('never shows the keys: not when the storage refuses them, not when a URL holds them', async () => {
    s3 = await startS3();
    const root = await publishWorkspace([1]);
    const secret = 'wrong-secret-Qx7Rz9Lp2';
    const refused = await publish(root, ['--to', target(s3)], { AWS_ACCESS_KEY_ID: 'AKIATESTKEY12345', AWS_SECRET_ACCESS_KEY: secret });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the storage refused the credentials');
    expect(refused.stdout + refused.stderr).not.toMatch(/wrong-secret|AKIATESTKEY/);

    const inUrl = await publish(root, ['--to', `s3://AKIATESTKEY12345:${secret}@site/`]);
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toContain('holds credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
    expect(inUrl.stdout + inUrl.stderr).not.toMatch(/wrong-secret/);
  });
});
