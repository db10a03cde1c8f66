// A show whose one episode publishes its own audio file with `audio.copy: true` (a WAV made at
// test time, so none is committed), for the build, serve, dev and publish tests of copied audio.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { wavFile } from './audio.ts';
import { fixture, workspace } from './content.ts';

export const COPIED_SLUG = 'ep';
export const COPIED_PATH = `episodes/${COPIED_SLUG}/ep 7.wav`;
export const COPIED_URL = 'https://fixture.example.com/episodes/ep/ep%207.wav';

/** The fixture episode with its audio block replaced by `audio` (indented lines). */
export async function episodeWithAudio(audio: string): Promise<string> {
  return (await fixture('episodes/valid.md')).replace(/audio:\n(?: {2}.*\n)+/, `audio:\n${audio}`);
}

/** A workspace whose episode copies episodes/audio/ep 7.wav (`seconds` of silence) into the output. */
export async function copiedAudioShow(seconds = 3): Promise<{ root: string; audio: Buffer }> {
  const root = await workspace({ [`${COPIED_SLUG}.md`]: await episodeWithAudio('  file: audio/ep 7.wav\n  copy: true\n') });
  const audio = wavFile(seconds);
  await mkdir(path.join(root, 'episodes', 'audio'), { recursive: true });
  await writeFile(path.join(root, 'episodes', 'audio', 'ep 7.wav'), audio);
  return { root, audio };
}
