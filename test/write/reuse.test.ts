import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readOutputRecord, saveOutputRecord, type OutputRecord } from '../../src/write/reuse.ts';

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
});
