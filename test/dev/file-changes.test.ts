// dev sends a save's files across threads as what changed since the files the server holds
// (issue 9): applied to those, the changes must give exactly the new build's files.
import { describe, expect, it } from 'vitest';
import { applyChanges, diffFiles } from '../../src/dev/build-worker.ts';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('the files a save sends to the server', () => {
  const before = files({ 'index.html': 'home', 'episodes/a/index.html': 'a', 'episodes/b/index.html': 'b', 'feed.xml': 'feed' });
  const after = files({ 'index.html': 'home, retitled', 'episodes/a/index.html': 'a', 'episodes/c/index.html': 'c', 'feed.xml': 'feed' });

  it('are only the changed, added and removed files, and rebuild the new set exactly', () => {
    const changes = diffFiles(before, 'one', after, 'two');
    expect(changes).toEqual({ id: 'two', base: 'one', set: [['index.html', 'home, retitled'], ['episodes/c/index.html', 'c']], removed: ['episodes/b/index.html'] });
    expect(applyChanges(before, changes)).toEqual(after);
  });

  it('are every file when the server holds none the thread knows of, and then replace what it holds', () => {
    const changes = diffFiles(undefined, undefined, after, 'fresh');
    expect(changes.base).toBeUndefined();
    expect(applyChanges(before, changes)).toEqual(after);
  });

  it('leave the files they were applied to as they were', () => {
    const copy = new Map(before);
    applyChanges(before, diffFiles(before, 'one', after, 'two'));
    expect(before).toEqual(copy);
  });
});
