// The podcast feed: each episode's item rendered on its own, the feed assembled from all of them.
import { renderFeedItem, renderFeedPages, type FeedItem, type KeptFeedItem } from '../feed.ts';
import { defineOutput } from './output.ts';

export const feedOutput = defineOutput<FeedItem | undefined, KeptFeedItem | undefined>({
  name: 'feed',
  episode: (context, view) => {
    const item = renderFeedItem(context.show, context.templates, view);
    return 'message' in item ? { files: [], part: undefined, problems: [item] } : { files: [], part: item };
  },
  // Until the feed is written, its items wait in the work area rather than in memory.
  keep: (item, aside) => item && { xml: aside.put(item.xml) },
  // Called only when no episode had a problem, so every part is there.
  // feed.xml, and with feed.limit the older episodes in RFC 5005 pages feed-2.xml, feed-3.xml…
  show: (context, episodes) => renderFeedPages(context.show, context.templates, episodes.map(({ view, part }) => ({ view, item: part! }))),
});
