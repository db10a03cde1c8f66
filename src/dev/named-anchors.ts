// Where `dev` watches a file the content names (audio, artwork, a transcript, a link's target):
// from its folder, or from the nearest folder on its path that exists when that one does not. A
// watcher on the file itself dies with its folder (removed, renamed away) and never sees the folder
// made again; a watcher on the folder, and on the folder's parent narrowed to it, sees both: the
// folder's return is an event, and the next plan then watches from further down.
import { lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** A folder watched for named files: its real path, which folder it is, and the entries that matter in it. */
export interface Anchor {
  folder: string;
  /** Device and inode: a folder removed and made again under the same name is another folder. */
  identity: string;
  /** The named files in it, or the next folder on the path to one not there. */
  names: Set<string>;
}

export interface NamedPlan {
  anchors: Map<string, Anchor>;
  /** Each named file (real path) and the anchor it is watched from. */
  watchedFrom: Map<string, Anchor>;
  /** The plan as one text: two plans that watch the same way have the same key. */
  key: string;
}

export const EMPTY_PLAN: NamedPlan = { anchors: new Map(), watchedFrom: new Map(), key: '' };

type Found = { folder: string; identity: string } | undefined;

/**
 * The links on the paths of these named files (as named, absolute) below `within` (the content
 * folder), the files themselves included: a file is watched where it really is, so a link on its
 * way made to lead elsewhere (`_media/current` pointed from v1/ to v2/, a transcript that is a
 * link pointed at another file) changes nothing there. Each is watched by its own name in its
 * folder (planNamed's `links`). Only paths that are not where they really are have any; each
 * folder is looked at once.
 */
export function linksOnPaths(named: Iterable<string>, within: string): string[] {
  const links = new Set<string>();
  const looked = new Set<string>();
  for (const file of named) {
    let real: string | undefined;
    try {
      real = realpathSync(file);
    } catch {
      real = undefined;
    }
    if (real === file) continue;
    for (let at = file; at.startsWith(within + path.sep) && !looked.has(at); at = path.dirname(at)) {
      looked.add(at);
      try {
        if (lstatSync(at).isSymbolicLink()) links.add(at);
      } catch {
        // Not there: what takes the name is seen from the nearest folder that is.
      }
    }
  }
  return [...links];
}

/**
 * The anchors of these named files (real paths, or resolved ones when not there), and of the links
 * on their way (linksOnPaths), each watched by its name in its folder.
 */
export function planNamed(files: Iterable<string>, links: Iterable<string> = []): NamedPlan {
  // Each folder looked up once per plan: a show names thousands of files in a handful of folders.
  const folders = new Map<string, Found>();
  const find = (folder: string): Found => {
    if (folders.has(folder)) return folders.get(folder);
    let found: Found;
    try {
      const real = realpathSync(folder);
      const info = statSync(real);
      if (info.isDirectory()) found = { folder: real, identity: `${info.dev}:${info.ino}` };
    } catch {
      found = undefined;
    }
    folders.set(folder, found);
    return found;
  };
  const anchors = new Map<string, Anchor>();
  const watchedFrom = new Map<string, Anchor>();
  for (const file of files) {
    let entry = file;
    let folder = path.dirname(file);
    let found = find(folder);
    // Up the path, one folder a step: bounded by its depth (the root always exists).
    while (found === undefined && path.dirname(folder) !== folder) {
      entry = folder;
      folder = path.dirname(folder);
      found = find(folder);
    }
    if (found === undefined) continue;
    let anchor = anchors.get(found.folder);
    if (!anchor) anchors.set(found.folder, (anchor = { ...found, names: new Set() }));
    anchor.names.add(path.basename(entry));
    watchedFrom.set(file, anchor);
  }
  for (const link of links) {
    const found = find(path.dirname(link));
    if (found === undefined) continue;
    let anchor = anchors.get(found.folder);
    if (!anchor) anchors.set(found.folder, (anchor = { ...found, names: new Set() }));
    anchor.names.add(path.basename(link));
  }
  const key = [...anchors.values()]
    .map((anchor) => `${anchor.folder}@${anchor.identity}/${[...anchor.names].sort().join('/')}`)
    .sort()
    .join('\n');
  return { anchors, watchedFrom, key };
}

/**
 * The paths to watch for a plan, each folder alone (depth 0): every anchor, and its parent narrowed
 * to it. `ignored` keeps, inside those, only the entries that matter.
 */
export function watchedPaths(plan: NamedPlan): { roots: string[]; ignored: (file: string) => boolean } {
  const roots = new Set<string>();
  const admitted = new Map<string, Set<string>>();
  const admit = (folder: string, name: string) => {
    let names = admitted.get(folder);
    if (!names) admitted.set(folder, (names = new Set()));
    names.add(name);
  };
  for (const anchor of plan.anchors.values()) {
    roots.add(anchor.folder);
    for (const name of anchor.names) admit(anchor.folder, name);
    const parent = path.dirname(anchor.folder);
    if (parent === anchor.folder) continue;
    roots.add(parent);
    admit(parent, path.basename(anchor.folder));
  }
  const ignored = (file: string) => {
    const absolute = path.resolve(file);
    if (roots.has(absolute)) return false;
    return !admitted.get(path.dirname(absolute))?.has(path.basename(absolute));
  };
  return { roots: [...roots], ignored };
}
