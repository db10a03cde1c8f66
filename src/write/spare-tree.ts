// An earlier output taken over as the work folder (the spare, write/work-area.ts), updated in place
// into the new output: listed when the new output is complete (at commit), then cleared of
// everything the new output does not have at that path and of that kind (a file where a folder is
// wanted, a symbolic link…), and only then are the new output's files placed. Cleared first so
// that on a disk that ignores case, `Foo.html` of the previous output is gone before `foo.html` is
// written. Nothing it holds is trusted: a file left where a file is wanted is only said to be there
// (`occupied`), and write/reuse.ts keeps it only when it is the very file the record names.
//
// On the main thread, at commit (write/atomic.ts's writeTree). Done on the writing thread instead,
// as files were rendered, with the spare listed there while the show loaded, it took ~230 ms off
// the main thread of a one-edit build of 1,000 episodes, but the thread's start, the files handed
// over and its own heap cost more CPU (user +0.33 s, 2.05 -> 2.38 s) and 40 MB, and the build was
// no shorter on two cores shared with other work (wall 5.91 -> 6.33 s; medians of 6 paired runs).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

type Kind = 'folder' | 'file' | 'other';

export class SpareTree {
  /** What the spare holds that the new output keeps, by full path; a folder is listed before what it holds. */
  private readonly listed = new Map<string, Kind>();
  /** Folders of the new output, there now. */
  private readonly made = new Set<string>();

  /** `files`: every file of the new output, by full path inside `root`. */
  constructor(
    private readonly root: string,
    files: Iterable<string>,
  ) {
    const wanted = new Map<string, Kind>();
    for (const file of files) {
      wanted.set(file, 'file');
      for (let folder = path.dirname(file); folder !== root && !wanted.has(folder); folder = path.dirname(folder)) {
        if (!folder.startsWith(root + path.sep)) throw new Error(`refusing to write outside the output folder: ${file}`);
        wanted.set(folder, 'folder');
      }
    }
    // Walked by hand: readdirSync's own recursion, a path.join per entry, costs ~1.7 times the CPU (63 vs 37 ms for 6,112 entries).
    for (const folders = [root]; folders.length > 0; ) {
      const folder = folders.pop()!;
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = `${folder}${path.sep}${entry.name}`;
        const kind = entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
        if (wanted.get(full) === kind) {
          this.listed.set(full, kind);
          if (kind === 'folder') folders.push(full);
        } else {
          // Not wanted, or not of this kind. (A path wanted as both a file and a folder then fails
          // to be made, EEXIST or EISDIR, as it does in an empty folder.)
          rmSync(full, { recursive: true, force: true });
        }
      }
    }
  }

  /** Makes `folder` (and its parents inside the root) a folder of the new output. */
  folder(folder: string): void {
    if (folder === this.root || this.made.has(folder)) return;
    this.folder(path.dirname(folder));
    if (this.listed.get(folder) !== 'folder') mkdirSync(folder);
    this.made.add(folder);
  }

  /** Whether a file is there already at `file` (to be checked, or replaced, by the caller). */
  occupied(file: string): boolean {
    return this.listed.get(file) === 'file';
  }
}
