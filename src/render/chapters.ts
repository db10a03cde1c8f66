// An episode's chapters as Podcasting 2.0 JSON chapters (version 1.2.0), the file that
// <podcast:chapters> names: Apple Podcasts and most Podcasting 2.0 apps read it.
import type { Show } from '../model/types.ts';
import type { EpisodeView } from './view.ts';

export const JSON_CHAPTERS_TYPE = 'application/json+chapters';
export const JSON_CHAPTERS_VERSION = '1.2.0';

export function renderChaptersJson(show: Show, episode: EpisodeView): string {
  const document = {
    version: JSON_CHAPTERS_VERSION,
    title: episode.title,
    podcastName: show.title,
    chapters: episode.timeline.map(({ start, title, url }) => ({ startTime: start, title, ...(url ? { url } : {}) })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
