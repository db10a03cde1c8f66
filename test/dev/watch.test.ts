// What the preview's watcher reports (issue 9): a save is built after a short quiet, and a write to
// a file just reported is never lost, though chokidar drops a file's changes for 50 ms after one.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchSources, type SourceWatcher } from '../../src/dev/watch.ts';

const open: SourceWatcher[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((watcher) => watcher.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('the watcher of the sources', () => {
  it('reports a file written again as soon as its first save was reported (within chokidar’s 50 ms of dropped changes)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'castwright-watch-'));
    folders.push(root);
    const content = path.join(root, 'episodes');
    const templates = path.join(root, 'templates');
    mkdirSync(content);
    mkdirSync(templates);
    const file = path.join(content, 'one.md');
    writeFileSync(file, 'first');
    const calls: string[][] = [];
    let second: () => void = () => {};
    const reportedTwice = new Promise<void>((resolve) => (second = resolve));
    const watcher = await watchSources({
      contentDir: content,
      folders: [content],
      templatesDir: templates,
      onChange: (paths) => {
        calls.push(paths);
        // At once: the build would read the file now; this write must bring another build.
        if (calls.length === 1) writeFileSync(file, 'third');
        else second();
      },
      onError: (error) => {
        throw error;
      },
    });
    open.push(watcher);
    writeFileSync(file, 'second');
    await reportedTwice;
    expect(calls.map((paths) => [...new Set(paths.map((reported) => path.resolve(reported)))])).toEqual([[file], [file]]);
  });
});
