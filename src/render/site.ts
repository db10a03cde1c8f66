// The show notes site: the index, one page per episode and a 404 page.
import type { Publication, Show } from '../model/types.ts';
import { SUBSCRIBE_PAGE } from './email.ts';
import { archivePages, latestStories } from './archive.ts';
import { markOf } from './platforms.ts';
import type { Templates } from './templates.ts';
import { episodeView, type EpisodeView } from './view.ts';

export interface SiteOptions {
  /** HTML placed at the top of every page body (the dev server's preview bar). */
  banner?: (page: { episode?: EpisodeView }) => string;
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

export const locale = (language: string) => language.replace(/-(\w+)$/, (_, region: string) => `_${region.toUpperCase()}`);

/** Output path → content for every page of the site. */
export function renderSite(publication: Publication, templates: Templates, options: SiteOptions = {}): Map<string, string> {
  const { show } = publication;
  const files = new Map<string, string>();
  const episodes = publication.episodes.map((episode) => episodeView(show, episode));
  const banner = (episode?: EpisodeView) => options.banner?.({ episode }) ?? '';

  const listed = episodes.map((episode) => ({ ...episode, artwork: episode.image ?? show.image }));
  const latest = latestStories(episodes);
  for (const { paging, episodes: onPage } of archivePages(listed)) {
    const url = new URL(paging.path, show.url).href;
    files.set(
      paging.file,
      templates.site.index({
        ...pageContext(show, templates, paging.root),
        page: {
          title: paging.first ? show.title : `Episodes, page ${paging.number} of ${paging.count} · ${show.title}`,
          description: show.description,
          url,
          image: show.image,
          type: 'website',
          locale: locale(show.language),
          bodyClass: 'home',
          ...(paging.newer ? { prev: paging.newer } : {}),
          ...(paging.older ? { next: paging.older } : {}),
        },
        paging,
        episodes: onPage,
        latestStories: paging.first ? latest : [],
        banner: banner(),
      }),
    );
  }

  files.set(
    SUBSCRIBE_PAGE + 'index.html',
    templates.site.subscribe({
      ...pageContext(show, templates, '../'),
      page: { title: `Subscribe · ${show.title}`, description: `Follow ${show.title} in a podcast app, by its feed, or by email.`, url: new URL(SUBSCRIBE_PAGE, show.url).href, image: show.image, type: 'website', locale: locale(show.language) },
      // The page has its own sign-up section.
      noSignup: true,
      banner: banner(),
    }),
  );

  for (const episode of episodes) {
    files.set(
      `episodes/${episode.slug}/index.html`,
      templates.site.episode({
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
        jsonLd: podcastEpisodeJsonLd(show, episode),
        banner: banner(episode),
      }),
    );
  }

  // Served for any unknown path, so its links start from the site's own path.
  files.set(
    '404.html',
    templates.site.notFound({
      ...pageContext(show, templates, new URL(show.url).pathname),
      page: { title: `Page not found · ${show.title}`, description: show.description, url: show.url, image: show.image, type: 'website', locale: locale(show.language) },
      banner: banner(),
    }),
  );
  files.set(templates.assets.stylesheet.path, templates.assets.stylesheet.content);
  files.set(templates.assets.script.path, templates.assets.script.content);
  return files;
}
