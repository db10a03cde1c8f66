// Files the templates folder ships as they are: the site's stylesheet and script, the feed's XSL.
import { defineOutput } from './output.ts';

export const assetsOutput = defineOutput({
  name: 'assets',
  show: ({ templates }) => [templates.assets.stylesheet, templates.assets.script, templates.assets.feedStylesheet].map(({ path, content }) => [path, content] as const),
});
