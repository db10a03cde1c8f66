// dev keeps parsed episodes and renderings between saves: every preview must still be the one a
// build from nothing makes (issue 9).
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildPreview } from '../../src/dev/preview.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const NOW = new Date('2026-01-01T00:00:00Z');

describe('the preview after saves, with what dev kept from the builds before', () => {
  it('is the preview a build without the cache makes, after an edit, a new title and a show.yml change', async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    const contentDir = path.join(root, 'episodes');
    const preview = (noCache = false) => buildPreview({ contentDir, cwd: root, now: NOW, noCache }).then((built) => built.files);
    await preview();
    const episode = path.join(contentDir, '2020-09-21-oracle-tiktok.md');
    const show = path.join(contentDir, 'show.yml');
    const saves = [
      async () => writeFile(episode, `${await readFile(episode, 'utf8')}\nA paragraph saved in the preview.\n`),
      async () => writeFile(episode, (await readFile(episode, 'utf8')).replace(/^title: .*$/m, 'title: Saved with a new title')),
      async () => writeFile(show, (await readFile(show, 'utf8')).replace(/^title: .*$/m, 'title: Equity, previewed')),
    ];
    for (const save of saves) {
      await save();
      const cached = await preview();
      expect(cached).toEqual(await preview(true));
    }
    expect((await preview()).get('episodes/2020-09-21-oracle-tiktok/index.html')).toContain('Saved with a new title');
    expect((await preview()).get('index.html')).toContain('Equity, previewed');
  }, 60_000);
});
