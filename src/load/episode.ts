// One episode file → an Episode of the model, or the problems that stop it.
import { v5 as uuidv5 } from 'uuid';
import { episodeSchema } from '../model/schema.ts';
import type { Episode, Show } from '../model/types.ts';
import { splitFrontMatter } from './front-matter.ts';
import { readBody } from './markdown.ts';
import type { Problem } from './problems.ts';
import { validate } from './yaml.ts';

/** What an episode takes from its show; placeholders when show.yml itself is invalid. */
export type ShowContext = Pick<Show, 'url' | 'guid' | 'explicit' | 'storiesHeading'>;

export interface EpisodeSource {
  /** Path as shown in messages. */
  file: string;
  slug: string;
  text: string;
}

export interface LoadedEpisode {
  episode?: Episode;
  problems: Problem[];
  /** Lines of the fields that must be unique across episodes, for cross-file problems. */
  lines: { guid: number; audioUrl: number };
}

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

export function readEpisode(source: EpisodeSource, show: ShowContext): LoadedEpisode {
  const { file, slug } = source;
  const lines = { guid: 1, audioUrl: 1 };
  const problems: Problem[] = [];
  if (!SLUG.test(slug)) {
    problems.push({
      file,
      line: 1,
      message: `file name "${slug}.md" is not a slug; expected lowercase letters, digits and dashes, such as 2020-09-14-disrupt-tiktok.md`,
    });
  }
  const split = splitFrontMatter(source.text, file);
  if (Array.isArray(split)) return { problems: [...problems, ...split], lines };

  const { frontMatter } = split;
  lines.guid = frontMatter.lineOf(['guid']);
  lines.audioUrl = frontMatter.lineOf(['audio', 'url']);
  problems.push(...frontMatter.problems);
  const fields = frontMatter.problems.length > 0 ? undefined : validate(episodeSchema, frontMatter, file);
  if (fields) problems.push(...fields.problems);
  const { body, problems: bodyProblems } = readBody(split.body, {
    file,
    lineOffset: split.bodyLineOffset,
    storiesHeading: show.storiesHeading,
  });
  problems.push(...bodyProblems);
  if (problems.length > 0 || !fields?.value) return { problems, lines };

  const { firstParagraph, ...content } = body;
  const value = fields.value;
  const episode: Episode = {
    ...value,
    ...content,
    slug,
    source: file,
    // A guid must never change: derived from the slug under the show's permanent podcast:guid.
    guid: value.guid ?? uuidv5(slug, show.guid),
    summary: value.summary ?? firstParagraph,
    explicit: value.explicit ?? show.explicit,
    url: new URL(`episodes/${slug}/`, show.url).href,
  };
  return { episode, problems, lines };
}
