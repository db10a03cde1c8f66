// audio.copy: the episode's audio file published in the output by reference (linked, else copied),
// never read into memory; reused from the previous output when unchanged; refused when it is not
// the file the build read. A cached build writes what a cold --no-cache build writes.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generate } from '../../src/pipeline.ts';
import { isSourceFile } from '../../src/model/source-file.ts';
import { writeFolder } from '../../src/write/atomic.ts';
import { wavFile } from '../helpers/audio.ts';
import { cleanUp, loadProblems, tempDir, workspace } from '../helpers/content.ts';
import { COPIED_PATH, COPIED_URL, copiedAudioShow, episodeWithAudio } from '../helpers/copied-audio.ts';
import { snapshot } from '../helpers/files.ts';
import { castwright } from '../import/helpers.ts';

afterEach(cleanUp);

const BUILD = ['build', '--no-guard'];

describe('audio.copy: the audio file published with the site', () => {
  it('puts the file at episodes/<slug>/<name>, names it in the feed at the site address, and writes what --no-cache writes', async () => {
    const { root, audio } = await copiedAudioShow();
    const cached = await castwright([...BUILD, '--out', 'dist'], root);
    expect(cached.code, cached.stderr).toBe(0);
    const copy = path.join(root, 'dist', ...COPIED_PATH.split('/'));
    expect((await readFile(copy)).equals(audio)).toBe(true);
    const feed = await readFile(path.join(root, 'dist/feed.xml'), 'utf8');
    expect(feed).toContain(`<enclosure url="${COPIED_URL}" length="${audio.length}" type="audio/wav"/>`);
    const page = await readFile(path.join(root, 'dist/episodes/ep/index.html'), 'utf8');
    expect(page).toContain(COPIED_URL);
    // A second cached build (everything from the cache) and a cold one write the same bytes.
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    const cold = await castwright([...BUILD, '--no-cache', '--out', 'cold'], root);
    expect(cold.code, cold.stderr).toBe(0);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(await snapshot(path.join(root, 'cold')));
  });

  it('links the file rather than copying it, and a later build reuses the output’s copy while the file is unchanged', async () => {
    const { root } = await copiedAudioShow();
    const source = path.join(root, 'episodes/audio/ep 7.wav');
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    const copy = () => path.join(root, 'dist', ...COPIED_PATH.split('/'));
    // One file on disk for both names (same file system): a 100 MB episode costs no second 100 MB.
    expect((await stat(copy())).ino).toBe((await stat(source)).ino);
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    expect((await stat(copy())).ino).toBe((await stat(source)).ino);
    // A new recording: the output gets the new bytes and the feed their length.
    const longer = wavFile(5);
    await writeFile(source, longer);
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    expect((await readFile(copy())).equals(longer)).toBe(true);
    expect(await readFile(path.join(root, 'dist/feed.xml'), 'utf8')).toContain(`length="${longer.length}" type="audio/wav"`);
  });

  it('holds the file by reference: the rendered files carry its path, size and hash, not its bytes', async () => {
    const { root, audio } = await copiedAudioShow();
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const content = generated.files.get(COPIED_PATH);
    expect(isSourceFile(content)).toBe(true);
    expect(content).toMatchObject({ source: path.join(root, 'episodes/audio/ep 7.wav'), size: audio.length });
  });

  it('stops, and leaves the previous output as it was, when the file changed after it was read', async () => {
    const { root } = await copiedAudioShow();
    expect((await castwright([...BUILD, '--out', 'dist'], root)).code).toBe(0);
    const before = await snapshot(path.join(root, 'dist'));
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const source = path.join(root, 'episodes/audio/ep 7.wav');
    // Rewritten between the load (which read its length for the feed) and the write.
    await rm(source);
    await writeFile(source, wavFile(4));
    await expect(writeFolder(path.join(root, 'dist'), generated.files, { cwd: root })).rejects.toThrow(
      `${source} was ${wavFile(3).length} bytes when read and is ${wavFile(4).length} now; expected the file as the build read it (build again once it is saved)`,
    );
    // The same size, written again: its time tells.
    const again = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const later = new Date(Date.now() + 60_000);
    await utimes(source, later, later);
    await expect(writeFolder(path.join(root, 'dist'), again.files, { cwd: root })).rejects.toThrow(`${source} was changed after it was read`);
    await rm(source);
    await expect(writeFolder(path.join(root, 'dist'), again.files, { cwd: root })).rejects.toThrow(`${source} is gone`);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(before);
  });

  it('reports what cannot be published, each at its line', async () => {
    const show = async (audio: string, setUp?: (content: string) => Promise<void>) => {
      const root = await workspace({ 'ep.md': await episodeWithAudio(audio) });
      await mkdir(path.join(root, 'episodes/audio'), { recursive: true });
      await writeFile(path.join(root, 'episodes/audio/ep7.wav'), wavFile(1));
      await setUp?.(path.join(root, 'episodes'));
      return loadProblems(root);
    };
    // Two addresses for one file.
    expect(await show('  file: audio/ep7.wav\n  copy: true\n  url: https://cdn.example.com/ep7.wav\n')).toContain(
      'episodes/ep.md:7: audio.copy: true publishes "audio/ep7.wav" at episodes/ep/ep7.wav on the site, and audio.url names another address; expected one of them (remove audio.url, or audio.copy)',
    );
    // Nothing to copy.
    expect(await show('  url: https://cdn.example.com/ep7.wav\n  length: 100\n  copy: true\n')).toEqual([
      'episodes/ep.md:8: audio.copy: true, but there is no audio.file to copy; expected audio.file naming an audio file of the content folder',
    ]);
    expect(await show('  file: audio/ep7.wav\n  copy: "yes"\n')).toContain('episodes/ep.md:7: audio.copy: expected true or false: whether audio.file is copied into the output, got "yes"');
    // A link that leads out of the content folder, and a path that climbs out of it.
    const outside = await tempDir();
    await writeFile(path.join(outside, 'secret.wav'), wavFile(1));
    expect((await show('  file: audio/linked.wav\n  copy: true\n', (content) => symlink(path.join(outside, 'secret.wav'), path.join(content, 'audio/linked.wav'))))[0]).toBe(
      'episodes/ep.md:6: audio.file "audio/linked.wav" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3',
    );
    expect((await show('  file: audio/../../secret.wav\n  copy: true\n'))[0]).toBe(
      'episodes/ep.md:6: audio.file "audio/../../secret.wav" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3',
    );
    // A folder by the file's name.
    expect((await show('  file: audio/folder.wav\n  copy: true\n', (content) => mkdir(path.join(content, 'audio/folder.wav'))))[0]).toBe(
      'episodes/ep.md:6: audio.file "audio/folder.wav" is not a file',
    );
    // `..` that stays inside is only a spelling: the file is published under its own name.
    expect(await show('  file: audio/../audio/ep7.wav\n  copy: true\n')).toEqual([]);
    expect(existsSync(outside)).toBe(true);
  });
});
