import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTranscripts } from '../../src/load/episode-transcripts.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const URL_OF_PAGE = 'https://example.com/episodes/ep/';

async function folderWithTranscript(): Promise<{ root: string; place: { episodePath: string; root: string; cwd: string; slug: string; file: string; line: number } }> {
  const root = await tempDir();
  await writeFile(path.join(root, 'ep.md'), '---\n---\n');
  await writeFile(path.join(root, 'ep.vtt'), 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n');
  return { root, place: { episodePath: path.join(root, 'ep.md'), root, cwd: root, slug: 'ep', file: 'ep.md', line: 1 } };
}

describe('transcripts beside an episode', () => {
  it('are found by a look without the scan\'s listing, and through it when it lists them (names in lower case)', async () => {
    const { root, place } = await folderWithTranscript();
    const looked = readTranscripts(undefined, place, URL_OF_PAGE, 'en');
    const listed = readTranscripts(undefined, { ...place, listed: new Set([path.join(root, 'ep.md'), path.join(root, 'ep.vtt')]) }, URL_OF_PAGE, 'en');
    expect(looked.files.map((file) => file.name)).toEqual(['transcript.vtt']);
    expect(listed).toEqual(looked);
  });

  it('are not looked for when the listing does not name them, and remote ones stay as listed', async () => {
    const { place } = await folderWithTranscript();
    const remote = [{ url: 'https://example.com/t.vtt', type: 'text/vtt' }];
    expect(readTranscripts(remote, { ...place, listed: new Set() }, URL_OF_PAGE, 'en')).toEqual({ transcript: remote, files: [], problems: [] });
    expect(readTranscripts(undefined, { ...place, listed: new Set() }, URL_OF_PAGE, 'en')).toEqual({ files: [], problems: [] });
  });
});
