// Issue 9: load reads the files episodes name before it parses any episode, and held every
// episode's text until then (~64 MB of live heap at 10,000 episodes, which V8 then let grow about
// fourfold). A text that names no files is now let go once looked at and read again when parsed:
// at most one is held at a time. A file that changes between the two reads into one that names
// files is loaded as a load from nothing would load it.
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { queryObjects } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCache } from '../../src/cache/store.ts';
import { ContentError } from '../../src/errors.ts';
import { loadContent } from '../../src/load/content.ts';
import { readSourceText, type SourceText } from '../../src/load/text.ts';
import { formatProblem } from '../../src/problems.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';

afterEach(cleanUp);

const EPISODES = 12;

/** A read of a text, of a class of its own so that the live ones can be counted. */
class CountedRead {
  constructor(readonly text: string) {}
}

async function show(): Promise<{ content: string; cwd: string }> {
  const valid = await fixture('episodes/valid.md');
  const files: Record<string, string> = {};
  for (let n = 1; n <= EPISODES; n++) files[`e${String(n).padStart(2, '0')}.md`] = valid.replace('A valid episode', `Episode ${n}`).replace('episode: 7', `episode: ${n}`).replace('/7.mp3', `/${n}.mp3`);
  const root = await workspace(files);
  return { content: path.join(root, 'episodes'), cwd: root };
}

/** The problems of a load, as printed, or none. */
async function problemsOf(load: Promise<unknown>): Promise<string[]> {
  try {
    await load;
    return [];
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    return error.problems.map((problem) => formatProblem(problem));
  }
}

describe('the episode texts a load holds', () => {
  for (const cached of [false, true]) {
    it(`are one at a time when they name no files (${cached ? 'with' : 'without'} a cache)`, async () => {
      const { content, cwd } = await show();
      let most = 0;
      let reads = 0;
      const readText = (file: string, shown: string): SourceText => {
        // Counted after a full collection (only the reads something still holds), as the last file
        // is first looked at and as it is read to be parsed: a collection takes ~1 s in a test run.
        if (++reads % EPISODES === 0) most = Math.max(most, queryObjects(CountedRead, { format: 'count' }) as number);
        const read = readSourceText(file, shown);
        return 'text' in read ? new CountedRead(read.text) : read;
      };
      const loaded = await loadContent(content, { cwd, readText, ...(cached ? { cache: memoryCache() } : {}) });
      expect(loaded.episodes.map((episode) => episode.title)).toEqual(Array.from({ length: EPISODES }, (_, n) => `Episode ${n + 1}`));
      // Never more than the one being looked at held; each read twice (looked at, then parsed).
      expect(most).toBeLessThanOrEqual(1);
      expect(reads).toBe(2 * EPISODES);
    });
  }

  it('are all read again when one changes between its two reads into one that names files', async () => {
    const { content, cwd } = await show();
    const changed = (await fixture('episodes/valid.md')).replace('A valid episode', 'Episode 3').replace('episode: 7', 'episode: 3').replace('/7.mp3', '/3.mp3').replace('hosts:', 'image: missing.jpg\nhosts:');
    const target = path.join(content, 'e03.md');
    let seen = 0;
    const readText = (file: string, shown: string): SourceText => {
      const read = readSourceText(file, shown);
      // Saved by an editor just after load first looked at it.
      if (file === target && ++seen === 1) writeFileSync(target, changed);
      return read;
    };
    const problems = await problemsOf(loadContent(content, { cwd, readText }));
    // What a load from nothing of the changed file gives: the image it names, looked at.
    const fresh = await show();
    await writeFile(path.join(fresh.content, 'e03.md'), changed);
    const expected = await problemsOf(loadContent(fresh.content, { cwd: fresh.cwd }));
    expect(expected.join('\n')).toContain('missing.jpg');
    expect(problems.map((line) => line.replace(cwd, fresh.cwd))).toEqual(expected);
  });
});
