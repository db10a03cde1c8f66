// The publish guard in `castwright publish`: the build is compared with the feed.xml the target
// holds now (what apps have read), and a change apps would not forgive uploads nothing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OWN_FEED_BYTES } from '../../src/feed-reader/source.ts';
import { cleanUp } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { builtFiles, changeGuid, editEpisode, heldFiles, publish, publishWorkspace, retitle, uploadedIn } from './show.ts';

const run = promisify(execFile);

afterEach(cleanUp);

/** A workspace with episodes 1 and 2 published to the folder `site`, and that folder's path. */
async function published(): Promise<{ root: string; site: string }> {
  const root = await publishWorkspace([1, 2]);
  const site = path.join(root, 'site');
  const first = await publish(root, ['--to', 'site']);
  expect(first.code, first.stderr).toBe(0);
  return { root, site };
}

describe('the publish guard against the feed a folder target holds', () => {
  it('says in one line that a first publish, to an empty target, compares with nothing', async () => {
    const root = await publishWorkspace([1]);
    await mkdir(path.join(root, 'site'));
    const result = await publish(root, ['--to', 'site']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Publish guard: nothing is live yet (no site/feed.xml), so there is nothing to compare with\n');
    expect(await heldFiles(path.join(root, 'site'))).toEqual(await builtFiles(root));
  });

  it('compares a later publish with the feed the target holds', async () => {
    const { root } = await published();
    const again = await publish(root, ['--to', 'site']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Publish guard: compared with site/feed.xml\n');
  });

  it.each([
    ['retitled beyond recognition', retitle, 'episodes/ep-1.md:2: the title is rewritten beyond recognition', 'guard/title-rewritten'],
    ['given a new guid', changeGuid, `episodes/ep-1.md:2: guid changes from "15c5112f-0930-5186-9b14-f7dd95853d8f" (site/feed.xml:`, 'guard/guid-changed'],
  ])('refuses an episode %s, with the live line named and nothing uploaded', async (_, change, message, code) => {
    const { root, site } = await published();
    await editEpisode(root, 1, change);
    const before = await snapshot(site);
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`[${code}]`);
    expect(result.stderr).toContain('castwright publish: 1 problem; nothing was uploaded.');
    expect(uploadedIn(result.stdout)).toEqual([]);
    expect(await snapshot(site)).toEqual(before);
  });

  it('reads every page of a feed that feed.limit pages (issue 12): a changed guid on the last page is refused there', async () => {
    const root = await publishWorkspace([1, 2, 3], 'feed: { limit: 1 }\n');
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', 'site'])).code).toBe(0);
    expect(existsSync(path.join(site, 'feed-3.xml'))).toBe(true);
    await editEpisode(root, 1, changeGuid);
    const before = await snapshot(site);
    const result = await publish(root, ['--to', 'site']);
    expect(result.stderr).toContain(`episodes/ep-1.md:2: guid changes from "15c5112f-0930-5186-9b14-f7dd95853d8f" (site/feed-3.xml:`);
    expect(result.code).toBe(1);
    expect(uploadedIn(result.stdout)).toEqual([]);
    expect(await snapshot(site)).toEqual(before);
    // A page the feed links to that the target lacks: the guard cannot be sure, so it stops.
    await rm(path.join(site, 'feed-3.xml'));
    const missing = await publish(root, ['--to', 'site']);
    expect(missing.stderr).toContain('its next page https://');
    expect(missing.stderr).toContain('feed-3.xml is not there');
    expect(missing.stderr).toContain('[guard/live-unreadable]');
    expect(missing.code).toBe(1);
  });

  it('runs the guard on --dry-run too', async () => {
    const { root, site } = await published();
    await editEpisode(root, 1, retitle);
    const before = await snapshot(site);
    const result = await publish(root, ['--to', 'site', '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[guard/title-rewritten]');
    expect(result.stdout).not.toContain('would upload');
    expect(await snapshot(site)).toEqual(before);
  });

  it('lets a change through once with --accept <file>; the next change is guarded again', async () => {
    const { root, site } = await published();
    await editEpisode(root, 1, retitle);
    const accepted = await publish(root, ['--to', 'site', '--accept', 'episodes/ep-1.md']);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toBe('accepted (--accept episodes/ep-1.md): episodes/ep-1.md:2 [guard/title-rewritten]\n');
    expect(uploadedIn(accepted.stdout)).toContain('feed.xml');
    expect(await readFile(path.join(site, 'feed.xml'), 'utf8')).toContain('Why markets fell on Friday');

    // The new title is what apps have now: no acknowledgement is needed again…
    const settled = await publish(root, ['--to', 'site']);
    expect(settled.code).toBe(0);
    expect(settled.stdout).toContain('Nothing to publish');
    // …but the acknowledgement does not carry over to the next change.
    await editEpisode(root, 1, changeGuid);
    const next = await publish(root, ['--to', 'site']);
    expect(next.code).toBe(1);
    expect(next.stderr).toContain('[guard/guid-changed]');
  });

  it('publishes anything with --no-guard, and says the guard was skipped', async () => {
    const { root, site } = await published();
    await editEpisode(root, 1, retitle);
    const result = await publish(root, ['--to', 'site', '--no-guard']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Publish guard: skipped with --no-guard\n');
    expect(await readFile(path.join(site, 'feed.xml'), 'utf8')).toContain('Why markets fell on Friday');
  });

  it.each([
    ['garbled', (file: string) => writeFile(file, '<rss version="2.0"><channel><item><title>Half a fe'), 'site/feed.xml:1: the publish guard cannot read the feed it compares with:'],
    ['not a feed at all', (file: string) => writeFile(file, '<!doctype html><title>Welcome to nginx!</title>'), 'site/feed.xml:1: the publish guard cannot read the feed it compares with: this is a web page, not a feed'],
    ['a folder', (file: string) => mkdir(file), 'site/feed.xml: the publish guard cannot read the feed it compares with: it is a folder, not a file'],
    ['larger than any feed', (file: string) => writeFile(file, '').then(() => truncate(file, MAX_OWN_FEED_BYTES + 1)), 'site/feed.xml: the publish guard cannot read the feed it compares with: it is more than 256 MB, far larger than castwright writes it'],
    ['a named pipe, which must not hold the run', (file: string) => run('mkfifo', [file]), 'site/feed.xml: the publish guard cannot read the feed it compares with: it is a socket, device or pipe, not a file'],
  ])('refuses when the feed.xml the target holds is %s, with a clear message and nothing uploaded', async (_, spoil, message) => {
    const { root, site } = await published();
    await rm(path.join(site, 'feed.xml'));
    await spoil(path.join(site, 'feed.xml'));
    await editEpisode(root, 2, (text) => text.replace('Bye for now.', 'Bye for now!'));
    const before = await snapshot(site);
    const result = await publish(root, ['--to', 'site']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('put the feed apps last read back on the target, or compare with a copy of it (--against <file or URL>)');
    expect(result.stderr).toContain('[guard/live-unreadable]');
    expect(result.stderr).toContain('castwright publish: 1 problem; nothing was uploaded.');
    expect(await snapshot(site)).toEqual(before);
  });

  it('compares with --against instead of the target, which it then does not read', async () => {
    const { root, site } = await published();
    const copy = path.join(root, 'live-feed.xml');
    await copyFile(path.join(site, 'feed.xml'), copy);
    await writeFile(path.join(site, 'feed.xml'), 'garbage');

    await editEpisode(root, 1, retitle);
    const refused = await publish(root, ['--to', 'site', '--against', 'live-feed.xml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the title is rewritten beyond recognition, from "Episode 1 of the show" (live-feed.xml:');
    expect(refused.stderr).not.toContain('site/feed.xml');

    await editEpisode(root, 1, (text) => text.replace('title: Why markets fell on Friday', 'title: Episode 1 of the show'));
    const result = await publish(root, ['--to', 'site', '--against', 'live-feed.xml', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Publish guard: compared with live-feed.xml\n');
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
    expect(existsSync(copy)).toBe(true);
  });
});
