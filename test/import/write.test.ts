// The import's writes: all new files or none, never over a file that exists.
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError } from '../../src/errors.ts';
import { writeNewFiles } from '../../src/import/write.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const files = (dir: string, names: string[]) => names.map((name) => ({ path: path.join(dir, name), content: `# ${name}\n`, shown: `episodes/${name}` }));

describe('writing the imported files', () => {
  it('creates the folder and every file', async () => {
    const dir = path.join(await tempDir(), 'episodes');
    writeNewFiles(dir, files(dir, ['show.yml', 'a.md', 'b.md']));
    expect((await readdir(dir)).sort()).toEqual(['a.md', 'b.md', 'show.yml']);
    expect(await readFile(path.join(dir, 'a.md'), 'utf8')).toBe('# a.md\n');
  });

  it('writes nothing when one name was taken meanwhile, and leaves that file as it was', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'b.md'), 'the host wrote this');
    expect(() => writeNewFiles(dir, files(dir, ['a.md', 'b.md', 'c.md']))).toThrow(RunError);
    expect(() => writeNewFiles(dir, files(dir, ['a.md', 'b.md', 'c.md']))).toThrow(/cannot create \(another program made it meanwhile\); nothing was imported: episodes\/b\.md \(EEXIST/);
    expect(await readdir(dir)).toEqual(['b.md']);
    expect(await readFile(path.join(dir, 'b.md'), 'utf8')).toBe('the host wrote this');
  });

  it('removes a folder it created when the run fails', async () => {
    const root = await tempDir();
    const dir = path.join(root, 'episodes');
    const broken = [...files(dir, ['a.md']), { path: path.join(dir, 'missing', 'b.md'), content: 'x', shown: 'episodes/missing/b.md' }];
    expect(() => writeNewFiles(dir, broken)).toThrow(/cannot write; nothing was imported: episodes\/missing\/b\.md \(ENOENT/);
    expect(existsSync(dir)).toBe(false);
  });
});
