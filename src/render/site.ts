// The show notes site's pages: the index, one page per episode and a 404 page.
import type { Show } from '../model/types.ts';
import { hashOf } from '../cache/fingerprint.ts';
import { archivePages, latestStories, type LatestStory, type Paging } from './archive.ts';
import { SUBSCRIBE_PAGE } from './email.ts';
import { KnownShowFile, type OutputFile, type RenderContext, type ShowFile } from './outputs/output.ts';
import { markOf } from './platforms.ts';
import type { Templates } from './templates.ts';
import type { EpisodeView } from './view.ts';

export interface SiteOptions {
  /** HTML placed at the top of every page body (the dev server's preview bar). */
  banner?: (page: { episode?: EpisodeView }) => string;
  /** What else the banner depends on (a hash of its templates): part of a cached page's key. */
  variant?: string;
}

/** What every page's layout needs: the show, the relative way to the site's root, the stylesheet's and script's links. */
export function pageContext(show: Show, templates: Templates, root: string) {
  const { stylesheet, script } = templates.assets;
  return {
    show,
    root,
    stylesheet: `${root}${stylesheet.path}?v=${stylesheet.version}`,
    script: `${root}${script.path}?v=${script.version}`,
    // The subscribe links, each with the mark of its app.
    platforms: show.links.map((link) => ({ ...link, mark: markOf(link) })),
  };
}

function podcastEpisodeJsonLd(show: Show, episode: EpisodeView) {
  return {
    '@context': 'https://schema.org',
    '@type': 'PodcastEpisode',
    name: episode.title,
    url: episode.url,
    datePublished: episode.isoDate,
    description: episode.summary,
    ...(episode.isoDuration ? { timeRequired: episode.isoDuration } : {}),
    ...(episode.episode === undefined ? {} : { episodeNumber: episode.episode }),
    ...(episode.hosts.length ? { actor: episode.hosts.map(({ name, href }) => ({ '@type': 'Person', name, ...(href ? { url: href } : {}) })) } : {}),
    image: episode.image ?? show.image,
    associatedMedia: {
      '@type': 'MediaObject',
      contentUrl: episode.audio.url,
      encodingFormat: episode.audio.type,
      contentSize: String(episode.audio.length),
      ...(episode.isoDuration ? { duration: episode.isoDuration } : {}),
    },
    partOfSeries: { '@type': 'PodcastSeries', name: show.title, url: show.url, webFeed: show.feedUrl },
  };
}

/** Whether the page has timestamps that seek the player (and so loads seek.js). */
export const seeks = (episode: EpisodeView) => episode.transcriptParagraphs.length > 0 || episode.stories.some((story) => story.seekUrl !== undefined);

export const locale = (language: string) => language.replace(/-(\w+)$/, (_, region: string) => `_${region.toUpperCase()}`);

/** The page of one episode. */
export function renderEpisodePage(context: RenderContext, episode: EpisodeView): string {
  const { show, templates } = context;
  return templates.site.episode({
    ...pageContext(show, templates, '../../'),
    page: {
      title: `${episode.title} · ${show.title}`,
      description: episode.summary,
      url: episode.url,
      image: episode.image ?? show.image,
      type: 'website',
      locale: locale(show.language),
      audio: episode.audio,
    },
    episode,
    // Only pages with timestamps load the script that makes them seek the player.
    seekScript: seeks(episode) ? `../../${templates.assets.seekScript.path}?v=${templates.assets.seekScript.version}` : undefined,
    jsonLd: podcastEpisodeJsonLd(show, episode),
    banner: context.site.banner?.({ episode }) ?? '',
  });
}

/**
 * The home page and the archive's further pages (page/2/…), episodes newest first, each with its
 * art (the episode's or the show's); the first page also lists the latest covered stories.
 */
export function renderArchive(context: RenderContext, episodes: readonly EpisodeView[], keys?: readonly string[]): ShowFile[] {
  const { show } = context;
  const listed = episodes.map((episode) => ({ ...episode, artwork: episode.image ?? show.image }));
  const latest = latestStories(episodes);
  const pages = archivePages(listed);
  // With the episodes' render keys (each stands for its view, the show and the templates), a further
  // page is known by them and its place: it shows nothing else. The first page's latest stories
  // may come from any episode, so it is always rendered.
  const pageKeys = keys && archivePages(keys);
  return pages.map(({ paging, episodes: onPage }, index): ShowFile => {
    const render = () => archivePage(context, paging, onPage, paging.first ? latest : []);
    const onKeys = pageKeys?.[index]?.episodes;
    if (paging.first || !onKeys) return [paging.file, render()];
    return [paging.file, new KnownShowFile(hashOf('archive-page', String(paging.number), String(paging.count), ...onKeys), render)];
  });
}

function archivePage(context: RenderContext, paging: Paging, onPage: readonly EpisodeView[], latest: readonly LatestStory[]): string {
  const { show, templates } = context;
  return templates.site.index({
      ...pageContext(show, templates, paging.root),
      page: {
        title: paging.first ? show.title : `Episodes, page ${paging.number} of ${paging.count} · ${show.title}`,
        description: show.description,
        url: new URL(paging.path, show.url).href,
        image: show.image,
        type: 'website',
        locale: locale(show.language),
        bodyClass: 'home',
        ...(paging.newer ? { prev: paging.newer } : {}),
        ...(paging.older ? { next: paging.older } : {}),
      },
      paging,
      episodes: onPage,
      latestStories: latest,
      banner: context.site.banner?.({}) ?? '',
    });
}

/** subscribe/: the feed's address to copy, the show's apps with their marks, the sign-up form when the show takes sign-ups. */
export function renderSubscribePage(context: RenderContext): OutputFile {
  const { show, templates } = context;
  return [
    `${SUBSCRIBE_PAGE}index.html`,
    templates.site.subscribe({
      ...pageContext(show, templates, '../'),
      page: {
        title: `Subscribe · ${show.title}`,
        description: `Follow ${show.title} in a podcast app, by its feed, or by email.`,
        url: new URL(SUBSCRIBE_PAGE, show.url).href,
        image: show.image,
        type: 'website',
        locale: locale(show.language),
      },
      // The page has its own sign-up section.
      noSignup: true,
      banner: context.site.banner?.({}) ?? '',
    }),
  ];
}

/** Served for any unknown path, so its links start from the site's own path. */
export function renderNotFound(context: RenderContext): string {
  const { show, templates } = context;
  return templates.site.notFound({
    ...pageContext(show, templates, new URL(show.url).pathname),
    page: { title: `Page not found · ${show.title}`, description: show.description, url: show.url, image: show.image, type: 'website', locale: locale(show.language) },
    banner: context.site.banner?.({}) ?? '',
  });
}
