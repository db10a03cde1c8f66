// Files castwright reads back (cache packs, records, code caches) may have been replaced by anything.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_STATE_BYTES, readRegularFile, readRegularFileAsync } from '../src/regular-file.ts';
import { cleanUp, tempDir } from './helpers/content.ts';

afterEach(cleanUp);

describe('a file read back (readRegularFile)', () => {
  // A named pipe by its name held the build forever; a link to /dev/zero was read without end.
  it('is refused, without waiting, when it is a named pipe, a link to a device or a folder', async () => {
    const folder = await tempDir();
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    symlinkSync('/dev/zero', path.join(folder, 'zero'));
    mkdirSync(path.join(folder, 'dir'));
    for (const name of ['pipe', 'zero', 'dir']) {
      expect(() => readRegularFile(path.join(folder, name))).toThrow(expect.objectContaining({ code: 'EFTYPE' }));
      await expect(readRegularFileAsync(path.join(folder, name))).rejects.toMatchObject({ code: 'EFTYPE' });
    }
    writeFileSync(path.join(folder, 'file'), 'kept');
    expect(readRegularFile(path.join(folder, 'file')).toString()).toBe('kept');
    expect((await readRegularFileAsync(path.join(folder, 'file'))).toString()).toBe('kept');
  });

  // A 600 MB sparse pack was read whole: the build peaked at ~690 MB.
  it('is refused, by its size and unread, when larger than castwright writes there', async () => {
    const folder = await tempDir();
    const file = path.join(folder, 'huge');
    writeFileSync(file, '');
    truncateSync(file, MAX_STATE_BYTES + 1);
    const refused = expect.objectContaining({ code: 'EFBIG', size: MAX_STATE_BYTES + 1, limit: MAX_STATE_BYTES });
    expect(() => readRegularFile(file)).toThrow(refused);
    await expect(readRegularFileAsync(file)).rejects.toEqual(refused);
    // A caller's own limit.
    writeFileSync(file, '12345');
    expect(() => readRegularFile(file, 4)).toThrow(expect.objectContaining({ code: 'EFBIG', size: 5, limit: 4 }));
    expect(readRegularFile(file, 5).toString()).toBe('12345');
  });

  // fstat's size was all the limit looked at: a file that says 0 bytes (a file of /proc, a file
  // grown from empty after the check) was read to its end, whatever its length.
  it('is read no further than the limit when its size said less', async () => {
    const file = '/proc/self/maps';
    const length = readFileSync(file).length;
    expect(length).toBeGreaterThan(64);
    const refused = expect.objectContaining({ code: 'EFBIG', limit: 64 });
    expect(() => readRegularFile(file, 64)).toThrow(refused);
    await expect(readRegularFileAsync(file, 64)).rejects.toEqual(refused);
    // Within the limit, all of it (of more than one read's first guess).
    expect(readRegularFile('/proc/self/status', 1 << 20).toString()).toMatch(/^Name:/);
    expect((await readRegularFileAsync('/proc/self/status', 1 << 20)).toString()).toMatch(/\nPid:\s+\d+\n/);
  });

  it('is read whole at the limit, over one read and several', async () => {
    const folder = await tempDir();
    const file = path.join(folder, 'file');
    for (const size of [0, 1, 64 * 1024, 64 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const bytes = Buffer.alloc(size, 'abcdefg');
      writeFileSync(file, bytes);
      for (const limit of [size, size + 1]) {
        expect(readRegularFile(file, limit).equals(bytes)).toBe(true);
        expect((await readRegularFileAsync(file, limit)).equals(bytes)).toBe(true);
      }
      if (size > 0) expect(() => readRegularFile(file, size - 1)).toThrow(expect.objectContaining({ code: 'EFBIG', size, limit: size - 1 }));
    }
  });
});
