// Every output of a build, in one list. To add one (chapters.json, a sitemap, …): write a module
// beside these that exports `defineOutput({ name, episode?, show?, applies? })` (see output.ts) and
// add it here. publication.ts renders each listed output; build, dev, check and publish pick it up.
import { assetsOutput } from './assets.ts';
import { chaptersOutput } from './chapters.ts';
import { copiedFilesOutput } from './copied.ts';
import { jsonFeedOutput, sitemapOutput } from './discovery.ts';
import { emailOutput } from './email.ts';
import { feedOutput } from './feed.ts';
import type { Output } from './output.ts';
import { siteOutput } from './site.ts';
import { transcriptsOutput } from './transcripts.ts';

export const OUTPUTS: ReadonlyArray<Output<any, any>> = [
  siteOutput,
  feedOutput,
  jsonFeedOutput,
  emailOutput,
  chaptersOutput,
  transcriptsOutput,
  copiedFilesOutput,
  sitemapOutput,
  assetsOutput,
];
