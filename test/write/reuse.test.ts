import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOutputRecord, saveOutputRecord, type OutputRecord } from '../../src/write/reuse.ts';
import { HOST } from '../../src/write/work-area.ts';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('saveOutputRecord', () => {
  it('writes, in pieces, the very text JSON.stringify makes of the record as one object', () => {
    folder = mkdtempSync(path.join(tmpdir(), 'castwright-record-'));
    const record: OutputRecord = { file: path.join(folder, 'cache', 'output-x.json'), target: path.join(folder, 'dist "é"'), previous: new Map(), next: new Map() };
    // Names an object lists first (array indexes, in numeric order), quotes, non-ASCII, and enough of
    // them for several pieces.
    const names = ['index.html', '10', 'episodes/a "b"/index.html', '2', 'épisode/ü.txt', '4294967295', '01', '4294967294'];
    for (let i = 0; i < 20_000; i++) names.push(`episodes/episode-${i}/index.html`);
    names.forEach((name, i) => record.next.set(name, { hash: 'ab'.repeat(32), size: i, mtimeMs: 1_733_234_567_890.123 + i, ino: 1000 + i }));
    saveOutputRecord(record);

    const files: Record<string, [string, number, number, number]> = {};
    for (const [relative, { hash, size, mtimeMs, ino }] of record.next) files[relative] = [hash, size, mtimeMs, ino];
    const text = readFileSync(record.file, 'utf8');
    expect(text).toBe(JSON.stringify({ format: 'castwright-output-record-2', target: record.target, files }));
    expect(readOutputRecord(record.file, record.target).previous).toEqual(record.next);
  });

  it('leaves the file as it is for a build whose record is the one it read (nothing changed); any other is written', () => {
    folder = mkdtempSync(path.join(tmpdir(), 'castwright-record-'));
    const file = path.join(folder, 'output-x.json');
    const first: OutputRecord = { file, target: folder, previous: new Map(), next: new Map() };
    for (const name of ['index.html', '7', 'feed.xml', '3']) first.next.set(name, { hash: 'ab'.repeat(32), size: 1, mtimeMs: 2.5, ino: name.length });
    saveOutputRecord(first);
    const written = statSync(file).ino;
    const again = readOutputRecord(file, folder);
    // Set in another order, but listed in the same (array indexes first, in numeric order).
    for (const name of ['7', 'index.html', '3', 'feed.xml']) again.next.set(name, first.next.get(name)!);
    saveOutputRecord(again);
    expect(statSync(file).ino).toBe(written);
    // One file's time changed: written anew, whole.
    const changed = readOutputRecord(file, folder);
    for (const [name, recorded] of again.previous) changed.next.set(name, name === 'feed.xml' ? { ...recorded, mtimeMs: 3 } : recorded);
    saveOutputRecord(changed);
    expect(statSync(file).ino).not.toBe(written);
    expect(readOutputRecord(file, folder).previous.get('feed.xml')!.mtimeMs).toBe(3);
    // One file fewer: written anew.
    const fewer = readOutputRecord(file, folder);
    for (const [name, recorded] of fewer.previous) if (name !== '7') fewer.next.set(name, recorded);
    saveOutputRecord(fewer);
    expect([...readOutputRecord(file, folder).previous.keys()]).toEqual(['3', 'index.html', 'feed.xml']);
  });
});

describe('the temporary file of a record being written', () => {
  // A build killed while it wrote the record left output-….json.<pid>.tmp in the cache for ever.
  it('is removed by the next build when its process has ended, never while it runs, nor when another machine wrote it', async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'castwright-record-'));
    const file = path.join(folder, 'output-x.json');
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    const running = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const names = {
        // As earlier versions named it: the process alone.
        endedBefore: `output-x.json.${ended}.tmp`,
        ended: `output-x.json.${HOST}-${ended}.tmp`,
        running: `output-x.json.${HOST}-${running.pid}.tmp`,
        runningBefore: `output-x.json.${running.pid}.tmp`,
        otherMachine: `output-x.json.${HOST === '00000000' ? '11111111' : '00000000'}-${ended}.tmp`,
        otherRecord: `output-y.json.${HOST}-${ended}.tmp`,
        notOurs: `output-x.json.${ended}.tmp.keep`,
      };
      for (const name of Object.values(names)) writeFileSync(path.join(folder, name), '{"format":');
      readOutputRecord(file, folder);
      const left = new Set(readdirSync(folder));
      expect(Object.fromEntries(Object.entries(names).map(([how, name]) => [how, left.has(name)]))).toEqual({
        endedBefore: false,
        ended: false,
        running: true,
        runningBefore: true,
        otherMachine: true,
        otherRecord: true,
        notOurs: true,
      });
    } finally {
      running.kill();
    }
  });
});
