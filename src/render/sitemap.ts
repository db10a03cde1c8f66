// sitemap.xml (sitemaps.org 0.9) and robots.txt: every page of the site a search engine should
// know, with the date it last changed, and where to find that list.
import type { Show } from '../model/types.ts';
import { archivePages } from './archive.ts';
import { SUBSCRIBE_PAGE } from './email.ts';
import type { OutputFile } from './outputs/output.ts';
import type { Templates } from './templates.ts';
import type { EpisodeView } from './view.ts';

export const SITEMAP_PATH = 'sitemap.xml';
/** The protocol's limit for one sitemap file. */
export const SITEMAP_MAX_URLS = 50_000;

/** The site's pages: the archive (dated by its newest episode), the subscribe page, each episode. */
export function renderSitemap(show: Show, templates: Templates, episodes: readonly EpisodeView[]): OutputFile[] {
  const urls = [
    ...archivePages(episodes).map(({ paging, episodes: onPage }) => ({ loc: new URL(paging.path, show.url).href, lastmod: onPage[0]?.isoDate })),
    { loc: new URL(SUBSCRIBE_PAGE, show.url).href, lastmod: undefined },
    ...episodes.map((episode) => ({ loc: episode.url, lastmod: episode.isoDate })),
  ];
  // Past the protocol's limit the oldest episodes are left out rather than the file refused.
  return [
    [SITEMAP_PATH, templates.site.sitemap({ urls: urls.slice(0, SITEMAP_MAX_URLS) })],
    ['robots.txt', templates.site.robots({ show, sitemapUrl: new URL(SITEMAP_PATH, show.url).href })],
  ];
}
