// A process that runs the guard again and again (dev on every save, a test's builds) keeps each
// feed file it read while the file is unchanged (run-guard.ts's readCached). A hand edit of the
// same size whose modification time is put back exactly (touch -d @s.ns, rsync -t, a restore)
// must still be read again: the guard compares with what the file holds, not what it held.
import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runGuard } from '../../src/check/run-guard.ts';
import { generate } from '../../src/pipeline.ts';
import { cleanUp } from '../helpers/content.ts';
import { sampleShow } from './helpers.ts';

afterEach(cleanUp);

describe('a feed file the guard read before', () => {
  it('is read again after a same-size edit in place with its modification time put back', async () => {
    const root = await sampleShow({ built: true });
    const contentDir = path.join(root, 'episodes');
    const { publication } = await generate({ contentDir, cwd: root });
    const guard = () => runGuard({ publication, cwd: root, contentDir });
    expect((await guard()).findings).toEqual([]);

    const file = path.join(root, 'dist', 'feed.xml');
    const { mtimeNs } = await stat(file, { bigint: true });
    const text = await readFile(file, 'utf8');
    const guid = /<guid[^>]*>([^<]+)<\/guid>/.exec(text)![1]!;
    await writeFile(file, text.replace(`>${guid}<`, `>${'x'.repeat(guid.length)}<`));
    execFileSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, file]);
    expect((await stat(file, { bigint: true })).mtimeNs).toBe(mtimeNs);

    expect((await guard()).findings.map((finding) => finding.message).join('\n')).toContain('guid');
  }, 60_000);
});
