// How saves reach a running `castwright dev` (a real process, real HTTP on a free port): whatever
// the order and speed of the saves, and however an editor makes them, what it serves in the end is
// exactly what a cold `castwright build --drafts` of the same files makes, and it keeps watching.
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { rgbJpeg } from '../helpers/images.ts';
import { eventually, servesColdBuild, startDev, waitForState, type DevProcess } from './dev-process.ts';

let dev: DevProcess | undefined;
afterEach(async () => {
  const running = dev;
  dev = undefined;
  if (running) expect(await running.stop()).toBe(0);
  await cleanUp();
});

const EPISODE = '2020-09-14-disrupt-tiktok.md';
const OTHER = '2020-09-21-oracle-tiktok.md';

/** The sample show in a fresh folder: root/episodes. */
async function sampleShow(): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  return root;
}

async function edit(file: string, change: (text: string) => string): Promise<void> {
  await writeFile(file, change(await readFile(file, 'utf8')));
}

/** A save after all the others, then dev as a cold build again: it still watches. */
async function stillWatching(root: string, files: Map<string, Buffer>): Promise<void> {
  await edit(path.join(root, 'episodes', OTHER), (text) => `${text}\nA paragraph saved to see dev still watching.\n`);
  await servesColdBuild(dev!, root, files.keys());
}

describe('dev after saves', () => {
  it('serves the last of two saves of one file made within a millisecond, and of two files', async () => {
    const root = await sampleShow();
    const episode = path.join(root, 'episodes', EPISODE);
    const other = path.join(root, 'episodes', OTHER);
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);
    const text = await readFile(episode, 'utf8');
    // Synchronous writes, one right after the other: the same millisecond, or the next.
    writeFileSync(episode, text.replace(/^title: .*$/m, 'title: First of two saves'));
    writeFileSync(episode, text.replace(/^title: .*$/m, 'title: Second of two saves, longer than the first'));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get('index.html')!.toString()).toContain('Second of two saves');
    const otherText = await readFile(other, 'utf8');
    writeFileSync(episode, text.replace(/^title: .*$/m, 'title: Saved beside another'));
    writeFileSync(other, otherText.replace(/^title: .*$/m, 'title: The other, saved in the same millisecond'));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get('index.html')!.toString()).toContain('The other, saved in the same millisecond');
    // And back to the first text, shorter again: the same size as neither save before it.
    writeFileSync(episode, text);
    writeFileSync(episode, text.replace(/^title: .*$/m, 'title: x'));
    files = await servesColdBuild(dev, root, files.keys());
    await stillWatching(root, files);
  });

  it('serves the last save made while a build runs, never the one before it', async () => {
    const root = await sampleShow();
    const episode = path.join(root, 'episodes', EPISODE);
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);
    const text = await readFile(episode, 'utf8');
    // A build serves its files, then waits a quiet second and checks them before it reports: a
    // save seen while the page already shows the first but the build has not reported is a save
    // during a build. The first save is written aside and renamed over (as vim saves): one event,
    // so no second build of it ends that quiet second early. Tried until that moment is caught.
    // Each try starts once dev is idle: its last build reported with its check done (a build
    // still checking would report during the try and hide it).
    const idle = () => {
      const last = dev!.output().match(/^✓ Built.*$/gm)?.at(-1);
      return last !== undefined && !last.includes('(check left');
    };
    let caught = false;
    for (let attempt = 1; attempt <= 8 && !caught; attempt++) {
      await eventually(idle, 'dev idle, its last build checked');
      const before = dev.builds();
      const aside = path.join(root, 'episodes', `.${EPISODE}.swp`);
      writeFileSync(aside, text.replace(/^title: .*$/m, `title: Saved first, try ${attempt}`));
      renameSync(aside, episode);
      await eventually(async () => (await (await fetch(new URL('/', dev!.url))).text()).includes(`Saved first, try ${attempt}`), 'the first save served');
      caught = dev.builds() === before;
      writeFileSync(episode, text.replace(/^title: .*$/m, `title: Saved during its build, try ${attempt}`));
      files = await servesColdBuild(dev, root, files.keys());
      expect(files.get('index.html')!.toString()).toContain(`Saved during its build, try ${attempt}`);
    }
    expect(caught, 'no save landed while a build ran').toBe(true);
    expect(dev.output()).toContain('(check left to the build of a newer save)');
    await stillWatching(root, files);
  });

  it('serves a save made during the first build, once that build is done', async () => {
    const root = await sampleShow();
    // Enough episodes that the first build takes a while: the save lands in it.
    const template = await readFile(path.join(root, 'episodes', EPISODE), 'utf8');
    for (let n = 1; n <= 60; n++) {
      const day = String(1 + (n % 28)).padStart(2, '0');
      await writeFile(
        path.join(root, 'episodes', `2021-03-${day}-more-${n}.md`),
        template.replace(/^title: .*$/m, `title: More ${n}`).replace(/^date: .*$/m, `date: 2021-03-${day}T07:00:00-07:00`).replace(/^episode: .*$/m, `episode: ${500 + n}`).replace(/2020-09-14-equity-monday\.mp3/, `more-${n}.mp3`),
      );
    }
    dev = await startDev(root);
    const episode = path.join(root, 'episodes', EPISODE);
    // Saved again and again while the first build runs (its page answers 503), until it serves.
    let saves = 0;
    let first: string | undefined;
    while (first === undefined) {
      writeFileSync(episode, template.replace(/^title: .*$/m, `title: Save ${++saves} during the first build`));
      await new Promise((resolve) => setTimeout(resolve, 150));
      const response = await fetch(new URL(`episodes/${EPISODE.replace(/\.md$/, '')}/`, dev.url));
      if (response.status === 200) first = await response.text();
    }
    // Saves were counted while the first build ran: it left its check to the build of the next.
    expect(first).toContain('during the first build');
    await eventually(() => /^✓ Built .*$/m.exec(dev!.output()), 'the first build reported');
    expect(/^✓ Built .*$/m.exec(dev.output())![0]).toContain('(check left to the build of a newer save)');
    const files = await servesColdBuild(dev, root);
    expect(files.get(`episodes/${EPISODE.replace(/\.md$/, '')}/index.html`)!.toString()).toContain(`Save ${saves} during the first build`);
    await stillWatching(root, files);
  });

  it('follows a transcript beside an episode, and one it names, added, renamed away and back, removed and made again; the problem of a missing one clears', async () => {
    const root = await sampleShow();
    const content = path.join(root, 'episodes');
    const slug = EPISODE.replace(/\.md$/, '');
    const vtt = (words: string) => `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n${words}\n`;
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);

    // Beside the episode, found by its name.
    await writeFile(path.join(content, `${slug}.vtt`), vtt('Found beside the episode.'));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.has(`episodes/${slug}/transcript.vtt`)).toBe(true);
    await rename(path.join(content, `${slug}.vtt`), path.join(content, `${slug}.vtt.away`));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.has(`episodes/${slug}/transcript.vtt`)).toBe(false);
    await rename(path.join(content, `${slug}.vtt.away`), path.join(content, `${slug}.vtt`));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.has(`episodes/${slug}/transcript.vtt`)).toBe(true);
    // The episode and its transcript renamed together, within a millisecond, and back.
    renameSync(path.join(content, EPISODE), path.join(content, 'renamed.md'));
    renameSync(path.join(content, `${slug}.vtt`), path.join(content, 'renamed.vtt'));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.has('episodes/renamed/transcript.vtt')).toBe(true);
    renameSync(path.join(content, 'renamed.vtt'), path.join(content, `${slug}.vtt`));
    renameSync(path.join(content, 'renamed.md'), path.join(content, EPISODE));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.has(`episodes/${slug}/transcript.vtt`)).toBe(true);
    await rm(path.join(content, `${slug}.vtt`));
    files = await servesColdBuild(dev, root, files.keys());

    // Named by `transcript:`, in a folder the scan skips.
    await mkdir(path.join(content, '_text'));
    await writeFile(path.join(content, '_text', 'ep.vtt'), vtt('Named by the episode.'));
    await edit(path.join(content, EPISODE), (text) => text.replace('hosts: [Alex Wilhelm]\n', 'hosts: [Alex Wilhelm]\ntranscript: _text/ep.vtt\n'));
    // Renamed as soon as the save that names it is served: that build's check is still to come.
    await eventually(async () => (await (await fetch(new URL(`episodes/${slug}/transcript.vtt`, dev!.url))).text()).includes('Named by the episode.'), 'the named transcript served');
    await rename(path.join(content, '_text', 'ep.vtt'), path.join(content, '_text', 'ep.first'));
    await waitForState(dev.url, (state) => state.problems.some((problem) => problem.includes('not found')));
    await rename(path.join(content, '_text', 'ep.first'), path.join(content, '_text', 'ep.vtt'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get(`episodes/${slug}/transcript.vtt`)!.toString()).toContain('Named by the episode.');
    const missing = (state: { problems: string[] }) => state.problems.some((problem) => problem.startsWith(`episodes/${EPISODE}:14:`) && problem.includes('not found'));
    await rename(path.join(content, '_text', 'ep.vtt'), path.join(content, '_text', 'ep.old'));
    await waitForState(dev.url, missing);
    await rename(path.join(content, '_text', 'ep.old'), path.join(content, '_text', 'ep.vtt'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    await rm(path.join(content, '_text', 'ep.vtt'));
    await waitForState(dev.url, missing);
    await writeFile(path.join(content, '_text', 'ep.vtt'), vtt('Named, and made again.'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get(`episodes/${slug}/transcript.vtt`)!.toString()).toContain('Named, and made again.');
    // The folder that holds it removed and made again.
    await rm(path.join(content, '_text'), { recursive: true });
    await waitForState(dev.url, missing);
    await mkdir(path.join(content, '_text'));
    await writeFile(path.join(content, '_text', 'ep.vtt'), vtt('In a folder made again.'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    await stillWatching(root, files);
  });

  it('follows artwork an episode names, renamed away and back, removed and made again; the problem of a missing one clears', async () => {
    const root = await sampleShow();
    const content = path.join(root, 'episodes');
    await mkdir(path.join(content, '_art'));
    await writeFile(path.join(content, '_art', 'ep.jpg'), await rgbJpeg(1400));
    await edit(path.join(content, EPISODE), (text) => text.replace('hosts: [Alex Wilhelm]\n', 'hosts: [Alex Wilhelm]\nimage: _art/ep.jpg\n'));
    dev = await startDev(root);
    const missing = (state: { problems: string[] }) => state.problems.some((problem) => problem.startsWith(`episodes/${EPISODE}:`) && /ep\.jpg/.test(problem));
    // Renamed as soon as the first build is served: its check (and so its report) is still to come.
    await eventually(async () => (await fetch(dev!.url)).status === 200, 'the first build served');
    await rename(path.join(content, '_art', 'ep.jpg'), path.join(content, '_art', 'ep.jpg.old'));
    await waitForState(dev.url, missing);
    await rename(path.join(content, '_art', 'ep.jpg.old'), path.join(content, '_art', 'ep.jpg'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    let files = await servesColdBuild(dev, root);
    await rm(path.join(content, '_art', 'ep.jpg'));
    await waitForState(dev.url, missing);
    await writeFile(path.join(content, '_art', 'ep.jpg'), await rgbJpeg(1600));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    // The folder that holds it renamed away and back, then the artwork saved again in it.
    await rename(path.join(content, '_art'), path.join(content, '_art.old'));
    await waitForState(dev.url, missing);
    await rename(path.join(content, '_art.old'), path.join(content, '_art'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    await writeFile(path.join(content, '_art', 'ep.jpg'), await rgbJpeg(1500));
    files = await servesColdBuild(dev, root, files.keys());
    await stillWatching(root, files);
  });

  it('shows an invalid show.yml at its file and line, keeps the last good build, and recovers', async () => {
    const root = await sampleShow();
    const show = path.join(root, 'episodes', 'show.yml');
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);
    await edit(show, (text) => text.replace(/^title: .*$/m, 'title: Equity, retitled'));
    files = await servesColdBuild(dev, root, files.keys());
    const good = await readFile(show, 'utf8');
    await writeFile(show, good.replace('explicit: false', 'explicit: [nope'));
    const failed = await waitForState(dev.url, (state) => state.problems.some((problem) => /^episodes\/show\.yml:\d+:/.test(problem)));
    expect(failed.problems.join('\n')).toMatch(/^episodes\/show\.yml:1[34]:/m);
    // The last good build is still served meanwhile.
    expect(await (await fetch(new URL('/', dev.url))).text()).toContain('Equity, retitled');
    await writeFile(show, good.replace(/^title: .*$/m, 'title: Equity, fixed'));
    await waitForState(dev.url, (state) => state.problems.length === 0);
    files = await servesColdBuild(dev, root, files.keys());
    await stillWatching(root, files);
  });

  it('follows the episodes folder deleted and made again, file by file', async () => {
    const root = await sampleShow();
    const content = path.join(root, 'episodes');
    const copy = path.join(await tempDir(), 'copy');
    await cp(content, copy, { recursive: true });
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);
    const before = dev.builds();
    await rm(content, { recursive: true });
    await eventually(() => dev!.builds() > before, 'a build of the folder gone');
    await mkdir(content);
    for (const name of ['show.yml', EPISODE, OTHER]) cpSync(path.join(copy, name), path.join(content, name));
    files = await servesColdBuild(dev, root, files.keys());
    await edit(path.join(content, EPISODE), (text) => text.replace(/^title: .*$/m, 'title: Saved in the folder made again'));
    files = await servesColdBuild(dev, root, files.keys());
    // At once, within one burst of events: removed and copied back whole, with a changed episode.
    rmSync(content, { recursive: true });
    cpSync(copy, content, { recursive: true });
    writeFileSync(path.join(content, OTHER), readFileSync(path.join(copy, OTHER), 'utf8').replace(/^title: .*$/m, 'title: In a folder removed and copied back at once'));
    files = await servesColdBuild(dev, root, files.keys());
    // As a checkout might: moved aside, a new folder put in its place, the old one removed.
    renameSync(content, `${content}.old`);
    cpSync(copy, content, { recursive: true });
    rmSync(`${content}.old`, { recursive: true });
    await edit(path.join(content, EPISODE), (text) => text.replace(/^title: .*$/m, 'title: In a folder put in place of the old'));
    files = await servesColdBuild(dev, root, files.keys());
    await stillWatching(root, files);
  });

  it('follows an editor’s atomic saves: a temporary file renamed over the episode, show.yml and a transcript', async () => {
    const root = await sampleShow();
    const content = path.join(root, 'episodes');
    const slug = EPISODE.replace(/\.md$/, '');
    await writeFile(path.join(content, `${slug}.vtt`), 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nBefore.\n');
    dev = await startDev(root);
    let files = await servesColdBuild(dev, root);
    const atomic = (file: string, temp: string, text: string) => {
      writeFileSync(path.join(content, temp), text);
      renameSync(path.join(content, temp), path.join(content, file));
    };
    const episode = await readFile(path.join(content, EPISODE), 'utf8');
    // As vim (a hidden swap name), as JetBrains editors (a suffix), as VS Code's and others' "name~".
    for (const [step, temp] of [`.${EPISODE}.swp`, `${EPISODE}___jb_tmp___`, `${EPISODE}~`, `${EPISODE}.tmp-4913`].entries()) {
      atomic(EPISODE, temp, episode.replace(/^title: .*$/m, `title: Atomic save ${step}`));
      files = await servesColdBuild(dev, root, files.keys());
      expect(files.get('index.html')!.toString()).toContain(`Atomic save ${step}`);
    }
    atomic('show.yml', '.show.yml.tmp', (await readFile(path.join(content, 'show.yml'), 'utf8')).replace(/^title: .*$/m, 'title: Equity, saved atomically'));
    files = await servesColdBuild(dev, root, files.keys());
    atomic(`${slug}.vtt`, `.${slug}.vtt.tmp`, 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nAfter an atomic save.\n');
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get(`episodes/${slug}/transcript.vtt`)!.toString()).toContain('After an atomic save.');
    // A transcript the episode names, in a folder the scan skips (watched file by file), saved
    // atomically three times: each save replaces the file the watcher was watching.
    await mkdir(path.join(content, '_text'));
    await writeFile(path.join(content, '_text', 'ep.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nNamed.\n');
    await rm(path.join(content, `${slug}.vtt`));
    await writeFile(path.join(content, EPISODE), episode.replace('hosts: [Alex Wilhelm]\n', 'hosts: [Alex Wilhelm]\ntranscript: _text/ep.vtt\n'));
    files = await servesColdBuild(dev, root, files.keys());
    for (const step of [1, 2, 3]) {
      atomic('_text/ep.vtt', `_text/.ep.vtt.tmp`, `WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nNamed, atomic save ${step}.\n`);
      files = await servesColdBuild(dev, root, files.keys());
      expect(files.get(`episodes/${slug}/transcript.vtt`)!.toString()).toContain(`atomic save ${step}`);
    }
    // Twice in a row on the same file, within a millisecond.
    atomic(EPISODE, `.${EPISODE}.swp`, episode.replace(/^title: .*$/m, 'title: Atomic, first'));
    atomic(EPISODE, `.${EPISODE}.swp`, episode.replace(/^title: .*$/m, 'title: Atomic, second'));
    files = await servesColdBuild(dev, root, files.keys());
    expect(files.get('index.html')!.toString()).toContain('Atomic, second');
    await stillWatching(root, files);
  });
});
