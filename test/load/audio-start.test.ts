// What an audio file must start with before music-metadata reads it: the shapes real files take
// pass (tags first, an encoder's padding, MPEG-2 frames, a short file, QuickTime without ftyp), and
// bytes that only look like a frame here and there do not.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { audioStartProblem } from '../../src/load/audio-start.ts';
import { flacFile, id3Chapters, m4aFile, mp3File, opusFile, wavFile } from '../helpers/audio.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

async function problemOf(bytes: Buffer): Promise<string | undefined> {
  const file = path.join(await tempDir(), 'audio');
  await writeFile(file, bytes);
  return audioStartProblem(file);
}

/** MPEG-2 Layer III, 32 kbit/s, 22.05 kHz: 72 × 32000 / 22050 = 104 bytes a frame. */
function mpeg2Frames(count: number): Buffer {
  const frame = Buffer.alloc(104);
  Buffer.from([0xff, 0xf3, 0x40, 0xc0]).copy(frame);
  return Buffer.concat(Array.from({ length: count }, () => frame));
}

describe('the start of an audio file', () => {
  it('passes every format castwright reads, as the test fixtures make them', async () => {
    for (const bytes of [mp3File(10), wavFile(1), flacFile(1), opusFile(1), m4aFile(1)]) expect(await problemOf(bytes)).toBeUndefined();
  });

  it('passes MP3 after stacked ID3 tags (one with a footer), after a little padding, MPEG-2 frames, and a file of two frames', async () => {
    const tag = id3Chapters([{ startMs: 0, endMs: 1000, title: 'One' }]);
    const withFooter = Buffer.concat([tag.subarray(0, 10), tag.subarray(10), Buffer.from('3DI\x04\x00\x10', 'latin1'), tag.subarray(6, 10)]);
    withFooter[3] = 4; // ID3v2.4
    withFooter[5] = 0x10; // a footer follows the tag
    expect(await problemOf(Buffer.concat([tag, withFooter, mp3File(5)]))).toBeUndefined();
    expect(await problemOf(Buffer.concat([Buffer.alloc(700), mp3File(5)]))).toBeUndefined();
    expect(await problemOf(mpeg2Frames(5))).toBeUndefined();
    expect(await problemOf(mp3File(2))).toBeUndefined();
  });

  it('passes a QuickTime file that starts with its movie atom rather than ftyp', async () => {
    const moov = Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('moov', 'latin1')]);
    expect(await problemOf(moov)).toBeUndefined();
  });

  it('refuses one lone frame header in noise, a frame whose next is not where it says, and a file past its tags that is empty', async () => {
    const lone = Buffer.concat([Buffer.alloc(100, 0x20), Buffer.from([0xff, 0xfb, 0x50, 0xc0]), Buffer.alloc(5000, 0x20)]);
    expect(await problemOf(lone)).toMatch(/^is not audio castwright can read/);
    const broken = Buffer.concat([mp3File(1), Buffer.alloc(10, 0x20), mp3File(1), Buffer.alloc(5000, 0x20)]);
    expect(await problemOf(broken)).toMatch(/^is not audio castwright can read/);
    expect(await problemOf(id3Chapters([{ startMs: 0, endMs: 1000, title: 'One' }]))).toMatch(/^is empty/);
    // Padding beyond the search (64 KB) before the first frame is not an encoder's.
    expect(await problemOf(Buffer.concat([Buffer.alloc(70 * 1024), mp3File(5)]))).toMatch(/^is not audio castwright can read/);
  });
});
