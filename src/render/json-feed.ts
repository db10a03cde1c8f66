// The JSON Feed (jsonfeed.org, version 1.1) beside the RSS feed: the same episodes for readers and
// apps that take JSON, each with its audio as an attachment and its covered stories twice: in the
// HTML content, and as data in the `_castwright` extension (JSON Feed's way for publishers to add
// fields: an object whose key starts with an underscore).
import type { ByteChunks } from '../model/source-file.ts';
import { piecesOf, type AsidePieces, type Bytes } from '../model/pieces.ts';
import type { Show } from '../model/types.ts';
import type { Templates } from './templates.ts';
import type { EpisodeView } from './view.ts';

export const JSON_FEED_PATH = 'feed.json';

interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  summary: string;
  image?: string;
  date_published: string;
  authors?: Array<{ name: string; url?: string }>;
  language: string;
  attachments: Array<{ url: string; mime_type: string; size_in_bytes: number; duration_in_seconds?: number }>;
  _castwright: {
    episode?: number;
    season?: number;
    stories: Array<{ title: string; url: string; source: string; summary?: string }>;
  };
}

export function jsonFeedItem(show: Show, templates: Templates, episode: EpisodeView): JsonFeedItem {
  return {
    id: episode.guid,
    url: episode.url,
    title: episode.title,
    // The same notes as the RSS feed's content:encoded.
    content_html: templates.feed.content({ show, episode }).trim(),
    summary: episode.summary,
    ...(episode.image ? { image: episode.image } : {}),
    date_published: episode.isoDate,
    ...(episode.hosts.length ? { authors: episode.hosts.map(({ name, href }) => ({ name, ...(href ? { url: href } : {}) })) } : {}),
    language: show.language,
    attachments: [
      {
        url: episode.audio.url,
        mime_type: episode.audio.type,
        size_in_bytes: episode.audio.length,
        ...(episode.audio.duration === undefined ? {} : { duration_in_seconds: Math.round(episode.audio.duration) }),
      },
    ],
    _castwright: {
      ...(episode.episode === undefined ? {} : { episode: episode.episode }),
      ...(episode.season === undefined ? {} : { season: episode.season }),
      stories: episode.stories.map(({ title, url, source, summary }) => ({ title, url, source, ...(summary ? { summary } : {}) })),
    },
  };
}

/**
 * An item as the feed writes it (indented at its depth), as UTF-8 bytes: what an episode keeps in
 * the cache, so that a feed of megabytes is put together from cached items by copying them, never
 * built as objects and written out again (issue 9).
 */
export function jsonFeedItemText(item: JsonFeedItem): Uint8Array {
  // Written where it sits in the feed, in a list under a key, so JSON.stringify indents it there:
  // indenting its text after, a second pass copying every string again, took about as long as
  // writing it (issue 9). A line break inside a string is written as \n, so the item is all
  // between the list's opening and closing lines.
  const text = JSON.stringify({ items: [item] }, null, 2);
  return Buffer.from(text.slice(IN_LIST_BEFORE.length, text.length - IN_LIST_AFTER.length));
}

/** What JSON.stringify writes around the one item of `{ items: [item] }`. */
const IN_LIST_BEFORE = '{\n  "items": [\n    ';
const IN_LIST_AFTER = '\n  ]\n}';

/**
 * The whole feed, items (jsonFeedItemText) newest first, as UTF-8 bytes in pieces (the items' own
 * bytes, never joined; AsidePieces when some were set aside): exactly JSON.stringify(feed, null, 2).
 */
export function renderJsonFeed(show: Show, items: readonly Uint8Array[]): ByteChunks;
export function renderJsonFeed(show: Show, items: readonly Bytes[]): ByteChunks | AsidePieces;
export function renderJsonFeed(show: Show, items: readonly Bytes[]): ByteChunks | AsidePieces {
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: show.title,
    home_page_url: show.url,
    feed_url: new URL(JSON_FEED_PATH, show.url).href,
    description: show.description,
    icon: show.image,
    ...(show.author ? { authors: [{ name: show.author, url: show.url }] } : {}),
    language: show.language,
    items: [],
  };
  const text = JSON.stringify(feed, null, 2);
  if (items.length === 0) return { chunks: [Buffer.from(`${text}\n`)] };
  // "items" is the last key: its empty list is replaced by the items.
  const between = Buffer.from(',\n    ');
  const parts: Bytes[] = [Buffer.from(`${text.slice(0, text.lastIndexOf('[]'))}[\n    `)];
  items.forEach((item, index) => parts.push(...(index === 0 ? [item] : [between, item])));
  parts.push(Buffer.from('\n  ]\n}\n'));
  return piecesOf(parts);
}
