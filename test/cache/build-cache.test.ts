// The build cache and the reuse of unchanged output files: whatever happened to the sources, the
// cache or the output since, a build with them writes exactly what a cold `--no-cache` build writes.
import { execFileSync } from 'node:child_process';
import { cp, lstat, mkdir, readdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { openCache, type BuildCache } from '../../src/cache/store.ts';
import { generate } from '../../src/pipeline.ts';
import { DEFAULT_TEMPLATES_DIR } from '../../src/render/templates.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { addEpisode, random } from '../helpers/random-edits.ts';
import { snapshot } from '../helpers/files.ts';
import { asTexts } from '../helpers/generate.ts';
import { mountTmpfs, unmountAll } from '../helpers/system.ts';
import { castwright } from '../import/helpers.ts';

afterEach(cleanUp);

const NOW = new Date('2026-01-01T00:00:00Z');
const BUILD = ['build', '--drafts', '--no-guard'];

/** A copy of the sample show in a fresh test folder. */
async function sampleShow(): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  return root;
}

/** Builds with the cache into dist/ and without it into cold/; both must succeed. */
async function buildBoth(root: string): Promise<{ cached: Record<string, string>; cold: Record<string, string>; stderr: string }> {
  const cached = await castwright([...BUILD, '--out', 'dist'], root);
  expect(cached.code, cached.stderr).toBe(0);
  const cold = await castwright([...BUILD, '--no-cache', '--out', 'cold'], root);
  expect(cold.code, cold.stderr).toBe(0);
  return { cached: await snapshot(path.join(root, 'dist')), cold: await snapshot(path.join(root, 'cold')), stderr: cached.stderr };
}

const episodeFiles = async (root: string) => (await readdir(path.join(root, 'episodes'))).filter((name) => name.endsWith('.md')).sort();

describe('a build with its cache (issue 9)', () => {
  it('writes what a cold --no-cache build writes after a seeded random sequence of edits, additions, deletions and renames', async () => {
    // An hour ahead, so that the builds believe the stamps of files that did not change (only Date
    // is faked: the file system's times stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    onTestFinished(() => void vi.useRealTimers());
    const root = await sampleShow();
    const template = await readFile(path.join(root, 'episodes', '2020-09-14-disrupt-tiktok.md'), 'utf8');
    const next = random(20261201);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    let made = 0;
    expect((await buildBoth(root)).cached).toEqual((await buildBoth(root)).cold);
    for (let step = 0; step < 14; step++) {
      const files = await episodeFiles(root);
      const file = path.join(root, 'episodes', pick(files));
      const operation = files.length > 2 ? pick(['edit', 'title', 'add', 'delete', 'rename']) : 'add';
      if (operation === 'edit') {
        await writeFile(file, `${await readFile(file, 'utf8')}\nA paragraph added at step ${step}, with [a link](https://example.com/${step}).\n`);
      } else if (operation === 'title') {
        await writeFile(file, (await readFile(file, 'utf8')).replace(/^title: .*$/m, `title: Retitled at step ${step} — “quoted”`));
      } else if (operation === 'add') {
        await addEpisode(path.join(root, 'episodes'), template, ++made, next);
      } else if (operation === 'delete') {
        await rm(file);
      } else {
        await rename(file, path.join(path.dirname(file), `renamed-${step}-${path.basename(file)}`));
      }
      // Every fourth step also changes one letter of another file and copies its modification time
      // back to the nanosecond (as rsync -t would): the previous build left its stamp (with the
      // clock an hour ahead, every file is settled: load/source-stamps.ts), and only the change
      // time tells the file's stamp from that one.
      if (step % 4 === 3) {
        const other = path.join(root, 'episodes', (await episodeFiles(root))[0]!);
        const times = path.join(root, 'times');
        execFileSync('touch', ['-r', other, times]);
        const text = await readFile(other, 'utf8');
        const at = text.indexOf('a', text.indexOf('\n---\n') + 5);
        await writeFile(other, `${text.slice(0, at)}${step % 8 === 3 ? 'e' : 'o'}${text.slice(at + 1)}`);
        execFileSync('touch', ['-r', times, other]);
      }
      const { cached, cold } = await buildBoth(root);
      expect(Object.keys(cached).sort(), `after step ${step} (${operation})`).toEqual(Object.keys(cold).sort());
      for (const name of Object.keys(cold)) expect(cached[name], `${name} after step ${step} (${operation})`).toBe(cold[name]);
    }
  }, 240_000);

  it('writes the further pages of the archive, known by their episodes and linked from the previous output, as a cold build does', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    onTestFinished(() => void vi.useRealTimers());
    const root = await sampleShow();
    const template = await readFile(path.join(root, 'episodes', '2020-09-14-disrupt-tiktok.md'), 'utf8');
    const next = random(20261203);
    // 5 + 56 episodes: four archive pages, the last with one episode.
    for (let made = 1; made <= 56; made++) await addEpisode(path.join(root, 'episodes'), template, made, next);
    const same = async (what: string) => {
      const { cached, cold } = await buildBoth(root);
      expect(Object.keys(cached).sort(), what).toEqual(Object.keys(cold).sort());
      for (const name of Object.keys(cold)) expect(cached[name], `${name} ${what}`).toBe(cold[name]);
      return cached;
    };
    await same('cold');
    const files = await episodeFiles(root);
    const retitle = async (name: string, title: string) => {
      const file = path.join(root, 'episodes', name);
      await writeFile(file, (await readFile(file, 'utf8')).replace(/^title: .*$/m, `title: ${title}`));
    };
    // An episode of a further page retitled, then the page altered and another removed in the output.
    await retitle(files[3]!, 'Retitled on a further page');
    await same('after a title edit');
    await writeFile(path.join(root, 'dist', 'page', '2', 'index.html'), 'altered');
    await rm(path.join(root, 'dist', 'page', '3', 'index.html'));
    await same('after pages of the output were altered and removed');
    // The page links change with the page count; episodes move between pages.
    await rm(path.join(root, 'episodes', files[10]!));
    await same('after a deletion');
    await addEpisode(path.join(root, 'episodes'), template, 57, next);
    await same('after an addition');
    await retitle(files[20]!, 'Retitled again');
    await same('after another title edit');
    // The oldest deleted: 60 episodes, three pages; the second lists the same episodes, its pager one page fewer.
    expect(Object.keys(await snapshot(path.join(root, 'dist')))).toContain('page/4/index.html');
    await rm(path.join(root, 'episodes', files[0]!));
    const three = await same('after the last page went');
    expect(three['page/3/index.html']).toBeDefined();
    expect(three['page/4/index.html']).toBeUndefined();
  }, 240_000);

  it('writes what a cold build writes after show.yml changes', async () => {
    const root = await sampleShow();
    await buildBoth(root);
    const show = path.join(root, 'episodes', 'show.yml');
    await writeFile(show, (await readFile(show, 'utf8')).replace(/^title: .*$/m, 'title: Equity, renamed').replace(/^url: .*$/m, 'url: https://renamed.example.com/'));
    const { cached, cold } = await buildBoth(root);
    expect(await readFile(path.join(root, 'dist', 'index.html'), 'utf8')).toContain('Equity, renamed');
    expect(cached).toEqual(cold);
  }, 60_000);

  it('renders an episode again when only its status changes (scheduled, then published): its render key has the status', async () => {
    const root = await sampleShow();
    const folder = path.join(root, '.castwright', 'cache');
    const build = async (now: Date, cache?: BuildCache) => {
      const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root, drafts: true, now, cache });
      cache?.save();
      return generated.files;
    };
    // 2020-10-05-q3-venture-data is dated 2020-10-05T14:00Z: scheduled the day before, published the day after.
    const page = 'episodes/2020-10-05-q3-venture-data/index.html';
    const pages: unknown[] = [];
    await build(new Date('2020-10-04T00:00:00Z'), openCache(folder));
    for (const now of [new Date('2020-10-04T00:00:00Z'), new Date('2020-10-06T00:00:00Z')]) {
      // The second build finds the first's renderings, made with the status of the day before.
      const cached = await build(now, openCache(folder));
      expect(cached).toEqual(await build(now));
      pages.push(cached.get(page));
    }
    expect(pages[0]).toContain('Scheduled');
    expect(pages[1]).not.toEqual(pages[0]);
  }, 60_000);

  it('renders afresh what a changed template changes, and only the cache tells the two builds apart', async () => {
    const root = await sampleShow();
    const templatesDir = path.join(root, 'templates');
    await cp(DEFAULT_TEMPLATES_DIR, templatesDir, { recursive: true });
    const folder = path.join(root, '.castwright', 'cache');
    const build = async (cache?: BuildCache) => {
      const generated = await generate({ contentDir: path.join(root, 'episodes'), templatesDir, cwd: root, drafts: true, now: NOW, cache });
      cache?.save();
      return asTexts(generated.files);
    };
    await build(openCache(folder));
    for (const [file, from, to] of [
      ['site/episode.hbs', '</article>', '<p class="changed">Changed page</p></article>'],
      ['feed/content.hbs', '{{', 'Changed item {{'],
      ['email/digest.mjml.hbs', '</mj-body>', '<mj-section><mj-column><mj-text>Changed digest</mj-text></mj-column></mj-section></mj-body>'],
    ] as const) {
      const target = path.join(templatesDir, file);
      const text = await readFile(target, 'utf8');
      expect(text, file).toContain(from);
      await writeFile(target, text.replace(from, to));
      const cached = await build(openCache(folder));
      expect(cached).toEqual(await build());
    }
    const cached = await build(openCache(folder));
    expect(cached.get('episodes/2020-09-14-disrupt-tiktok/index.html')).toContain('Changed page');
    expect(cached.get('feed.xml')).toContain('Changed item');
    expect(cached.get('email/2020-09-14-disrupt-tiktok.html')).toContain('Changed digest');
  }, 120_000);
});

describe('a build with its cache and an episode\'s transcript (issue 12)', () => {
  const SLUG = '2020-09-14-disrupt-tiktok';
  const vtt = (text: string) => `WEBVTT\n\n00:00:00.000 --> 00:00:05.000\n${text}\n`;
  const published = (root: string) => readFile(path.join(root, 'dist', 'episodes', SLUG, 'transcript.vtt'), 'utf8');

  it('follows the file that a quoted "transcript": key names when the file is edited', async () => {
    const root = await sampleShow();
    const episode = path.join(root, 'episodes', `${SLUG}.md`);
    await writeFile(episode, (await readFile(episode, 'utf8')).replace(/^hosts: .*$/m, '$&\n"transcript": words/monday.vtt'));
    await mkdir(path.join(root, 'episodes', 'words'));
    await writeFile(path.join(root, 'episodes', 'words', 'monday.vtt'), vtt('First words.'));
    expect((await buildBoth(root)).cached).toEqual((await buildBoth(root)).cold);
    await writeFile(path.join(root, 'episodes', 'words', 'monday.vtt'), vtt('Edited words.'));
    const { cached, cold } = await buildBoth(root);
    expect(await published(root)).toContain('Edited words.');
    expect(cached).toEqual(cold);
  }, 60_000);

  it('follows a transcript beside the episode as it is added, edited and removed', async () => {
    const root = await sampleShow();
    const beside = path.join(root, 'episodes', `${SLUG}.vtt`);
    await buildBoth(root);
    for (const step of ['added', 'edited', 'removed']) {
      if (step === 'removed') await rm(beside);
      else await writeFile(beside, vtt(`Words ${step}.`));
      const { cached, cold } = await buildBoth(root);
      expect(cached, step).toEqual(cold);
      expect(Object.keys(cached).includes(`episodes/${SLUG}/transcript.vtt`), step).toBe(step !== 'removed');
    }
    expect(Object.keys((await buildBoth(root)).cached)).not.toContain(`episodes/${SLUG}/transcript.vtt`);
  }, 120_000);

  it('reports a folder by a transcript\'s name beside the episode as a problem at it, with the cache and without', async () => {
    const root = await sampleShow();
    await mkdir(path.join(root, 'episodes', `${SLUG}.vtt`));
    for (const args of [[], ['--no-cache']]) {
      const result = await castwright([...BUILD, ...args, '--out', 'dist'], root);
      expect(result.stderr, args.join(' ')).toContain(`episodes/${SLUG}.vtt: is a folder, not a text file; expected a .vtt or .srt transcript\n`);
      expect(result.code).toBe(1);
    }
  }, 60_000);
});

/** Records the keys a build asks for, and what it stores under them. */
function recording(inner: BuildCache): BuildCache & { entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  return {
    entries,
    get: (key) => inner.get(key),
    set: (key, value) => (entries.set(key, value), inner.set(key, value)),
    save: () => inner.save(),
  };
}

/** The same shape with every long text replaced, so that a build trusting it shows POISON. */
function poisoned(value: unknown): unknown {
  if (typeof value === 'string') return value.length > 20 ? `POISON ${value.length}` : value;
  if (Array.isArray(value)) return value.map(poisoned);
  if (value instanceof Date) return value;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poisoned(v)]));
  return value;
}

describe('a cache that cannot be trusted (issue 9)', () => {
  it('is ignored when it comes from another version of castwright, though its keys match', async () => {
    const root = await sampleShow();
    const folder = path.join(root, '.castwright', 'cache');
    const build = async (cache?: BuildCache) => (await generate({ contentDir: path.join(root, 'episodes'), cwd: root, drafts: true, now: NOW, cache })).files;
    const cold = await build();
    const recorder = recording(openCache(path.join(root, 'scratch')));
    await build(recorder);
    const foreign = openCache(folder, { fingerprint: 'a'.repeat(64) });
    // The show's validated settings are left as they are (poisoned, they would fail the build before
    // any episode is taken from the cache): the episodes and their renderings carry the poison.
    const isSettings = (value: unknown) => typeof value === 'object' && value !== null && 'settings' in value;
    for (const [key, value] of recorder.entries) foreign.set(key, isSettings(value) ? value : poisoned(value));
    foreign.save();
    // The poison is there and would be used by that version: the test can tell a trusted cache (its
    // output, or the problems its poisoned episodes have, show POISON).
    const trusted = await build(openCache(folder, { fingerprint: 'a'.repeat(64) })).then(
      (files) => [...files.values()].join(''),
      (error: Error) => error.message,
    );
    expect(trusted).toContain('POISON');
    const current = openCache(folder);
    expect(await build(current)).toEqual(cold);
    current.save();
    // Saved over by this version: the other version's packs are gone.
    for (const pack of await readdir(folder)) expect(readFileSync(path.join(folder, pack), 'latin1')).not.toContain('POISON');
  }, 60_000);

  it('is ignored where it is truncated or garbled, entry by entry, and mended by the next build', async () => {
    const root = await sampleShow();
    const first = await buildBoth(root);
    expect(first.cached).toEqual(first.cold);
    const folder = path.join(root, '.castwright', 'cache');
    const packs = (await readdir(folder)).filter((name) => name.endsWith('.pack')).sort();
    expect(packs.length).toBeGreaterThan(3);
    for (const [index, pack] of packs.entries()) {
      const file = path.join(folder, pack);
      const size = (await stat(file)).size;
      if (index % 3 === 0) {
        await truncate(file, Math.floor(size / 2));
      } else if (index % 3 === 1) {
        // Flip bytes inside entries (past the header): texts that would change the output if trusted.
        const bytes = readFileSync(file);
        for (let at = 120; at < bytes.length; at += 997) bytes[at] = bytes[at]! ^ 0x20;
        writeFileSync(file, bytes);
      } else {
        writeFileSync(file, Buffer.alloc(size, 0x41));
      }
    }
    const { cached, cold, stderr } = await buildBoth(root);
    expect(stderr).toBe('');
    expect(cached).toEqual(cold);
    // The damaged packs were written anew: a third build finds them whole.
    const again = await buildBoth(root);
    expect(again.cached).toEqual(again.cold);
  }, 120_000);
});

describe('the texts of the output (issue 9)', () => {
  it('are not kept in the cache: a cold build writes each once, into the output', async () => {
    const root = await sampleShow();
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
    const folder = path.join(root, '.castwright', 'cache');
    const names = await readdir(folder);
    expect(names.filter((name) => name.startsWith('t-'))).toEqual([]);
    // No page is in any pack, in any form the packs keep a text.
    const page = readFileSync(path.join(root, 'dist', 'episodes', '2020-09-14-disrupt-tiktok', 'index.html'));
    const middle = page.subarray(page.length >> 1, (page.length >> 1) + 200);
    for (const name of names) expect(readFileSync(path.join(folder, name)).includes(middle), name).toBe(false);
  }, 60_000);

  it('in packs an earlier version left are removed by the next build that saves the cache', async () => {
    const root = await sampleShow();
    await buildBoth(root);
    const folder = path.join(root, '.castwright', 'cache');
    for (const name of ['t-00.pack', 't-1a.pack', 't-3f.pack']) writeFileSync(path.join(folder, name), `castwright-cache\n${'0'.repeat(64)}\n`);
    const page = path.join(root, 'dist', 'episodes', '2020-09-21-oracle-tiktok', 'index.html');
    await rm(page);
    const source = path.join(root, 'episodes', '2020-09-14-disrupt-tiktok.md');
    await writeFile(source, `${await readFile(source, 'utf8')}\nOne more paragraph.\n`);
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
    expect((await readdir(folder)).filter((name) => name.startsWith('t-'))).toEqual([]);
  }, 60_000);
});

describe('a cache that cannot be written (issue 9)', () => {
  it('is a warning: the build succeeds and writes its output', async () => {
    const root = await sampleShow();
    // The state folder is a file: nothing can be made inside it.
    await writeFile(path.join(root, '.castwright'), 'not a folder\n');
    const result = await castwright([...BUILD, '--out', 'dist'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^\.castwright\/cache: warning: cannot write the build cache in .*\(ENOTDIR/m);
    const cold = await castwright([...BUILD, '--no-cache', '--out', 'cold'], root);
    expect(cold.stderr).toBe('');
    expect(await snapshot(path.join(root, 'dist'))).toEqual(await snapshot(path.join(root, 'cold')));
  }, 60_000);

  it('is a warning on a full disk (ENOSPC), and the output is whole', async (context) => {
    const root = await sampleShow();
    const state = path.join(root, 'state');
    await mkdir(state);
    // Too small for the sample show's cache: without output texts it fits in 64 KB.
    const skip = mountTmpfs(state, '16k');
    if (skip) return context.skip(skip);
    try {
      const result = await castwright([...BUILD, '--out', 'dist'], root, { CASTWRIGHT_STATE: state });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/warning: cannot write the build cache in .*\(ENOSPC/);
      expect(existsSync(path.join(root, 'dist', 'feed.xml'))).toBe(true);
      await castwright([...BUILD, '--no-cache', '--out', 'cold'], root);
      expect(await snapshot(path.join(root, 'dist'))).toEqual(await snapshot(path.join(root, 'cold')));
    } finally {
      unmountAll();
    }
  }, 60_000);
});

describe('a build that stops (issue 9)', () => {
  it('leaves the cache as it was: what it wrote out as it went is removed, nothing half-saved', async () => {
    const root = await sampleShow();
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    const folder = path.join(root, '.castwright', 'cache');
    const before = await snapshot(folder);
    // A new episode renders (and writes out its cache entries), then a broken one stops the build.
    const template = await readFile(path.join(root, 'episodes', '2020-09-14-disrupt-tiktok.md'), 'utf8');
    await addEpisode(path.join(root, 'episodes'), template, 1, random(9));
    await writeFile(path.join(root, 'episodes', 'zz-broken.md'), '---\ntitle: [unclosed\n---\nBody.\n');
    const stopped = await castwright([...BUILD, '--out', 'dist'], root);
    expect(stopped.code).toBe(1);
    expect(await snapshot(folder)).toEqual(before);
    expect((await readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});

describe('files the previous build wrote (issue 9)', () => {
  it('are reused where unchanged, written anew where changed or altered in the output since', async () => {
    const root = await sampleShow();
    await castwright([...BUILD, '--out', 'dist'], root);
    const page = (slug: string) => path.join(root, 'dist', 'episodes', slug, 'index.html');
    const inode = async (file: string) => (await stat(file)).ino;
    const before = { kept: await inode(page('2020-09-21-oracle-tiktok')), edited: await inode(page('2020-09-14-disrupt-tiktok')) };
    const source = path.join(root, 'episodes', '2020-09-14-disrupt-tiktok.md');
    await writeFile(source, `${await readFile(source, 'utf8')}\nOne more paragraph.\n`);
    // Someone changes a built file in place: the next build must not take it as its own.
    const tampered = page('2020-09-28-direct-listings');
    const tamperedInode = await inode(tampered);
    await writeFile(tampered, 'changed by hand\n');
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
    expect(await inode(page('2020-09-21-oracle-tiktok'))).toBe(before.kept);
    expect(await inode(page('2020-09-14-disrupt-tiktok'))).not.toBe(before.edited);
    expect(await inode(tampered)).not.toBe(tamperedInode);
  }, 60_000);

  it('are updated from the output before the live one (the spare), whatever was done to it since', async () => {
    const root = await sampleShow();
    const spare = path.join(root, '.dist.castwright-spare');
    await buildBoth(root);
    await buildBoth(root);
    expect(existsSync(path.join(spare, 'feed.xml'))).toBe(true);
    expect(readFileSync(`${spare}.claim`, 'utf8')).toContain('safe to delete');
    const slugs = (await readdir(path.join(spare, 'episodes'))).sort();
    // Everything a killed build or a curious hand could leave in it.
    await writeFile(path.join(spare, 'stray.html'), 'not in the output\n');
    await mkdir(path.join(spare, 'stray', 'deeper'), { recursive: true });
    await writeFile(path.join(spare, 'stray', 'deeper', 'page.html'), 'not in the output\n');
    await rm(path.join(spare, 'index.html'));
    await symlink(path.join(root, 'episodes', 'show.yml'), path.join(spare, 'index.html'));
    await rm(path.join(spare, 'episodes', slugs[0]!), { recursive: true });
    await writeFile(path.join(spare, 'episodes', slugs[0]!), 'a file where a folder belongs\n');
    const replaced = path.join(spare, 'episodes', slugs[1]!, 'index.html');
    await rm(replaced);
    await writeFile(replaced, 'another file by the same name\n');
    // A file edited in place in the live output: the spare holds the same file (a link), edited too.
    const live = path.join(root, 'dist', 'episodes', slugs[2]!, 'index.html');
    await writeFile(live, 'edited by hand in the live output\n');
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
    expect(existsSync(path.join(root, 'dist', 'stray.html'))).toBe(false);
    expect((await lstat(path.join(root, 'dist', 'index.html'))).isSymbolicLink()).toBe(false);
    expect(await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).not.toContain('<html');
    const again = await buildBoth(root);
    expect(again.cached).toEqual(again.cold);
  }, 120_000);

  it('are rendered again where the live file cannot be linked: the cache keeps no texts', async () => {
    const root = await sampleShow();
    await buildBoth(root);
    await buildBoth(root);
    const folder = path.join(root, '.castwright', 'cache');
    expect((await readdir(folder)).filter((name) => name.startsWith('t-'))).toEqual([]);
    const page = (slug: string) => path.join(root, 'dist', 'episodes', slug, 'index.html');
    // Replaced by another file, altered in place at the same size, and removed.
    await rm(page('2020-09-21-oracle-tiktok'));
    await writeFile(page('2020-09-21-oracle-tiktok'), 'replaced by hand\n');
    const altered = await readFile(page('2020-09-14-disrupt-tiktok'), 'utf8');
    await writeFile(page('2020-09-14-disrupt-tiktok'), altered.replace('<html', '<HTML'));
    await rm(page('2020-09-28-direct-listings'));
    await rm(path.join(root, 'dist', 'email'), { recursive: true, force: true });
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
  }, 60_000);

  it('are rendered again, all of them, when the previous output and its spare are gone', async () => {
    const root = await sampleShow();
    await buildBoth(root);
    await buildBoth(root);
    await rm(path.join(root, 'dist'), { recursive: true });
    await rm(path.join(root, '.dist.castwright-spare'), { recursive: true, force: true });
    const { cached, cold } = await buildBoth(root);
    expect(cached).toEqual(cold);
    expect(Object.keys(cached).length).toBeGreaterThan(20);
  }, 60_000);

  it("never take a folder by the spare's name that has no claim of castwright's", async () => {
    const root = await sampleShow();
    const spare = path.join(root, '.dist.castwright-spare');
    await mkdir(spare);
    await writeFile(path.join(spare, 'mine.txt'), 'someone else\'s\n');
    for (let build = 0; build < 3; build++) {
      const { cached, cold } = await buildBoth(root);
      expect(cached).toEqual(cold);
    }
    expect(await readdir(spare)).toEqual(['mine.txt']);
    expect(existsSync(`${spare}.claim`)).toBe(false);
  }, 60_000);
});
