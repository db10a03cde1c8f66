import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentError } from '../../src/errors.ts';
import { listsPlace, type ListsPlace } from '../../src/lists/place.ts';
import { currentSubscribers, isSubscribed, isSuppressed, listsSuppression } from '../../src/lists/state.ts';
import { ListsStore, readLists, type Change } from '../../src/lists/store.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { mountSmallDisk } from '../send/disk.ts';

afterAll(cleanUp);

async function place(): Promise<ListsPlace> {
  const root = await tempDir();
  await mkdir(path.join(root, 'episodes'));
  return listsPlace('episodes', { cwd: root });
}

const unsubscribe = (key: string, source = 'one-click'): Change => ({ kind: 'unsubscribed', row: { key, source } });
const subscribe = (address: string, source = 'sign-up', name?: string): Change => ({
  kind: 'subscribers',
  row: { address, key: address.toLowerCase(), source, ...(name ? { name } : {}) },
});

/** A clock that moves one second per call, so rows have distinct, known dates. */
function clock(start = Date.parse('2026-03-01T12:00:00Z')) {
  let now = start;
  return () => new Date((now += 1000));
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n');

describe('the lists folder', () => {
  it('is lists/ beside the content folder, from any working folder, or where --lists says', async () => {
    const root = await tempDir();
    expect(listsPlace('episodes', { cwd: root }).folder).toBe(path.join(root, 'lists'));
    expect(listsPlace('../show/episodes', { cwd: path.join(root, 'elsewhere') }).folder).toBe(path.join(root, 'show', 'lists'));
    const chosen = listsPlace('episodes', { lists: 'private/readers', cwd: root });
    expect(chosen.subscribers).toBe(path.join(root, 'private', 'readers', 'subscribers.csv'));
    expect(chosen.shown.unsubscribed).toBe('private/readers/unsubscribed.csv');
  });
});

describe('appending to the lists', () => {
  it('creates each file with its header, writes one dated row per change, and says whether it wrote', async () => {
    const lists = await place();
    const store = await ListsStore.open(lists, { now: clock() });
    expect(await store.change(subscribe('Ada@example.com', 'sign-up', 'Ada, "the first"'))).toEqual({ written: true, effective: true });
    expect(await store.change(unsubscribe('bob@example.com'))).toEqual({ written: true, effective: true });
    expect(await store.change(unsubscribe('bob@example.com', 'unsubscribe page'))).toEqual({ written: false, effective: true });
    expect(await lines(lists.subscribers)).toEqual(['email,name,subscribed,source', 'Ada@example.com,"Ada, ""the first""",2026-03-01T12:00:01.000Z,sign-up', '']);
    expect(await lines(lists.unsubscribed)).toEqual(['email,unsubscribed,source', 'bob@example.com,2026-03-01T12:00:02.000Z,one-click', '']);
    const read = await readLists(lists);
    expect(currentSubscribers(read).map((reader) => [reader.address, reader.name])).toEqual([['Ada@example.com', 'Ada, "the first"']]);
  });

  it('lets the later action win: unsubscribed, subscribed again, unsubscribed again, even within one millisecond', async () => {
    const lists = await place();
    const frozen = new Date('2026-03-01T12:00:00Z');
    const store = await ListsStore.open(lists, { now: () => frozen });
    await store.change(subscribe('ada@example.com'));
    await store.change(unsubscribe('ada@example.com'));
    expect(isSuppressed(store.current, 'ada@example.com')).toBe(true);
    expect(await store.change(subscribe('ada@example.com', 're-subscribe'))).toEqual({ written: true, effective: true });
    expect(isSubscribed((await readLists(lists)), 'ada@example.com')).toBe(true);
    await Promise.all([store.change(unsubscribe('ada@example.com')), store.change(subscribe('ada@example.com')), store.change(unsubscribe('ada@example.com'))]);
    const read = await readLists(lists);
    expect(isSuppressed(read, 'ada@example.com')).toBe(true);
    expect(listsSuppression(read).keys).toEqual(new Set(['ada@example.com']));
  });

  it('keeps an undated unsubscription (one written by hand) for ever, and says a sign-up could not lift it', async () => {
    const lists = await place();
    await mkdir(lists.folder);
    await writeFile(lists.unsubscribed, 'email\nada@example.com\n');
    const store = await ListsStore.open(lists);
    expect(await store.change(subscribe('ada@example.com'))).toEqual({ written: true, effective: false });
    expect(isSuppressed(await readLists(lists), 'ada@example.com')).toBe(true);
  });

  it('serves many writers at once, in this process and others, without losing or doubling a row', async () => {
    const lists = await place();
    const [one, two] = await Promise.all([ListsStore.open(lists), ListsStore.open(lists)]);
    const keys = Array.from({ length: 150 }, (_, i) => `reader${i}@example.com`);
    await Promise.all(keys.flatMap((key, i) => [one.change(unsubscribe(key)), two.change(unsubscribe(key)), (i % 2 ? one : two).change(unsubscribe(key))]));
    const rows = (await lines(lists.unsubscribed)).slice(1, -1);
    expect(rows).toHaveLength(150);
    expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(new Set(keys));
    expect(existsSync(lists.lock)).toBe(false);
  });
});

describe('a half-written last row', () => {
  const cases: Array<[string, string, string, string[], string | undefined]> = [
    ['a whole row that lost its newline', 'unsubscribed', 'bob@example.com,2026-03-01T00:00:00.000Z,one-click', ['bob@example.com,2026-03-01T00:00:00.000Z,one-click'], 'added the newline'],
    ['a row cut after its address', 'unsubscribed', 'bob@example.com,2026-03-0', ['bob@example.com,2026-03-0'], 'its address is whole'],
    ['an unsubscription whose address may be cut', 'unsubscribed', 'bob@example.c', ['bob@example.c'], 'as an unsubscription'],
    ['a subscriber whose address may be cut', 'subscribers', 'bob@example.c', [], 'moved the half-written last row "bob@example.c" aside'],
    ['a subscriber cut inside a quoted name', 'subscribers', 'bob@example.com,"Bob, the', ['bob@example.com,,,'], 'kept the address'],
    ['a row cut inside its address', 'subscribers', 'bob@exa', [], 'moved'],
  ];
  it.each(cases)('%s is mended, said, and its text never lost', async (_, kind, tail, kept, said) => {
    const lists = await place();
    const file = kind === 'subscribers' ? lists.subscribers : lists.unsubscribed;
    const header = kind === 'subscribers' ? 'email,name,subscribed,source' : 'email,unsubscribed,source';
    const first = kind === 'subscribers' ? 'ada@example.com,Ada,2026-02-01T00:00:00.000Z,sign-up' : 'ada@example.com,2026-02-01T00:00:00.000Z,one-click';
    await mkdir(lists.folder);
    await writeFile(file, `${header}\n${first}\n${tail}`);
    const notes: string[] = [];
    const read = await readLists(lists, { onNote: (note) => notes.push(note) });
    expect(await lines(file)).toEqual([header, first, ...kept, '']);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(said);
    if (kept.length === 0 || kept[0] !== tail) expect(await readFile(`${file}.torn`, 'utf8')).toBe(`${tail}\n`);
    else expect(existsSync(`${file}.torn`)).toBe(false);
    if (kind === 'unsubscribed') expect(listsSuppression(read).keys.has(kept[0]?.split(',')[0] ?? 'none')).toBe(kept.length > 0);
    // Mended once: the next reading finds nothing to say.
    const again: string[] = [];
    await readLists(lists, { onNote: (note) => again.push(note) });
    expect(again).toEqual([]);
  });

  it('cuts zero bytes a lost write left, and completes a header cut short', async () => {
    const lists = await place();
    await mkdir(lists.folder);
    await writeFile(lists.unsubscribed, Buffer.concat([Buffer.from('email,unsubscribed,source\nbob@example.com,2026-03-01T00:00:00.000Z,page\n'), Buffer.alloc(40)]));
    await writeFile(lists.subscribers, 'email,name,sub');
    const notes: string[] = [];
    const read = await readLists(lists, { onNote: (note) => notes.push(note) });
    expect(await readFile(lists.unsubscribed, 'utf8')).toBe('email,unsubscribed,source\nbob@example.com,2026-03-01T00:00:00.000Z,page\n');
    expect(await readFile(lists.subscribers, 'utf8')).toBe('email,name,subscribed,source\n');
    expect(notes.join('\n')).toContain('lists/unsubscribed.csv: cut 40 zero bytes at its end');
    expect(notes.join('\n')).toContain('lists/subscribers.csv: completed its half-written header row');
    expect(isSuppressed(read, 'bob@example.com')).toBe(true);
  });
});

describe('lists edited by hand while a process keeps them', () => {
  it('sees rows added meanwhile, even by an editor that saves a new file in place of the old', async () => {
    const lists = await place();
    const store = await ListsStore.open(lists);
    await store.change(unsubscribe('ada@example.com'));
    const edited = `${await readFile(lists.unsubscribed, 'utf8')}bob@example.com,2026-03-01T00:00:00.000Z,by hand\n`;
    await writeFile(`${lists.unsubscribed}.swp`, edited);
    await rename(`${lists.unsubscribed}.swp`, lists.unsubscribed);
    expect(await store.change(unsubscribe('bob@example.com'))).toEqual({ written: false, effective: true });
    expect((await lines(lists.unsubscribed)).filter((line) => line.startsWith('bob@'))).toHaveLength(1);
  });

  it('puts back an unsubscription it recorded that an old copy saved over the file removed', async () => {
    const lists = await place();
    const notes: string[] = [];
    const store = await ListsStore.open(lists, { onNote: (note) => notes.push(note) });
    await store.change(unsubscribe('carol@example.com'));
    const stale = await readFile(lists.unsubscribed, 'utf8');
    await store.change(unsubscribe('ada@example.com', 'unsubscribe page'));
    await writeFile(lists.unsubscribed, stale);
    await store.change(unsubscribe('bob@example.com'));
    const read = await readLists(lists);
    expect([...listsSuppression(read).keys].sort()).toEqual(['ada@example.com', 'bob@example.com', 'carol@example.com']);
    expect(await readFile(lists.unsubscribed, 'utf8')).toMatch(/^ada@example\.com,[^,]+,unsubscribe page \(put back\)$/m);
    expect(notes.join('\n')).toContain('1 unsubscription recorded by this process vanished from');
  });

  it('goes on recording unsubscriptions when a row added by hand cannot be read, and send refuses the lists until it is fixed', async () => {
    const lists = await place();
    const notes: string[] = [];
    const store = await ListsStore.open(lists, { onNote: (note) => notes.push(note) });
    await store.change(unsubscribe('ada@example.com'));
    await appendFile(lists.unsubscribed, 'not an address,2026-03-01,by hand\n');
    expect(await store.change(unsubscribe('bob@example.com'))).toEqual({ written: true, effective: true });
    expect(notes.join('\n')).toContain('cannot be read');
    const refused = await readLists(lists).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ContentError);
    expect((refused as ContentError).message).toContain('lists/unsubscribed.csv:3: "not an address" is not an email address');
  });
});

describe('lists a process cannot read whole', () => {
  it('are opened anyway by a process that records changes, which says what is wrong and puts nothing back blindly', async () => {
    const lists = await place();
    await mkdir(lists.folder);
    // A quote a person opened and never closed: the file cannot be parsed at all.
    await writeFile(lists.unsubscribed, 'email,unsubscribed,source\nada@example.com,2026-03-01T00:00:00.000Z,one-click\n"bob@example.com,by hand\nextra\n');
    const notes: string[] = [];
    const store = await ListsStore.open(lists, { onNote: (note) => notes.push(note) });
    expect(notes.join('\n')).toContain('the lists cannot be read');
    expect(await store.change(unsubscribe('carol@example.com'))).toEqual({ written: true, effective: true });
    expect(await store.change(unsubscribe('dan@example.com'))).toEqual({ written: true, effective: true });
    const text = await readFile(lists.unsubscribed, 'utf8');
    expect(text).not.toContain('put back');
    expect(text.match(/carol@example\.com/g)).toHaveLength(1);
    // A mailing refuses them until a person fixes the row.
    await expect(readLists(lists)).rejects.toThrow('lists/unsubscribed.csv:3: a quoted value starts here and is never closed');
  });
});

describe('a list larger than castwright writes', () => {
  // A 600 MB garbled file was read whole, its "half-written last row" mended in place.
  it('is refused unread, and nothing is written', async () => {
    const lists = await place();
    await mkdir(lists.folder, { recursive: true });
    await writeFile(lists.subscribers, '');
    await truncate(lists.subscribers, 300 * 1024 * 1024);
    await expect(readLists(lists)).rejects.toThrow(
      'lists/subscribers.csv: 300 MB, more than castwright writes there (256 MB at most); expected the list of subscribers, one row a reader',
    );
    await expect(ListsStore.open(lists)).rejects.toThrow('lists/subscribers.csv: 300 MB');
    expect((await stat(lists.subscribers)).size).toBe(300 * 1024 * 1024);
    expect(existsSync(`${lists.subscribers}.torn`)).toBe(false);
  });
});

describe('a list that is a link to nothing', () => {
  // A list linked to a share that is not mounted was read as empty: send mailed every reader who
  // had unsubscribed ('0 addresses suppressed'), and a change would be written through the link.
  it('is refused, as a list castwright cannot read, and nothing is written', async () => {
    const lists = await place();
    await mkdir(lists.folder, { recursive: true });
    const share = path.join(path.dirname(lists.folder), 'share');
    await mkdir(share);
    await symlink(path.join(share, 'unsubscribed.csv'), lists.unsubscribed);
    const refused = `lists/unsubscribed.csv: a symbolic link to ${path.join(share, 'unsubscribed.csv')}, which does not exist; expected the list of readers who unsubscribed, one row a reader`;
    await expect(readLists(lists)).rejects.toThrow(refused);
    await expect(ListsStore.open(lists)).rejects.toThrow(refused);
    expect(existsSync(path.join(share, 'unsubscribed.csv'))).toBe(false);
  });
});

describe('a full disk', () => {
  it('refuses the change, leaves no part of a row behind, and records it once there is room', async ({ skip }) => {
    const disk = await mountSmallDisk('256k');
    if ('skip' in disk) return skip(disk.skip);
    try {
      const lists = listsPlace('episodes', { lists: path.join(disk.dir, 'lists'), cwd: disk.dir });
      // A file that fills its page but for a few bytes: the next row must take a new one.
      await mkdir(lists.folder);
      const header = 'email,unsubscribed,source\n';
      const row = (i: number) => `reader${String(i).padStart(4, '0')}@example.com,2026-03-01T00:00:00.000Z,one-click\n`;
      let text = header;
      for (let i = 0; text.length + row(i).length <= 4090; i++) text += row(i);
      await writeFile(lists.unsubscribed, text);
      const store = await ListsStore.open(lists);
      const reserve = path.join(disk.dir, 'reserve');
      await writeFile(reserve, Buffer.alloc(4096));
      disk.fill();

      // No room even for the lock.
      const locked = await store.change(unsubscribe('ada@example.com')).catch((error: unknown) => error);
      expect((locked as Error).message).toMatch(/^cannot write the lock .*lists\/\.lock \(ENOSPC: the disk is full/);
      // Room for the lock, not for the row: the part written is cut off again.
      await rm(reserve);
      const refused = await store.change(unsubscribe(`${'a'.repeat(60)}@example.com`)).catch((error: unknown) => error);
      expect((refused as Error).message).toMatch(/^cannot write .*lists\/unsubscribed\.csv \(ENOSPC: the disk is full/);
      expect(await readFile(lists.unsubscribed, 'utf8')).toBe(text);
      expect(existsSync(lists.lock)).toBe(false);

      disk.free();
      expect(await store.change(unsubscribe(`${'a'.repeat(60)}@example.com`))).toEqual({ written: true, effective: true });
      expect(await store.change(unsubscribe('ada@example.com'))).toEqual({ written: true, effective: true });
      expect((await readLists(lists)).unsubscribed.keys.size).toBe(text.split('\n').length - 2 + 2);
    } finally {
      disk.unmount();
    }
  });
});
