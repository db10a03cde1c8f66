// How the build cache stores a value: what comes back is what was stored, in fewer bytes than
// V8's serializer alone would take (issue 9: every value is read and checked at every build).
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryCache, openCache, type BuildCache } from '../../src/cache/store.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const KEY = 'ab'.repeat(32);
const OPTIONS = { fingerprint: 'test' };

/** Stores `value`, then reads it back through a cache opened afresh; also the bytes of the packs written. */
async function roundTrip(value: unknown): Promise<{ back: unknown; packs: Buffer }> {
  const folder = await tempDir();
  const cache = openCache(folder, OPTIONS);
  cache.set(KEY, value);
  cache.save();
  const packs = Buffer.concat(readdirSync(folder).map((name) => readFileSync(path.join(folder, name))));
  return { back: openCache(folder, OPTIONS).get(KEY), packs };
}

const occurrences = (bytes: Buffer, part: Buffer) => {
  let count = 0;
  for (let at = bytes.indexOf(part); at !== -1; at = bytes.indexOf(part, at + 1)) count++;
  return count;
};

// A text with a character beyond Latin-1, as an episode file is: V8 keeps what is cut from it at two bytes a character.
const SOURCE = `— ${'Files amet joins grows vote funds during busy users reported customer saas team. '.repeat(8)}`;
const summary = SOURCE.slice(2, 84);

describe('a value in the build cache (issue 9)', () => {
  it('comes back as it was stored: repeated, sliced, long and non-Latin-1 texts, dates, bytes, nesting', async () => {
    const long = `${SOURCE}“quoted” ✓`;
    const value = {
      stories: [
        { title: summary.slice(0, 20), summary, summaryHtml: summary },
        { title: 'Two — dashes', summary: long, summaryHtml: long },
      ],
      guid: 'cf6490db-80b6-4d0b-8064-001a23098843',
      identity: { guid: { value: 'cf6490db-80b6-4d0b-8064-001a23098843', line: 4 } },
      date: new Date('2026-01-01T00:00:00Z'),
      bytes: Buffer.from('<item>…</item>'),
      nothing: null,
      missing: undefined,
      numbers: [0, -1.5, Number.NaN],
      short: ['a', 'a', 'é', 'é'],
    };
    const { back } = await roundTrip(value);
    expect(back).toEqual(value);
    const stories = (back as typeof value).stories;
    expect(stories[0]!.summary).toBe(summary);
    expect(stories[1]!.summaryHtml).toBe(long);
  });

  // Entries are read one after the other into the same buffer: bytes in a value must not be left pointing into it.
  it('gives back bytes of their own: reading the next entry leaves them as they were', async () => {
    const folder = await tempDir();
    const first = openCache(folder, OPTIONS);
    const other = `${KEY.slice(0, 62)}00`;
    first.set(KEY, { bytes: Buffer.from('first '.repeat(300)), view: new Uint8Array([1, 2, 3]) });
    first.set(other, { bytes: Buffer.from('other '.repeat(300)), view: new Uint8Array([4, 5, 6]) });
    first.save();
    const cache = openCache(folder, OPTIONS);
    const value = cache.get<{ bytes: Buffer; view: Uint8Array }>(KEY)!;
    expect(cache.get(other)).toEqual({ bytes: Buffer.from('other '.repeat(300)), view: new Uint8Array([4, 5, 6]) });
    expect(value).toEqual({ bytes: Buffer.from('first '.repeat(300)), view: new Uint8Array([1, 2, 3]) });
    expect(Buffer.isBuffer(value.bytes)).toBe(true);
  });

  it('holds a text repeated in a value once', async () => {
    const { back, packs } = await roundTrip({ summary, summaryHtml: summary, again: [summary] });
    expect(back).toEqual({ summary, summaryHtml: summary, again: [summary] });
    expect(occurrences(packs, Buffer.from(summary, 'latin1'))).toBe(1);
  });

  it('gives back a map whose keys are named like its own markers, and a __proto__ key, as they were', async () => {
    // An episode's or the show's `extra` keeps any map its YAML spells: "\0shared" came back as the string it held.
    const value = {
      extra: { a: { '\0shared': 'abcdefghijklmnopqrstuvwxyz', b: 1 }, c: { '\0utf8': new Uint8Array([65]) }, d: { '\0entries': [['x', 1]] } },
      again: 'abcdefghijklmnopqrstuvwxyz',
      own: JSON.parse('{"__proto__": {"polluted": true}, "x": "y"}') as unknown,
    };
    const { back } = await roundTrip(value);
    expect(back).toStrictEqual(value);
    expect(Object.getPrototypeOf((back as typeof value).own)).toBe(Object.prototype);
  });

  it('holds a Latin-1 text cut from a text with a dash at one byte a character', async () => {
    const { back, packs } = await roundTrip({ title: summary });
    expect(back).toEqual({ title: summary });
    expect(occurrences(packs, Buffer.from(summary, 'latin1'))).toBe(1);
    expect(occurrences(packs, Buffer.from(summary, 'utf16le'))).toBe(0);
  });
});

describe('an entry set in this build (issue 9)', () => {
  it('is read back before save, also one large enough to be written out at once, and kept by save', async () => {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    const small = { text: 'small' };
    const large = { text: 'large '.repeat(1000) };
    cache.set(KEY, small);
    cache.set('cd'.repeat(32), large);
    expect(cache.get(KEY)).toEqual(small);
    expect(cache.get('cd'.repeat(32))).toEqual(large);
    cache.save();
    const again = openCache(folder, OPTIONS);
    expect(again.get(KEY)).toEqual(small);
    expect(again.get('cd'.repeat(32))).toEqual(large);
  });

  it('is read back whether its pack has written it out yet or not, entries of every size in one pack, and all are kept by save', async () => {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    // Keys of one pack (the same first two hex digits), entries from held (small) to larger than a batch written out.
    const key = (i: number) => `00${i.toString(16).padStart(62, '0')}`;
    const value = (i: number) => ({ i, text: `${i} `.repeat(i % 7 === 0 ? 20_000 : i % 3 === 0 ? 5 : 700) });
    const count = 60;
    for (let i = 0; i < count; i++) {
      cache.set(key(i), value(i));
      // The entry just set, and one set long before (written out by now).
      expect(cache.get(key(i))).toEqual(value(i));
      expect(cache.get(key(i >> 1))).toEqual(value(i >> 1));
    }
    cache.save();
    expect(readdirSync(folder)).toEqual(['00.pack']);
    const again = openCache(folder, OPTIONS);
    for (let i = 0; i < count; i++) expect(again.get(key(i))).toEqual(value(i));
  });
});

describe('an entry of the cache on disk (issue 9)', () => {
  /** A cache saved with one large entry in one pack; the pack's path. */
  async function saved(value: unknown): Promise<{ folder: string; pack: string }> {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    cache.set(KEY, value);
    cache.set(`${KEY.slice(0, 62)}00`, 'another');
    cache.save();
    return { folder, pack: path.join(folder, readdirSync(folder)[0]!) };
  }
  const value = { text: 'kept '.repeat(500) };

  it('is read from the pack as it was first read, even when another build replaced the file since', async () => {
    const { folder, pack } = await saved(value);
    const cache = openCache(folder, OPTIONS);
    expect(cache.get(`${KEY.slice(0, 62)}00`)).toBe('another');
    // Another build saves the pack anew (by rename), without the entry.
    writeFileSync(`${pack}.new`, 'castwright-cache\ntest\n');
    renameSync(`${pack}.new`, pack);
    expect(cache.get(KEY)).toEqual(value);
  });

  it('is never trusted when its bytes change on disk after the pack was read: a miss, and left out of the pack saved', async () => {
    const { folder, pack } = await saved(value);
    const cache = openCache(folder, OPTIONS);
    expect(cache.get(`${KEY.slice(0, 62)}00`)).toBe('another');
    // Garbled in place, in the same file.
    const bytes = readFileSync(pack);
    const at = bytes.indexOf('kept kept');
    bytes.write('KEPT', at, 'latin1');
    writeFileSync(pack, bytes);
    expect(cache.get(KEY)).toBeUndefined();
    cache.save();
    const again = openCache(folder, OPTIONS);
    expect(again.get(KEY)).toBeUndefined();
    expect(again.get(`${KEY.slice(0, 62)}00`)).toBe('another');
  });

  it('asked for is kept when its pack is saved again with other entries changed, others not asked for are let go', async () => {
    const { folder } = await saved(value);
    const cache = openCache(folder, OPTIONS);
    expect(cache.get(KEY)).toEqual(value);
    cache.set(`${KEY.slice(0, 62)}11`, 'new');
    cache.save();
    const again = openCache(folder, OPTIONS);
    expect(again.get(KEY)).toEqual(value);
    expect(again.get(`${KEY.slice(0, 62)}11`)).toBe('new');
    expect(again.get(`${KEY.slice(0, 62)}00`)).toBeUndefined();
    expect(again.get(`${KEY.slice(0, 62)}22`)).toBeUndefined();
  });
});

describe("a pack's index (issue 9)", () => {
  // Where the rows and trailer are in a pack (store.ts's INDEX_ROW, TRAILER).
  const INDEX_ROW = 64 + 4 + 4 + 4;
  const TRAILER = 4 + 4 + 4 + 16;
  // Keys of one pack; a value with a text of its own, to find its entry in the file.
  const key = (i: number) => `${KEY.slice(0, 2)}${i.toString(16).padStart(62, '0')}`;
  const value = (i: number) => ({ i, text: `entry-${i} `.repeat(50) });
  async function savedPack(count: number): Promise<{ folder: string; pack: string }> {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    for (let i = 0; i < count; i++) cache.set(key(i), value(i));
    cache.save();
    return { folder, pack: path.join(folder, readdirSync(folder)[0]!) };
  }

  // Opening a pack reads its index, not the file entry after entry: a garbled length in an entry's
  // head (read head to head, every entry from there on was lost) is not even read.
  it('finds every entry by it, whatever the heads between the entries say', async () => {
    const { folder, pack } = await savedPack(5);
    const bytes = readFileSync(pack);
    const second = bytes.indexOf(Buffer.from(key(1), 'latin1'));
    // Its length, past its key: now beyond the end of the file.
    bytes.writeUInt32LE(0xfffffff0, second + 64);
    writeFileSync(pack, bytes);
    const cache = openCache(folder, OPTIONS);
    expect([0, 1, 2, 3, 4].map((i) => cache.get(key(i)))).toEqual([0, 1, 2, 3, 4].map(value));
  });

  it.each([
    ['cut short', (bytes: Buffer) => bytes.subarray(0, bytes.length - 3)],
    ['garbled', (bytes: Buffer) => (bytes.writeUInt8(bytes.readUInt8(bytes.length - 40) ^ 0x20, bytes.length - 40), bytes)],
  ])('that is %s: the pack is read entry by entry, every entry found, and written whole again by the next save', async (_how, damage) => {
    const { folder, pack } = await savedPack(4);
    writeFileSync(pack, damage(readFileSync(pack)));
    const cache = openCache(folder, OPTIONS);
    expect([0, 1, 2, 3].map((i) => cache.get(key(i)))).toEqual([0, 1, 2, 3].map(value));
    cache.save();
    // Mended: its index checks out again, and a garbled head loses nothing.
    const bytes = readFileSync(pack);
    bytes.writeUInt32LE(0xfffffff0, bytes.indexOf(Buffer.from(key(0), 'latin1')) + 64);
    writeFileSync(pack, bytes);
    const again = openCache(folder, OPTIONS);
    expect([0, 1, 2, 3].map((i) => again.get(key(i)))).toEqual([0, 1, 2, 3].map(value));
  });
  // An index whose rows were changed and its CRC made again (by hand, or by a bug in its writer):
  // a row that sends a key to another entry's bytes (with their CRC) must be a miss, not that entry's value.
  it.each([
    ['sends a key to the bytes of another entry', (table: Buffer) => table.copy(table, 64, INDEX_ROW + 64, 2 * INDEX_ROW)],
    ['names a key twice', (table: Buffer) => table.copy(table, 2 * INDEX_ROW, 0, 64)],
  ])('that %s, its CRC made again: never gives a value under a key it was not stored under', async (_how, forge) => {
    const { folder, pack } = await savedPack(3);
    const bytes = readFileSync(pack);
    const at = bytes.readUInt32LE(bytes.length - TRAILER);
    const table = bytes.subarray(at + 72, at + 72 + 3 * INDEX_ROW);
    forge(table);
    bytes.writeUInt32LE(crc32(table), bytes.length - TRAILER + 8);
    writeFileSync(pack, bytes);
    const cache = openCache(folder, OPTIONS);
    for (const i of [0, 1, 2]) expect([undefined, value(i)]).toContainEqual(cache.get(key(i)));
  });
});

describe('a cache written by another V8 (issue 9)', () => {
  // The code's fingerprint names Node's version; entries are V8's serializer's bytes, numbers and two-byte texts in the host's order.
  it('is a miss, never deserialized, for a V8 or byte order other than its own, though the code is the same', async () => {
    const folder = await tempDir();
    const other = openCache(folder, { ...OPTIONS, serializer: 'v8-0.0.0-BE' });
    other.set(KEY, 'from another V8');
    other.save();
    expect(readFileSync(path.join(folder, readdirSync(folder)[0]!), 'latin1')).toContain('v8-0.0.0-BE');
    const cache = openCache(folder, OPTIONS);
    expect(cache.get(KEY)).toBeUndefined();
    cache.set(KEY, 'own');
    cache.save();
    expect(openCache(folder, OPTIONS).get(KEY)).toBe('own');
    expect(openCache(folder, { ...OPTIONS, serializer: 'v8-0.0.0-BE' }).get(KEY)).toBeUndefined();
  });
});

describe("dev's cache in memory", () => {
  it('keeps through a save what the build asked for or set, and forgets the rest', () => {
    const cache = memoryCache();
    for (const key of ['a', 'b', 'c']) cache.set(key, key);
    cache.save();
    cache.get('a');
    cache.set('b', 'B');
    cache.save();
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['a', 'B', undefined]);
  });
});

describe('a pack that is not a file, or far too large', () => {
  // Opened blocking, a named pipe by a pack's name held the build forever, and a link to /dev/zero was read without end.
  it.each([
    ['a named pipe', (pack: string) => execFileSync('mkfifo', [pack])],
    ['a link to a device', (pack: string) => symlinkSync('/dev/zero', pack)],
    // Larger than any castwright writes (MAX_STATE_BYTES), garbled: never read (one past 2 GB was warned about at every build, never replaced).
    [
      'a sparse 3 GB file',
      (pack: string) => {
        writeFileSync(pack, '');
        truncateSync(pack, 3 * 1024 ** 3);
      },
    ],
  ])('(%s) is a miss, and replaced by the next save', async (_kind, make) => {
    const folder = await tempDir();
    const first = openCache(folder, OPTIONS);
    first.set(KEY, 'kept');
    first.save();
    const pack = path.join(folder, readdirSync(folder)[0]!);
    rmSync(pack);
    make(pack);
    const warnings: string[] = [];
    const cache = openCache(folder, { ...OPTIONS, onWarning: (message) => warnings.push(message) });
    expect(cache.get(KEY)).toBeUndefined();
    cache.set(KEY, 'again');
    cache.save();
    expect(warnings).toEqual([]);
    expect(lstatSync(pack).isFile()).toBe(true);
    expect(openCache(folder, OPTIONS).get(KEY)).toBe('again');
  });
});

describe('an entry set in this build whose written-out bytes are lost', () => {
  // The pack's next version cut short behind the build's back: reading it back looped for ever on a read of nothing.
  it('is a miss, and left out of the pack saved, while the other entries are kept', async () => {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    const big = { text: 'x'.repeat(40 * 1024) };
    const other = `${KEY.slice(0, 62)}00`;
    cache.set(other, 'small');
    cache.set(KEY, big);
    cache.set(`${KEY.slice(0, 62)}11`, big);
    const [temporary] = readdirSync(folder).filter((name) => name.endsWith('.tmp'));
    truncateSync(path.join(folder, temporary!), 100);
    expect(cache.get(KEY)).toBeUndefined();
    expect(cache.get(other)).toBe('small');
    cache.save();
    const again = openCache(folder, OPTIONS);
    expect(again.get(KEY)).toBeUndefined();
    expect(again.get(other)).toBe('small');
  });
});
