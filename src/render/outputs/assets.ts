// Files the templates folder ships as they are: the site's stylesheet and script, the feed's XSL,
// and the script that makes timestamps seek the player when a page has any.
import { seeks } from '../site.ts';
import { defineOutput } from './output.ts';

export const assetsOutput = defineOutput<boolean>({
  name: 'assets',
  // Each episode says whether its page has timestamps that seek the player.
  episode: (_context, view) => ({ files: [], part: seeks(view) }),
  show: ({ templates }, episodes) =>
    [
      templates.assets.stylesheet,
      templates.assets.script,
      templates.assets.feedStylesheet,
      ...(episodes.some(({ part }) => part) ? [templates.assets.seekScript] : []),
    ].map(({ path, content }) => [path, content] as const),
});
