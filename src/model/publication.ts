import type { Episode, EpisodeStatus, ListedEpisode, Publication, Show } from './types.ts';

export interface SelectOptions {
  /** Include drafts and episodes dated after `now` (for previews). */
  drafts: boolean;
  now: Date;
}

export function statusOf(episode: Episode, now: Date): EpisodeStatus {
  if (episode.draft) return 'draft';
  return episode.date.instant.getTime() > now.getTime() ? 'scheduled' : 'published';
}

/** The episodes a build publishes, newest first (ties broken by slug so the order is stable). */
export function publish(show: Show, episodes: readonly Episode[], options: SelectOptions): Publication {
  const listed: ListedEpisode[] = episodes
    .map((episode) => ({ ...episode, status: statusOf(episode, options.now) }))
    .filter((episode) => options.drafts || episode.status === 'published')
    .sort((a, b) => b.date.instant.getTime() - a.date.instant.getTime() || a.slug.localeCompare(b.slug));
  return { show, episodes: listed };
}
