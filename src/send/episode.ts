// Which episode a send mails. A digest links to the episode's page; before the episode is
// published (a draft, or dated in the future) those links lead nowhere, so only a test copy may go.
import { suggestion } from '../model/suggestion.ts';
import { statusOf } from '../model/publication.ts';
import type { Episode, ListedEpisode } from '../model/types.ts';
import { isoDate } from '../render/view.ts';
import { SetupError } from './errors.ts';

export function episodeToSend(episodes: readonly Episode[], slug: string, options: { now: Date; test: boolean; contentDir: string }): ListedEpisode {
  const episode = episodes.find((candidate) => candidate.slug === slug);
  if (!episode) {
    const slugs = episodes.map((candidate) => candidate.slug);
    throw new SetupError(`no episode "${slug}" in ${options.contentDir}${suggestion(slug, slugs)}`);
  }
  const status = statusOf(episode, options.now);
  if (!options.test && status === 'draft') {
    throw new SetupError(`${slug} is a draft (draft: true in ${episode.source}); only a --test copy can be sent until it is published`);
  }
  if (!options.test && status === 'scheduled') {
    throw new SetupError(
      `${slug} is dated ${isoDate(episode.date)}, in the future: its page is not published yet, so the links in the email would not work; ` +
        'only a --test copy can be sent until then',
    );
  }
  return { ...episode, status };
}
