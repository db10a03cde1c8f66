import { execFile } from 'node:child_process';
import { textOf } from '../../../src/model/source-file.ts';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../../src/publish/record.ts';
import { cleanUp, tempDir } from '../../helpers/content.ts';
import { generateWorkspace } from '../../helpers/generate.ts';
import { recordingServer, type RecordingServer } from '../../helpers/http.ts';
import { addEpisode, changeGuid, editEpisode, publish, publishWorkspace, retitle } from '../show.ts';

const run = promisify(execFile);
const hubs: RecordingServer[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  await cleanUp();
});

/** A bare repository as a git host keeps it, serving partial clones like GitHub does. */
async function bareRepository(): Promise<string> {
  const repo = path.join(await tempDir('castwright-git-'), 'site.git');
  await run('git', ['init', '--quiet', '--bare', repo]);
  await run('git', ['-C', repo, 'config', 'uploadpack.allowFilter', 'true']);
  return repo;
}

async function git(repo: string, ...args: string[]): Promise<string> {
  return (await run('git', ['-C', repo, ...args], { env: { ...process.env, LC_ALL: 'C' } })).stdout;
}

const blobSha = (content: string) => {
  const body = Buffer.from(content);
  return createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
};

describe('castwright publish to a git branch', () => {
  it('commits the site to the branch and pushes it, naming the episodes added; nothing when nothing changed', async () => {
    const repo = await bareRepository();
    const root = await publishWorkspace([1, 2]);
    const to = `git+file://${repo}#gh-pages`;
    const first = await publish(root, ['--to', to]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ {2}pushed [0-9a-f]{10} to gh-pages\n/);

    const { files } = await generateWorkspace(root);
    const tree = Object.fromEntries(
      (await git(repo, 'ls-tree', '-r', 'gh-pages')).trim().split('\n').map((line) => {
        const [, , sha, name] = /^(\d+) blob ([0-9a-f]+)\t(.+)$/.exec(line)!.slice(0);
        return [name!, sha!];
      }),
    );
    expect(Object.keys(tree).sort()).toEqual([...files.keys(), RECORD_FILE].sort());
    for (const [name, content] of files) expect(tree[name], name).toBe(blobSha(textOf(content)));
    expect((await git(repo, 'log', '--format=%s', 'gh-pages')).trim()).toBe('Publish 2 episodes');
    expect(await git(repo, 'log', '-1', '--format=%b', 'gh-pages')).toContain('Added: Episode 1 of the show\nAdded: Episode 2 of the show');

    const again = await publish(root, ['--to', to]);
    expect(again.stdout).toContain('Nothing to publish');
    expect((await git(repo, 'rev-list', '--count', 'gh-pages')).trim()).toBe('1');
  });

  it('changes only what changed, keeps files of its owner, and writes the notification in a note, not a commit', async () => {
    const hub = await recordingServer('/hub');
    hubs.push(hub);
    const repo = await bareRepository();
    const root = await publishWorkspace([1], `websub: ${hub.url}\n`);
    const to = `git+file://${repo}#pages`;
    expect((await publish(root, ['--to', to])).code).toBe(0);
    expect(hub.requests).toHaveLength(1);

    // The owner adds a CNAME to the branch by hand.
    const clone = path.join(await tempDir(), 'clone');
    await run('git', ['clone', '--quiet', '--branch', 'pages', repo, clone]);
    await run('sh', ['-c', 'echo equity.example.com > CNAME && git add CNAME && git -c user.name=Ada -c user.email=ada@example.com commit -q -m "Custom domain" && git push -q origin pages'], { cwd: clone });

    await addEpisode(root, 2);
    const result = await publish(root, ['--to', to]);
    expect(result.code).toBe(0);
    expect((await git(repo, 'log', '-1', '--format=%s', 'pages')).trim()).toBe('Publish "Episode 2 of the show"');
    expect((await git(repo, 'diff', '--name-only', 'pages~1', 'pages')).trim().split('\n').sort()).toEqual(
      [RECORD_FILE, 'email/ep-2.html', 'email/ep-2.txt', 'email/ep-2/index.html', 'episodes/ep-2/index.html', 'feed.json', 'feed.xml', 'index.html', 'sitemap.xml'].sort(),
    );
    expect((await git(repo, 'show', 'pages:CNAME')).trim()).toBe('equity.example.com');
    expect(hub.requests).toHaveLength(2);
    expect((await git(repo, 'rev-list', '--count', 'pages')).trim()).toBe('3');
    expect(await git(repo, 'notes', '--ref=castwright', 'show', 'pages')).toContain(`"websub ${hub.url}"`);

    expect((await publish(root, ['--to', to])).stdout).toContain('Nothing to publish');
    expect(hub.requests).toHaveLength(2);
  });

  it('refuses a retitled or re-guided episode against the feed in the branch, pushing nothing, until --accept', async () => {
    const repo = await bareRepository();
    const root = await publishWorkspace([1, 2]);
    const to = `git+file://${repo}#pages`;
    expect((await publish(root, ['--to', to])).stdout).toContain(`Publish guard: nothing is live yet (no ${to}:feed.xml)`);
    const tip = (await git(repo, 'rev-parse', 'pages')).trim();

    await editEpisode(root, 1, (text) => changeGuid(retitle(text)));
    const refused = await publish(root, ['--to', to]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`guid changes from "15c5112f-0930-5186-9b14-f7dd95853d8f" (${to}:feed.xml:`);
    expect(refused.stderr).toContain('castwright publish: 1 problem; nothing was uploaded.');
    expect((await git(repo, 'rev-parse', 'pages')).trim()).toBe(tip);

    const accepted = await publish(root, ['--to', to, '--accept', 'episodes/ep-1.md']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain('accepted (--accept episodes/ep-1.md)');
    expect(await git(repo, 'show', 'pages:feed.xml')).toContain('Why markets fell on Friday');
  });

  it('refuses when the feed.xml in the branch cannot be read as a feed', async () => {
    const repo = await bareRepository();
    const root = await publishWorkspace([1]);
    const to = `git+file://${repo}#pages`;
    expect((await publish(root, ['--to', to])).code).toBe(0);
    // Someone commits a broken feed.xml to the branch by hand.
    const clone = path.join(await tempDir(), 'clone');
    await run('git', ['clone', '--quiet', '--branch', 'pages', repo, clone]);
    await run('sh', ['-c', 'printf "<rss><channel>" > feed.xml && git -c user.name=Ada -c user.email=ada@example.com commit -qam "Oops" && git push -q origin pages'], { cwd: clone });
    const tip = (await git(repo, 'rev-parse', 'pages')).trim();

    await addEpisode(root, 2);
    const result = await publish(root, ['--to', to]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${to}:feed.xml:1: the publish guard cannot read the feed it compares with:`);
    expect(result.stderr).toContain('[guard/live-unreadable]');
    expect((await git(repo, 'rev-parse', 'pages')).trim()).toBe(tip);
  });

  it('takes a token from PUBLISH_URL without ever showing it, not even when the push fails', async () => {
    const root = await publishWorkspace([1]);
    const token = 'ghs_tokenABC123xyz';
    const result = await publish(root, [], { PUBLISH_URL: `git+https://x-access-token:${token}@127.0.0.1:9/site.git#gh-pages` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('git+https://x-access-token:***@127.0.0.1:9/site.git#gh-pages: cannot fetch');
    const shown = result.stdout + result.stderr;
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(Buffer.from(`x-access-token:${token}`).toString('base64'));
  });
});
