// Files placed by the writing thread (write/placer.ts, `threadFrom: 0` so that every file goes
// through it): the same output, record, links and errors as when the main thread writes them.
import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError } from '../../src/errors.ts';
import type { OutputContent, SourceFile } from '../../src/model/source-file.ts';
import { contentHash } from '../../src/cache/fingerprint.ts';
import { openOutput, writeFolder, type WriteOptions } from '../../src/write/atomic.ts';
import type { KnownFile } from '../../src/write/reuse.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { mountTmpfs, unmountAll } from '../helpers/system.ts';

afterEach(async () => {
  unmountAll();
  await cleanUp();
});

const THREAD: WriteOptions = { threadFrom: 0 };

/** A show's worth of files: many folders, texts and bytes, a path given twice, a file larger than the ring, a byte view into a larger buffer. */
function showFiles(): Map<string, OutputContent> {
  const files = new Map<string, OutputContent>();
  for (let n = 0; n < 300; n++) {
    files.set(`episodes/${n}/index.html`, `<h1>Épisode ${n} — ‘notes’</h1>${'x'.repeat(n * 50)}`);
    files.set(`episodes/${n}/notes.txt`, Buffer.from(`notes ${n}\n`));
  }
  const pack = Buffer.alloc(64 * 1024, 'p');
  pack.write('inside', 1000);
  files.set('view.bin', pack.subarray(1000, 1006));
  files.set('feed.xml', '<rss>'.padEnd(3 * 1024 * 1024, 'f'));
  files.set('big.bin', new Uint8Array(5 * 1024 * 1024).fill(7));
  return files;
}

/** Adds `files`, then `twice` again at the same paths, through openOutput. */
async function write(out: string, files: Map<string, OutputContent>, options: WriteOptions, twice = new Map<string, OutputContent>()): Promise<void> {
  const writer = openOutput(out, options);
  try {
    for (const [relative, content] of files) writer.add(relative, content);
    for (const [relative, content] of twice) writer.add(relative, content);
    await writer.commit();
  } finally {
    writer.abort();
  }
}

/** The saved record (write/reuse.ts), as path → [hash, size, mtimeMs, ino]. */
async function savedRecord(file: string): Promise<Record<string, [string, number, number, number]>> {
  return (JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, [string, number, number, number]> }).files;
}

describe('the writing thread', () => {
  it('writes what the main thread writes, the later content of a path added twice, and a record of exactly what is on disk', async () => {
    const root = await tempDir();
    const again = new Map<string, OutputContent>([['episodes/3/index.html', 'later'], ['big.bin', 'later too']]);
    await write(path.join(root, 'main'), showFiles(), { threadFrom: Infinity }, again);
    await write(path.join(root, 'thread'), showFiles(), { ...THREAD, record: path.join(root, 'record.json') }, again);
    const written = await snapshot(path.join(root, 'thread'));
    expect(written).toEqual(await snapshot(path.join(root, 'main')));
    expect(await readFile(path.join(root, 'thread/episodes/3/index.html'), 'utf8')).toBe('later');
    expect(await readFile(path.join(root, 'thread/view.bin'), 'utf8')).toBe('inside');

    const record = await savedRecord(path.join(root, 'record.json'));
    expect(Object.keys(record).sort()).toEqual(Object.keys(written).sort());
    for (const [relative, [hash, size, mtimeMs, ino]] of Object.entries(record)) {
      const file = path.join(root, 'thread', relative);
      const stats = await lstat(file);
      expect([size, mtimeMs, ino], relative).toEqual([stats.size, stats.mtimeMs, stats.ino]);
      expect(hash, relative).toBe(contentHash(await readFile(file)));
    }
  });

  it('writes texts given by addText as add writes them, on either thread and into a spare taken over, and gives back the hash the record keeps', async () => {
    const root = await tempDir();
    const texts = (round: number) =>
      new Map<string, string>([
        ...Array.from({ length: 300 }, (_, n) => [`episodes/${n}/index.html`, `<h1>Épisode ${n} — ‘notes’ ${n % 7 === 0 ? round : ''}</h1>${'x😀'.repeat(n * 40)}`] as [string, string]),
        ['empty.txt', ''],
        // Larger than half the ring: handed over on its own.
        ['feed.xml', `<rss>${'é'.repeat(1_200_000)}${round}`],
        // Three bytes a unit would not fit in half the ring, its UTF-8 does: through the ring, measured first.
        ['feed.json', `{"a":"${'a'.repeat(800_000)}${round}"}`],
      ]);
    const byAdd = async (out: string, round: number) => write(out, texts(round), { threadFrom: Infinity });
    const byAddText = async (out: string, round: number, options: WriteOptions) => {
      const writer = openOutput(out, options);
      try {
        for (const [relative, text] of texts(round)) expect(writer.addText(relative, text), relative).toBe(contentHash(Buffer.from(text)));
        // A path given again by add: the later content wins, as always.
        writer.add('episodes/3/index.html', 'later');
        await writer.commit();
      } finally {
        writer.abort();
      }
    };
    for (const round of [1, 2, 3]) {
      await byAdd(path.join(root, `add-${round}`), round);
      await writeFile(path.join(root, `add-${round}`, 'episodes/3/index.html'), 'later');
      for (const [name, options] of [['main', { threadFrom: Infinity }], ['thread', THREAD]] as const) {
        // Round 3 takes round 1's output (kept as the spare by round 2) over as its work folder: held files, written at commit.
        const out = path.join(root, name);
        const record = path.join(root, `${name}.json`);
        await byAddText(out, round, { ...options, record });
        const written = await snapshot(out);
        expect(written, `${name} ${round}`).toEqual(await snapshot(path.join(root, `add-${round}`)));
        const recorded = await savedRecord(record);
        expect(Object.keys(recorded).sort()).toEqual(Object.keys(written).sort());
        for (const [relative, [hash]] of Object.entries(recorded)) expect(hash, relative).toBe(contentHash(await readFile(path.join(out, relative))));
      }
    }
  }, 30_000);

  it('writes a file of just under half the ring that does not fit before the ring\'s end (it waited for room the ring never has)', async () => {
    const root = await tempDir();
    const half = 2 * 1024 * 1024;
    // The first half of the ring, then a few bytes: the next half-ring file must start over at 0.
    const files = new Map<string, OutputContent>([
      ['a.bin', new Uint8Array(half).fill(1)],
      ['b.txt', 'ten bytes!'],
      ['c.bin', new Uint8Array(half - 5).fill(3)],
      ['d.txt', 'after'],
    ]);
    await write(path.join(root, 'main'), files, { threadFrom: Infinity });
    await write(path.join(root, 'thread'), files, THREAD);
    expect(await snapshot(path.join(root, 'thread'))).toEqual(await snapshot(path.join(root, 'main')));
  }, 20_000);

  it('waits for a content file that takes long to copy (a video on another disk) instead of calling the thread stalled', async ({ skip }) => {
    // A named pipe on another file system (tmpfs): it cannot be linked, and its copy blocks until
    // a writer comes, seconds after the stall limit (1 s here) while the ring is full behind it.
    const shm = await mkdtemp('/dev/shm/castwright-test-').catch(() => undefined);
    if (!shm) return skip('no /dev/shm');
    try {
      const root = await tempDir();
      if ((await stat(shm)).dev === (await stat(root)).dev) return skip('/dev/shm is on the same file system');
      const video = path.join(shm, 'ep.mp4');
      execFileSync('mkfifo', [video]);
      const { size, mtimeMs } = await stat(video);
      const files = new Map<string, OutputContent>([['ep.mp4', { source: video, size, mtimeMs, sha256: 'aa' }]]);
      for (let n = 0; n < 20; n++) files.set(`page-${n}.html`, 'p'.repeat(512 * 1024));
      spawn('sh', ['-c', 'sleep 3; : > "$0"', video], { stdio: 'ignore' }).unref();
      await writeFolder(path.join(root, 'out'), files, { ...THREAD, stallMs: 1000 });
      expect((await stat(path.join(root, 'out/ep.mp4'))).size).toBe(0);
      expect((await stat(path.join(root, 'out/page-19.html'))).size).toBe(512 * 1024);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  }, 20_000);

  it('links the unchanged files of the previous output, and writes a file whose live copy changed since', async () => {
    const root = await tempDir();
    const out = path.join(root, 'dist');
    const record = path.join(root, 'record.json');
    const texts = new Map([...Array(40).keys()].map((n) => [`episodes/${n}/index.html`, `episode ${n}`]));
    await writeFolder(out, texts, { ...THREAD, record });
    const before = await stat(path.join(out, 'episodes/1/index.html'));
    // Edited in the live output since: same size, another time. Its record no longer holds.
    const edited = path.join(out, 'episodes/2/index.html');
    await writeFile(edited, 'episode X');
    await utimes(edited, new Date(2001, 1, 1), new Date(2001, 1, 1));

    const loaded: string[] = [];
    const known = new Map<string, KnownFile>(
      [...texts].map(([relative, text]) => [relative, { hash: contentHash(Buffer.from(text)), load: () => (loaded.push(relative), text) }]),
    );
    await writeFolder(out, new Map(), { ...THREAD, record, known });
    expect((await stat(path.join(out, 'episodes/1/index.html'))).ino).toBe(before.ino);
    expect(loaded).toEqual(['episodes/2/index.html']);
    expect(await readFile(edited, 'utf8')).toBe('episode 2');
    const saved = await savedRecord(record);
    expect(saved['episodes/2/index.html']![3]).toBe((await lstat(edited)).ino);
    expect(Object.keys(saved).length).toBe(40);
  });

  it('says which folder could not be written when the disk fills up, as the main thread does, and leaves the previous output', async ({ skip }) => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await mkdir(out);
    const refused = mountTmpfs(out, '4m');
    if (refused) return skip(refused);
    await writeFolder(out, new Map([['index.html', 'good'], ['feed.xml', 'good']]));
    const before = await snapshot(out);
    const files = new Map<string, OutputContent>([...Array(200).keys()].map((n) => [`episodes/${n}/index.html`, 'e'.repeat(40 * 1024)]));
    const error = await writeFolder(out, files, { ...THREAD, cwd: parent }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe('cannot write the output folder dist/ (ENOSPC: the disk is full; free some space and run the command again)');
    expect(await snapshot(out)).toEqual(before);
    expect((await readdir(out)).sort()).toEqual(['feed.xml', 'index.html']);
  });

  it('stops at a folder it cannot make, and at a content file changed since it was read, with the same messages', async () => {
    const root = await tempDir();
    const out = path.join(root, 'dist');
    await writeFolder(out, new Map([['index.html', 'good'], ['feed.xml', 'good']]));
    const before = await snapshot(out);
    const clash = new Map([['a', 'file'], ['a/b', 'nested'], ['index.html', 'bad']]);
    const onMain = await writeFolder(out, clash, { cwd: root }).catch((caught: unknown) => caught);
    const onThread = await writeFolder(out, clash, { ...THREAD, cwd: root }).catch((caught: unknown) => caught);
    expect(onThread).toBeInstanceOf(RunError);
    expect((onThread as Error).message).toBe((onMain as Error).message);
    expect((onThread as Error).message).toMatch(/^cannot write the output folder dist\/ \(EEXIST: /);

    const audio = path.join(root, 'ep.wav');
    await writeFile(audio, 'RIFF');
    const { size, mtimeMs } = await stat(audio);
    const source: SourceFile = { source: audio, size, mtimeMs, sha256: 'aa' };
    await writeFile(audio, 'RIFF, longer');
    const changed = await writeFolder(out, new Map([['ep.wav', source]]), THREAD).catch((caught: unknown) => caught);
    expect(changed).toBeInstanceOf(RunError);
    expect((changed as Error).message).toBe(`${audio} was 4 bytes when read and is 12 now; expected the file as the build read it (build again once it is saved)`);
    expect(await snapshot(out)).toEqual(before);
    expect((await readdir(root)).sort()).toEqual(['dist', 'ep.wav']);
  });

  it('stops writing when the build is stopped, whatever it had left; an error after that goes nowhere', async ({ skip }) => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await writeFolder(out, new Map([['feed.xml', 'good']]));
    const before = await snapshot(out);
    const writer = openOutput(out, THREAD);
    // More than the ring holds: the main thread waits for the thread on the way.
    for (let n = 0; n < 600; n++) writer.add(`episodes/${n}/index.html`, 'e'.repeat(20 * 1024));
    writer.abort();
    expect(await readdir(parent)).toEqual(['dist']);
    expect(await snapshot(out)).toEqual(before);

    // The disk fills up while the thread writes; the build stops before reading its error.
    const mount = path.join(parent, 'small');
    await mkdir(mount);
    const refused = mountTmpfs(mount, '1m');
    if (refused) return skip(refused);
    for (const settle of [false, true]) {
      const full = openOutput(path.join(mount, 'dist'), THREAD);
      for (let n = 0; n < 60; n++) full.add(`episodes/${n}/index.html`, 'e'.repeat(40 * 1024));
      // Stopped at once (the error comes after), or once the thread has had time to fail (its error is never read).
      if (settle) await new Promise((resolve) => setTimeout(resolve, 300));
      full.abort();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await readdir(mount)).toEqual([]);
    }
  });
});

describe('bytes in pieces (a feed: its head, each item as cached, its end; issue 9)', () => {
  /** Pieces of every kind: empty ones, a character cut in two, a view into a larger buffer, more small ones than the ring holds, one larger than the ring. */
  function pieces(): Uint8Array[] {
    const pack = Buffer.from('....<item>packed</item>....');
    const cut = Buffer.from('‘é’');
    const chunks: Uint8Array[] = [new Uint8Array(0), Buffer.from('<rss>'), cut.subarray(0, 4), new Uint8Array(0), cut.subarray(4), pack.subarray(4, 23)];
    for (let n = 0; n < 3000; n++) chunks.push(Buffer.from(`<item>${n} ${'i'.repeat(1500 + (n % 7))}</item>`));
    chunks.push(new Uint8Array(5 * 1024 * 1024 + 3).fill(0x41), Buffer.from('</rss>\n'), new Uint8Array(0));
    return chunks;
  }

  it('are written as the bytes they make up, by the main thread and the writing thread, and recorded under those bytes\' hash', async () => {
    const root = await tempDir();
    const chunks = pieces();
    const joined = Buffer.concat(chunks);
    expect(contentHash({ chunks })).toBe(contentHash(joined));
    const files = (): Map<string, OutputContent> =>
      new Map<string, OutputContent>([
        ['feed.xml', { chunks }],
        ['empty.json', { chunks: [new Uint8Array(0), new Uint8Array(0)] }],
        ['none.json', { chunks: [] }],
        ['small.json', { chunks: [Buffer.from('{"items": ['), Buffer.from(']}\n')] }],
      ]);
    for (const [name, options] of [
      ['main', { threadFrom: Infinity }],
      ['thread', THREAD],
      ['main-record', { threadFrom: Infinity, record: path.join(root, 'main.json') }],
      ['thread-record', { ...THREAD, record: path.join(root, 'thread.json') }],
    ] as const) {
      const out = path.join(root, name);
      await writeFolder(out, files(), options);
      expect((await readFile(path.join(out, 'feed.xml'))).equals(joined), name).toBe(true);
      expect(await readFile(path.join(out, 'small.json'), 'utf8')).toBe('{"items": []}\n');
      expect((await stat(path.join(out, 'empty.json'))).size).toBe(0);
      expect((await stat(path.join(out, 'none.json'))).size).toBe(0);
      if (!('record' in options) || options.record === undefined) continue;
      const record = await savedRecord(options.record);
      expect(record['feed.xml']![0]).toBe(contentHash(joined));
      expect(record['small.json']![0]).toBe(contentHash('{"items": []}\n'));
      expect(record['none.json']![0]).toBe(contentHash(''));
    }
  }, 60_000);

  it('are linked from the previous output when they make up the same bytes, and written again when one piece changed', async () => {
    for (const options of [{ threadFrom: Infinity }, THREAD]) {
      const root = await tempDir();
      const out = path.join(root, 'dist');
      const record = path.join(root, 'record.json');
      const chunks = pieces();
      await writeFolder(out, new Map([['feed.xml', { chunks }]]), { ...options, record });
      const before = await stat(path.join(out, 'feed.xml'));
      // The same bytes cut otherwise: one piece.
      await writeFolder(out, new Map([['feed.xml', { chunks: [Buffer.concat(chunks)] }]]), { ...options, record });
      expect((await stat(path.join(out, 'feed.xml'))).ino).toBe(before.ino);

      const changed = [...chunks];
      changed[10] = Buffer.from('<item>changed</item>');
      await writeFolder(out, new Map([['feed.xml', { chunks: changed }]]), { ...options, record });
      const written = await readFile(path.join(out, 'feed.xml'));
      expect(written.equals(Buffer.concat(changed))).toBe(true);
      const saved = (await savedRecord(record))['feed.xml']!;
      expect(saved[0]).toBe(contentHash(written));
      expect(saved[3]).toBe((await stat(path.join(out, 'feed.xml'))).ino);
      expect(saved[3]).not.toBe(before.ino);

      // Of the same length as recorded (hashed before writing, write/reuse.ts's hashFirst), yet other bytes: written again too.
      const same = [...changed];
      same[10] = Buffer.from('<item>chanGed</item>');
      const ino = saved[3];
      await writeFolder(out, new Map([['feed.xml', { chunks: same }]]), { ...options, record });
      const rewritten = await readFile(path.join(out, 'feed.xml'));
      expect(rewritten.equals(Buffer.concat(same))).toBe(true);
      expect((await savedRecord(record))['feed.xml']![0]).toBe(contentHash(rewritten));
      expect((await stat(path.join(out, 'feed.xml'))).ino).not.toBe(ino);
    }
  }, 60_000);

  it('say which folder could not be written when the disk fills up halfway through them, on either thread, and leave the previous output', async ({ skip }) => {
    const parent = await tempDir();
    const out = path.join(parent, 'dist');
    await mkdir(out);
    const refused = mountTmpfs(out, '4m');
    if (refused) return skip(refused);
    await writeFolder(out, new Map([['feed.xml', 'good']]));
    const before = await snapshot(out);
    const chunks = [...Array(5000).keys()].map((n) => Buffer.from(`<item>${n}${'i'.repeat(1000)}</item>`));
    for (const options of [{ threadFrom: Infinity }, THREAD]) {
      const error = await writeFolder(out, new Map([['feed.xml', { chunks }]]), { ...options, cwd: parent }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RunError);
      expect((error as Error).message).toBe('cannot write the output folder dist/ (ENOSPC: the disk is full; free some space and run the command again)');
      expect(await snapshot(out)).toEqual(before);
      expect(await readdir(out)).toEqual(['feed.xml']);
    }
  });
});
