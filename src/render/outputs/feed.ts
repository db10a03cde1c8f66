// The podcast feed: each episode's item rendered on its own, the feed assembled from all of them.
import { renderFeed, renderFeedItem, type FeedItem } from '../feed.ts';
import { defineOutput } from './output.ts';

export const feedOutput = defineOutput<FeedItem | undefined>({
  name: 'feed',
  episode: (context, view) => {
    const item = renderFeedItem(context.templates, view);
    return 'message' in item ? { files: [], part: undefined, problems: [item] } : { files: [], part: item };
  },
  // Called only when no episode had a problem, so every part is there.
  show: (context, episodes) => [['feed.xml', renderFeed(context.show, context.templates, episodes.map(({ view, part }) => ({ view, item: part! })))]],
});
