// dev sends each build's files to its server as what changed since the last, and reads again only
// the files the watcher says changed (issue 9): after any sequence of saves, what the preview serves
// must be exactly what a preview built from nothing holds.
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPreview } from '../../src/dev/preview.ts';
import { CLIENT_PATH } from '../../src/dev/server.ts';
import { textOf, type OutputContent } from '../../src/model/source-file.ts';
import { startSession, type Session } from '../../src/dev/session.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { addEpisode, random } from '../helpers/random-edits.ts';

let session: Session | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
  await cleanUp();
});

/** The page as built: the server adds its live-reload script to every page it serves. */
const withoutClient = (body: string) => body.replace(new RegExp(`<script src="${CLIENT_PATH}" data-version="\\d+"></script>\\n`), '');

/** What differs between the preview served and `expected` (and `gone`, which must answer 404): nothing once the save is built. */
async function differences(url: string, expected: ReadonlyMap<string, OutputContent>, gone: Iterable<string>): Promise<string[]> {
  const found: string[] = [];
  for (const [name, content] of expected) {
    const response = await fetch(new URL(name, url));
    if (response.status !== 200) found.push(`${name}: ${response.status}`);
    else if (withoutClient(await response.text()) !== textOf(content)) found.push(`${name}: not as built from nothing`);
  }
  for (const name of gone) if (!expected.has(name) && (await fetch(new URL(name, url))).status !== 404) found.push(`${name}: still served`);
  return found;
}

/**
 * Waits for the watcher's build of a save (no rebuild is asked for: the save alone must bring the
 * preview to `expected`); what still differs after a generous wait is the failure.
 */
async function servedAfterSave(url: string, expected: ReadonlyMap<string, OutputContent>, gone: Iterable<string>): Promise<string[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await differences(url, expected, gone);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('what dev serves after saves', () => {
  it('is every file of a preview built from nothing, and none other, after each save of a seeded sequence of edits, additions, deletions, renames, transcripts beside episodes, a show.yml and a template change', async () => {
    const root = await tempDir();
    const contentDir = path.join(root, 'episodes');
    const templatesDir = path.join(root, 'templates');
    await cp(path.join(PROJECT, 'episodes'), contentDir, { recursive: true });
    await cp(path.join(PROJECT, 'templates'), templatesDir, { recursive: true });
    session = await startSession({ contentDir, templatesDir, host: '127.0.0.1', port: 0, cwd: root });
    expect((await session.firstBuild).ok).toBe(true);
    const template = await readFile(path.join(contentDir, '2020-09-14-disrupt-tiktok.md'), 'utf8');
    const next = random(20261202);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    let before: ReadonlyMap<string, unknown> = new Map();
    let made = 0;
    const steps = ['edit', 'add', 'transcript', 'rename', 'delete', 'edit', 'transcript', 'add', 'show', 'edit', 'template', 'transcript', 'delete', 'rename', 'edit'];
    for (const [step, planned] of steps.entries()) {
      const files = (await readdir(contentDir)).filter((name) => name.endsWith('.md')).sort();
      const file = path.join(contentDir, pick(files));
      const operation = files.length > 2 ? planned : 'add';
      if (operation === 'edit') {
        await writeFile(file, `${await readFile(file, 'utf8')}\nA paragraph saved at step ${step}.\n`);
      } else if (operation === 'add') {
        await addEpisode(contentDir, template, ++made, next);
      } else if (operation === 'delete') {
        await rm(file);
      } else if (operation === 'rename') {
        await rename(file, path.join(contentDir, `renamed-${step}-${path.basename(file)}`));
      } else if (operation === 'transcript') {
        // Beside the episode: added, changed or removed, and the episode file itself untouched.
        const transcript = file.replace(/\.md$/, '.vtt');
        if (existsSync(transcript) && next() < 0.5) await rm(transcript);
        else await writeFile(transcript, `WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nSaid at step ${step}.\n`);
      } else if (operation === 'show') {
        const show = path.join(contentDir, 'show.yml');
        await writeFile(show, (await readFile(show, 'utf8')).replace(/^title: .*$/m, `title: Equity, saved at step ${step}`));
      } else {
        const page = path.join(templatesDir, 'site', 'episode.hbs');
        await writeFile(page, `${await readFile(page, 'utf8')}<!-- saved at step ${step} -->\n`);
      }
      const expected = (await buildPreview({ contentDir, templatesDir, cwd: root, noCache: true })).files;
      expect(await servedAfterSave(session.url, expected, before.keys()), `after step ${step} (${operation})`).toEqual([]);
      before = expected;
    }
  }, 400_000);
});
