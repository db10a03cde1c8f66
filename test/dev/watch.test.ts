// What the preview's watcher reports (issue 9): a save is built after a short quiet, and a write to
// a file just reported is never lost, though chokidar drops a file's changes for 50 ms after one.
import { mkdtempSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { appendFile, cp, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSession, type Session } from '../../src/dev/session.ts';
import { watchSources, type SourceWatcher } from '../../src/dev/watch.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

const open: SourceWatcher[] = [];
const folders: string[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await Promise.all(open.splice(0).map((watcher) => watcher.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  await cleanUp();
});

/** Waits until `done` holds, checking every 100 ms; fails with `what` after a generous minute. */
async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the watcher of the sources', () => {
  it('reports a file written again as soon as its first save was reported (within chokidar’s 50 ms of dropped changes)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'castwright-watch-'));
    folders.push(root);
    const content = path.join(root, 'episodes');
    const templates = path.join(root, 'templates');
    mkdirSync(content);
    mkdirSync(templates);
    const file = path.join(content, 'one.md');
    writeFileSync(file, 'first');
    const calls: string[][] = [];
    let second: () => void = () => {};
    const reportedTwice = new Promise<void>((resolve) => (second = resolve));
    const watcher = await watchSources({
      contentDir: content,
      folders: [content],
      templatesDir: templates,
      onChange: (paths) => {
        calls.push(paths);
        // At once: the build would read the file now; this write must bring another build.
        if (calls.length === 1) writeFileSync(file, 'third');
        else second();
      },
      onError: (error) => {
        throw error;
      },
    });
    open.push(watcher);
    writeFileSync(file, 'second');
    await reportedTwice;
    expect(calls.map((paths) => [...new Set(paths.map((reported) => path.resolve(reported)))])).toEqual([[file], [file]]);
  });
});

/** A watcher of an empty content folder, and the paths it reports (resolved), as they come. */
async function namesWatched(): Promise<{ content: string; reported: string[]; watcher: SourceWatcher }> {
  const root = mkdtempSync(path.join(tmpdir(), 'castwright-watch-'));
  folders.push(root);
  const content = path.join(root, 'episodes');
  const templates = path.join(root, 'templates');
  mkdirSync(content);
  mkdirSync(templates);
  const reported: string[] = [];
  const watcher = await watchSources({
    contentDir: content,
    folders: [content],
    templatesDir: templates,
    onChange: (paths) => reported.push(...paths.map((each) => path.resolve(each))),
    onError: (error) => {
      throw error;
    },
  });
  open.push(watcher);
  return { content, reported, watcher };
}

describe('the watcher of the files the content names', () => {
  // A watcher of the file itself died with its folder: the folder made again, with the file, was
  // never seen, and a missing transcript stayed missing in dev however often it was saved.
  it('watches a named file again when its folder is removed and made again before the next build', async () => {
    const { content, reported, watcher } = await namesWatched();
    const text = path.join(content, '_text');
    const file = path.join(text, 'ep.vtt');
    mkdirSync(text);
    writeFileSync(file, 'WEBVTT\n');
    expect(await watcher.watchFiles([file])).toEqual([file]);
    rmSync(text, { recursive: true });
    await until('the folder’s removal reported', () => reported.includes(text));
    // Made again before the build that follows the removal asks what to watch.
    mkdirSync(text);
    writeFileSync(file, 'WEBVTT\n\nmade again\n');
    expect(await watcher.watchFiles([file])).toEqual([file]);
    reported.length = 0;
    writeFileSync(file, 'WEBVTT\n\nsaved later\n');
    await until('a later save of the file reported', () => reported.includes(file));
  });

  it('watches a named file again when its folder is removed and made again within one burst (the new folder may even get the old inode)', async () => {
    const { content, reported, watcher } = await namesWatched();
    const text = path.join(content, '_text');
    const file = path.join(text, 'ep.vtt');
    mkdirSync(text);
    writeFileSync(file, 'WEBVTT\n');
    await watcher.watchFiles([file]);
    rmSync(text, { recursive: true });
    mkdirSync(text);
    writeFileSync(file, 'WEBVTT\n\nmade again\n');
    await until('the change reported', () => reported.some((each) => each === text || each === file));
    expect(await watcher.watchFiles([file])).toEqual([file]);
    reported.length = 0;
    writeFileSync(file, 'WEBVTT\n\nsaved later\n');
    await until('a later save of the file reported', () => reported.includes(file));
  });

  it('watches from the nearest folder that exists, and follows the path down as its folders are made', async () => {
    const { content, reported, watcher } = await namesWatched();
    const file = path.join(content, '_media', 'art', 'ep.jpg');
    expect(await watcher.watchFiles([file])).toEqual([file]);
    expect(await watcher.watchFiles([file])).toEqual([]);
    mkdirSync(path.join(content, '_media'));
    await until('the first folder on the path reported', () => reported.includes(path.join(content, '_media')));
    expect(await watcher.watchFiles([file])).toEqual([file]);
    mkdirSync(path.join(content, '_media', 'art'));
    writeFileSync(file, 'not yet a picture');
    await until('the next folder or the file reported', () => reported.some((each) => each.startsWith(path.join(content, '_media', 'art'))));
    expect(await watcher.watchFiles([file])).toEqual([file]);
    reported.length = 0;
    writeFileSync(file, 'saved again');
    await until('a save of the file reported', () => reported.includes(file));
    // Nothing else in those folders is reported.
    reported.length = 0;
    writeFileSync(path.join(content, '_media', 'art', 'other.jpg'), 'not named');
    writeFileSync(file, 'saved once more');
    await until('the named file reported', () => reported.includes(file));
    expect(reported.filter((each) => each.includes('other.jpg'))).toEqual([]);
  });

  // Each named file was watched where it really is, and nothing on its way: a link pointed
  // elsewhere (a folder of the current version, a transcript that is a link) went unseen, and the
  // preview kept the file it led to before.
  it('reports a link on the way to a named file pointed elsewhere: a folder on its path, or the file itself', async () => {
    const { content, reported, watcher } = await namesWatched();
    const media = path.join(content, '_media');
    for (const version of ['v1', 'v2']) {
      mkdirSync(path.join(media, version), { recursive: true });
      writeFileSync(path.join(media, version, 'ep.vtt'), `WEBVTT\n\n${version}\n`);
    }
    writeFileSync(path.join(media, 'a.vtt'), 'WEBVTT\n');
    writeFileSync(path.join(media, 'b.vtt'), 'WEBVTT\n');
    const current = path.join(media, 'current');
    const transcript = path.join(media, 'ep.vtt');
    symlinkSync('v1', current);
    symlinkSync('a.vtt', transcript);
    await watcher.watchFiles([path.join(current, 'ep.vtt'), transcript]);
    // Pointed elsewhere as tools do: a new link renamed over the old one.
    const repoint = (link: string, target: string) => {
      symlinkSync(target, `${link}.tmp`);
      renameSync(`${link}.tmp`, link);
    };
    reported.length = 0;
    repoint(current, 'v2');
    await until('the folder link pointed elsewhere reported', () => reported.includes(current));
    reported.length = 0;
    repoint(transcript, 'b.vtt');
    await until('the file link pointed elsewhere reported', () => reported.includes(transcript));
  });

  // A folder in a link's place keeps its name in chokidar's listing: chokidar said nothing, and a
  // transcript folder put back where a link to another had been was never built.
  it('reports a folder on the way to a named file that takes the place of a link, as it took the folder’s', async () => {
    const { content, reported, watcher } = await namesWatched();
    const text = path.join(content, '_text');
    const other = path.join(content, '_other');
    const file = path.join(text, 'ep.vtt');
    mkdirSync(text);
    mkdirSync(other);
    writeFileSync(file, 'WEBVTT\n');
    writeFileSync(path.join(other, 'ep.vtt'), 'WEBVTT\n\nother\n');
    await watcher.watchFiles([file]);
    rmSync(text, { recursive: true });
    symlinkSync('_other', text);
    await until('the folder replaced by a link reported', () => reported.includes(text));
    expect(await watcher.watchFiles([file])).toEqual([path.join(other, 'ep.vtt')]);
    reported.length = 0;
    writeFileSync(path.join(other, 'ep.vtt'), 'WEBVTT\n\nother, saved\n');
    await until('a save through the link reported', () => reported.includes(path.join(other, 'ep.vtt')));
    reported.length = 0;
    rmSync(text);
    mkdirSync(text);
    writeFileSync(file, 'WEBVTT\n\nits own again\n');
    await until('the link replaced by a folder reported', () => reported.some((each) => each === text || each.startsWith(text + path.sep)));
    expect(await watcher.watchFiles([file])).toEqual([file]);
    reported.length = 0;
    writeFileSync(file, 'WEBVTT\n\nsaved\n');
    await until('a save in the folder reported', () => reported.includes(file));
  });
});

describe('dev, when an episode that was a link out of the content folder becomes a file again', () => {
  // Chokidar (not following links) watches a link by its name only; a file put in its place, under
  // the same name, was neither reported nor watched: that save and every later one went unseen.
  it('builds the file, and every later save of it', async () => {
    const root = await tempDir();
    const contentDir = path.join(root, 'episodes');
    const templatesDir = path.join(root, 'templates');
    await cp(path.join(PROJECT, 'episodes'), contentDir, { recursive: true });
    await cp(path.join(PROJECT, 'templates'), templatesDir, { recursive: true });
    const episode = path.join(contentDir, '2020-09-21-oracle-tiktok.md');
    const text = await readFile(episode, 'utf8');
    const outside = path.join(root, 'outside.md');
    await writeFile(outside, text);
    // Each replacement made whole by a rename, as editors save: the folder never lacks the name,
    // so the watcher only sees it change type.
    const temporary = path.join(contentDir, '.replacement.tmp');
    await symlink(outside, temporary);
    await rename(temporary, episode);

    const session = await startSession({ contentDir, templatesDir, host: '127.0.0.1', port: 0, cwd: root });
    sessions.push(session);
    const first = await session.firstBuild;
    expect(first.ok ? [] : first.problems.map((problem) => problem.message)).toEqual([expect.stringContaining('outside the content folder')]);
    const feed = async () => (await fetch(new URL('feed.xml', session.url))).text();

    await writeFile(temporary, `${text}\nBack as a file.\n`);
    await rename(temporary, episode);
    await until('the file built', async () => (await feed()).includes('Back as a file.'));

    await appendFile(episode, 'Then saved once more.\n');
    await until('the next save built', async () => (await feed()).includes('Then saved once more.'));
  });
});
