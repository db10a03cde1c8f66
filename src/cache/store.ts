// The build cache: results worth keeping between builds (parsed episodes, rendered per-episode
// outputs, the compiled email template), found by a hash of everything they were made from. It
// lives in <state folder>/cache/ (`.castwright/cache/` beside the content by default).
//
// Entries are grouped in a fixed number of pack files by the first characters of their key, so a
// cold build writes a few dozen files rather than one per entry, and an edit rewrites only the
// packs whose entries changed. A pack begins with the code's fingerprint (cache/fingerprint.ts);
// each entry carries its key, its length and the CRC-32 of its bytes: what a torn or garbled entry
// fails (a cryptographic hash would guard against nothing more: whoever can write the cache can
// hash what they write; it cost a one-edit rebuild ~0.1 s over 25 MB). A pack of another version,
// a truncated or garbled entry, anything that does not check out is a miss, never trusted. Packs
// are replaced by rename, so a reader sees the old pack or the new, never part of one; a pack read
// is kept open and indexed, and each entry read from it (and checked) when asked for. A pack ends
// with its index (every entry's key, place, length and CRC-32, with a CRC-32 of its own), so
// opening it reads its head and index, not the whole file (a 1,000-episode show's 21 MB of packs
// were read whole at every build, then each entry asked for read again); a pack whose index does
// not check out (cut short, garbled) is read whole and indexed entry by entry, as before. A cache
// that cannot be read or written is a warning: the build goes on without it. Output texts (pages,
// digests) are not kept on disk: `build` links an unchanged file from the previous output and
// renders its episode again when it cannot (render/publication.ts), cheaper than writing every
// text twice on a cold build. Text packs (`t-xx.pack`) of earlier versions are removed at save.
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { deserialize, serialize } from 'node:v8';
import { systemReason } from '../errors.ts';
import { openRegularFile, readOpenedFile } from '../regular-file.ts';
import { codeFingerprint } from './fingerprint.ts';

const MAGIC = 'castwright-cache\n';
const KEY_BYTES = 64;
const DIGEST_BYTES = 4;
const ENTRY_HEAD = KEY_BYTES + 4 + DIGEST_BYTES;
/**
 * A pack's index, after its last entry: INDEX_MARK (no key: a pack read entry by entry stops
 * there), then a row per entry (key, where its bytes begin, their length, their CRC-32), then the
 * trailer: where the index begins, how many rows, the CRC-32 of the rows, and TRAILER_MAGIC last.
 */
const INDEX_MARK = Buffer.from('castwright-index'.padEnd(KEY_BYTES + 4 + DIGEST_BYTES, '-'), 'latin1');
const INDEX_ROW = KEY_BYTES + 4 + 4 + DIGEST_BYTES;
const TRAILER_MAGIC = Buffer.from('\ncastwright-end\n', 'latin1');
const TRAILER = 4 + 4 + DIGEST_BYTES + TRAILER_MAGIC.length;
/** 64 packs: the first two hex digits of a key, divided by four. */
const packOf = (key: string) => (parseInt(key.slice(0, 2), 16) >> 2).toString(16).padStart(2, '0');
const isKey = (key: string) => /^[0-9a-f]{64}$/.test(key);

// V8 stores a string with any character beyond Latin-1 (a dash, a curly quote) at two bytes a
// character; long texts (pages, digests) are stored as UTF-8 instead, about half the size to
// read, check and keep in memory.
const UTF8 = '\0utf8';
const LONG_TEXT = 256;
// A string that occurs more than once in a value (a story's summary and its HTML, an episode's
// guid and its identity's) is stored once: each occurrence is the same small object holding it,
// which the serializer writes once and refers back to.
const SHARED = '\0shared';
const SHARED_FROM = 16;
// An object of the value that has a key of its own named like one of these (an episode's `extra`
// holds any map a YAML file spells, "\0shared" among them) is stored as its list of entries, so
// that it is never read back as a holder.
const ENTRIES = '\0entries';
const hasMarkerKey = (record: object) => Object.hasOwn(record, SHARED) || Object.hasOwn(record, UTF8) || Object.hasOwn(record, ENTRIES);

/** Sets `key` as an own property, `__proto__` included (an assignment would set the prototype). */
function put(record: Record<string, unknown>, key: string, item: unknown): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true });
  else record[key] = item;
}

// V8 also keeps a slice of a text at two bytes a character, whatever its own characters: a title
// or a summary cut from an episode with one dash in it. The serializer writes strings as they are
// kept, so such a slice is stored as a Latin-1 copy when it has no character beyond Latin-1
// (a third of a parsed episode's bytes, read, checked and deserialized at every build).
function oneByte(text: string): string {
  const copy = Buffer.from(text, 'latin1').toString('latin1');
  return copy === text ? copy : text;
}

const isPlain = (value: unknown): value is object => value !== null && typeof value === 'object' && !(value instanceof Date) && !ArrayBuffer.isView(value);

/** How often each string that may be shared occurs in `value`. */
function countStrings(value: unknown, counts: Map<string, number>): void {
  if (typeof value === 'string') {
    if (value.length >= SHARED_FROM) counts.set(value, (counts.get(value) ?? 0) + 1);
  } else if (Array.isArray(value)) {
    for (const item of value) countStrings(item, counts);
  } else if (isPlain(value)) {
    for (const item of Object.values(value)) countStrings(item, counts);
  }
}

function encode(value: unknown): unknown {
  const counts = new Map<string, number>();
  countStrings(value, counts);
  const shared = new Map<string, object>();
  const text = (value: string): unknown => {
    if ((counts.get(value) ?? 0) < 2) return value.length >= LONG_TEXT ? { [UTF8]: Buffer.from(value) } : oneByte(value);
    let holder = shared.get(value);
    if (!holder) shared.set(value, (holder = value.length >= LONG_TEXT ? { [UTF8]: Buffer.from(value) } : { [SHARED]: oneByte(value) }));
    return holder;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(walk);
    if (!isPlain(value)) return value;
    if (hasMarkerKey(value)) return { [ENTRIES]: Object.entries(value).map(([key, item]) => [key, walk(item)]) };
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) put(out, key, walk(item));
    return out;
  };
  return walk(value);
}

const decoder = new TextDecoder();

/**
 * The value as it was given to encode; its arrays and objects are reused (a holder, met again, is
 * read again). Bytes the deserializer gave as a view of `lent` (the buffer the entry was read into,
 * used again for the next) are copied.
 */
function decode(value: unknown, lent: ArrayBufferLike): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i], lent);
    return value;
  }
  if (ArrayBuffer.isView(value) && value.buffer === lent) return ownCopy(value);
  if (!isPlain(value)) return value;
  const record = value as Record<string, unknown>;
  const bytes = record[UTF8];
  if (bytes instanceof Uint8Array) return decoder.decode(bytes);
  const text = record[SHARED];
  if (typeof text === 'string') return text;
  const entries = record[ENTRIES];
  if (Array.isArray(entries)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of entries as Array<[string, unknown]>) put(out, key, decode(item, lent));
    return out;
  }
  // Only objects are looked into and written back: most values of a parsed episode are texts and
  // numbers as deserialized (an own `__proto__` is written as the property it is, not the prototype).
  for (const key of Object.keys(record)) {
    const item = record[key];
    if (item !== null && typeof item === 'object') record[key] = decode(item, lent);
  }
  return record;
}

/**
 * A copy of bytes, of their own kind (a Buffer stays a Buffer). Not Buffer.from, which zero-fills
 * memory it then writes over: the feeds' items of 1,000 episodes are ~13 MB of such bytes.
 */
function ownCopy(view: ArrayBufferView): ArrayBufferView {
  if (Buffer.isBuffer(view)) {
    const copy = Buffer.allocUnsafe(view.byteLength);
    copy.set(view);
    return copy;
  }
  const Kind = view.constructor as new (from: ArrayBufferView) => ArrayBufferView;
  return new Kind(view);
}

export interface CacheOptions {
  /** Told once when the cache cannot be read or written; the build goes on without it. */
  onWarning?: (message: string) => void;
  /** Stands in for the code's fingerprint (tests of a cache from another version). */
  fingerprint?: string;
  /** Stands in for the serializer's identity (serializerId; tests of a cache from another Node.js). */
  serializer?: string;
}

/**
 * What wrote the entries' bytes (V8's serializer, in this byte order): part of every pack's head,
 * so a pack written by another V8 or on a machine of the other byte order (a cache copied from
 * elsewhere: the serializer writes numbers and two-byte texts as the host keeps them, which a CRC
 * does not tell) is a miss, never deserialized. The code's fingerprint names Node's version too;
 * this holds whatever the fingerprint stands for (a test's, another build of Node with the same version).
 */
export const serializerId = () => `v8-${process.versions.v8}-${endianness()}`;

export interface BuildCache {
  /** The value stored under `key` (a 64-digit hex hash), or undefined when it is missing or does not check out. */
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  /**
   * Output texts under the hex SHA-256 of their UTF-8 bytes, for a build that gives every file as
   * text (`dev`'s, in memory). The cache on disk has none: `build` links an unchanged file from the
   * previous output, and renders its episode again when it cannot.
   */
  texts?: TextCache;
  /** Writes the packs that changed; a failure is a warning, never an error. */
  save(): void;
  /** Forgets what this build set without saving it (a build that stops); harmless after save. */
  discard?(): void;
}

export interface TextCache {
  get(hash: string): string | undefined;
  set(hash: string, text: string): void;
}

/** A build without a cache (`--no-cache`): every lookup misses and nothing is kept. */
export const NO_CACHE: BuildCache = {
  get: () => undefined,
  set: () => undefined,
  save: () => undefined,
  discard: () => undefined,
};

interface Pack {
  /** Whether the file was read (a pack only kept from, never read, is not rewritten). */
  read: boolean;
  /**
   * The pack file as it was read, open until save or discard: entries are read from it one at a
   * time when asked for, not held. Held, every pack of an edit build was in memory to the end
   * (~21 MB at 1,000 episodes, ten times that at 10,000) for the few entries a save rewrites.
   */
  fd?: number;
  /** Entries on disk: key → where their bytes are in `fd` and their CRC-32, checked when read. */
  stored: Map<string, Stored>;
  /** Entries set in this build: their bytes, or where they were written in `spill`. */
  fresh: Map<string, Buffer | Spilled>;
  /** The pack's next version, written as entries are set (see PackFamily.spill). */
  spill?: Spill;
  /** Keys asked for or set in this build: what a rewritten pack keeps. */
  used: Set<string>;
  dirty: boolean;
}

/** An entry of a pack file: where its bytes are, and their CRC-32. */
interface Stored {
  at: number;
  length: number;
  digest: number;
}

function parsePack(bytes: Buffer, fingerprint: string): Pack['stored'] | undefined {
  const head = `${MAGIC}${fingerprint}\n`;
  if (bytes.length < head.length || bytes.toString('latin1', 0, head.length) !== head) return undefined;
  const stored: Pack['stored'] = new Map();
  let at = head.length;
  while (at + ENTRY_HEAD <= bytes.length) {
    const key = bytes.toString('latin1', at, at + KEY_BYTES);
    const length = bytes.readUInt32LE(at + KEY_BYTES);
    const digest = bytes.readUInt32LE(at + KEY_BYTES + 4);
    const end = at + ENTRY_HEAD + length;
    // A torn or garbled pack: what came before still checks out entry by entry.
    if (!isKey(key) || end > bytes.length) break;
    stored.set(key, { at: at + ENTRY_HEAD, length, digest });
    at = end;
  }
  return stored;
}

/** An entry of a pack being written, for its index: its key and where its bytes are in the file. */
interface Row extends Stored {
  key: string;
}

/** The index and trailer that end a pack whose entries are `rows`, the index beginning at `at`. */
function indexOf(rows: readonly Row[], at: number): Buffer[] {
  const table = Buffer.alloc(rows.length * INDEX_ROW);
  rows.forEach((row, i) => {
    const offset = i * INDEX_ROW;
    table.write(row.key, offset, 'latin1');
    table.writeUInt32LE(row.at, offset + KEY_BYTES);
    table.writeUInt32LE(row.length, offset + KEY_BYTES + 4);
    table.writeUInt32LE(row.digest, offset + KEY_BYTES + 8);
  });
  const trailer = Buffer.alloc(TRAILER);
  trailer.writeUInt32LE(at, 0);
  trailer.writeUInt32LE(rows.length, 4);
  trailer.writeUInt32LE(crc32(table), 8);
  TRAILER_MAGIC.copy(trailer, 12);
  return [INDEX_MARK, table, trailer];
}

/**
 * The entries of the pack open as `fd` (`size` bytes), from its head and its index alone: 'other'
 * when the head is not this version's, undefined when the index does not check out (the caller
 * then reads the pack whole, parsePack).
 */
function readIndex(fd: number, size: number, fingerprint: string): Pack['stored'] | 'other' | undefined {
  const head = `${MAGIC}${fingerprint}\n`;
  if (size < head.length) return 'other';
  try {
    if (readAt(fd, 0, head.length).toString('latin1') !== head) return 'other';
    return size < head.length + INDEX_MARK.length + TRAILER ? undefined : indexRows(fd, size, head.length);
  } catch {
    // Cut short since its size was taken: read whole (what is there is indexed entry by entry).
    return undefined;
  }
}

function indexRows(fd: number, size: number, headLength: number): Pack['stored'] | undefined {
  const trailer = readAt(fd, size - TRAILER, TRAILER);
  if (!trailer.subarray(12).equals(TRAILER_MAGIC)) return undefined;
  const at = trailer.readUInt32LE(0);
  const count = trailer.readUInt32LE(4);
  if (at < headLength || at + INDEX_MARK.length + count * INDEX_ROW + TRAILER !== size) return undefined;
  const table = readAt(fd, at + INDEX_MARK.length, count * INDEX_ROW);
  if (crc32(table) !== trailer.readUInt32LE(8)) return undefined;
  const stored: Pack['stored'] = new Map();
  for (let offset = 0; offset < table.length; offset += INDEX_ROW) {
    const key = table.toString('latin1', offset, offset + KEY_BYTES);
    const entry = { at: table.readUInt32LE(offset + KEY_BYTES), length: table.readUInt32LE(offset + KEY_BYTES + 4), digest: table.readUInt32LE(offset + KEY_BYTES + 8) };
    // Rows are checked as a whole; one pointing outside the entries would be no index castwright wrote.
    if (!isKey(key) || entry.at < headLength + ENTRY_HEAD || entry.at + entry.length > at) return undefined;
    stored.set(key, entry);
  }
  return stored;
}

/** Reads `length` bytes of `fd` at `at` (into the start of `into`, when given); throws when the file ends before. */
function readAt(fd: number, at: number, length: number, into?: Buffer): Buffer {
  const bytes = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  for (let done = 0; done < length; ) {
    const read = readSync(fd, bytes, done, length - done, at + done);
    if (read === 0) throw new Error('the pack ended early');
    done += read;
  }
  return bytes;
}


/** An entry set in this build and written out already: where its payload is in the pack's next version. */
interface Spilled {
  at: number;
  length: number;
  digest: number;
}

/**
 * Entries set in a build are written out as they come, into the next version of their pack (a
 * temporary file renamed into place by save), rather than held until the end: a cold build of a
 * large show sets a hundred megabytes of them. Smaller ones are held: most entries of an edit.
 */
const SPILL_BYTES = 1024;
/**
 * What is written out goes to the file by the batch of up to this many bytes, not entry by entry:
 * two writes an entry (its head, its bytes) were ~4,000 system calls on the main thread of a cold
 * build of 1,000 episodes. Entries are copied into the batch, never held by reference: holding the
 * serializer's buffers until their batch was written raised the peak memory of that build by ~25 MB.
 */
const SPILL_BATCH = 32 * 1024;

/** A pack's next version being written: `size` bytes so far, of which `written` are in the file and the rest in `batch`. */
interface Spill {
  file: string;
  fd: number;
  size: number;
  written: number;
  /** Bytes waiting to be written: the first `size - written` of it. */
  batch: Buffer;
}

/** One family of packs (`<prefix><xx>.pack`): entries of checked bytes, read a pack at a time when first asked for. */
class PackFamily {
  private readonly packs = new Map<string, Pack>();

  constructor(
    private readonly folder: string,
    private readonly prefix: string,
    private readonly fingerprint: string,
    private readonly warn: (message: string) => void,
  ) {}

  private pack(key: string, read: boolean): Pack {
    const name = packOf(key);
    let pack = this.packs.get(name);
    if (!pack) {
      pack = { read: false, stored: new Map(), fresh: new Map(), used: new Set(), dirty: false };
      this.packs.set(name, pack);
    }
    if (read && !pack.read) this.load(name, pack);
    return pack;
  }

  private load(name: string, pack: Pack): void {
    pack.read = true;
    let stored: Pack['stored'] | undefined;
    let damaged = false;
    let fd: number | undefined;
    try {
      // Read through the descriptor kept: the entries are read later from this very file, whatever replaces it since.
      const file = path.join(this.folder, `${this.prefix}${name}.pack`);
      fd = openRegularFile(file);
      const found = readIndex(fd, fstatSync(fd).size, this.fingerprint);
      // No index that checks out: the pack is read whole and indexed entry by entry (only its index is kept).
      stored = found === 'other' ? undefined : (found ?? parsePack(readOpenedFile(file, fd), this.fingerprint));
      // A pack of another version or a damaged one is replaced at the next save.
      damaged = found === undefined || found === 'other';
    } catch (error) {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      const code = (error as NodeJS.ErrnoException).code;
      // Something else by the pack's name (a named pipe, a link to a device, a folder) or a file
      // larger than castwright writes (MAX_STATE_BYTES), left unread: a damaged pack, replaced at
      // the next save (or warned about then, when it cannot be).
      if (code === 'EFTYPE' || code === 'EFBIG') {
        pack.dirty = true;
        return;
      }
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warn(`cannot read the build cache in ${this.folder} (${systemReason(error)}); building without it`);
    }
    if (damaged) pack.dirty = true;
    if (stored && stored.size > 0) {
      pack.stored = stored;
      pack.fd = fd;
      return;
    }
    if (fd !== undefined) closeSync(fd);
  }

  /**
   * Where the entries a build asks for are read, one after the other: a new buffer an entry (21 MB
   * at 1,000 episodes, each page of it new to the process) cost more in the kernel than reading.
   */
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /**
   * The bytes of an entry on disk; undefined when they cannot be read or do not check out. `lent`:
   * read into the scratch buffer, valid until the next entry is read (see `get`).
   */
  private readStored(pack: Pack, key: string, stored: Stored, lent = false): Buffer | undefined {
    try {
      // Read with the entry's head, which must name the key: a row of the index sent to another
      // entry's bytes (with their CRC) would pass the CRC alone. Its length alone may be garbled
      // (the index says where the bytes end).
      const length = ENTRY_HEAD + stored.length;
      if (lent && length > this.scratch.length) this.scratch = Buffer.allocUnsafeSlow(Math.max(length, this.scratch.length * 2));
      const entry = readAt(pack.fd!, stored.at - ENTRY_HEAD, length, lent ? this.scratch : undefined);
      const payload = entry.subarray(ENTRY_HEAD);
      if (entry.toString('latin1', 0, KEY_BYTES) !== key) return undefined;
      return crc32(payload) === stored.digest ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The bytes under `key`, checked against their CRC-32; a damaged entry is dropped. Bytes read
   * from the pack file are lent: valid only until the next `get` (`lent` says in what buffer).
   */
  get(key: string): Buffer | undefined {
    if (!isKey(key)) return undefined;
    const pack = this.pack(key, true);
    const fresh = pack.fresh.get(key);
    if (fresh && !Buffer.isBuffer(fresh)) {
      try {
        return this.unspill(pack, fresh);
      } catch {
        // Its next version cut short or unreadable since (another hand, a disk error): a miss, never a crash.
        this.drop(key);
        return undefined;
      }
    }
    if (fresh) return fresh;
    const stored = pack.stored.get(key);
    if (!stored) return undefined;
    const payload = this.readStored(pack, key, stored, true);
    if (!payload) {
      this.drop(key);
      return undefined;
    }
    pack.used.add(key);
    return payload;
  }

  /** The buffer that bytes `get` lends are in. */
  get lent(): ArrayBufferLike {
    return this.scratch.buffer;
  }

  drop(key: string): void {
    const pack = this.pack(key, true);
    // Written out already: its pack is then written whole at save, without it.
    if (pack.fresh.has(key) && pack.spill) this.unspillAll(pack);
    pack.fresh.delete(key);
    pack.stored.delete(key);
    pack.used.delete(key);
    pack.dirty = true;
  }

  set(key: string, payload: Buffer): void {
    if (!isKey(key)) throw new Error(`not a cache key: ${key}`);
    const pack = this.pack(key, true);
    pack.fresh.set(key, payload.length >= SPILL_BYTES ? (this.spill(pack, key, payload) ?? payload) : payload);
    pack.used.add(key);
    pack.dirty = true;
  }

  /** Writes an entry into the pack's next version; undefined when that cannot be done (it is then held). */
  private spill(pack: Pack, key: string, payload: Buffer): Spilled | undefined {
    if (this.spilling === false) return undefined;
    try {
      if (!pack.spill) {
        if (this.spilling === undefined) {
          mkdirSync(this.folder, { recursive: true });
          removeLeftovers(this.folder);
          this.spilling = true;
        }
        const file = temporaryFor(path.join(this.folder, `${this.prefix}${packOf(key)}.pack`));
        // Read and written: an entry set in this build may be asked for before save (unspill).
        const fd = openSync(file, 'wx+');
        pack.spill = { file, fd, size: 0, written: 0, batch: Buffer.allocUnsafeSlow(SPILL_BATCH) };
        append(pack.spill, [Buffer.from(`${MAGIC}${this.fingerprint}\n`, 'latin1')]);
      }
      const at = pack.spill.size + ENTRY_HEAD;
      const digest = crc32(payload);
      append(pack.spill, [entryHead(key, payload, digest), payload]);
      return { at, length: payload.length, digest };
    } catch {
      // Held instead, and saved (or warned about) as before; so is every entry from now on.
      this.spilling = false;
      for (const spilled of this.packs.values()) if (spilled.spill) this.unspillAll(spilled);
      return undefined;
    }
  }

  /** undefined: not tried yet; false: the folder cannot be written, entries are held. */
  private spilling: boolean | undefined;

  private unspill(pack: Pack, spilled: Spilled): Buffer {
    const spill = pack.spill!;
    const bytes = Buffer.allocUnsafe(spilled.length);
    // Not in the file yet: copied from the batch waiting to be written (an entry is never split between the two).
    if (spilled.at >= spill.written) {
      spill.batch.copy(bytes, 0, spilled.at - spill.written, spilled.at - spill.written + spilled.length);
      return bytes;
    }
    // A file cut short since throws (readAt), rather than reading nothing for ever.
    return readAt(spill.fd, spilled.at, spilled.length);
  }

  /** The entries written out read back and held, the next version dropped: the pack is written whole at save. */
  private unspillAll(pack: Pack): void {
    const spill = pack.spill!;
    try {
      for (const [key, fresh] of pack.fresh) {
        if (Buffer.isBuffer(fresh)) continue;
        try {
          pack.fresh.set(key, this.unspill(pack, fresh));
        } catch {
          // Lost: a miss for the next build, never a wrong entry.
          pack.fresh.delete(key);
          pack.used.delete(key);
        }
      }
    } finally {
      pack.spill = undefined;
      closeSync(spill.fd);
      rmSync(spill.file, { force: true });
    }
  }

  /** Removes the next versions written so far (a build that stops saves nothing); closes the packs read. */
  discard(): void {
    for (const pack of this.packs.values()) {
      closeRead(pack);
      if (!pack.spill) continue;
      closeSync(pack.spill.fd);
      rmSync(pack.spill.file, { force: true });
      pack.spill = undefined;
      pack.fresh.clear();
    }
  }

  get dirty(): boolean {
    return [...this.packs.values()].some((pack) => pack.dirty);
  }

  save(): void {
    for (const [name, pack] of this.packs) {
      if (!pack.dirty) continue;
      const file = path.join(this.folder, `${this.prefix}${name}.pack`);
      const spill = pack.spill;
      const chunks: Buffer[] = spill ? [] : [Buffer.from(`${MAGIC}${this.fingerprint}\n`, 'latin1')];
      // Where the next entry held goes in the file, and every entry of the pack, for its index.
      let end = spill ? spill.size : chunks[0]!.length;
      const rows: Row[] = [];
      const add = (key: string, payload: Buffer, digest: number) => {
        chunks.push(entryHead(key, payload, digest), payload);
        rows.push({ key, at: end + ENTRY_HEAD, length: payload.length, digest });
        end += ENTRY_HEAD + payload.length;
      };
      for (const key of pack.used) {
        const fresh = pack.fresh.get(key);
        // Written out already.
        if (fresh && !Buffer.isBuffer(fresh)) {
          rows.push({ key, ...fresh });
          continue;
        }
        if (fresh) {
          add(key, fresh, crc32(fresh));
          continue;
        }
        // Read again from the pack as it was read (checked when it was asked for; one that no longer checks out is left out).
        const stored = pack.stored.get(key);
        const payload = stored && this.readStored(pack, key, stored);
        if (payload) add(key, payload, stored!.digest);
      }
      chunks.push(...indexOf(rows, end));
      // Closed before its file is replaced.
      closeRead(pack);
      if (spill) {
        // The next version is complete with what was held: it takes the pack's place.
        pack.spill = undefined;
        try {
          append(spill, chunks);
          flush(spill);
          closeSync(spill.fd);
          renameSync(spill.file, file);
        } catch (error) {
          rmSync(spill.file, { force: true });
          throw error;
        }
      } else {
        writeAtomically(file, chunks);
      }
      pack.dirty = false;
    }
  }
}

/**
 * Adds `chunks` (one entry, or the entries held until save) to the pack's next version: copied into
 * its batch, which is written when full; a chunk larger than the batch is written as it is.
 */
function append(spill: Spill, chunks: readonly Buffer[]): void {
  // Whole entries in the batch (see unspill): one that does not fit sends the batch first.
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  if (spill.size - spill.written + length > SPILL_BATCH) flush(spill);
  for (const chunk of chunks) {
    if (chunk.length > SPILL_BATCH) {
      flush(spill);
      writeAt(spill.fd, chunk, spill.written);
      spill.written += chunk.length;
    } else {
      if (spill.size - spill.written + chunk.length > SPILL_BATCH) flush(spill);
      chunk.copy(spill.batch, spill.size - spill.written);
    }
    spill.size += chunk.length;
  }
}

/** Writes the batch to the file; on an error it stays waiting (and readable). */
function flush(spill: Spill): void {
  const waiting = spill.size - spill.written;
  if (waiting === 0) return;
  writeAt(spill.fd, spill.batch.subarray(0, waiting), spill.written);
  spill.written = spill.size;
}

function writeAt(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** The head of an entry: its key, its length and its check (the CRC-32 of its bytes). */
function entryHead(key: string, payload: Buffer, digest: number): Buffer {
  const head = Buffer.alloc(ENTRY_HEAD);
  head.write(key, 0, 'latin1');
  head.writeUInt32LE(payload.length, KEY_BYTES);
  head.writeUInt32LE(digest, KEY_BYTES + 4);
  return head;
}

/** Closes the pack file read (its entries can no longer be read). */
function closeRead(pack: Pack): void {
  if (pack.fd === undefined) return;
  const fd = pack.fd;
  pack.fd = undefined;
  pack.stored = new Map();
  closeSync(fd);
}

export function openCache(folder: string, options: CacheOptions = {}): BuildCache {
  const fingerprint = `${options.fingerprint ?? codeFingerprint()} ${options.serializer ?? serializerId()}`;
  let warned = false;
  const warn = (message: string) => {
    if (warned) return;
    warned = true;
    options.onWarning?.(message);
  };
  const values = new PackFamily(folder, '', fingerprint, warn);
  const discard = () => {
    try {
      values.discard();
    } catch {
      // Left behind: the next build removes them (removeLeftovers).
    }
  };

  return {
    get<T>(key: string): T | undefined {
      const payload = values.get(key);
      if (!payload) return undefined;
      try {
        return decode(deserialize(payload), values.lent) as T;
      } catch {
        values.drop(key);
        return undefined;
      }
    },
    set(key, value) {
      values.set(key, serialize(encode(value)));
    },
    save() {
      try {
        if (warned || !values.dirty) return;
        mkdirSync(folder, { recursive: true });
        removeLeftovers(folder);
        values.save();
      } catch (error) {
        warn(`cannot write the build cache in ${folder} (${systemReason(error)}); the build is complete, the next one will not be faster`);
      } finally {
        discard();
      }
    },
    discard,
  };
}

const TEMPORARY = /^(?:t-)?[0-9a-f]{2}\.pack\.(\d+)\.[0-9a-f]+\.tmp$/;
/** A pack of output texts, which earlier versions kept (see the head of this file). */
const TEXT_PACK = /^t-[0-9a-f]{2}\.pack$/;

/** A temporary name beside `file`, which removeLeftovers knows. */
const temporaryFor = (file: string) => `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

function writeAtomically(file: string, chunks: readonly Buffer[]): void {
  const temp = temporaryFor(file);
  try {
    writeFileSync(temp, Buffer.concat(chunks));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Temporary packs a killed build left (their process is gone), and the text packs of earlier
 * versions: never read, removed here.
 */
function removeLeftovers(folder: string): void {
  for (const name of readdirSync(folder)) {
    if (TEXT_PACK.test(name)) {
      rmSync(path.join(folder, name), { force: true });
      continue;
    }
    const match = TEMPORARY.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(folder, name), { force: true });
    }
  }
}

/**
 * A cache held in memory, for a process that builds again and again (the `dev` preview): values and
 * output texts are kept as they are, and each `save()` forgets what the build since the previous
 * one did not use.
 * The values are shared, not copied: callers treat what they get as read-only, as the build does.
 */
export function memoryCache(): BuildCache {
  let kept = new Map<string, unknown>();
  let used = new Map<string, unknown>();
  let keptTexts = new Map<string, string>();
  let usedTexts = new Map<string, string>();
  return {
    get<T>(key: string): T | undefined {
      const value = used.get(key) ?? kept.get(key);
      if (value !== undefined) used.set(key, value);
      return value as T | undefined;
    },
    set(key, value) {
      used.set(key, value);
    },
    texts: {
      get(hash) {
        const text = usedTexts.get(hash) ?? keptTexts.get(hash);
        if (text !== undefined) usedTexts.set(hash, text);
        return text;
      },
      set(hash, text) {
        usedTexts.set(hash, text);
      },
    },
    discard() {
      used = new Map();
      usedTexts = new Map();
    },
    save() {
      kept = used;
      used = new Map();
      keptTexts = usedTexts;
      usedTexts = new Map();
    },
  };
}
