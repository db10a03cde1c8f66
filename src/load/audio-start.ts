// What an audio file must start with before music-metadata reads it: a WAV, FLAC, Ogg or MP4
// header, or MPEG audio frames (after any ID3v2 tags). music-metadata hunts for an MPEG frame at
// every byte of a file that has none, in time that grows faster than the file (a 4 MB file of 0xFF
// bytes took eight minutes), and takes random bytes for MPEG audio: neither is a podcast episode.
import { closeSync, openSync, readSync } from 'node:fs';

/** How far past the tags the first MPEG frame may be (encoders pad a little, never this much). */
const SEARCH_BYTES = 64 * 1024;
/** Frames that must follow one another, each where the one before says it ends. */
const FRAMES_IN_A_ROW = 3;
/** ID3v2 tags are stacked at most a few deep; more is not an audio file. */
const MAX_TAGS = 8;

/** The atoms an MPEG-4 or QuickTime file starts with (older QuickTime files have no ftyp). */
const MP4_FIRST_ATOMS = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

// Bit rates (kbit/s) by [MPEG-1?][layer I, II, III][index]; sample rates by version.
const BITRATES = {
  mpeg1: [
    [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  mpeg2: [
    [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
};
const SAMPLE_RATES: Record<number, number[]> = { 0: [11025, 12000, 8000], 2: [22050, 24000, 16000], 3: [44100, 48000, 32000] };

/** The length of the MPEG audio frame whose header is at `at`, or undefined when there is none (free bit rate included). */
function frameLength(bytes: Buffer, at: number): number | undefined {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (bytes[at + 1]! >> 3) & 3;
  const layerBits = (bytes[at + 1]! >> 1) & 3;
  const bitrateIndex = bytes[at + 2]! >> 4;
  const rateIndex = (bytes[at + 2]! >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return undefined;
  const layer = 4 - layerBits; // 1, 2 or 3
  const bitrate = BITRATES[version === 3 ? 'mpeg1' : 'mpeg2'][layer - 1]![bitrateIndex]! * 1000;
  const rate = SAMPLE_RATES[version]![rateIndex]!;
  const padding = (bytes[at + 2]! >> 1) & 1;
  if (layer === 1) return (Math.floor((12 * bitrate) / rate) + padding) * 4;
  return Math.floor(((layer === 3 && version !== 3 ? 72 : 144) * bitrate) / rate) + padding;
}

/** Whether MPEG frames start at `at` and follow one another (or run to the end of a short file). */
function framesAt(bytes: Buffer, at: number, fileEnd: boolean): boolean {
  let next = at;
  for (let count = 0; count < FRAMES_IN_A_ROW; count++) {
    if (fileEnd && count > 0 && next === bytes.length) return true;
    const length = frameLength(bytes, next);
    if (length === undefined) return false;
    next += length;
  }
  return true;
}

function read(fd: number, at: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  return buffer.subarray(0, readSync(fd, buffer, 0, length, at));
}

/** Why the file cannot be audio castwright reads, or undefined when its start is one of the formats. */
export function audioStartProblem(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    // ID3v2 tags (cover art may make them megabytes long) come before the audio: skipped by their size.
    let at = 0;
    for (let tags = 0; tags < MAX_TAGS; tags++) {
      const header = read(fd, at, 10);
      if (header.length < 10 || header.toString('latin1', 0, 3) !== 'ID3') break;
      const size = ((header[6]! & 0x7f) << 21) | ((header[7]! & 0x7f) << 14) | ((header[8]! & 0x7f) << 7) | (header[9]! & 0x7f);
      at += 10 + size + (header[5]! & 0x10 ? 10 : 0);
    }
    const head = read(fd, at, SEARCH_BYTES + 4096);
    const ascii = (from: number, to: number) => head.toString('latin1', from, to);
    if ((ascii(0, 4) === 'RIFF' || ascii(0, 4) === 'RF64') && ascii(8, 12) === 'WAVE') return undefined;
    if (ascii(0, 4) === 'fLaC' || ascii(0, 4) === 'OggS' || MP4_FIRST_ATOMS.has(ascii(4, 8))) return undefined;
    const fileEnd = head.length < SEARCH_BYTES + 4096;
    for (let offset = head.indexOf(0xff); offset !== -1 && offset < SEARCH_BYTES; offset = head.indexOf(0xff, offset + 1)) {
      if (framesAt(head, offset, fileEnd)) return undefined;
    }
    return head.length === 0
      ? 'is empty (or only tags); expected MP3, M4A/AAC, Opus, FLAC or WAV'
      : 'is not audio castwright can read (it starts with no MPEG audio frames, nor a WAV, FLAC, Ogg or MP4 header); expected MP3, M4A/AAC, Opus, FLAC or WAV';
  } finally {
    closeSync(fd);
  }
}
