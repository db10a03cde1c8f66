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
// are replaced by rename, so a reader sees the old pack or the new, never part of one. A cache
// that cannot be read or written is a warning: the build goes on without it. Output texts (pages,
// digests) have packs of their own (`t-xx.pack`), under the SHA-256 of their bytes, so reading the
// values of a build never reads them.
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { systemReason } from '../errors.ts';
import { codeFingerprint } from './fingerprint.ts';

const MAGIC = 'castwright-cache\n';
const KEY_BYTES = 64;
const DIGEST_BYTES = 4;
const ENTRY_HEAD = KEY_BYTES + 4 + DIGEST_BYTES;
/** 64 packs: the first two hex digits of a key, divided by four. */
const packOf = (key: string) => (parseInt(key.slice(0, 2), 16) >> 2).toString(16).padStart(2, '0');
const isKey = (key: string) => /^[0-9a-f]{64}$/.test(key);

// V8 stores a string with any character beyond Latin-1 (a dash, a curly quote) at two bytes a
// character; long texts (pages, digests) are stored as UTF-8 instead, about half the size to
// read, check and keep in memory.
const UTF8 = '\0utf8';
const LONG_TEXT = 256;

function encode(value: unknown): unknown {
  if (typeof value === 'string') return value.length >= LONG_TEXT ? { [UTF8]: Buffer.from(value) } : value;
  if (Array.isArray(value)) return value.map(encode);
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = encode(item);
  return out;
}

const decoder = new TextDecoder();

function decode(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decode(value[i]);
    return value;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const record = value as Record<string, unknown>;
  const bytes = record[UTF8];
  if (bytes instanceof Uint8Array) return decoder.decode(bytes);
  for (const key of Object.keys(record)) record[key] = decode(record[key]);
  return record;
}

export interface CacheOptions {
  /** Told once when the cache cannot be read or written; the build goes on without it. */
  onWarning?: (message: string) => void;
  /** Stands in for the code's fingerprint (tests of a cache from another version). */
  fingerprint?: string;
}

export interface BuildCache {
  /** The value stored under `key` (a 64-digit hex hash), or undefined when it is missing or does not check out. */
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  /**
   * Texts (output files) are kept apart from the values, under the hex SHA-256 of their own UTF-8
   * bytes, so that a build reading values never reads them: a file an unchanged episode rendered is
   * linked from the previous output, and its text is read only when that cannot be done.
   */
  getText(hash: string): string | undefined;
  setText(hash: string, text: string): void;
  /** Keeps the text under `hash` (if there is one) through the next save without reading it. */
  keepText(hash: string): void;
  /** Writes the packs that changed; a failure is a warning, never an error. */
  save(): void;
}

/** A build without a cache (`--no-cache`): every lookup misses and nothing is kept. */
export const NO_CACHE: BuildCache = {
  get: () => undefined,
  set: () => undefined,
  getText: () => undefined,
  setText: () => undefined,
  keepText: () => undefined,
  save: () => undefined,
};

interface Pack {
  /** Whether the file was read (a pack only kept from, never read, is not rewritten). */
  read: boolean;
  /** Entries read from disk: key → the stored bytes and their CRC-32, checked only when asked for. */
  stored: Map<string, { digest: Buffer; payload: Buffer }>;
  /** Entries set in this build. */
  fresh: Map<string, Buffer>;
  /** Keys asked for, kept or set in this build: what a rewritten pack keeps. */
  used: Set<string>;
  dirty: boolean;
}

function parsePack(bytes: Buffer, fingerprint: string): Pack['stored'] | undefined {
  const head = `${MAGIC}${fingerprint}\n`;
  if (bytes.length < head.length || bytes.toString('latin1', 0, head.length) !== head) return undefined;
  const stored: Pack['stored'] = new Map();
  let at = head.length;
  while (at + ENTRY_HEAD <= bytes.length) {
    const key = bytes.toString('latin1', at, at + KEY_BYTES);
    const length = bytes.readUInt32LE(at + KEY_BYTES);
    const digest = bytes.subarray(at + KEY_BYTES + 4, at + ENTRY_HEAD);
    const end = at + ENTRY_HEAD + length;
    // A torn or garbled pack: what came before still checks out entry by entry.
    if (!isKey(key) || end > bytes.length) break;
    stored.set(key, { digest, payload: bytes.subarray(at + ENTRY_HEAD, end) });
    at = end;
  }
  return stored;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
/** An entry's check: the CRC-32 of its bytes, 4 bytes little-endian. */
const checkOf = (bytes: Uint8Array) => {
  const check = Buffer.alloc(DIGEST_BYTES);
  check.writeUInt32LE(crc32(bytes));
  return check;
};

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
    let bytes: Buffer | undefined;
    try {
      bytes = readFileSync(path.join(this.folder, `${this.prefix}${name}.pack`));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.warn(`cannot read the build cache in ${this.folder} (${systemReason(error)}); building without it`);
    }
    const stored = bytes && parsePack(bytes, this.fingerprint);
    if (stored) pack.stored = stored;
    // A pack of another version or a damaged one is replaced at the next save.
    else if (bytes) pack.dirty = true;
  }

  /** The bytes under `key`, checked against their CRC-32; a damaged entry is dropped. */
  get(key: string): Buffer | undefined {
    if (!isKey(key)) return undefined;
    const pack = this.pack(key, true);
    const fresh = pack.fresh.get(key);
    if (fresh) return fresh;
    const stored = pack.stored.get(key);
    if (!stored) return undefined;
    if (crc32(stored.payload) !== stored.digest.readUInt32LE(0)) {
      this.drop(key);
      return undefined;
    }
    pack.used.add(key);
    return stored.payload;
  }

  drop(key: string): void {
    const pack = this.pack(key, true);
    pack.stored.delete(key);
    pack.used.delete(key);
    pack.dirty = true;
  }

  set(key: string, payload: Buffer): void {
    if (!isKey(key)) throw new Error(`not a cache key: ${key}`);
    const pack = this.pack(key, true);
    pack.fresh.set(key, payload);
    pack.used.add(key);
    pack.dirty = true;
  }

  keep(key: string): void {
    if (isKey(key)) this.pack(key, false).used.add(key);
  }

  get dirty(): boolean {
    return [...this.packs.values()].some((pack) => pack.dirty);
  }

  save(): void {
    for (const [name, pack] of this.packs) {
      if (!pack.dirty) continue;
      const chunks: Buffer[] = [Buffer.from(`${MAGIC}${this.fingerprint}\n`, 'latin1')];
      for (const key of pack.used) {
        const fresh = pack.fresh.get(key);
        const payload = fresh ?? pack.stored.get(key)?.payload;
        if (!payload) continue;
        const head = Buffer.alloc(ENTRY_HEAD);
        head.write(key, 0, 'latin1');
        head.writeUInt32LE(payload.length, KEY_BYTES);
        (fresh ? checkOf(payload) : pack.stored.get(key)!.digest).copy(head, KEY_BYTES + 4);
        chunks.push(head, payload);
      }
      writeAtomically(path.join(this.folder, `${this.prefix}${name}.pack`), chunks);
      pack.dirty = false;
    }
  }
}

export function openCache(folder: string, options: CacheOptions = {}): BuildCache {
  const fingerprint = options.fingerprint ?? codeFingerprint();
  let warned = false;
  const warn = (message: string) => {
    if (warned) return;
    warned = true;
    options.onWarning?.(message);
  };
  const values = new PackFamily(folder, '', fingerprint, warn);
  const texts = new PackFamily(folder, 't-', fingerprint, warn);

  return {
    get<T>(key: string): T | undefined {
      const payload = values.get(key);
      if (!payload) return undefined;
      try {
        return decode(deserialize(payload)) as T;
      } catch {
        values.drop(key);
        return undefined;
      }
    },
    set(key, value) {
      values.set(key, serialize(encode(value)));
    },
    getText(hash) {
      const payload = texts.get(hash);
      // The key is the text's own hash: an entry under another key is never taken for it.
      if (!payload || sha256(payload).toString('hex') !== hash) return undefined;
      return payload.toString('utf8');
    },
    setText(hash, text) {
      texts.set(hash, Buffer.from(text));
    },
    keepText(hash) {
      texts.keep(hash);
    },
    save() {
      if (warned || !(values.dirty || texts.dirty)) return;
      try {
        mkdirSync(folder, { recursive: true });
        removeStaleTemporaries(folder);
        values.save();
        texts.save();
      } catch (error) {
        warn(`cannot write the build cache in ${folder} (${systemReason(error)}); the build is complete, the next one will not be faster`);
      }
    },
  };
}

const TEMPORARY = /^(?:t-)?[0-9a-f]{2}\.pack\.(\d+)\.[0-9a-f]+\.tmp$/;

function writeAtomically(file: string, chunks: readonly Buffer[]): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, Buffer.concat(chunks));
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Temporary packs a killed build left (their process is gone): never read, removed here. */
function removeStaleTemporaries(folder: string): void {
  for (const name of readdirSync(folder)) {
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
 * A cache held in memory, for a process that builds again and again (the `dev` preview): values are
 * kept as they are, and each `save()` forgets what the build since the previous one did not use.
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
    getText(hash) {
      const text = usedTexts.get(hash) ?? keptTexts.get(hash);
      if (text !== undefined) usedTexts.set(hash, text);
      return text;
    },
    setText(hash, text) {
      usedTexts.set(hash, text);
    },
    keepText(hash) {
      const text = keptTexts.get(hash);
      if (text !== undefined) usedTexts.set(hash, text);
    },
    save() {
      kept = used;
      used = new Map();
      keptTexts = usedTexts;
      usedTexts = new Map();
    },
  };
}
