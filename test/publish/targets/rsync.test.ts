import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanUp } from '../../helpers/content.ts';
import { sshSkipReason, startRsyncDaemon, startSshd, type TestRsyncDaemon, type TestSshd } from '../../helpers/sshd.ts';
import { inCI } from '../../helpers/browser.ts';
import { acceptedRemoval, actionsIn, addEpisode, editEpisode, retitle, publish, publishWorkspace, removeEpisode, slugOf, uploadedIn, builtFiles, heldFiles } from '../show.ts';

afterEach(cleanUp);


// Skipped only where sshd cannot run at all; under CI a missing server fails the run.
describe.skipIf(sshSkipReason !== undefined && !inCI)('castwright publish with rsync over SSH', () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    if (sshSkipReason) throw new Error(`cannot run the SSH tests: ${sshSkipReason}`);
    sshd = await startSshd();
  });
  afterAll(() => sshd?.stop());

  it('publishes to 127.0.0.1 over SSH with a key, then only what changed, feed last, deletions after', async () => {
    const root = await publishWorkspace([1, 2]);
    const remote = path.join(sshd.dir, 'equity-1');
    const to = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${remote}`;
    const env = { RSYNC_RSH: sshd.rsh };
    const first = await publish(root, ['--to', to], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(await heldFiles(remote)).toEqual(await builtFiles(root));

    const again = await publish(root, ['--to', to], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to publish');

    await addEpisode(root, 3);
    await removeEpisode(root, 1);
    const third = await publish(root, ['--to', to, '--accept', slugOf(1)], env);
    expect(third.code).toBe(0);
    expect(third.stderr).toMatch(acceptedRemoval(1));
    const actions = actionsIn(third.stdout);
    expect(uploadedIn(third.stdout).sort()).toEqual(['email/ep-3.html', 'email/ep-3.txt', 'email/ep-3/index.html', 'episodes/ep-3/index.html', 'feed.json', 'feed.xml', 'index.html', 'sitemap.xml']);
    const feed = actions.indexOf('uploaded feed.xml');
    expect(feed).toBe(uploadedIn(third.stdout).length - 1);
    expect(actions.slice(feed + 1)).toEqual(['deleted email/ep-1/index.html', 'deleted episodes/ep-1/index.html', 'deleted email/ep-1.html', 'deleted email/ep-1.txt']);
    expect(existsSync(path.join(remote, 'episodes', slugOf(1)))).toBe(false);
    expect(await heldFiles(remote)).toEqual(await builtFiles(root));
  });

  it('guards against the feed.xml the server holds: a first publish compares with nothing, a retitle is refused, a folder in its place too', async () => {
    const root = await publishWorkspace([1]);
    const remote = path.join(sshd.dir, 'equity-guard');
    const to = `ssh://${sshd.user}@127.0.0.1:${sshd.port}${remote}`;
    const env = { RSYNC_RSH: sshd.rsh };
    const first = await publish(root, ['--to', to], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Publish guard: nothing is live yet (no ${to}/feed.xml)`);

    await editEpisode(root, 1, retitle);
    const before = await heldFiles(remote);
    const refused = await publish(root, ['--to', to], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the title is rewritten beyond recognition, from "Episode 1 of the show" (${to}/feed.xml:`);
    expect(await heldFiles(remote)).toEqual(before);

    await rm(path.join(remote, 'feed.xml'));
    await mkdir(path.join(remote, 'feed.xml'));
    const folder = await publish(root, ['--to', to, '--accept', 'episodes/ep-1.md'], env);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${to}/feed.xml: the publish guard cannot read the feed it compares with: it is a folder, not a file`);
  });

  it('takes the scp form user@host:path, with the port from the ssh command', async () => {
    const root = await publishWorkspace([1]);
    const remote = path.join(sshd.dir, 'equity-2');
    const result = await publish(root, ['--to', `${sshd.user}@127.0.0.1:${remote}`], { RSYNC_RSH: `${sshd.rsh} -p ${sshd.port}` });
    expect(result.code, `${result.stderr}\n${sshd.log()}`).toBe(0);
    expect(await heldFiles(remote)).toEqual(await builtFiles(root));
  });

  it('stops at an unknown host key instead of trusting it, and says what to do', async () => {
    const root = await publishWorkspace([1]);
    const remote = path.join(sshd.dir, 'equity-3');
    const result = await publish(root, ['--to', `ssh://${sshd.user}@127.0.0.1:${sshd.port}${remote}`], { RSYNC_RSH: sshd.rshUnknownHost });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the host is not in ~/.ssh/known_hosts');
    expect(existsSync(remote)).toBe(false);
  });
});

describe.skipIf(sshSkipReason !== undefined && !inCI)('castwright publish to an rsync daemon', () => {
  let daemon: TestRsyncDaemon;
  beforeAll(async () => {
    if (sshSkipReason) throw new Error(`cannot run the rsync tests: ${sshSkipReason}`);
    daemon = await startRsyncDaemon();
  });
  afterAll(() => daemon?.stop());

  it('logs in with RSYNC_PASSWORD, which never shows, and refuses a wrong one', async () => {
    const root = await publishWorkspace([1]);
    const to = `rsync://${daemon.user}@127.0.0.1:${daemon.port}/sites/equity`;
    const wrong = await publish(root, ['--to', to], { RSYNC_PASSWORD: 'not-the-password-123' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('the rsync daemon refused the login');
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password-123');

    const right = await publish(root, ['--to', to], { RSYNC_PASSWORD: daemon.password });
    expect(right.stderr).toBe('');
    expect(right.code).toBe(0);
    expect(right.stdout + right.stderr).not.toContain(daemon.password);
    expect(await heldFiles(path.join(daemon.dir, 'equity'))).toEqual(await builtFiles(root));
  });
});
