// The show notes site's pages: the index, one page per episode and a 404 page.
import type { Show } from '../model/types.ts';
import type { RenderContext } from './outputs/output.ts';
import type { Templates } from './templates.ts';
import type { EpisodeView } from './view.ts';

export interface SiteOptions {
  /** HTML placed at the top of every page body (the dev server's preview bar). */
  banner?: (page: { episode?: EpisodeView }) => string;
  /** What else the banner depends on (a hash of its templates): part of a cached page's key. */
  variant?: string;
}

/** What every page's layout needs: the show, the relative way to the site's root, the stylesheet's link. */
export function pageContext(show: Show, templates: Templates, root: string) {
  const { stylesheet } = templates.assets;
  return { show, root, stylesheet: `${root}${stylesheet.path}?v=${stylesheet.version}` };
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

/** The home page, listing every episode newest first. */
export function renderIndex(context: RenderContext, episodes: readonly EpisodeView[]): string {
  const { show, templates } = context;
  return templates.site.index({
    ...pageContext(show, templates, ''),
    page: { title: show.title, description: show.description, url: show.url, image: show.image, type: 'website', locale: locale(show.language) },
    episodes,
    banner: context.site.banner?.({}) ?? '',
  });
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
