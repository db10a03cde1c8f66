// The feed apps already have, reduced to what the publish guard compares: the show's identity and
// each episode's guid, audio file, date and title, with the lines they are written at. Read with
// the shared feed reader (deadline, size cap, checked redirects, no entity expansion).
import { ContentError, RunError, UsageError } from '../errors.ts';
import { parseFeedDate } from '../feed-reader/dates.ts';
import { readFeedDocument, type FeedDocument } from '../feed-reader/document.ts';
import { parseExplicit } from '../feed-reader/explicit.ts';
import { readFeedSource, type FeedSource } from '../feed-reader/source.ts';
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { child, childText, childrenNamed, feedEncoding, scanElements, type XmlNode } from '../feed-reader/xml.ts';
import { hashOf } from '../cache/fingerprint.ts';
import type { BuildCache } from '../cache/store.ts';
import type { ByteChunks } from '../model/source-file.ts';
import { eachPiece, pieceCount, piecesLength, type AsidePieces } from '../model/pieces.ts';

export interface LiveItem {
  /** The guid as apps know the item: its guid, or its enclosure URL when it has none. */
  guid: string;
  line?: number;
  /** The page of a paged feed it is on, when not the first (`line` is in that page). */
  page?: string;
  title: string;
  /** The item's page, which names a castwright episode's file (`…/episodes/<slug>/`). */
  link?: string;
  enclosure: { url: string; length?: number; type?: string; line?: number };
  date?: Date;
  dateText?: string;
}

export interface LiveFeed {
  /** How messages name it: the path as given, or the URL. */
  name: string;
  podcastGuid?: { value: string; line?: number };
  self?: { value: string; line?: number };
  newFeedUrl?: string;
  locked?: { value: boolean; line?: number };
  explicit?: { value: boolean; line?: number };
  /** The first itunes:category, as "Parent > Sub": the one Apple files the show under. */
  category?: { value: string; line?: number };
  /** Items with an enclosure (the others are no episode to any app), first of each guid. */
  items: LiveItem[];
  /** The address of the feed's next page (RFC 5005 `atom:link rel="next"`), when it is paged. */
  next?: string;
}

function at(node: XmlNode | undefined): { line?: number } {
  return node?.line === undefined ? {} : { line: node.line };
}

function firstCategory(channel: XmlNode): LiveFeed['category'] {
  const element = child(channel, 'itunes:category');
  const name = element?.attrs.text?.trim();
  if (!element || !name) return undefined;
  const sub = child(element, 'itunes:category')?.attrs.text?.trim();
  return { value: sub ? `${name} > ${sub}` : name, ...at(element) };
}

function liveItem(item: XmlNode): LiveItem | undefined {
  const enclosure = child(item, 'enclosure');
  const url = enclosure?.attrs.url?.trim();
  if (!enclosure || !url) return undefined;
  const length = Number(enclosure.attrs.length?.trim());
  const dateText = childText(item, 'pubDate');
  const parsed = dateText === undefined ? undefined : parseFeedDate(dateText);
  const link = childText(item, 'link');
  return {
    guid: childText(item, 'guid') ?? url,
    ...at(item),
    title: (childText(item, 'title') ?? '').replace(/\s+/g, ' '),
    ...(link ? { link } : {}),
    enclosure: {
      url,
      ...(Number.isFinite(length) && enclosure.attrs.length?.trim() ? { length } : {}),
      ...(enclosure.attrs.type?.trim() ? { type: enclosure.attrs.type.trim() } : {}),
      ...at(enclosure),
    },
    ...(dateText ? { dateText } : {}),
    ...(parsed !== undefined && typeof parsed !== 'string' ? { date: parsed.instant } : {}),
  };
}

export function liveFeedOf(document: FeedDocument): LiveFeed {
  const { channel } = document;
  const guid = child(channel, 'podcast:guid');
  // Some feeds name their website as their own address: that says nothing about the feed's.
  const site = childText(channel, 'link')?.replace(/\/+$/, '');
  const self = childrenNamed(channel, 'atom:link').find(
    (link) => link.attrs.rel?.trim() === 'self' && link.attrs.href?.trim() && link.attrs.href.trim().replace(/\/+$/, '') !== site,
  );
  const locked = child(channel, 'podcast:locked');
  const explicitNode = child(channel, 'itunes:explicit');
  const explicit = parseExplicit(explicitNode?.text);
  const items = firstOfEachGuid(document.items.map(liveItem));
  const category = firstCategory(channel);
  const newFeedUrl = childText(channel, 'itunes:new-feed-url');
  const next = childrenNamed(channel, 'atom:link').find((link) => link.attrs.rel?.trim() === 'next')?.attrs.href?.trim();
  return {
    name: document.name,
    ...(guid?.text.trim() ? { podcastGuid: { value: guid.text.trim(), ...at(guid) } } : {}),
    ...(self ? { self: { value: self.attrs.href!.trim(), ...at(self) } } : {}),
    ...(newFeedUrl ? { newFeedUrl } : {}),
    ...(locked ? { locked: { value: /^(yes|true)$/i.test(locked.text.trim()), ...at(locked) } } : {}),
    ...(explicit === undefined ? {} : { explicit: { value: explicit, ...at(explicitNode) } }),
    ...(category ? { category } : {}),
    items,
    ...(next ? { next } : {}),
  };
}

const isLine = (value: unknown) => value === undefined || (typeof value === 'number' && Number.isInteger(value));
const isText = (value: unknown) => value === undefined || typeof value === 'string';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isAt = (value: unknown, check: (inner: unknown) => boolean) => value === undefined || (isRecord(value) && check(value.value) && isLine(value.line));
const isString = (value: unknown) => typeof value === 'string';
const isBoolean = (value: unknown) => typeof value === 'boolean';
const isKey = (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

/** An item as JSON.parse gives it back (its date as ISO text) made a LiveItem again; undefined when it is no such item. */
function checkedItem(item: unknown): LiveItem | undefined {
  if (!isRecord(item) || typeof item.guid !== 'string' || typeof item.title !== 'string') return undefined;
  if (!isLine(item.line) || !isText(item.page) || !isText(item.link) || !isText(item.dateText)) return undefined;
  const { enclosure } = item;
  if (!isRecord(enclosure) || typeof enclosure.url !== 'string' || !isText(enclosure.type) || !isLine(enclosure.line)) return undefined;
  if (enclosure.length !== undefined && typeof enclosure.length !== 'number') return undefined;
  if (item.date !== undefined) {
    const date = typeof item.date === 'string' ? new Date(item.date) : undefined;
    if (!date || Number.isNaN(date.getTime())) return undefined;
    item.date = date;
  }
  return item as unknown as LiveItem;
}

/** A feed as JSON.parse gives it back made a LiveFeed again; undefined when it is no such feed. */
function checkedFeed(feed: unknown): LiveFeed | undefined {
  if (!isRecord(feed) || typeof feed.name !== 'string' || !Array.isArray(feed.items)) return undefined;
  if (!isAt(feed.podcastGuid, isString) || !isAt(feed.self, isString) || !isAt(feed.locked, isBoolean) || !isAt(feed.explicit, isBoolean) || !isAt(feed.category, isString)) return undefined;
  if (!isText(feed.newFeedUrl) || !isText(feed.next)) return undefined;
  return feed.items.every((item) => checkedItem(item) !== undefined) ? (feed as unknown as LiveFeed) : undefined;
}


/**
 * A feed as read item by item: the rest of it (everything but its items, read as a feed) and each
 * item as read alone, under the hash of its bytes (undefined: no episode to any app), with how far
 * its lines are from the feed's.
 */
export interface FeedParts {
  rest: { key: string; feed: LiveFeed };
  items: FeedPart[];
  /**
   * Where the <rss> and <channel> start tags are in the feed's bytes (start, end of each): an
   * item's key hashes them with its own bytes. With the items' `at`, what lets the build that
   * writes the next feed know its unchanged items by their bytes (writtenFeedMemo).
   */
  head?: [number, number, number, number];
}

export interface FeedPart {
  key: string;
  item?: LiveItem;
  shift: number;
  /** Where the item's bytes are in the feed's (from its `<item`), how many there are, and the line breaks among them. */
  at?: number;
  length?: number;
  lines?: number;
}

/** The feed its parts make: each item at its own lines, the first of each guid. */
export function assembleParts(parts: FeedParts): LiveFeed {
  return { ...parts.rest.feed, items: firstOfEachGuid(parts.items.map(({ item, shift }) => item && shifted(item, shift))) };
}

/**
 * What the build cache keeps of the feed at a place (dist/feed.xml): the hash of its bytes and the
 * feed, in its parts when it was read in parts. Kept by the guard for the feed it read, and then by
 * the build for the feed it wrote there (writtenFeedMemo): so the next build finds the feed known by
 * the hash of its bytes and scans nothing, and, were the file another, has the parts it is likely to
 * share: one entry read, not one per item (issue 9). Kept as one JSON text, which the cache stores
 * and reads back as one string: as objects, encoding 1,000 items cost a one-edit rebuild ~50 ms.
 */
export interface FeedMemo {
  /** The hash of the feed's bytes (with its name and where it was read from). */
  feed: string;
  parts?: FeedParts;
  /** The feed read whole, when it could not be read in parts. */
  whole?: LiveFeed;
}

/** Dates as their ISO text (Date's toJSON), made Dates again when read back. */
export function feedMemoToJson(memo: FeedMemo): string {
  return JSON.stringify(memo);
}

/** The memo of feedMemoToJson's text; undefined for anything else (a damaged or foreign entry is a miss). */
export function feedMemoFromJson(json: unknown): FeedMemo | undefined {
  if (typeof json !== 'string') return undefined;
  let memo: unknown;
  try {
    memo = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isRecord(memo) || !isKey(memo.feed)) return undefined;
  if (memo.whole !== undefined) return memo.parts === undefined && checkedFeed(memo.whole) ? (memo as unknown as FeedMemo) : undefined;
  const { parts } = memo;
  if (!isRecord(parts) || !isRecord(parts.rest) || !isKey(parts.rest.key) || !Array.isArray(parts.items)) return undefined;
  const rest = checkedFeed(parts.rest.feed);
  if (!rest || rest.items.length > 0) return undefined;
  const isCount = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) >= 0);
  const wellFormed = parts.items.every(
    (part: unknown) =>
      isRecord(part) &&
      isKey(part.key) &&
      Number.isInteger(part.shift) &&
      isCount(part.at) &&
      isCount(part.length) &&
      isCount(part.lines) &&
      (part.item === undefined || checkedItem(part.item) !== undefined),
  );
  const { head } = parts;
  if (head !== undefined && !(Array.isArray(head) && head.length === 4 && head.every((at) => isCount(at) && at !== undefined))) return undefined;
  return wellFormed ? (memo as unknown as FeedMemo) : undefined;
}

/** Items with an enclosure, the first of each guid: the others are no episode to any app. */
function firstOfEachGuid(items: ReadonlyArray<LiveItem | undefined>): LiveItem[] {
  const seen = new Set<string>();
  const kept: LiveItem[] = [];
  for (const item of items) {
    if (!item || seen.has(item.guid)) continue;
    seen.add(item.guid);
    kept.push(item);
  }
  return kept;
}

/** At most this many pages of a paged feed are followed (castwright's own feed.limit makes far fewer). */
export const MAX_FEED_PAGES = 1000;

/**
 * A paged feed (RFC 5005) as one: the first page and every page its `next` links lead to, each read
 * by `readPage` (which throws UnreadableFeed for a page that is missing or cannot be read). Apps that
 * follow the pages have the older episodes from them, so the guard must see those too.
 */
export async function followPages(first: LiveFeed, readPage: (href: string) => Promise<LiveFeed>): Promise<LiveFeed> {
  const items = [...first.items];
  const seen = new Set(items.map((item) => item.guid));
  const visited = new Set<string>(first.self ? [first.self.value] : []);
  let next = first.next;
  while (next !== undefined && !visited.has(next)) {
    if (visited.size >= MAX_FEED_PAGES) throw new UnreadableFeed(first.name, undefined, `it has more than ${MAX_FEED_PAGES} pages (a loop of next links?)`);
    visited.add(next);
    const page = await readPage(next);
    for (const item of page.items) {
      if (seen.has(item.guid)) continue;
      seen.add(item.guid);
      items.push({ ...item, page: page.name });
    }
    next = page.next;
  }
  const { next: _, ...feed } = first;
  return { ...feed, items };
}

/** The file name of a page of a paged feed, from its address: pages sit beside the feed. */
export function pageFileName(href: string): string | undefined {
  let name: string;
  try {
    // Relative links (`feed-2.xml`) name the file as well as absolute ones.
    name = decodeURIComponent(new URL(href, 'https://feed.invalid/').pathname.split('/').pop() ?? '');
  } catch {
    return undefined;
  }
  return /^[\w.-]+$/.test(name) && !name.startsWith('.') ? name : undefined;
}

/** Why the guard cannot compare, as one line: the feed's own problem where it has one. */
export class UnreadableFeed extends RunError {
  constructor(
    readonly feed: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${line === undefined ? feed : `${feed}:${line}`}: ${reason}`);
  }
}

export interface LiveOptions {
  cwd: string;
  /** Deadline for a URL, in milliseconds. */
  timeoutMs: number;
  /** The option that sets timeoutMs, if the command has one (SourceOptions.timeoutOption). */
  timeoutOption?: string;
  maxBytes?: number;
  /** A file castwright wrote: refused unread unless a regular file (SourceOptions.ownFile). */
  ownFile?: boolean;
  /** Reads the feed in parts, each item kept here (parseLiveFeedInParts). */
  cache?: BuildCache;
}

/**
 * Reads the feed at a path or an http(s) URL. Bad usage (a file that does not exist, an ftp: URL)
 * throws UsageError; a feed that cannot be read or is no RSS feed throws UnreadableFeed.
 */
export async function readLiveFeed(spec: string, options: LiveOptions): Promise<LiveFeed> {
  let source: FeedSource;
  try {
    source = await readFeedSource(spec, options);
  } catch (error) {
    if (error instanceof RunError) {
      throw new UnreadableFeed(spec, undefined, error.message.startsWith(`${spec}: `) ? error.message.slice(spec.length + 2) : error.message);
    }
    throw error;
  }
  return options.cache ? parseLiveFeedInParts(source, options.cache) : parseLiveFeed(source);
}

/** The feed in bytes already read (from a publish target, say); UnreadableFeed when they are no RSS feed. */
export function parseLiveFeed(source: FeedSource): LiveFeed {
  try {
    return liveFeedOf(readFeedDocument(source));
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    const [first] = error.problems;
    throw new UnreadableFeed(source.name, first?.line, first ? first.message : error.message);
  }
}

/**
 * As parseLiveFeed, with each item read on its own and kept in `cache` by its text: a feed that
 * differs from an earlier one in a few items (the one the previous build wrote) costs those items.
 * The items are cut out of the feed (the rest, lines kept, is read as a feed without them) and each
 * is read inside the feed's own <rss> and <channel> start tags, so it has the same namespaces and
 * its lines are shifted back to the feed's. Anything unusual (not UTF-8, bytes not valid, an item
 * that does not read) is read whole instead, so what comes back, or the error thrown, is always
 * what parseLiveFeed gives. With `known` (the parts of a feed read before), an item or rest found
 * there by the hash of its bytes is not asked of the cache.
 */
export function parseLiveFeedInParts(source: FeedSource, cache: BuildCache, known?: FeedParts, onParts?: (parts: FeedParts) => void): LiveFeed {
  const parts = liveFeedInParts(source, cache, known);
  if (!parts) return parseLiveFeed(source);
  onParts?.(parts);
  return assembleParts(parts);
}

/** Line breaks in bytes (a byte 0x0A is a line break in UTF-8: it is never part of another character). */
const newlines = (bytes: Uint8Array) => {
  let count = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) count++;
  return count;
};

const REPLACEMENT_CHARACTER = Buffer.from('\uFFFD');
const ITEMS_END = Buffer.from('</channel></rss>');

/**
 * The feed is cut up as bytes, never decoded whole (6 MB of text cost ~60 ms to decode, more than
 * reading every item from the cache): UTF-8 read one byte a character (latin1) has its markup,
 * which is ASCII, at the same places, and no byte of a longer character is ASCII. So the scan of
 * that text finds the elements at their byte offsets and lines, and an item is hashed as the bytes
 * it is (the same hash as its text's, which is those bytes).
 */
function liveFeedInParts(source: FeedSource, cache: BuildCache, known?: FeedParts): FeedParts | undefined {
  const { encoding, start } = feedEncoding(source.bytes, source.charset);
  const bytes = source.bytes.subarray(start);
  // As parseLiveFeed would decode it, with nothing replaced: not a byte that is no UTF-8, nor a U+FFFD of its own.
  if (encoding !== 'utf-8' || !isUtf8(bytes) || bytes.includes(REPLACEMENT_CHARACTER)) return undefined;
  const { elements } = scanElements(bytes.toString('latin1'));
  const root = elements[0];
  const channel = root?.children.find((element) => element.name === 'channel');
  if (elements.length !== 1 || root?.name !== 'rss' || !channel) return undefined;
  const items = channel.children.filter((element) => element.name === 'item');
  if (items.length === 0 || items.some((item) => item.end === undefined)) return undefined;
  // The feed without its items, each replaced by its line breaks so later lines stay where they are.
  // Made in one buffer, counted first: a Buffer.alloc of line breaks per item, then joined, cost a
  // one-edit rebuild of 1,000 episodes ~40 ms of the main thread in a CPU profile.
  const itemLines = items.map((item) => newlines(bytes.subarray(item.start, item.end)));
  let restLength = bytes.length;
  items.forEach((item, k) => (restLength -= item.end! - item.start - itemLines[k]!));
  const restBytes = Buffer.allocUnsafe(restLength);
  let at = 0;
  let to = 0;
  items.forEach((item, k) => {
    to += bytes.copy(restBytes, to, at, item.start);
    restBytes.fill(0x0a, to, to + itemLines[k]!);
    to += itemLines[k]!;
    at = item.end!;
  });
  bytes.copy(restBytes, to, at);
  const restKey = hashOf('live-rest', source.name, ...restOnly(bytes, items, restBytes));
  let feed: LiveFeed;
  if (known?.rest.key === restKey) {
    feed = known.rest.feed;
  } else {
    try {
      feed = { ...parseLiveFeed({ name: source.name, bytes: restBytes }), items: [] };
    } catch {
      return undefined;
    }
  }
  const head = Buffer.concat([bytes.subarray(root.start, root.tagEnd), bytes.subarray(channel.start, channel.tagEnd)]);
  const headLines = newlines(head);
  const read: FeedParts['items'] = [];
  const knownItems = new Map(known?.items.map((part) => [part.key, part]));
  for (const [k, item] of items.entries()) {
    const itemBytes = bytes.subarray(item.start, item.end);
    const key = hashOf('live-item', head, itemBytes);
    let found: { item?: LiveItem } | undefined = knownItems.get(key) ?? cache.get<{ item?: LiveItem }>(key);
    if (!found || typeof found !== 'object') {
      try {
        const alone = parseLiveFeed({ name: source.name, bytes: Buffer.concat([head, itemBytes, ITEMS_END]) });
        found = alone.items[0] ? { item: alone.items[0] } : {};
      } catch {
        return undefined;
      }
      cache.set(key, found);
    }
    // Lines in the item read alone start at the head's last line.
    read.push({ key, ...(found.item ? { item: found.item } : {}), shift: item.line - 1 - headLines, at: start + item.start, length: itemBytes.byteLength, lines: itemLines[k]! });
  }
  return { rest: { key: restKey, feed }, items: read, head: [start + root.start, start + root.tagEnd, start + channel.start, start + channel.tagEnd] };
}

const isSpace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * What the rest of a feed (read without its items) is read from: in the usual feed, whose items
 * follow each other with only white space between and are followed by end tags alone, the bytes
 * before the first item and after the last, so that an item grown by a line (an edit) leaves the
 * rest as it was: every element of the rest is before the items, at lines the items do not move,
 * and only line breaks stand for the items. Any other feed: the rest as read, all of it.
 */
function restOnly(bytes: Buffer, items: ReadonlyArray<{ start: number; end?: number }>, rest: Buffer): Array<string | Uint8Array> {
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const tail = bytes.subarray(last.end);
  let usual = true;
  for (let k = 1; usual && k < items.length; k++) {
    for (let i = items[k - 1]!.end!; i < items[k]!.start; i++) {
      if (!isSpace(bytes[i]!)) {
        usual = false;
        break;
      }
    }
  }
  for (let i = tail.indexOf(0x3c); usual && i !== -1; i = tail.indexOf(0x3c, i + 1)) if (tail[i + 1] !== 0x2f) usual = false;
  return usual ? ['usual', bytes.subarray(0, first.start), tail] : ['whole', rest];
}

function shifted(item: LiveItem, by: number): LiveItem {
  return {
    ...item,
    ...(item.line === undefined ? {} : { line: item.line + by }),
    enclosure: { ...item.enclosure, ...(item.enclosure.line === undefined ? {} : { line: item.enclosure.line + by }) },
  };
}

/** The feed a build read (its bytes as read, and its parts when it was read in parts): what the feed it writes may share. */
export interface ReadFeed {
  bytes: Buffer;
  parts?: FeedParts;
  /**
   * The build cache the guard got or set the memo of these bytes in, and the memo's hash of them. A
   * guard in the same process may give the feed of an earlier build (run-guard.ts's fileFeeds), whose
   * cache is not the one the next build is given: one deleted since has no memo.
   */
  recorded?: { cache: BuildCache; feed: string };
}

const ITEM_START = Buffer.from('<item>');
const ITEM_END = Buffer.from('</item>');
/** The stand-in item the head and end are checked around. */
const STAND_IN = Buffer.from('<item></item>');

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) => bytes.byteLength >= prefix.byteLength && Buffer.compare(bytes.subarray(0, prefix.byteLength), prefix) === 0;
const endsWith = (bytes: Uint8Array, suffix: Uint8Array) => bytes.byteLength >= suffix.byteLength && Buffer.compare(bytes.subarray(bytes.byteLength - suffix.byteLength), suffix) === 0;

/**
 * Whether the scanner, reading `head`, `gap` and `item` then `tail`, finds what it would in the
 * whole feed: one <rss> with its <channel> begun in the head, `item` that channel's one item, from
 * its first byte to its last (so it is back among the channel's children after it), and nothing
 * begun in the tail. The head and tail are each feed's own, so the same scan holds for any items
 * each of which passes it.
 */
function isOneItem(head: Buffer, gap: Uint8Array, item: Uint8Array, tail: Buffer): boolean {
  const { elements } = scanElements(Buffer.concat([head, gap, item, tail]).toString('latin1'));
  const root = elements[0];
  const channel = root?.children.find((element) => element.name === 'channel');
  if (elements.length !== 1 || root?.name !== 'rss' || !channel || root.tagEnd > head.byteLength || channel.tagEnd > head.byteLength) return false;
  const items = channel.children.filter((element) => element.name === 'item');
  const start = head.byteLength + gap.byteLength;
  return items.length === 1 && items[0]!.start === start && items[0]!.end === start + item.byteLength;
}

/**
 * The memo (as readCached in run-guard.ts keeps it after reading the file) of a feed this build
 * writes, from the renderer's own pieces (render/feed.ts's renderFeed: its head, each episode's
 * item, its end), so that the next build finds the feed known by the hash of its bytes and does not
 * scan the ~6 MB the previous build wrote (issue 9). `hashParts` are what the memo's feed hash covers
 * before the bytes (readCached's spec and cwd). Every part is what liveFeedInParts would find in the
 * file, or there is no memo (undefined: the next build scans, as before):
 * - the head and end are checked as the scanner sees them around a stand-in item (isOneItem);
 * - an item is white space then `<item>…</item>`; one whose bytes are those of an item of the feed
 *   read (`read`: its parts say where each item is) after the same start tags is that item again,
 *   with its key, its reading and its line breaks (it was an item of the channel there, with the
 *   scanner in the same state before it); any other must pass isOneItem, and is read alone as
 *   liveFeedInParts reads it (or found by its key, as there);
 * - anything liveFeedInParts would not read in parts (not UTF-8, a U+FFFD, a feed not usual) gives none.
 */
export function writtenFeedMemo(name: string, hashParts: readonly string[], content: ByteChunks | AsidePieces, cache: BuildCache, read?: ReadFeed): FeedMemo | undefined {
  const count = pieceCount(content);
  if (count < 3) return undefined;
  const known = read?.parts;
  const feedHash = createHash('sha256');
  for (const part of ['live-feed', ...hashParts]) feedHash.update(`${Buffer.byteLength(part)}:`).update(part);
  feedHash.update(`${piecesLength(content)}:`);
  let head: Buffer | undefined;
  let tail: Buffer | undefined;
  let headTags: Buffer | undefined;
  let headLines = 0;
  // The items of the feed read by their length, when it had the same start tags.
  let byLength: Map<number, FeedPart[]> | undefined;
  const items: FeedPart[] = [];
  // Items not found in the feed read: checked and read once the end is known.
  const fresh: Array<{ part: FeedPart; gap: Buffer; bytes: Buffer }> = [];
  // Each item's white space before it and its line breaks: what stands for it in the feed's rest.
  const gaps: Array<{ gap: Buffer; lines: number }> = [];
  let offset = 0;
  let lineBreaks = 0;
  let index = 0;
  for (const chunk of eachPiece(content)) {
    const at = index++;
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    feedHash.update(piece);
    // As liveFeedInParts reads it: UTF-8 (each piece whole UTF-8 makes the feed so) with no U+FFFD
    // of its own. An item of the feed read was found so there: only the other pieces are looked at.
    const plain = (bytes: Buffer) => isUtf8(bytes) && !bytes.includes(REPLACEMENT_CHARACTER);
    if (at === 0) {
      if (!plain(piece)) return undefined;
      head = Buffer.from(piece);
      const { encoding, start } = feedEncoding(head);
      // The encoding is told by the feed's first 200 bytes: the head's own.
      if (head.byteLength < 200 || encoding !== 'utf-8' || start !== 0) return undefined;
      const root = scanElements(head.toString('latin1')).elements[0];
      const channel = root?.children.find((element) => element.name === 'channel');
      if (root?.name !== 'rss' || !channel || channel.tagEnd <= 0) return undefined;
      const rootTag = head.subarray(root.start, root.tagEnd);
      const channelTag = head.subarray(channel.start, channel.tagEnd);
      headTags = Buffer.concat([rootTag, channelTag]);
      headLines = newlines(headTags);
      lineBreaks = newlines(head);
      const was = known?.head;
      if (was && read!.bytes.subarray(was[0], was[1]).equals(rootTag) && read!.bytes.subarray(was[2], was[3]).equals(channelTag)) {
        byLength = new Map();
        for (const part of known!.items) {
          if (part.at === undefined || part.length === undefined || part.lines === undefined) continue;
          const same = byLength.get(part.length);
          if (same) same.push(part);
          else byLength.set(part.length, [part]);
        }
      }
    } else if (at === count - 1) {
      if (!plain(piece)) return undefined;
      tail = Buffer.from(piece);
    } else {
      let start = 0;
      while (start < piece.byteLength && isSpace(piece[start]!)) start++;
      const bytes = piece.subarray(start);
      const gap = Buffer.from(piece.subarray(0, start));
      const gapLines = newlines(gap);
      let same: FeedPart | undefined;
      for (const candidate of byLength?.get(bytes.byteLength) ?? []) {
        if (read!.bytes.subarray(candidate.at!, candidate.at! + candidate.length!).equals(bytes)) {
          same = candidate;
          break;
        }
      }
      if (!same && (!plain(piece) || !startsWith(bytes, ITEM_START) || !endsWith(bytes, ITEM_END))) return undefined;
      const lines = same ? same.lines! : newlines(bytes);
      // Lines in the item read alone start at the head's last line (as in liveFeedInParts).
      const place = { shift: lineBreaks + gapLines - headLines, at: offset + start, length: bytes.byteLength, lines };
      if (same) {
        items.push({ key: same.key, ...(same.item ? { item: same.item } : {}), ...place });
      } else {
        const part: FeedPart = { key: '', ...place };
        items.push(part);
        fresh.push({ part, gap, bytes: Buffer.from(bytes) });
      }
      gaps.push({ gap, lines });
      lineBreaks += gapLines + lines;
    }
    offset += piece.byteLength;
  }
  if (!head || !tail || !headTags || index !== count) return undefined;
  // The end as restOnly finds it usual: end tags alone.
  for (let i = tail.indexOf(0x3c); i !== -1; i = tail.indexOf(0x3c, i + 1)) if (tail[i + 1] !== 0x2f) return undefined;
  if (!isOneItem(head, gaps[0]!.gap, STAND_IN, tail)) return undefined;
  for (const { part, gap, bytes } of fresh) {
    if (!isOneItem(head, gap, bytes, tail)) return undefined;
    const key = hashOf('live-item', headTags, bytes);
    let found: { item?: LiveItem } | undefined = known?.items.find((other) => other.key === key) ?? cache.get<{ item?: LiveItem }>(key);
    if (!found || typeof found !== 'object') {
      try {
        const alone = parseLiveFeed({ name, bytes: Buffer.concat([headTags, bytes, ITEMS_END]) });
        found = alone.items[0] ? { item: alone.items[0] } : {};
      } catch {
        return undefined;
      }
      cache.set(key, found);
    }
    part.key = key;
    if (found.item) part.item = found.item;
  }
  const restKey = hashOf('live-rest', name, 'usual', Buffer.concat([head, gaps[0]!.gap]), tail);
  let feed: LiveFeed;
  if (known?.rest.key === restKey) {
    feed = known.rest.feed;
  } else {
    // The feed without its items, each replaced by its line breaks (as liveFeedInParts makes it).
    const rest: Buffer[] = [head];
    for (const { gap, lines } of gaps) rest.push(gap, Buffer.alloc(lines, 0x0a));
    rest.push(tail);
    try {
      feed = { ...parseLiveFeed({ name, bytes: Buffer.concat(rest) }), items: [] };
    } catch {
      return undefined;
    }
  }
  const root = scanElements(head.toString('latin1')).elements[0]!;
  const channel = root.children.find((element) => element.name === 'channel')!;
  return {
    feed: feedHash.digest('hex'),
    parts: { rest: { key: restKey, feed }, items: ordered(items), head: [root.start, root.tagEnd, channel.start, channel.tagEnd] },
  };
}

/** The parts with their fields in the order liveFeedInParts gives them (a memo is compared as JSON in tests). */
function ordered(items: FeedPart[]): FeedPart[] {
  return items.map(({ key, item, shift, at, length, lines }) => ({ key, ...(item ? { item } : {}), shift, at, length, lines }));
}
