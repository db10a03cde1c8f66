// The home page and the pages of the archive behind it: episodes newest first, PAGE_SIZE a page, at
// index.html then page/2/, page/3/…; the first page also lists the latest covered stories.
import type { Story } from '../model/types.ts';
import type { EpisodeView } from './view.ts';

export const PAGE_SIZE = 20;
/** Stories in the home page's "Latest stories", and at most this many from one episode. */
export const LATEST_STORIES = 10;
export const LATEST_PER_EPISODE = 4;
/** Page links shown on each side of the current page (first and last are always shown). */
const PAGER_REACH = 2;

export interface PageLink {
  number: number;
  href: string;
  current: boolean;
  /** A gap where page numbers are left out. */
  gap: boolean;
}

export interface Paging {
  number: number;
  count: number;
  first: boolean;
  /** Output path of the page, e.g. `page/2/index.html`. */
  file: string;
  /** Relative way back to the site's root from the page. */
  root: string;
  /** Path of the page under the site's URL: `` or `page/2/`. */
  path: string;
  newer?: string;
  older?: string;
  /** The page links to show, with gaps where numbers are left out. */
  pages: PageLink[];
}

export const archivePath = (number: number) => (number === 1 ? '' : `page/${number}/`);

/** Every page of the archive, each with its slice of the episodes. Linear in the episodes and pages. */
export function archivePages<T>(episodes: readonly T[], pageSize = PAGE_SIZE): Array<{ paging: Paging; episodes: T[] }> {
  const count = Math.max(1, Math.ceil(episodes.length / pageSize));
  const pages: Array<{ paging: Paging; episodes: T[] }> = [];
  for (let number = 1; number <= count; number++) {
    const root = number === 1 ? '' : '../../';
    const href = (to: number) => `${root}${archivePath(to)}` || './';
    const shown = new Set([1, count]);
    for (let near = number - PAGER_REACH; near <= number + PAGER_REACH; near++) if (near >= 1 && near <= count) shown.add(near);
    const links: PageLink[] = [];
    let previous = 0;
    for (const to of [...shown].sort((a, b) => a - b)) {
      if (to > previous + 1) links.push({ number: 0, href: '', current: false, gap: true });
      links.push({ number: to, href: href(to), current: to === number, gap: false });
      previous = to;
    }
    pages.push({
      paging: {
        number,
        count,
        first: number === 1,
        file: `${archivePath(number)}index.html`,
        root,
        path: archivePath(number),
        ...(number > 1 ? { newer: href(number - 1) } : {}),
        ...(number < count ? { older: href(number + 1) } : {}),
        pages: links,
      },
      episodes: episodes.slice((number - 1) * pageSize, number * pageSize),
    });
  }
  return pages;
}

export interface LatestStory extends Story {
  episode: { slug: string; label: string };
}

/** The newest covered stories across episodes, a few from each so that one long episode does not fill the list. */
export function latestStories(episodes: readonly EpisodeView[], limit = LATEST_STORIES, perEpisode = LATEST_PER_EPISODE): LatestStory[] {
  const stories: LatestStory[] = [];
  for (const episode of episodes) {
    if (stories.length >= limit) break;
    const label = episode.episode === undefined ? episode.dateText : `Episode ${episode.episode}`;
    for (const story of episode.stories.slice(0, Math.min(perEpisode, limit - stories.length))) stories.push({ ...story, episode: { slug: episode.slug, label } });
  }
  return stories;
}
