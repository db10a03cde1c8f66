// The show notes site: one page per episode, the index and the archive's pages, the subscribe
// page and the 404 page.
import { renderArchive, renderEpisodePage, renderNotFound, renderSubscribePage } from '../site.ts';
import { defineOutput } from './output.ts';

export const siteOutput = defineOutput({
  name: 'site',
  episode: (context, view) => ({ files: [[`episodes/${view.slug}/index.html`, renderEpisodePage(context, view)]], part: undefined }),
  show: (context, episodes) => [
    ...renderArchive(
      context,
      episodes.map(({ view }) => view),
      episodes.every(({ key }) => key !== undefined) ? episodes.map(({ key }) => key!) : undefined,
    ),
    renderSubscribePage(context),
    ['404.html', renderNotFound(context)],
  ],
});
