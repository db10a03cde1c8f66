// Which files of the content folder the build reads. Every file is either read or, when a producer
// would expect it to be, named with the reason it is not: nothing is left out without a word.
//
// - `show.yml` at the top and every `*.md` (any case) below are read; names starting with `.` or
//   `_` and `node_modules` are skipped on purpose (notes, drafts, editor files).
// - Symbolic links are followed while they stay inside the content folder; one that leads out is
//   refused with a message (an episode link is an error, a folder link a warning). Loops are cut.
// - Files that are clearly not episodes (images, CSV lists, transcripts) are passed over quietly;
//   names that look like a mistyped episode (`.markdown`, `.mdx`…) get a warning.
// - The walk is bounded, so `--content /` fails quickly with a message instead of reading the disk.
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { systemReason } from '../errors.ts';
import { displayPath, type Problem } from '../problems.ts';

export const SHOW_FILE = 'show.yml';

/** Far above a show's lifetime of episodes and assets; a folder with more is not one show's. */
export const MAX_CONTENT_ENTRIES = 50_000;

export interface EpisodeFile {
  /** Path as reached, possibly through a link inside the content folder. */
  path: string;
  /** The path in messages, relative to the working folder. */
  shown: string;
  /** The file name without `.md`. */
  slug: string;
}

export interface ContentFiles {
  /** show.yml when it is there to read. */
  show?: string;
  episodes: EpisodeFile[];
  /**
   * Every folder that was read, the content folder first: what `dev` watches. Only the content
   * folder when it holds too many entries to be one show's.
   */
  folders: string[];
  /** Why files were not read: errors (an episode that cannot be) and warnings. */
  problems: Problem[];
  /** A file at the top that was probably meant to be show.yml (`show.yaml`, `Show.yml`). */
  showLookalike?: string;
  /**
   * Every entry of the folders read, skipped ones too, as its folder (as reached) joined with its
   * name in lower case: a name not in it is not there on any file system, so it needs no look.
   */
  listed: Set<string>;
}

const EPISODE = /\.md$/i;

/** An episode's slug: its file name without the `.md` (any case) that makes it one. */
export const episodeSlug = (name: string): string => name.replace(EPISODE, '');
/** Names never read: notes, drafts and editor files (`.`, `_`), and installed packages. */
export const isSkipped = (name: string) => name.startsWith('.') || name.startsWith('_') || name === 'node_modules';
const MISTYPED_EPISODE = /\.(markdown|mdown|mdwn|mkdn?|mdx|mdtxt|mdtext)$/i;

const inside = (child: string, parent: string) => {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
};

/** Synchronous on purpose: see load/text.ts; a folder listing is as cheap as a file read. */
export function scanContentFolder(dir: string, cwd: string, maxEntries = MAX_CONTENT_ENTRIES): ContentFiles {
  const root = path.resolve(dir);
  const shown = (file: string) => displayPath(file, cwd);
  /**
   * How files of `folder` are shown, as displayPath shows them, without working out a relative path
   * per file (a thousand episodes took ~30 ms): the folder's own place is worked out once. Folders
   * here are resolved paths (path.resolve, path.join), and a name has no separator.
   */
  const shownIn = (folder: string): ((name: string) => string) => {
    // The working folder itself: a name is shown as it is (one starting with `..`, which displayPath
    // would show whole, starts with `.` and is never read).
    if (folder === cwd || path.relative(cwd, folder) === '') return (name) => name;
    const prefix = `${displayPath(folder, cwd)}/`.replace(/\/\/$/, '/');
    return (name) => prefix + name;
  };
  const found: ContentFiles = { episodes: [], folders: [], problems: [], listed: new Set() };
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (failure) {
    found.problems.push({ file: shown(root), message: `cannot be read (${systemReason(failure)})` });
    return found;
  }
  const warn = (file: string, message: string) => found.problems.push({ file: shown(file), severity: 'warning', message });
  const error = (file: string, message: string) => found.problems.push({ file: shown(file), message });

  const classify = (file: string, name: string, regular: boolean, display: string) => {
    if (EPISODE.test(name)) {
      // Also when it is not a regular file (a named pipe, a device): reading it reports why not.
      found.episodes.push({ path: file, shown: display, slug: episodeSlug(name) });
    } else if (regular && MISTYPED_EPISODE.test(name)) {
      warn(file, `is not read: episode files end in .md; rename it to ${name.replace(MISTYPED_EPISODE, '.md')} if it is an episode, or start its name with _ to silence this`);
    }
  };

  /** Reads a link's target like the entry itself; a folder to descend into is returned. */
  const followLink = (file: string, name: string, isShow: boolean): string | undefined => {
    const named = EPISODE.test(name) || isShow;
    let target: string;
    try {
      target = realpathSync(file);
    } catch (failure) {
      const code = (failure as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'its target does not exist' : code === 'ELOOP' ? 'it is a loop of links' : systemReason(failure);
      if (named) error(file, `is a broken link (${reason}); expected the file itself, or a link to one inside the content folder`);
      return undefined;
    }
    const info = statSync(target, { throwIfNoEntry: false });
    if (!inside(target, realRoot)) {
      const where = `a link to ${target}, outside the content folder ${shown(root)}/`;
      if (named) error(file, `is ${where}; castwright reads nothing outside it: put the file itself in the folder`);
      else if (info?.isDirectory()) warn(file, `is ${where}; it is not followed: move what it holds into the folder, or start its name with _ to silence this`);
      return undefined;
    }
    if (info?.isDirectory()) return file;
    if (isShow) found.show = file;
    else classify(file, name, info?.isFile() ?? false, shown(file));
    return undefined;
  };

  // Real folders first, depth first in name order; folders reached through links afterwards, so a
  // link to a folder that is read anyway is the one reported, and loops end.
  const visited = new Set<string>();
  const pending: string[] = [root];
  const linked: string[] = [];
  let entries = 0;
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop() ?? linked.shift()) {
    let real: string;
    let list: Dirent[];
    try {
      real = realpathSync(folder);
      if (visited.has(real)) {
        warn(folder, `is a link to ${shown(real)}/, which is read already; it is not read twice`);
        continue;
      }
      visited.add(real);
      list = readdirSync(folder, { withFileTypes: true });
    } catch (failure) {
      // A folder that vanished while it was scanned holds nothing to read.
      const code = (failure as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') error(folder, `cannot be read (${systemReason(failure)})`);
      continue;
    }
    found.folders.push(folder);
    entries += list.length;
    if (entries > maxEntries) {
      // Clearly not one show's folder: one message instead of thousands.
      return {
        episodes: [],
        folders: [root],
        listed: new Set(),
        problems: [
          {
            file: shown(root),
            message: `holds more than ${maxEntries.toLocaleString('en')} files and folders; expected the folder of one show (show.yml and its episodes): is --content right?`,
          },
        ],
      };
    }
    const subfolders: string[] = [];
    // path.join(folder, name), without normalizing a path that is normal already.
    const base = folder.endsWith(path.sep) ? folder : folder + path.sep;
    const shownName = shownIn(folder);
    for (const entry of list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      found.listed.add(base + entry.name.toLowerCase());
      if (isSkipped(entry.name)) continue;
      const file = base + entry.name;
      const isShow = folder === root && entry.name === SHOW_FILE;
      if (folder === root && !isShow && /^show\.ya?ml$/i.test(entry.name)) found.showLookalike = entry.name;
      if (entry.isDirectory()) subfolders.push(file);
      else if (entry.isSymbolicLink()) {
        const target = followLink(file, entry.name, isShow);
        if (target) linked.push(target);
      } else if (isShow) found.show = file;
      else classify(file, entry.name, entry.isFile(), shownName(entry.name));
    }
    pending.push(...subfolders.reverse());
  }
  found.episodes.sort((a, b) => (a.shown < b.shown ? -1 : a.shown > b.shown ? 1 : 0));
  return found;
}
