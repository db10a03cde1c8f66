// What search engines and feed readers look for beside the pages: sitemap.xml, robots.txt, and the
// JSON Feed (feed.json) with every episode and its stories.
import { JSON_FEED_PATH, jsonFeedItem, jsonFeedItemText, renderJsonFeed } from '../json-feed.ts';
import { renderSitemap } from '../sitemap.ts';
import type { Bytes } from '../../model/pieces.ts';
import { defineOutput } from './output.ts';

export const sitemapOutput = defineOutput({
  name: 'sitemap',
  // Nothing to render per episode; the half is there so the show half is given every episode's view.
  episode: () => ({ files: [], part: undefined }),
  show: ({ show, templates }, episodes) => renderSitemap(show, templates, episodes.map(({ view }) => view)),
});

// Each episode's part is its item as written in the feed (bytes), which the feed copies; until the
// feed is written, the items wait in the work area rather than in memory.
export const jsonFeedOutput = defineOutput<Uint8Array, Bytes>({
  name: 'json-feed',
  episode: ({ show, templates }, view) => ({ files: [], part: jsonFeedItemText(jsonFeedItem(show, templates, view)) }),
  keep: (item, aside) => aside.put(item),
  show: ({ show }, episodes) => [[JSON_FEED_PATH, renderJsonFeed(show, episodes.map(({ part }) => part))]],
});
