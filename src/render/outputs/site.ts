// The show notes site: one page per episode, the index and the 404 page.
import { renderEpisodePage, renderIndex, renderNotFound } from '../site.ts';
import { defineOutput } from './output.ts';

export const siteOutput = defineOutput({
  name: 'site',
  episode: (context, view) => ({ files: [[`episodes/${view.slug}/index.html`, renderEpisodePage(context, view)]], part: undefined }),
  show: (context, episodes) => [
    ['index.html', renderIndex(context, episodes.map(({ view }) => view))],
    ['404.html', renderNotFound(context)],
  ],
});
