// The build cache: results worth keeping between builds (parsed episodes, rendered per-episode
// outputs, the compiled email template), found by a hash of everything they were made from. It
// lives in <state folder>/cache/ (`.castwright/cache/` beside the content by default).
//
// Entries are grouped in a fixed number of pack files by the first characters of their key, so a
// cold build writes a few dozen files rather than one per entry, and an edit rewrites only the
// packs whose entries changed. A pack begins with the code's fingerprint (cache/fingerprint.ts);
// each entry carries its key, its length and the SHA-256 of its bytes. A pack of another version,
// a truncated or garbled entry, anything that does not check out is a miss, never trusted. Packs
// are replaced by rename, so a reader sees the old pack or the new, never part of one. A cache
// that cannot be read or written is a warning: the build goes on without it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { systemReason } from '../errors.ts';
import { codeFingerprint } from './fingerprint.ts';

const MAGIC = 'castwright-cache\n';
const KEY_BYTES = 64;
const DIGEST_BYTES = 32;
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
  /** Writes the packs that changed; a failure is a warning, never an error. */
  save(): void;
}

/** A build without a cache (`--no-cache`): every lookup misses and nothing is kept. */
export const NO_CACHE: BuildCache = { get: () => undefined, set: () => undefined, save: () => undefined };

interface Pack {
  /** Entries read from disk: key → the stored bytes, checked only when asked for. */
  stored: Map<string, { digest: Buffer; payload: Buffer }>;
  /** Entries set in this build. */
  fresh: Map<string, Buffer>;
  /** Keys asked for or set in this build: what a rewritten pack keeps. */
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

export function openCache(folder: string, options: CacheOptions = {}): BuildCache {
  const fingerprint = options.fingerprint ?? codeFingerprint();
  const packs = new Map<string, Pack>();
  let warned = false;
  const warn = (message: string) => {
    if (warned) return;
    warned = true;
    options.onWarning?.(message);
  };
  const packFor = (key: string): Pack => {
    const name = packOf(key);
    let pack = packs.get(name);
    if (!pack) {
      pack = { stored: new Map(), fresh: new Map(), used: new Set(), dirty: false };
      packs.set(name, pack);
      let bytes: Buffer | undefined;
      try {
        bytes = readFileSync(path.join(folder, `${name}.pack`));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') warn(`cannot read the build cache in ${folder} (${systemReason(error)}); building without it`);
      }
      const stored = bytes && parsePack(bytes, fingerprint);
      if (stored) pack.stored = stored;
      // A pack of another version or a damaged one is replaced at the next save.
      else if (bytes) pack.dirty = true;
    }
    return pack;
  };

  return {
    get<T>(key: string): T | undefined {
      if (!isKey(key)) return undefined;
      const pack = packFor(key);
      const fresh = pack.fresh.get(key);
      const entry = fresh ? { payload: fresh } : pack.stored.get(key);
      if (!entry) return undefined;
      if (!fresh) {
        const stored = pack.stored.get(key)!;
        if (!createHash('sha256').update(stored.payload).digest().equals(stored.digest)) {
          pack.stored.delete(key);
          pack.dirty = true;
          return undefined;
        }
      }
      try {
        const value = decode(deserialize(entry.payload)) as T;
        pack.used.add(key);
        return value;
      } catch {
        pack.stored.delete(key);
        pack.dirty = true;
        return undefined;
      }
    },
    set(key, value) {
      if (!isKey(key)) throw new Error(`not a cache key: ${key}`);
      const pack = packFor(key);
      pack.fresh.set(key, serialize(encode(value)));
      pack.used.add(key);
      pack.dirty = true;
    },
    save() {
      if (warned || ![...packs.values()].some((pack) => pack.dirty)) return;
      try {
        mkdirSync(folder, { recursive: true });
        removeStaleTemporaries(folder);
        for (const [name, pack] of packs) {
          if (!pack.dirty) continue;
          const chunks: Buffer[] = [Buffer.from(`${MAGIC}${fingerprint}\n`, 'latin1')];
          for (const key of pack.used) {
            const fresh = pack.fresh.get(key);
            const payload = fresh ?? pack.stored.get(key)?.payload;
            if (!payload) continue;
            const head = Buffer.alloc(ENTRY_HEAD);
            head.write(key, 0, 'latin1');
            head.writeUInt32LE(payload.length, KEY_BYTES);
            (fresh ? createHash('sha256').update(payload).digest() : pack.stored.get(key)!.digest).copy(head, KEY_BYTES + 4);
            chunks.push(head, payload);
          }
          writeAtomically(path.join(folder, `${name}.pack`), chunks);
          pack.dirty = false;
        }
      } catch (error) {
        warn(`cannot write the build cache in ${folder} (${systemReason(error)}); the build is complete, the next one will not be faster`);
      }
    },
  };
}

const TEMPORARY = /^[0-9a-f]{2}\.pack\.(\d+)\.[0-9a-f]+\.tmp$/;

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
  return {
    get<T>(key: string): T | undefined {
      const value = used.get(key) ?? kept.get(key);
      if (value !== undefined) used.set(key, value);
      return value as T | undefined;
    },
    set(key, value) {
      used.set(key, value);
    },
    save() {
      kept = used;
      used = new Map();
    },
  };
}
