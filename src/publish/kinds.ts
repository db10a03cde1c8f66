// What each output file is, for the target: how long caches may keep it, and when it goes up (its
// media type is model/content-types.ts, shared with dev and serve). Uploads go in ranks, each
// finished before the next starts, so nothing live ever links to a file that is not there yet:
// assets, then pages from the deepest folder up (an episode's page before the index that links it),
// then the listings of pages (sitemap.xml, the JSON Feed), then the feed's paged archives, then the
// feed itself.

export type Kind = 'asset' | 'page' | 'listing' | 'feed-archive' | 'feed';

export const FEED_FILE = 'feed.xml';

/** Files that list the pages, so they go up after them: a reader or crawler never follows one to a page not there yet. */
const LISTINGS = new Set(['feed.json', 'sitemap.xml']);

/** RFC 5005 archive pages of the feed, however a paging feature names them: feed-2.xml, feed/2.xml. */
const FEED_ARCHIVE = /^feed[-/_.][^/]*\.xml$|^feed\/.+\.xml$/;

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
