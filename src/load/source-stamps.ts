// What a build with its cache remembers of each episode file it read (issue 9): the file's stamp
// (device, inode, size, modification and change times in nanoseconds) and the SHA-256 of its text,
// so that the next build finds an unchanged file's parsed episode without reading and hashing the
// file again. A stamp is only believed when nothing can have changed the file unseen:
// - the change time is part of it: writing a file, or setting its modification time back
//   (`touch -d`, `rsync -t`), moves the change time, which no program can set;
// - it is remembered only when the file had not changed for SETTLED_NS before it was looked at (git
//   calls this the racy case): a write in the same tick of the file system's clock as the one
//   before it, of the same size, would leave the stamp as it was;
// - a file that names other files (audio.file, a local image, `transcript:`) is always read: what
//   it names is read through it.
// Anything else (no stamp remembered, a stamp that differs, a stat that fails, a cache entry that
// is not what this code writes, a clock that says a file changed in the future) reads the file, as
// a build without the cache does. The stamps are kept in the build cache itself, so a cache of
// another version or a damaged one is never believed (cache/store.ts).
import { statSync } from 'node:fs';
import type { BuildCache } from '../cache/store.ts';
import { hashOf } from '../cache/fingerprint.ts';

/** How long a file must have been left alone before its stamp is believed: two seconds, FAT's tick. */
export const SETTLED_NS = 2_000_000_000n;

/** What is remembered of one file: its stamp and the hex SHA-256 of its text. */
interface Remembered {
  stamp: string;
  digest: string;
}

/** The file's stamp, or undefined when it cannot be had or is no regular file. */
export function stampOf(file: string): { stamp: string; changedNs: bigint } | undefined {
  try {
    const info = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (!info?.isFile()) return undefined;
    return { stamp: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`, changedNs: info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs };
  } catch {
    return undefined;
  }
}


const DIGEST = /^[0-9a-f]{64}$/;

/**
 * The stamps as kept in the cache: one text, each file's path, stamp and digest followed by a NUL
 * (which no path holds). As a list of 1,000 [path, {stamp, digest}] entries, encoding it (cache/store.ts
 * walks every value and copies every string) cost each edit build, whose stamps always change, ~15 ms,
 * and reading it back ~5 ms.
 */
function stampsText(stamps: ReadonlyMap<string, Remembered>): string {
  let text = '';
  for (const [file, { stamp, digest }] of stamps) text += `${file}\0${stamp}\0${digest}\0`;
  return text;
}

/** The stamps in `stored`; undefined when it is not a text stampsText writes (anything else is no list at all). */
function parseStamps(stored: unknown): Map<string, Remembered> | undefined {
  if (typeof stored !== 'string' || !stored.endsWith('\0')) return stored === '' ? new Map() : undefined;
  const fields = stored.slice(0, -1).split('\0');
  if (fields.length % 3 !== 0) return undefined;
  const stamps = new Map<string, Remembered>();
  for (let i = 0; i < fields.length; i += 3) {
    const [file, stamp, digest] = [fields[i]!, fields[i + 1]!, fields[i + 2]!];
    if (file === '' || stamp === '' || !DIGEST.test(digest)) return undefined;
    stamps.set(file, { stamp, digest });
  }
  return stamps;
}

/**
 * The stamps of one content folder, as the previous build left them, and those of this build. `now`
 * (nanoseconds since the epoch, default the wall clock) stands in for the clock in tests.
 */
export class SourceStamps {
  private readonly key: string;
  private readonly before: ReadonlyMap<string, Remembered> = new Map();
  private readonly after = new Map<string, Remembered>();
  private readonly now: bigint;

  constructor(
    private readonly cache: BuildCache,
    root: string,
    now: () => bigint = () => BigInt(Date.now()) * 1_000_000n,
  ) {
    this.key = hashOf('source-stamps', root);
    this.now = now();
    // Anything but the text this code writes is no list at all.
    const stored = parseStamps(cache.get<unknown>(this.key));
    if (stored) this.before = stored;
  }

  /** The digest of the file's text when its stamp is as remembered and believable; undefined means: read it. */
  unchanged(file: string): { digest: string } | undefined {
    const remembered = this.before.get(file);
    if (!remembered) return undefined;
    const now = stampOf(file);
    if (now?.stamp !== remembered.stamp) return undefined;
    this.after.set(file, remembered);
    return { digest: remembered.digest };
  }

  /**
   * Remembers a file read in this build: `stamp` taken before it was read (so a change while it was
   * read makes the stamp differ next time), the digest of what was read. Files that changed too
   * recently to be told apart from a change to come, or in the future, are not remembered.
   */
  remember(file: string, stamp: { stamp: string; changedNs: bigint } | undefined, digest: string): void {
    if (!stamp || stamp.changedNs + SETTLED_NS > this.now) return;
    this.after.set(file, { stamp: stamp.stamp, digest });
  }

  /** Keeps this build's stamps for the next one; the cache entry is written only when they differ. */
  save(): void {
    const same = this.after.size === this.before.size && [...this.after].every(([file, { stamp, digest }]) => {
      const before = this.before.get(file);
      return before?.stamp === stamp && before.digest === digest;
    });
    if (!same) this.cache.set(this.key, stampsText(this.after));
  }
}
