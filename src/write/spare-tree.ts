// An earlier output taken over as the work folder (the spare, write/work-area.ts), updated in place
// into the new output: listed once when it is taken, each file and folder of the new output made
// room for as it is placed (whatever the spare holds at that path that is not of its kind is
// removed: a symbolic link, a file where a folder is wanted…), and at the end everything listed
// that the new output does not have is removed. Nothing it holds is trusted: a file left where a
// file is wanted is only said to be there (`occupied`), and write/reuse.ts keeps it only when it
// is the very file the record names.
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
  /** What the spare held when taken, by full path; a folder is listed before what it holds. */
  private readonly listed = new Map<string, Kind>();
  /** Folders of the new output, there now. */
  private readonly folders = new Set<string>();
  /** Files of the new output, placed (or being placed) now. */
  private readonly files = new Set<string>();

  constructor(private readonly root: string) {
    // Walked by hand: readdirSync's own recursion, a path.join per entry, costs ~1.7 times the CPU (63 vs 37 ms for 6,112 entries).
    for (const folders = [root]; folders.length > 0; ) {
      const folder = folders.pop()!;
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = `${folder}${path.sep}${entry.name}`;
        const kind = entry.isDirectory() ? 'folder' : entry.isFile() ? 'file' : 'other';
        this.listed.set(full, kind);
        if (kind === 'folder') folders.push(full);
      }
    }
  }

  /** Makes `folder` (and its parents inside the root) a folder, removing whatever else is there. */
  folder(folder: string): void {
    if (folder === this.root || this.folders.has(folder)) return;
    this.folder(path.dirname(folder));
    const kind = this.listed.get(folder);
    if (kind !== 'folder') {
      // Never a file of the new output: a path wanted as both fails to be made (EEXIST), as in an empty folder.
      if (kind !== undefined && !this.files.has(folder)) rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder);
    }
    this.folders.add(folder);
  }

  /** Makes room for the file `file`; whether a file is there (to be checked, or replaced, by the caller). */
  occupy(file: string): boolean {
    if (this.files.has(file)) return true;
    this.files.add(file);
    const kind = this.listed.get(file);
    if (kind === 'file') return true;
    // A folder of the new output stays, and the file fails to be written (EISDIR), as in an empty folder.
    if (kind !== undefined && !this.folders.has(file)) rmSync(file, { recursive: true, force: true });
    return false;
  }

  /** Removes what the spare held that the new output does not have. */
  clear(): void {
    for (const entry of this.listed.keys()) {
      // Inside a folder removed already, or replaced by a file: gone with it.
      const parent = path.dirname(entry);
      if (parent !== this.root && !this.folders.has(parent)) continue;
      if (!this.folders.has(entry) && !this.files.has(entry)) rmSync(entry, { recursive: true, force: true });
    }
  }
}
