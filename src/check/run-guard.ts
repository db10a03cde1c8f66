// The publish guard as one step of a command (build, check, dev, publish): find the feed to compare
// with, read it, compare. Fail closed: a feed that exists but cannot be read is an error finding,
// never a guard silently skipped. Only a first build (no earlier feed.xml in --out) or an explicit
// --no-guard compares with nothing. A caller may read the live feed itself (publish reads the one
// its target holds); then only "there is none" compares with nothing.
import { lstat, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Episode, Publication } from '../model/types.ts';
import type { ParsedArgs } from '../cli/args.ts';
import { printProblems, type Io } from '../cli/terminal.ts';
import { problemLocation } from '../problems.ts';
import { finding, type Finding } from './finding.ts';
import { guardPublication } from './guard.ts';
import { UsageError } from '../errors.ts';
import { isUrlLike, MAX_OWN_FEED_BYTES } from '../feed-reader/source.ts';
import {
  UnreadableFeed,
  assembleParts,
  feedMemoFromJson,
  feedMemoToJson,
  followPages,
  pageFileName,
  parseLiveFeed,
  parseLiveFeedInParts,
  readLiveFeed,
  writtenFeedMemo,
  type FeedParts,
  type LiveFeed,
  type ReadFeed,
} from './live.ts';
import type { FileSink } from '../render/publication.ts';
import type { ByteChunks } from '../model/source-file.ts';
import { isPieces, samePieces, type AsidePieces } from '../model/pieces.ts';
import { hashOf } from '../cache/fingerprint.ts';
import { readRegularFile } from '../regular-file.ts';
import type { BuildCache } from '../cache/store.ts';

export const DEFAULT_GUARD_TIMEOUT_MS = 30_000;

export interface GuardStepOptions {
  publication: Publication;
  /** Every episode loaded (drafts included). */
  episodes?: readonly Episode[];
  cwd: string;
  contentDir: string;
  /** `--against`; without it, `<out>/feed.xml` when an earlier build left one. */
  against?: string;
  out?: string;
  accept?: readonly string[];
  skip?: boolean;
  /** Keeps the earlier build's feed as read, by a hash of its bytes (a build passes its cache). */
  cache?: BuildCache;
  /** Deadline for an --against URL; DEFAULT_GUARD_TIMEOUT_MS without it (build, publish). */
  timeoutMs?: number;
  /** The option that set timeoutMs (check's --timeout), named when the deadline passes; build and publish have none. */
  timeoutOption?: string;
  /** Without --against: the live feed as the caller reads it (publish: the feed.xml its target holds). */
  live?: LiveSource;
  /** Told, by spec, each feed file an earlier build wrote that was read with the cache: what recordFeedMemos starts from. */
  read?: Map<string, ReadFeed>;
}

export interface LiveSource {
  /** How messages name it. */
  name: string;
  /**
   * Its bytes, or undefined when there is none yet (nothing was ever published there). Throws
   * UnreadableFeed for one that is there but cannot be read, and RunError when it cannot be asked.
   */
  read(): Promise<Buffer | undefined>;
  /** A page of a paged feed by its file name (beside the feed): its bytes and how messages name it, or undefined when missing. */
  readPage(name: string): Promise<{ bytes: Buffer; name: string } | undefined>;
  /** What to do when it cannot be read. */
  advice: string;
}

export interface GuardStep {
  /** The feed compared with; absent when nothing was compared. */
  against?: string;
  /** Why nothing was compared. */
  skipped?: string;
  findings: Finding[];
  /** Changes acknowledged by --accept or a note, with how. */
  accepted: Array<{ finding: Finding; by: string }>;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // Anything else (EACCES on the folder) is for the reader to report, failing closed.
    return true;
  }
}

/** Feeds read from files, kept while the file is unchanged: `dev` compares with dist/feed.xml on every save. */
const fileFeeds = new Map<string, { stamp: string; live: LiveFeed; read?: ReadFeed }>();

/**
 * One feed file or URL, read once while unchanged; each page of a paged feed is kept on its own.
 * `own`: a file an earlier build wrote (its feed.xml and every page beside a feed), read only as a
 * regular file, never waited on.
 */
async function readCached(spec: string, options: GuardStepOptions, own: boolean): Promise<LiveFeed> {
  const read = () =>
    readLiveFeed(spec, {
      cwd: options.cwd,
      timeoutMs: options.timeoutMs ?? DEFAULT_GUARD_TIMEOUT_MS,
      ...(options.timeoutOption ? { timeoutOption: options.timeoutOption } : {}),
      // A file is the earlier build's feed or a copy the producer keeps; a URL may be anyone's.
      ...(isUrlLike(spec) ? {} : { maxBytes: MAX_OWN_FEED_BYTES, ownFile: own }),
    });
  if (isUrlLike(spec)) return read();
  const file = path.resolve(options.cwd, spec);
  const info = await stat(file).catch(() => undefined);
  // Too large a file is left to the reader, which says so without reading it whole.
  if (!info?.isFile() || info.size > MAX_OWN_FEED_BYTES) return read();
  // The change time too: an edit in place with its modification time put back keeps the others.
  const stamp = `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
  const cached = fileFeeds.get(file);
  if (cached?.stamp === stamp) {
    // A build in the same process (a test's) that writes the same feed again still records its memo.
    if (own && cached.read) options.read?.set(spec, cached.read);
    return cached.live;
  }
  // A new build process finds the feed last read here in the build cache (live.ts's FeedMemo):
  // the same bytes, by their hash, are the same feed.
  const { cache } = options;
  // Read as a regular file whatever was found above: anything else put there since is left to read(), which says what it is.
  const bytes = cache ? tryRegularFile(file) : undefined;
  let live: LiveFeed;
  let readFeed: ReadFeed | undefined;
  // Read in parts from these very bytes (the ones hashed), when the file was not found larger since.
  if (cache && bytes && bytes.byteLength <= MAX_OWN_FEED_BYTES) {
    const feed = hashOf('live-feed', spec, options.cwd, bytes);
    const memoKey = feedMemoKey(spec, options.cwd);
    const memo = feedMemoFromJson(cache.get(memoKey));
    if (memo?.feed === feed) {
      live = memo.whole ?? assembleParts(memo.parts!);
      readFeed = { bytes, recorded: { cache, feed }, ...(memo.parts ? { parts: memo.parts } : {}) };
    } else {
      // A feed unknown as a whole (the one the previous build wrote, after an edit) is read item by
      // item, and the items it shares with the feed read before (or others the cache has) are not read again.
      let parts: FeedParts | undefined;
      live = parseLiveFeedInParts({ name: spec, bytes }, cache, memo?.parts, (read) => (parts = read));
      cache.set(memoKey, feedMemoToJson(parts ? { feed, parts } : { feed, whole: live }));
      readFeed = { bytes, recorded: { cache, feed }, ...(parts ? { parts } : {}) };
    }
  } else {
    live = await read();
  }
  if (own && readFeed) options.read?.set(spec, readFeed);
  // Kept with the feed only for a caller that records memos (a build), not by dev's guard, which reads no cache.
  fileFeeds.set(file, { stamp, live, ...(options.read && readFeed ? { read: readFeed } : {}) });
  return live;
}

/** Where the build cache keeps the memo of the feed file at `spec` (live.ts's FeedMemo). */
const feedMemoKey = (spec: string, cwd: string) => hashOf('live-feed-memo', spec, cwd);

/** A feed file of the output: feed.xml and the pages of a paged feed (render/feed.ts's feedPagePath). */
const FEED_FILE = /^feed(-[1-9][0-9]*)?\.xml$/;

/** `sink`, telling `feeds` of every feed file given to it in pieces (the renderer's): what recordFeedMemos records. */
export function keepingFeeds(sink: FileSink, feeds: Map<string, ByteChunks | AsidePieces>): FileSink {
  return {
    add(file, content) {
      if (FEED_FILE.test(file) && isPieces(content)) feeds.set(file, content);
      else feeds.delete(file);
      sink.add(file, content);
    },
    addKnown(file, kept) {
      feeds.delete(file);
      sink.addKnown(file, kept);
    },
    ...(sink.addText
      ? {
          addText: (file: string, text: string) => {
            feeds.delete(file);
            return sink.addText!(file, text);
          },
        }
      : {}),
    ...(sink.aside ? { aside: () => sink.aside!() } : {}),
  };
}

/**
 * Keeps in the build cache the memo of each feed file this build writes into `out`, as the guard
 * of the next build would keep it after reading that file (live.ts's writtenFeedMemo): that build
 * then finds the feed known by the hash of its bytes rather than scanning it (issue 9). Only for a
 * file this build's guard read with the cache (`read`), whose parts the new feed mostly shares;
 * any other is left to be read as before. The memo is only ever trusted for a file of the same
 * bytes (readCached hashes the file): one altered or written by anything else is read again.
 */
export function recordFeedMemos(options: { cache: BuildCache; cwd: string; out: string; feeds: ReadonlyMap<string, ByteChunks | AsidePieces>; read: ReadonlyMap<string, ReadFeed> }): void {
  const main = path.join(options.out, 'feed.xml').split(path.sep).join('/');
  for (const [file, content] of options.feeds) {
    // As runGuard and readPaged name them.
    const spec = file === 'feed.xml' ? main : path.join(path.dirname(main), file);
    const read = options.read.get(spec);
    if (!read?.parts) continue;
    // The feed written as it was read (a rebuild with nothing changed): its memo is kept as it is,
    // not made and encoded again (~0.5 MB of JSON at 1,000 episodes) nor its pack rewritten. Read
    // with this cache, the guard of this build asked it for the memo (readCached: got it, or set it),
    // which is all a save needs to keep it. The guard of a build in the same process (a test's)
    // takes the file's feed from memory, having asked another cache for it: this one is asked, and
    // may not have it (deleted since).
    if (read.recorded && samePieces(content, read.bytes)) {
      if (read.recorded.cache === options.cache) continue;
      if (feedMemoFromJson(options.cache.get(feedMemoKey(spec, options.cwd)))?.feed === read.recorded.feed) continue;
    }
    const memo = writtenFeedMemo(spec, [spec, options.cwd], content, options.cache, read);
    if (memo) options.cache.set(feedMemoKey(spec, options.cwd), feedMemoToJson(memo));
  }
}

function tryRegularFile(file: string): Buffer | undefined {
  try {
    return readRegularFile(file, MAX_OWN_FEED_BYTES);
  } catch {
    return undefined;
  }
}

/** A next page that cannot be had is a feed that cannot be read: the guard fails closed. */
function missingPage(feed: string, href: string, reason: string): UnreadableFeed {
  return new UnreadableFeed(feed, undefined, `its next page ${href} ${reason}`);
}

/** The feed at a path or URL with all its pages: a file's pages are the files beside it, a URL's are fetched. */
async function readPaged(spec: string, options: GuardStepOptions): Promise<LiveFeed> {
  const first = await readCached(spec, options, options.against === undefined);
  return followPages(first, async (href) => {
    if (isUrlLike(spec)) {
      // A next link may be relative to the feed; it is fetched only as an http(s) URL, never read as a path here.
      const url = URL.parse(href, spec);
      if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw missingPage(spec, href, 'is not an http(s) URL');
      return readCached(url.href, options, false);
    }
    const name = pageFileName(href);
    if (!name) throw missingPage(spec, href, 'is not a file name beside it');
    const page = path.join(path.dirname(spec), name);
    try {
      // Beside any feed, a page is no file the producer named: read only as a regular file.
      return await readCached(page, options, true);
    } catch (error) {
      // The page itself cannot be had (missing, a folder, a pipe, too large), as against one read that is no feed (at its own line).
      const unhad = error instanceof UsageError || (error instanceof UnreadableFeed && error.feed === page && error.line === undefined);
      if (unhad) throw missingPage(spec, href, `cannot be read: ${error instanceof UnreadableFeed ? error.reason : error.message}`);
      throw error;
    }
  });
}

export async function runGuard(options: GuardStepOptions): Promise<GuardStep> {
  if (options.skip) return { skipped: 'skipped with --no-guard', findings: [], accepted: [] };
  const given = options.against === undefined ? options.live : undefined;
  const spec = given?.name ?? options.against ?? path.join(options.out ?? 'dist', 'feed.xml').split(path.sep).join('/');
  if (options.against === undefined && !given && !(await exists(path.resolve(options.cwd, spec)))) {
    return { skipped: `no earlier build at ${spec} to compare with`, findings: [], accepted: [] };
  }
  if (options.against === undefined && !given) {
    // The earlier build's feed replaced by a named pipe held the build for ever, waiting for a
    // writer (an --against pipe, `<(curl …)`, is read as asked); a device is no feed castwright wrote.
    const info = await stat(path.resolve(options.cwd, spec)).catch(() => undefined);
    if (info && !info.isFile() && !info.isDirectory()) {
      const message = `the publish guard cannot read the feed it compares with: ${spec} is a named pipe, socket or device, not the file an earlier build wrote; restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard`;
      return { against: spec, findings: [finding('error', 'guard/live-unreadable', spec, undefined, message)], accepted: [] };
    }
  }
  let live: LiveFeed;
  try {
    if (given) {
      const bytes = await given.read();
      if (bytes === undefined) return { skipped: `nothing is live yet (no ${spec}), so there is nothing to compare with`, findings: [], accepted: [] };
      live = await followPages(parseLiveFeed({ bytes, name: spec }), async (href) => {
        const name = pageFileName(href);
        const page = name === undefined ? undefined : await given.readPage(name);
        if (page === undefined) throw missingPage(spec, href, name === undefined ? 'is not a file name beside it' : 'is not there');
        return parseLiveFeed(page);
      });
    } else {
      live = await readPaged(spec, options);
    }
  } catch (error) {
    // A bad --against is bad usage; the earlier build's feed.xml (a folder, say) is a feed that
    // cannot be read, like any other.
    const unreadable = error instanceof UnreadableFeed || (error instanceof UsageError && options.against === undefined);
    if (!unreadable) throw error;
    const reason = error instanceof UnreadableFeed ? error.reason : error.message;
    const advice = given?.advice ?? 'restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard';
    const message = `the publish guard cannot read the feed it compares with: ${reason}; ${advice}`;
    return { against: spec, findings: [finding('error', 'guard/live-unreadable', spec, error instanceof UnreadableFeed ? error.line : undefined, message)], accepted: [] };
  }
  const accepted: GuardStep['accepted'] = [];
  const findings = guardPublication(options.publication, live, {
    cwd: options.cwd,
    contentDir: options.contentDir,
    ...(options.episodes ? { episodes: options.episodes } : {}),
    accept: options.accept ?? [],
    onAccepted: (item, by) => accepted.push({ finding: item, by }),
  });
  return { against: spec, findings, accepted };
}

/** A repeatable option's values as a list. */
export function listOption(value: string | boolean | string[] | undefined): string[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return Array.isArray(value) ? value : [value];
}

/** What the shared options ask of the guard. */
export function guardArgs(args: ParsedArgs): Pick<GuardStepOptions, 'against' | 'accept' | 'skip'> {
  return {
    accept: listOption(args.values.accept),
    skip: Boolean(args.values['no-guard']),
    ...(typeof args.values.against === 'string' ? { against: args.values.against } : {}),
  };
}

/** A change the guard let through, in one line: where, and what kind. */
export const acceptedChange = (item: Finding) => `${problemLocation(item)} [${item.code}]`;

/** The guard's warnings and the changes it let through, on stderr: a build log keeps them. */
export function reportGuard(io: Io, guard: GuardStep): void {
  printProblems(io, guard.findings);
  for (const { finding: item, by } of guard.accepted) io.stderr.write(`accepted (${by}): ${acceptedChange(item)}\n`);
}
