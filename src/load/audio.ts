// Audio read from the file instead of typed: `audio.file` names a file of the content folder, and
// its byte length, duration, media type and embedded chapters (ID3 CHAP, MP4 chapters) are read
// with music-metadata. What was read is cached by the file's SHA-256 in the show's state folder
// (.castwright/audio.json), behind a size and modification-time check, so a 100 MB file is
// neither parsed nor hashed again while it is unchanged.
import { audioStartProblem } from './audio-start.ts';
import { HashedFacts, type Read } from './hashed-facts.ts';
import type { Chapter } from '../model/types.ts';

export interface AudioFacts {
  /** Bytes. */
  length: number;
  /** Whole seconds (at least 1), when the file tells. */
  duration?: number;
  type: string;
  /** Chapters embedded in the file, in time order. */
  chapters: Chapter[];
}

/** ISO base media brands (music-metadata names an MP4 container by its ftyp brands, such as `M4A/mp42/isom`). */
const ISO_BRANDS = /^(?:isom|iso\d|mp4\d|m4a|m4b|m4p|m4v|qt|dash|avc1|f4v|f4a|3g\w+)$/i;

/** Media types by what music-metadata names the container, as the feed writes them. */
function mediaTypeOf(container: string | undefined, hasVideo: boolean | undefined): string | undefined {
  const name = (container ?? '').toLowerCase();
  if (name.startsWith('mpeg') && !name.includes('4')) return 'audio/mpeg';
  const brands = name.split('/');
  // A file branded only mp42 or isom (many AAC encoders) is as much an M4A as one branded M4A.
  if (name === 'mpeg-4' || brands.some((brand) => ISO_BRANDS.test(brand))) {
    if (!hasVideo) return 'audio/x-m4a';
    return brands[0] === 'm4v' ? 'video/x-m4v' : brands[0] === 'qt' ? 'video/quicktime' : 'video/mp4';
  }
  if (name === 'ogg') return 'audio/ogg';
  if (name === 'flac') return 'audio/flac';
  if (name === 'wave' || name === 'wav') return 'audio/wav';
  return undefined;
}

/** What was read, with the file as it was then (for `audio.copy`, which publishes those bytes). */
export type ReadAudio = Read<AudioFacts>;

/** Reads and remembers audio facts by file hash (load/hashed-facts.ts). */
export const audioReader = (cacheFile?: string) => new HashedFacts(parseAudio, 3, cacheFile);

async function parseAudio(file: string, length: number): Promise<AudioFacts | string> {
  let start;
  try {
    start = audioStartProblem(file);
  } catch (error) {
    return `cannot be read (${(error as Error).message})`;
  }
  if (start) return start;
  const { parseFile } = await import('music-metadata');
  let metadata;
  try {
    metadata = await parseFile(file, { duration: true, includeChapters: true, skipCovers: true });
  } catch (error) {
    return `is not audio castwright can read (${(error as Error).message}); expected MP3, M4A/AAC, Opus, FLAC or WAV`;
  }
  const { container, hasVideo, duration, chapters = [] } = metadata.format;
  const type = mediaTypeOf(container, hasVideo);
  if (!type) return `is ${container ?? 'of an unknown format'}, not audio a podcast app plays; expected MP3, M4A/AAC, Opus, FLAC or WAV`;
  // A container header and nothing after it that says how the sound is coded (a damaged or made-up file).
  if (!metadata.format.codec && !metadata.format.sampleRate) return `has a ${container} header but no audio stream castwright can read; expected MP3, M4A/AAC, Opus, FLAC or WAV`;
  const sampleRate = metadata.format.sampleRate;
  const read: Chapter[] = [];
  for (const chapter of chapters) {
    // MP4 chapters count timeScale units a second; ID3 CHAP come in seconds; else the sample offset.
    const start = Number.isFinite(chapter.start)
      ? chapter.timeScale
        ? chapter.start / chapter.timeScale
        : chapter.start
      : sampleRate && chapter.sampleOffset !== undefined
        ? chapter.sampleOffset / sampleRate
        : undefined;
    if (start === undefined || !Number.isFinite(start) || start < 0) continue;
    const url = chapter.url?.url && /^https?:\/\//i.test(chapter.url.url) ? new URL(chapter.url.url).href : undefined;
    read.push({ start: Math.round(start * 1000) / 1000, title: chapter.title || `Chapter ${read.length + 1}`, ...(url ? { url } : {}) });
  }
  read.sort((a, b) => a.start - b.start);
  return {
    length,
    ...(duration !== undefined && Number.isFinite(duration) && duration > 0 ? { duration: Math.max(1, Math.round(duration)) } : {}),
    type,
    chapters: read,
  };
}
