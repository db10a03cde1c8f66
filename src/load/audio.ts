// Audio read from the file instead of typed: `audio.file` names a file of the content folder, and
// its byte length, duration, media type and embedded chapters (ID3 CHAP, MP4 chapters) are read
// with music-metadata. What was read is cached by the file's SHA-256 in the show's state folder
// (.castwright/audio.json), behind a size and modification-time check, so a 100 MB file is
// neither parsed nor hashed again while it is unchanged.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from '../model/source-file.ts';
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
export interface ReadAudio extends AudioFacts {
  source: SourceFile;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface CacheFile {
  version: 1;
  /** By absolute path: what the file was when last hashed. */
  files: Record<string, CacheEntry>;
  /** By SHA-256: what was read from those bytes. */
  facts: Record<string, AudioFacts>;
}

const CACHE_VERSION = 1;

/** Reads and remembers audio facts; `save()` writes what was learnt (a cache that cannot be written is only slower). */
export class AudioReader {
  private cache: CacheFile = { version: CACHE_VERSION, files: {}, facts: {} };
  private changed = false;

  constructor(private readonly cacheFile?: string) {
    if (!cacheFile) return;
    try {
      const parsed = JSON.parse(readFileSync(cacheFile, 'utf8')) as Partial<CacheFile>;
      if (parsed.version === CACHE_VERSION && parsed.files && parsed.facts) this.cache = parsed as CacheFile;
    } catch {
      // Missing or unreadable: every file is read again, and the cache is written anew.
    }
  }

  /** What the file holds (and the file as it was read), or why it cannot be read. */
  async read(file: string): Promise<ReadAudio | string> {
    let info;
    try {
      info = statSync(file);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(error as Error).message})`;
    }
    if (!info.isFile()) return 'is not a file';
    const known = this.cache.files[file];
    const read = (facts: AudioFacts, sha256: string): ReadAudio => ({ ...facts, source: { source: file, size: info.size, mtimeMs: info.mtimeMs, sha256 } });
    if (known && known.size === info.size && known.mtimeMs === info.mtimeMs && this.cache.facts[known.sha256]) return read(this.cache.facts[known.sha256]!, known.sha256);
    let sha256: string;
    try {
      sha256 = await hashOf(file);
    } catch (error) {
      return `cannot be read (${(error as Error).message})`;
    }
    this.cache.files[file] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
    this.changed = true;
    const cached = this.cache.facts[sha256];
    if (cached) return read(cached, sha256);
    const facts = await parseAudio(file, info.size);
    if (typeof facts === 'string') return facts;
    this.cache.facts[sha256] = facts;
    return read(facts, sha256);
  }

  save(): void {
    if (!this.cacheFile || !this.changed) return;
    try {
      mkdirSync(path.dirname(this.cacheFile), { recursive: true });
      const temporary = `${this.cacheFile}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(this.cache)}\n`);
      renameSync(temporary, this.cacheFile);
      this.changed = false;
    } catch {
      // A read-only or full state folder costs a re-read next time, never a build.
    }
  }
}

function hashOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

async function parseAudio(file: string, length: number): Promise<AudioFacts | string> {
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
