// Files castwright reads back (cache packs, records, code caches) may have been replaced by anything.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRegularFile } from '../src/regular-file.ts';
import { cleanUp, tempDir } from './helpers/content.ts';

afterEach(cleanUp);

describe('a file read back (readRegularFile)', () => {
  // A named pipe by its name held the build forever; a link to /dev/zero was read without end.
  it('is refused, without waiting, when it is a named pipe, a link to a device or a folder', async () => {
    const folder = await tempDir();
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    symlinkSync('/dev/zero', path.join(folder, 'zero'));
    mkdirSync(path.join(folder, 'dir'));
    for (const name of ['pipe', 'zero', 'dir']) expect(() => readRegularFile(path.join(folder, name))).toThrow(expect.objectContaining({ code: 'EFTYPE' }));
    writeFileSync(path.join(folder, 'file'), 'kept');
    expect(readRegularFile(path.join(folder, 'file')).toString()).toBe('kept');
  });
});
