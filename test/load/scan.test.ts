// The scan's names for episode files are displayPath's, worked out once per folder.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanContentFolder } from '../../src/load/scan.ts';
import { displayPath } from '../../src/problems.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

describe('the episode files a scan finds (issue 9)', () => {
  it('are shown as displayPath shows them, from inside the folder, above it and outside it', async () => {
    const root = await tempDir();
    const content = path.join(root, 'show');
    await mkdir(path.join(content, 'season 2', 'extra'), { recursive: true });
    for (const file of ['show.yml', 'one.md', 'season 2/two.md', 'season 2/extra/three.md']) await writeFile(path.join(content, file), '');
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere);
    for (const cwd of [content, root, path.join(content, 'season 2'), path.join(content, 'season 2', 'extra'), elsewhere, path.parse(root).root]) {
      const { episodes } = scanContentFolder(content, cwd);
      expect(episodes.map((episode) => path.relative(content, episode.path)).sort()).toEqual(['one.md', path.join('season 2', 'extra', 'three.md'), path.join('season 2', 'two.md')].sort());
      for (const episode of episodes) expect(episode.shown).toBe(displayPath(episode.path, cwd));
    }
  });
});
