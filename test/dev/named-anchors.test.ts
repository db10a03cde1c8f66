// Where dev watches the files the content names from: their folder, or the nearest one on the path
// that exists, known by its identity so that a folder made again under the same name is another.
import { mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linksOnPaths, planNamed, watchedPaths } from '../../src/dev/named-anchors.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
const tempRoot = () => {
  const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'castwright-anchors-')));
  roots.push(root);
  return root;
};

describe('planNamed', () => {
  it('watches files in one folder from that folder alone', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, '_media'));
    const files = ['a.mp3', 'b.mp3', 'c.jpg'].map((name) => path.join(root, '_media', name));
    writeFileSync(files[0]!, '');
    const plan = planNamed(files);
    expect([...plan.anchors.keys()]).toEqual([path.join(root, '_media')]);
    expect([...plan.anchors.get(path.join(root, '_media'))!.names].sort()).toEqual(['a.mp3', 'b.mp3', 'c.jpg']);
    const { roots: watched, ignored } = watchedPaths(plan);
    expect(watched.sort()).toEqual([root, path.join(root, '_media')]);
    expect(ignored(files[1]!)).toBe(false);
    expect(ignored(path.join(root, '_media', 'other.mp3'))).toBe(true);
    expect(ignored(path.join(root, '_media'))).toBe(false);
    expect(ignored(path.join(root, 'elsewhere'))).toBe(true);
  });

  it('watches a file whose folders are missing from the nearest folder that exists, for the next one on its path', () => {
    const root = tempRoot();
    const file = path.join(root, '_a', '_b', 'ep.vtt');
    let plan = planNamed([file]);
    expect(plan.watchedFrom.get(file)!.folder).toBe(root);
    expect([...plan.anchors.get(root)!.names]).toEqual(['_a']);
    mkdirSync(path.join(root, '_a'));
    plan = planNamed([file]);
    expect(plan.watchedFrom.get(file)!.folder).toBe(path.join(root, '_a'));
    expect([...plan.anchors.get(path.join(root, '_a'))!.names]).toEqual(['_b']);
  });

  it('goes past a file that stands where a folder of the path should be', () => {
    const root = tempRoot();
    writeFileSync(path.join(root, '_text'), 'a file, not a folder');
    const plan = planNamed([path.join(root, '_text', 'ep.vtt')]);
    expect([...plan.anchors.keys()]).toEqual([root]);
    expect([...plan.anchors.get(root)!.names]).toEqual(['_text']);
  });

  it('tells a folder made again from the one it replaces, and gives the same key to the same plan', () => {
    const root = tempRoot();
    const folder = path.join(root, '_text');
    const file = path.join(folder, 'ep.vtt');
    mkdirSync(folder);
    const first = planNamed([file]);
    expect(planNamed([file]).key).toBe(first.key);
    // Renamed away, not removed: while the old folder exists the new one cannot have its inode.
    renameSync(folder, `${folder}.old`);
    mkdirSync(folder);
    const again = planNamed([file]);
    expect(again.watchedFrom.get(file)!.folder).toBe(folder);
    expect(again.watchedFrom.get(file)!.identity).not.toBe(first.watchedFrom.get(file)!.identity);
    expect(again.key).not.toBe(first.key);
  });

  it('watches a folder reached through a link where it really is', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, 'real'));
    symlinkSync(path.join(root, 'real'), path.join(root, '_link'));
    const plan = planNamed([path.join(root, '_link', 'ep.jpg')]);
    expect([...plan.anchors.keys()]).toEqual([path.join(root, 'real')]);
  });
});

describe('linksOnPaths', () => {
  // A file was watched only where it really is: a link on its way pointed elsewhere was never seen.
  it('finds the links on the paths of named files below the content folder, each once, and watches each by its name', () => {
    const root = tempRoot();
    const content = path.join(root, 'episodes');
    mkdirSync(path.join(content, '_media', 'v1'), { recursive: true });
    writeFileSync(path.join(content, '_media', 'v1', 'ep.vtt'), '');
    writeFileSync(path.join(content, '_media', 'a.vtt'), '');
    symlinkSync('v1', path.join(content, '_media', 'current'));
    symlinkSync('a.vtt', path.join(content, '_media', 'ep.vtt'));
    symlinkSync(content, path.join(root, 'show'));
    const named = [
      path.join(content, '_media', 'current', 'ep.vtt'),
      path.join(content, '_media', 'current', 'missing.vtt'),
      path.join(content, '_media', 'ep.vtt'),
      path.join(content, '_media', 'a.vtt'),
    ];
    expect(linksOnPaths(named, content).sort()).toEqual([path.join(content, '_media', 'current'), path.join(content, '_media', 'ep.vtt')]);
    // A link above the content folder (the way to it) is not the content's.
    expect(linksOnPaths([path.join(root, 'show', '_media', 'a.vtt')], path.join(root, 'show'))).toEqual([]);
    const plan = planNamed(
      named.map((file) => {
        try {
          return realpathSync(file);
        } catch {
          return file;
        }
      }),
      linksOnPaths(named, content),
    );
    const media = plan.anchors.get(path.join(content, '_media'))!;
    expect([...media.names].sort()).toEqual(['a.vtt', 'current', 'ep.vtt']);
    expect(watchedPaths(plan).ignored(path.join(content, '_media', 'current'))).toBe(false);
  });
});
