// What `dev` watches: exactly the folders the content scan read (load/scan.ts), each without its
// sub-folders, so that a link the build refuses (to node_modules, to /usr) is never walked; and the
// templates folder. A burst of saves (editors write several times, or rename over the file)
// becomes one call.
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { isSkipped } from '../load/scan.ts';
import { EMPTY_PLAN, linksOnPaths, planNamed, watchedPaths, type NamedPlan } from './named-anchors.ts';

export interface SourceWatcher {
  /**
   * Watches exactly these content folders from now on (as the last scan reported them). Resolves
   * `true` when folders were added: what changed in them before they were watched is unknown, so
   * the caller builds once more.
   */
  follow(folders: readonly string[]): Promise<boolean>;
  /**
   * Watches these files too, from now on (what the content names: audio, artwork, transcripts,
   * the targets of links), wherever they are in the content folder, skipped folders included.
   * Resolves with those not watched before (as real paths): what happened to them between the
   * build that read them and now is unknown, so the caller builds them once more.
   */
  watchFiles(files: readonly string[]): Promise<string[]>;
  /** The content folders watched now, as the file watcher itself reports them. */
  watched(): string[];
  close(): Promise<void>;
}

export interface WatchOptions {
  contentDir: string;
  /** The content folders to watch at first, as a scan reports them. */
  folders: readonly string[];
  templatesDir: string;
  onChange: (paths: string[]) => void;
  onError: (error: Error) => void;
  quietMs?: number;
}

/** Where a folder or file really is (as given, resolved, when it does not exist). */
function realFolder(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

const inside = (file: string, folder: string) => file === folder || file.startsWith(folder + path.sep);

type OnEvent = (event: string, file: string) => void;

/** What the system reported, before chokidar's filtering: `file` in `folder`, or the watched file itself. */
type OnRaw = (candidates: string[]) => void;

async function open(paths: string[], options: ChokidarOptions, onEvent: OnEvent, onError: (error: Error) => void, onRaw: OnRaw): Promise<FSWatcher> {
  const watcher = watch(paths, { ignoreInitial: true, followSymlinks: false, ...options });
  watcher.on('all', onEvent);
  watcher.on('raw', (_event, file: unknown, details: unknown) => {
    const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof watched !== 'string') return;
    onRaw(typeof file === 'string' && file !== '' ? [path.resolve(watched, file), path.resolve(watched)] : [path.resolve(watched)]);
  });
  // Errors after start-up (too many files, no permission) are reported, not fatal.
  watcher.on('error', (error) => onError(error as Error));
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  return watcher;
}

/**
 * Chokidar reports a file's change, then drops its further changes for this long (its `_throttle`
 * of 'change'); the raw events within it are watched here instead (see `recent`).
 */
const CHOKIDAR_CHANGE_THROTTLE_MS = 50;

/**
 * How long a save stays quiet before it is built. An editor's save is one burst within a
 * millisecond or two (VS Code truncates then writes; vim writes a new file and renames it over,
 * which chokidar reports as one change); later writes to a file just reported are caught by its
 * raw events (below), so the wait only has to cover one burst.
 */
const QUIET_MS = 20;

export async function watchSources(options: WatchOptions): Promise<SourceWatcher> {
  const quietMs = options.quietMs ?? QUIET_MS;
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  // The files reported while chokidar drops their changes, each until its timer ends: one of the
  // same length, made just after chokidar's own (which it makes as it reports the change), so it
  // ends just after it, however late a loaded machine runs timers. A write to one of them then
  // would be lost if the build had already read the file.
  const recent = new Map<string, NodeJS.Timeout>();
  const notify: OnEvent = (_event, file) => {
    const absolute = path.resolve(file);
    clearTimeout(recent.get(absolute));
    recent.set(absolute, setTimeout(() => recent.delete(absolute), CHOKIDAR_CHANGE_THROTTLE_MS).unref());
    pending.push(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const paths = pending;
      pending = [];
      options.onChange(paths);
    }, quietMs);
  };
  // A raw event of a file chokidar has just reported is reported again: before the quiet ends it
  // only extends the wait; after, it asks for one more build (the build may have read the file
  // half-written). A raw event of any other file is left to chokidar.
  const onRaw: OnRaw = (candidates) => {
    const file = candidates.find((candidate) => recent.has(candidate));
    if (file !== undefined) notify('change', file);
  };

  // The parent of each root is watched too, narrowed to the root itself, so that a folder renamed
  // away and back (or checked out again by git) is picked up again instead of silently lost.
  const contentDir = path.resolve(options.contentDir);
  const contentParent = path.dirname(contentDir);
  const realContentDir = realFolder(contentDir);
  let folders = new Set<string>();
  let content: FSWatcher | undefined;
  // A watched folder that is removed stops being watched, even if it comes back: the next
  // `follow` then watches afresh.
  let lost = false;
  let closing = false;
  const onContent: OnEvent = (event, file) => {
    if (event === 'unlinkDir' && folders.has(path.resolve(file))) lost = true;
    notify(event, file);
  };
  // Chokidar, not following links, watches a link only by its name in its folder (no watcher of
  // its own). When a file takes the name again (a link replaced by the file itself), the folder's
  // listing still holds the name, so chokidar neither reports it nor watches the new file: that
  // save and every later one went unseen. So the names of the watched folders that are links are
  // kept here (from each folder's listing when it is watched, then from the folder's own events);
  // one that is no longer a link opens the folders afresh, then is reported.
  let links = new Set<string>();
  const listLinks = (list: Iterable<string>) => {
    const found = new Set<string>();
    for (const folder of list) {
      try {
        for (const entry of readdirSync(folder, { withFileTypes: true })) {
          if (entry.isSymbolicLink() && !isSkipped(entry.name)) found.add(path.join(folder, entry.name));
        }
      } catch {
        // A folder gone meanwhile holds no links; its removal is reported as such.
      }
    }
    return found;
  };
  const onContentRaw: OnRaw = (candidates) => {
    onRaw(candidates);
    // An event of a watched folder names one of its entries: [entry, folder].
    const [file, folder] = candidates;
    if (folder === undefined || !folders.has(folder) || isSkipped(path.basename(file!))) return;
    let isLink: boolean;
    try {
      isLink = lstatSync(file!).isSymbolicLink();
    } catch {
      // Gone: what takes the name next brings its own event.
      return;
    }
    if (isLink) links.add(file!);
    else if (links.delete(file!) && !closing) {
      lost = true;
      // Not awaited by anyone: a failure to open the folders again is told, never left unhandled.
      follow([...folders]).then(
        () => {
          if (!closing) notify('change', file!);
        },
        (error: unknown) => options.onError(error instanceof Error ? error : new Error(String(error))),
      );
    }
  };
  const openContent = (next: Set<string>) => {
    const roots = new Set([contentParent, ...next]);
    // Each folder alone (depth 0): its files and the names of its sub-folders, never their insides
    // unless the scan read them. Names the scan skips (editor files, _notes) change nothing.
    const ignored = (file: string) => {
      const absolute = path.resolve(file);
      if (roots.has(absolute)) return false;
      if (path.dirname(absolute) === contentParent && !next.has(absolute)) return absolute !== contentDir;
      return isSkipped(path.basename(absolute));
    };
    return open([...roots], { depth: 0, ignored }, onContent, options.onError, onContentRaw);
  };
  const refollow = async (list: readonly string[]): Promise<boolean> => {
    // Watched where they really are: a folder reached through a link is watched at its target,
    // which the scan has checked is inside the content folder.
    const next = new Set(list.map(realFolder));
    if (closing) return false;
    if (content && !lost && next.size === folders.size && [...next].every((folder) => folders.has(folder))) return false;
    const added = lost || [...next].some((folder) => !folders.has(folder));
    lost = false;
    const previous = content;
    // Listed before chokidar reads the folders: a link that becomes a file meanwhile is then at
    // worst opened afresh once more than needed, never missed.
    links = listLinks(next);
    content = await openContent(next);
    folders = next;
    await previous?.close();
    return added;
  };
  // One change of folders at a time, so that no watcher is left open behind another.
  let queue = Promise.resolve(false);
  // A failed opening is told to its caller; the queue goes on from it, so a later one is still tried.
  const follow = (list: readonly string[]) => (queue = queue.catch(() => false).then(() => refollow(list)));
  await follow(options.folders);

  const templatesDir = path.resolve(options.templatesDir);
  const templates = await open(
    [path.dirname(templatesDir)],
    { ignored: (file) => !(path.resolve(file) === path.dirname(templatesDir) || inside(path.resolve(file), templatesDir)) },
    notify,
    options.onError,
    onRaw,
  );

  // The named files, each where it really is (a change of a link's target is reported there),
  // watched from their folders (dev/named-anchors.ts).
  let named: { plan: NamedPlan; watcher?: FSWatcher } = { plan: EMPTY_PLAN };
  let namedQueue: Promise<unknown> = Promise.resolve();
  // Folders the named watcher saw removed: its watch of them is gone, even if they come back
  // (with an inode the system may give again) before the next plan.
  let namedLost = new Set<string>();
  // The folders the named watchers watch (both while one replaces another); chokidar's watchers of
  // single files in them report their events the same way.
  let namedFolders = new Set<string>();
  // The links on the way to named files (linksOnPaths), where they really are: one that a folder
  // or a file takes the place of keeps its name in chokidar's listing, so chokidar reports nothing
  // (as for the content folders' links above); their folders' own events are looked at instead.
  let namedLinks = new Set<string>();
  const onNamed: OnEvent = (event, file) => {
    if (event === 'unlinkDir') namedLost.add(path.resolve(file));
    notify(event, file);
  };
  // A watched folder moved or removed tells its own watcher, under its own name (the system's
  // events of the folder itself): chokidar may report nothing of it when the folder is back by the
  // time it looks, and the folder made again can even have the same inode.
  const onNamedRaw: OnRaw = (candidates) => {
    onRaw(candidates);
    const [entry, folder] = candidates;
    if (folder === undefined || !namedFolders.has(folder)) return;
    if (namedLinks.has(entry!)) notify('change', entry!);
    if (entry !== path.join(folder, path.basename(folder))) return;
    namedLost.add(folder);
    notify('unlinkDir', folder);
  };
  const rewatch = async (list: readonly string[]): Promise<string[]> => {
    if (closing) return [];
    const lostNow = [...namedLost];
    namedLost = new Set();
    const previous = named;
    const links = linksOnPaths(new Set(list.map((file) => path.resolve(file))), contentDir);
    const plan = planNamed(new Set(list.map(realFolder)), links);
    const linksNow = new Set(links.map((link) => path.join(realFolder(path.dirname(link)), path.basename(link))));
    // Watched afresh, hence to be read again: new files, and those watched from another folder or
    // from one that was removed meanwhile.
    const fresh = [...plan.watchedFrom]
      .filter(([file, from]) => {
        const before = previous.plan.watchedFrom.get(file);
        return before?.folder !== from.folder || before.identity !== from.identity || lostNow.some((folder) => inside(from.folder, folder));
      })
      .map(([file]) => file);
    if (fresh.length === 0 && plan.key === previous.plan.key) {
      namedLinks = linksNow;
      return [];
    }
    const { roots, ignored } = watchedPaths(plan);
    namedFolders = new Set([...namedFolders, ...roots]);
    namedLinks = new Set([...namedLinks, ...linksNow]);
    // Not persistent: chokidar then gives these watchers system watchers of their own. Persistent
    // ones are shared by path across watchers, so the new watcher of a folder made again would
    // join the old watcher's, which still watches the folder removed, and hear nothing.
    const watcher = roots.length > 0 ? await open(roots, { depth: 0, ignored, persistent: false }, onNamed, options.onError, onNamedRaw) : undefined;
    named = { plan, watcher };
    await previous.watcher?.close();
    namedFolders = new Set(roots);
    namedLinks = linksNow;
    return fresh;
  };
  const watchFiles = (list: readonly string[]) => {
    const done = namedQueue.then(() => rewatch(list));
    namedQueue = done.catch(() => undefined);
    return done;
  };

  return {
    follow,
    watchFiles,
    // The watcher lists each watched folder, and the parents of the paths given to it.
    watched: () => Object.keys(content?.getWatched() ?? {}).filter((folder) => inside(folder, realContentDir)),
    async close() {
      closing = true;
      clearTimeout(timer);
      for (const pause of recent.values()) clearTimeout(pause);
      recent.clear();
      await Promise.all([namedQueue, queue.catch(() => false)]);
      await Promise.all([content?.close(), templates.close(), named.watcher?.close()]);
    },
  };
}
