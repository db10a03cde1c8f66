// What a dev build read from the content folder, kept for the next one: a save reads again only the
// files the watcher says changed (issue 9). Kept by real path, as the watcher reports changes
// (dev/watch.ts watches each folder where it really is); a link is never kept, since a change of
// its target is reported under the target's name, not the link's.
import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { readSourceText, type SourceText } from '../load/text.ts';

const under = (file: string, folder: string) => file === folder || file.startsWith(folder + path.sep);

function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

export class KeptReads {
  private readonly reads = new Map<string, { shown: string; read: SourceText }>();
  /** Each folder's real path, found once per build (a folder may be replaced by a link between builds). */
  private readonly realFolders = new Map<string, string | undefined>();
  /** The files that links read since `forget` lead to: their changes are reported under these names. */
  private readonly targets = new Set<string>();

  /** Forgets what these paths held and anything under them (a folder moved away and back); everything when unknown. */
  forget(paths: readonly string[] | undefined): void {
    this.realFolders.clear();
    this.targets.clear();
    if (!paths) {
      this.reads.clear();
      return;
    }
    const gone = [...new Set(paths.flatMap((file) => [path.resolve(file), realOrResolved(file)]))];
    for (const key of this.reads.keys()) if (gone.some((file) => under(key, file))) this.reads.delete(key);
  }

  /** Reads as load/text.ts does; a regular file, or one that is not there, is kept until it changes. */
  read = (file: string, shown: string): SourceText => {
    const key = this.keyOf(file);
    const kept = key === undefined ? undefined : this.reads.get(key);
    if (kept && kept.shown === shown) return kept.read;
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (info?.isSymbolicLink()) this.targets.add(realOrResolved(file));
    const read = readSourceText(file, shown);
    if (key !== undefined && (info === undefined ? 'problem' in read && read.missing : info.isFile())) this.reads.set(key, { shown, read });
    return read;
  };

  /** Where the links read since `forget` lead (to be watched: a change there is not reported at the link). */
  linkTargets(): string[] {
    return [...this.targets];
  }

  private keyOf(file: string): string | undefined {
    const folder = path.dirname(path.resolve(file));
    if (!this.realFolders.has(folder)) {
      let real: string | undefined;
      try {
        real = realpathSync(folder);
      } catch {
        real = undefined;
      }
      this.realFolders.set(folder, real);
    }
    const real = this.realFolders.get(folder);
    return real === undefined ? undefined : path.join(real, path.basename(file));
  }
}
