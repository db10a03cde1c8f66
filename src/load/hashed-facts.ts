// What was read from a file of the content folder (an audio file's duration, an image's size),
// cached by the file's SHA-256 in the show's state folder, behind a check of its size, modification
// time and inode, so a large file is neither parsed nor hashed again while it is unchanged, and the same
// bytes under another name are not parsed again either. What could not be read is not cached.
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from '../model/source-file.ts';
import { readRegularFile } from '../regular-file.ts';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  /** A file put in its place (a save through a new file, `mv`, rsync) is another inode, whatever its size and time. */
  ino: number;
  /** When it was hashed: a file changed within RACY_MS of that may have kept its time (coarse clocks). */
  hashedAt: number;
  sha256: string;
}

/**
 * How close to its hashing a modification time leaves the entry in doubt: file systems that count
 * time in seconds (FAT's in two) give two writes within one tick the same time, and size too may
 * stay the same. The ctime would tell, but the build's hard links to the file change it every time.
 */
const RACY_MS = 2000;

interface CacheFile<Facts> {
  version: number;
  /** By absolute path: what the file was when last hashed. */
  files: Record<string, CacheEntry>;
  /** By SHA-256: what was read from those bytes. */
  facts: Record<string, Facts>;
}

/** What was read, with the file as it was then (published by reference with those bytes). */
export type Read<Facts> = Facts & { source: SourceFile };

/** Reads and remembers; `save()` writes what was learnt (a cache that cannot be written is only slower). */
export class HashedFacts<Facts extends object> {
  private cache: CacheFile<Facts>;
  private changed = false;

  /** `version` changes when what `parse` returns changes, so older facts are read again. */
  constructor(
    private readonly parse: (file: string, size: number) => Promise<Facts | string>,
    private readonly version: number,
    private readonly cacheFile?: string,
  ) {
    this.cache = { version, files: {}, facts: {} };
    if (!cacheFile) return;
    try {
      const parsed = JSON.parse(readRegularFile(cacheFile).toString('utf8')) as Partial<CacheFile<Facts>>;
      if (parsed.version === version && parsed.files && parsed.facts) this.cache = parsed as CacheFile<Facts>;
    } catch {
      // Missing or unreadable: every file is read again, and the cache is written anew.
    }
  }

  /** What the file holds (and the file as it was read), or why it cannot be read. */
  async read(file: string): Promise<Read<Facts> | string> {
    let info;
    try {
      info = statSync(file);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(error as Error).message})`;
    }
    if (!info.isFile()) return 'is not a file';
    const read = (facts: Facts, sha256: string): Read<Facts> => ({ ...facts, source: { source: file, size: info.size, mtimeMs: info.mtimeMs, sha256 } });
    const known = this.cache.files[file];
    const unchanged = known && known.size === info.size && known.mtimeMs === info.mtimeMs && known.ino === info.ino && info.mtimeMs + RACY_MS < known.hashedAt;
    if (unchanged && this.cache.facts[known.sha256]) return read(this.cache.facts[known.sha256]!, known.sha256);
    const hashedAt = Date.now();
    let sha256: string;
    try {
      sha256 = await hashOf(file);
    } catch (error) {
      return `cannot be read (${(error as Error).message})`;
    }
    this.cache.files[file] = { size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, hashedAt, sha256 };
    this.changed = true;
    const cached = this.cache.facts[sha256];
    if (cached) return read(cached, sha256);
    const facts = await this.parse(file, info.size);
    if (typeof facts === 'string') return facts;
    this.cache.facts[sha256] = facts;
    return read(facts, sha256);
  }

  save(): void {
    if (!this.cacheFile || !this.changed) return;
    const temporary = `${this.cacheFile}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.cacheFile), { recursive: true });
      writeFileSync(temporary, `${JSON.stringify(this.cache)}\n`);
      renameSync(temporary, this.cacheFile);
      this.changed = false;
    } catch {
      // A read-only or full state folder costs a re-read next time, never a build; the part written
      // is not left behind (a full disk left one file per build, each named by its process).
      rmSync(temporary, { force: true });
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
