import { existsSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readFile, readlink, rename, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FILE } from '../../../src/publish/record.ts';
import { cleanUp, tempDir } from '../../helpers/content.ts';
import { snapshot } from '../../helpers/files.ts';
import { acceptedRemoval, actionsIn, addEpisode, publish, publishProcess, publishWorkspace, removeEpisode, slugOf, uploadedIn, builtFiles, heldFiles } from '../show.ts';

afterEach(cleanUp);


describe('castwright publish to a folder', () => {
  it('uploads every file the first time, then nothing at all when nothing changed', async () => {
    const root = await publishWorkspace([1, 2]);
    const site = path.join(root, 'site');
    const first = await publish(root, ['--to', `file://${site}`]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/✓ 5 pages, 6 email files, 4 assets, feed\.json, sitemap\.xml, feed\.xml uploaded; 0 deleted\n$/);
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
    const before = { files: await snapshot(site), record: (await stat(path.join(site, RECORD_FILE))).mtimeMs, folder: (await stat(site)).ino };

    const second = await publish(root, ['--to', `file://${site}`]);
    expect(second.code).toBe(0);
    expect(uploadedIn(second.stdout)).toEqual([]);
    expect(second.stdout).toContain(`✓ Nothing to publish: file://${site} already holds this build`);
    expect(await snapshot(site)).toEqual(before.files);
    expect((await stat(path.join(site, RECORD_FILE))).mtimeMs).toBe(before.record);
    expect((await stat(site)).ino).toBe(before.folder);
  });

  it('uploads exactly an added episode’s page, its email copies, the index, the lists of pages and the feed, the feed last', async () => {
    const root = await publishWorkspace([1, 2]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    await addEpisode(root, 3);
    const result = await publish(root, ['--to', site]);
    expect(result.code).toBe(0);
    const order = uploadedIn(result.stdout);
    expect([...order].sort()).toEqual(['email/ep-3.html', 'email/ep-3.txt', 'email/ep-3/index.html', 'episodes/ep-3/index.html', 'feed.json', 'feed.xml', 'index.html', 'sitemap.xml']);
    // The page before the index that links it; the lists of pages after the pages; everything before the feed.
    expect(order.at(-1)).toBe('feed.xml');
    expect(order.indexOf('episodes/ep-3/index.html')).toBeLessThan(order.indexOf('index.html'));
    for (const listing of ['feed.json', 'sitemap.xml']) expect(order.indexOf(listing)).toBeGreaterThan(order.indexOf('index.html'));
    expect(result.stdout).toContain('✓ 2 pages, 3 email files, feed.json, sitemap.xml, feed.xml uploaded; 0 deleted');
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
  });

  it('deletes a removed episode’s files only after the feed, and the folder they leave empty', async () => {
    const root = await publishWorkspace([1, 2]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    await removeEpisode(root, 1);
    const result = await publish(root, ['--to', site, '--accept', slugOf(1)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(acceptedRemoval(1));
    const actions = actionsIn(result.stdout);
    expect(actions).toEqual([
      'uploaded index.html',
      'uploaded feed.json',
      'uploaded sitemap.xml',
      'uploaded feed.xml',
      'deleted email/ep-1/index.html',
      'deleted episodes/ep-1/index.html',
      'deleted email/ep-1.html',
      'deleted email/ep-1.txt',
    ]);
    expect(existsSync(path.join(site, 'email', slugOf(1)))).toBe(false);
    expect(existsSync(path.join(site, 'episodes', slugOf(1)))).toBe(false);
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
  });

  it('keeps files castwright did not put there', async () => {
    const root = await publishWorkspace([1]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    await writeFile(path.join(site, 'CNAME'), 'equity.example.com\n');
    await addEpisode(root, 2);
    expect((await publish(root, ['--to', site])).code).toBe(0);
    expect(await readFile(path.join(site, 'CNAME'), 'utf8')).toBe('equity.example.com\n');
  });

  it('swaps the folder behind a symbolic link, which stays a link', async () => {
    const root = await publishWorkspace([1]);
    const real = path.join(root, 'releases', 'current');
    await mkdir(real, { recursive: true });
    const link = path.join(root, 'site');
    await symlink(real, link);
    const result = await publish(root, ['--to', link]);
    expect(result.code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await heldFiles(real)).toEqual(await builtFiles(root));
  });

  it('leaves the live folder exactly as it was when a write fails', async () => {
    const root = await publishWorkspace([1]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    // Something of someone else's sits where the next episode's folder must go.
    await writeFile(path.join(site, 'episodes', slugOf(2)), 'not a folder');
    const before = await snapshot(site);
    await addEpisode(root, 2);
    const result = await publish(root, ['--to', site]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/ep-2 is a file where castwright needs a folder; nothing was changed on the target. Run publish again to finish');
    expect(await snapshot(site)).toEqual(before);
    expect(existsSync(path.join(root, '.site.new-'))).toBe(false);
  });

  it('never writes through a symbolic link inside the target', async () => {
    const root = await publishWorkspace([1]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    const elsewhere = await tempDir();
    await rename(path.join(site, 'episodes'), path.join(elsewhere, 'episodes'));
    await symlink(path.join(elsewhere, 'episodes'), path.join(site, 'episodes'));
    const outside = await snapshot(elsewhere);
    await addEpisode(root, 2);
    const result = await publish(root, ['--to', site]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes is a symbolic link inside the target; castwright does not write through links');
    expect(await snapshot(elsewhere)).toEqual(outside);
  });

  it('refuses a record that names a file outside the target, and --force rewrites it', async () => {
    const root = await publishWorkspace([1]);
    const site = path.join(root, 'site');
    expect((await publish(root, ['--to', site])).code).toBe(0);
    await writeFile(path.join(root, 'precious.txt'), 'mine');
    const record = JSON.parse(await readFile(path.join(site, RECORD_FILE), 'utf8')) as { files: Record<string, string> };
    record.files['../precious.txt'] = '0'.repeat(64);
    await writeFile(path.join(site, RECORD_FILE), JSON.stringify(record));
    const before = await snapshot(site);

    const refused = await publish(root, ['--to', site]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`the record ${RECORD_FILE} cannot be trusted: it names a file castwright would never write ("../precious.txt")`);
    expect(await snapshot(site)).toEqual(before);
    expect(await readFile(path.join(root, 'precious.txt'), 'utf8')).toBe('mine');

    const forced = await publish(root, ['--to', site, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(root, 'precious.txt'), 'utf8')).toBe('mine');
    expect(await readFile(path.join(site, RECORD_FILE), 'utf8')).not.toContain('precious');
  });

  it.each([
    ['a file', async (root: string) => writeFile(path.join(root, 'site'), 'x'), 'is a file, not a folder'],
    ['the working folder', async () => undefined, 'is the working folder or one of its parents'],
    ['a folder of other files', async (root: string) => mkdir(path.join(root, 'site')).then(() => writeFile(path.join(root, 'site', 'notes.txt'), 'x')), 'did not build'],
  ])('refuses a target that is %s, changing nothing (exit 2)', async (what, prepare, message) => {
    const root = await publishWorkspace([1]);
    await prepare(root);
    const to = what === 'the working folder' ? '.' : 'site';
    const result = await publish(root, ['--to', to]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it.runIf(process.getuid?.() === 0)('says so when it may not write the folder, and changes nothing', async () => {
    const root = await publishWorkspace([1]);
    await chmod(root, 0o755);
    await chown(root, 65534, 65534);
    // Both the folder and the one holding it belong to root.
    const site = path.join(root, 'www', 'site');
    await mkdir(site, { recursive: true });
    const oldFeed = '<rss version="2.0"><channel><title>An old feed</title></channel></rss>';
    await writeFile(path.join(site, 'feed.xml'), oldFeed);
    const result = await publishProcess(root, ['--to', site], { HOME: root }, { uid: 65534, gid: 65534 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot write the record in ${site} (EACCES: check its permissions, or run as a user who may use it); nothing was changed on the target`);
    expect(await readFile(path.join(site, 'feed.xml'), 'utf8')).toBe(oldFeed);
  });

  it.runIf(process.getuid?.() === 0)('changes a folder whose parent it may not write file by file, in the same order', async () => {
    // Run as an unprivileged user who owns the site but not the folder holding it: no swap is possible.
    const root = await publishWorkspace([1]);
    await chmod(root, 0o755);
    await chown(root, 65534, 65534);
    const parent = path.join(root, 'www');
    const site = path.join(parent, 'equity');
    await mkdir(site, { recursive: true });
    await chown(site, 65534, 65534);
    await chmod(path.join(root, 'episodes'), 0o755);
    const asNobody = { uid: 65534, gid: 65534 };
    const first = await publishProcess(root, ['--to', site], { HOME: root }, asNobody);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const folder = (await stat(site)).ino;
    await addEpisode(root, 2);
    const second = await publishProcess(root, ['--to', site], { HOME: root }, asNobody);
    expect(second.code).toBe(0);
    expect(uploadedIn(second.stdout).at(-1)).toBe('feed.xml');
    expect((await stat(site)).ino).toBe(folder);
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
  });
});
