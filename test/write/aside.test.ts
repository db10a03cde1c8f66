// Bytes set aside in a file of the work area until the file they belong in is written (issue 9).
import { closeSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/cache/fingerprint.ts';
import { AsidePieces, piecesOf } from '../../src/model/pieces.ts';
import { AsideFile } from '../../src/write/aside.ts';

describe('bytes set aside', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'castwright-aside-'));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const bytes = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed) % 251));

  it('come back in order with the pieces held, large runs a batch at a time, the file gone from its folder at once', () => {
    const file = path.join(folder, 'aside');
    const aside = new AsideFile(file);
    expect(existsSync(file)).toBe(false);
    const held = [bytes(10, 1), bytes(20, 2)];
    const big = [bytes(700_000, 3), bytes(700_000, 4), bytes(5, 5)];
    // Between them, bytes of another file: the runs are not contiguous in the aside file.
    const pieces = [held[0]!, aside.put(big[0]!), (aside.put(bytes(100, 9)), aside.put(big[1]!)), aside.put(big[2]!), held[1]!, aside.put(new Uint8Array(0))];
    const content = piecesOf(pieces);
    if (!(content instanceof AsidePieces)) throw new Error('expected pieces set aside');
    const whole = Buffer.concat([held[0]!, ...big, held[1]!]);
    expect(content.byteLength).toBe(whole.length);
    const chunks = [...content.chunks()];
    expect(Buffer.concat(chunks).equals(whole)).toBe(true);
    // At most a batch (1 MiB) read at once, unless one piece is larger.
    expect(Math.max(...chunks.map((chunk) => chunk.byteLength))).toBeLessThanOrEqual(1024 * 1024);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(contentHash(content)).toBe(contentHash(whole));
    aside.close();
    aside.close();
    expect(() => [...content.chunks()]).toThrow(/closed/);
  });

  it('come back as put, many small ones read back while more are put, before and after they reach the file', () => {
    const aside = new AsideFile(path.join(folder, 'aside'));
    const put: Array<[Buffer, ReturnType<AsideFile['put']>]> = [];
    const check = (index: number) => {
      const [bytes, set] = put[index]!;
      const back = Buffer.alloc(bytes.length + 2);
      set.readInto(back, 1);
      expect(back.subarray(1, -1).equals(bytes)).toBe(true);
    };
    for (let i = 0; i < 400; i++) {
      const bytes = Buffer.from(Array.from({ length: 300 + (i % 5) * 400 }, (_, j) => (i + j) % 256));
      put.push([bytes, aside.put(bytes)]);
      if (i % 37 === 0) check(i);
      if (i % 53 === 0) check(i >> 1);
    }
    for (let i = 0; i < put.length; i++) check(i);
    aside.close();
  });

  it('are not needed when every piece is held: plain ByteChunks', () => {
    const held = [bytes(3, 1), bytes(4, 2)];
    expect(piecesOf(held)).toEqual({ chunks: held });
  });
});

describe('bytes that cannot be set aside', () => {
  // A full disk while a build set feed items aside was "write failed (ENOSPC…)", naming no file.
  it('fail with the error the file was made with, for a write and for a read', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'castwright-aside-'));
    try {
      const aside = new AsideFile(path.join(folder, 'aside'), (error) => new Error(`cannot write the output folder dist/ (${(error as NodeJS.ErrnoException).code})`));
      const kept = aside.put(Buffer.alloc(100));
      // The file's descriptor closed behind its back: its next write fails as a full disk would.
      closeSync((aside as unknown as { fd: number }).fd);
      expect(() => aside.put(Buffer.alloc(128 * 1024))).toThrow('cannot write the output folder dist/ (EBADF)');
      expect(() => kept.readInto(new Uint8Array(100), 0)).toThrow('cannot write the output folder dist/ (EBADF)');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
