// What each output file is, for the target: its media type, how long caches may keep it, and when
// it goes up. Uploads go in ranks, each finished before the next starts, so nothing live ever links
// to a file that is not there yet: assets, then pages from the deepest folder up (an episode's page
// before the index that links it), then the listings of pages (sitemap.xml, the JSON Feed), then the
// feed's paged archives, then the feed itself.

import { CHAPTERS_PATH } from '../dev/paths.ts';

export type Kind = 'asset' | 'page' | 'listing' | 'feed-archive' | 'feed';

export const FEED_FILE = 'feed.xml';

/** Files that list the pages, so they go up after them: a reader or crawler never follows one to a page not there yet. */
const LISTINGS = new Set(['feed.json', 'sitemap.xml']);

/** RFC 5005 archive pages of the feed, however a paging feature names them: feed-2.xml, feed/2.xml. */
const FEED_ARCHIVE = /^feed[-/_.][^/]*\.xml$|^feed\/.+\.xml$/;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  // application/xml rather than application/rss+xml: apps read either, and browsers show an
  // application/xml feed through its stylesheet where they would download an rss+xml one.
  xml: 'application/xml; charset=utf-8',
  xsl: 'application/xslt+xml; charset=utf-8',
  xslt: 'application/xslt+xml; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  vtt: 'text/vtt; charset=utf-8',
  srt: 'application/x-subrip',
  // Audio published with the site (audio.copy), as the feed's enclosure names it.
  mp3: 'audio/mpeg',
  m4a: 'audio/x-m4a',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  woff: 'font/woff',
  webmanifest: 'application/manifest+json',
};

/** Feeds and pages change with every episode: caches may keep them 5 minutes. */
const SHORT = 'public, max-age=300';
/** A name that carries its content hash (style.3f2a9c1b.css) never changes content. */
const FOREVER = 'public, max-age=31536000, immutable';
/** Other assets (style.css is linked as style.css?v=<hash>, feed.xsl is not versioned). */
const HOUR = 'public, max-age=3600';
const HASHED_NAME = /[.-][0-9a-f]{8,}\.[a-z0-9]+$/i;

export function kindOf(path: string): Kind {
  if (path === FEED_FILE) return 'feed';
  if (LISTINGS.has(path)) return 'listing';
  if (FEED_ARCHIVE.test(path)) return 'feed-archive';
  return /\.html?$/i.test(path) ? 'page' : 'asset';
}

export function contentTypeOf(path: string): string {
  if (CHAPTERS_PATH.test(path)) return 'application/json+chapters';
  // JSON Feed's own media type (jsonfeed.org 1.1).
  if (path === 'feed.json') return 'application/feed+json; charset=utf-8';
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return TYPES[extension] ?? 'application/octet-stream';
}

export function cacheControlOf(path: string): string {
  const kind = kindOf(path);
  if (kind !== 'asset') return SHORT;
  if (HASHED_NAME.test(path)) return FOREVER;
  // Email copies (email/<slug>.txt) are pages in all but name.
  return /\.txt$/i.test(path) ? SHORT : HOUR;
}

/** Lower ranks go up first; each rank finishes before the next begins. */
export function rankOf(path: string): number {
  const kind = kindOf(path);
  if (kind === 'feed') return 2001;
  if (kind === 'feed-archive') return 2000;
  if (kind === 'listing') return 1999;
  if (kind === 'asset') return 0;
  const depth = path.split('/').length;
  return 1000 - Math.min(depth, 999);
}
