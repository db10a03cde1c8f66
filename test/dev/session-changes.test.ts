// dev sends each build's files to its server as what changed since the last (issue 9): after any
// sequence of saves, what the preview serves must be exactly what a preview built from nothing holds.
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPreview } from '../../src/dev/preview.ts';
import { CLIENT_PATH } from '../../src/dev/server.ts';
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

describe('what dev serves after saves', () => {
  it('is every file of a preview built from nothing, and none other, after a seeded sequence of edits, additions, deletions, renames, a show.yml and a template change', async () => {
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
    const steps = ['edit', 'add', 'rename', 'delete', 'edit', 'add', 'show', 'edit', 'template', 'delete', 'rename', 'edit'];
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
      } else if (operation === 'show') {
        const show = path.join(contentDir, 'show.yml');
        await writeFile(show, (await readFile(show, 'utf8')).replace(/^title: .*$/m, `title: Equity, saved at step ${step}`));
      } else {
        const page = path.join(templatesDir, 'site', 'episode.hbs');
        await writeFile(page, `${await readFile(page, 'utf8')}<!-- saved at step ${step} -->\n`);
      }
      const report = await session.rebuild();
      expect(report.ok, `step ${step} (${operation})`).toBe(true);
      const expected = (await buildPreview({ contentDir, templatesDir, cwd: root, noCache: true })).files;
      for (const [name, content] of expected) {
        const response = await fetch(new URL(name, session.url));
        expect(response.status, `${name} after step ${step} (${operation})`).toBe(200);
        expect(withoutClient(await response.text()), `${name} after step ${step} (${operation})`).toBe(content);
      }
      for (const name of before.keys()) {
        if (!expected.has(name)) expect((await fetch(new URL(name, session.url))).status, `${name}, gone after step ${step} (${operation})`).toBe(404);
      }
      before = expected;
    }
  }, 180_000);
});
