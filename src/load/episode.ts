// One episode file → an Episode of the model, or the problems that stop it.
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { webUrlOf } from '../model/fields.ts';
import { episodeSchema } from '../model/schema.ts';
import type { Episode, Show } from '../model/types.ts';
import { splitFrontMatter } from './front-matter.ts';
import { readBody } from './markdown.ts';
import { storyChapters } from './chapters.ts';
import { readTranscripts } from './episode-transcripts.ts';
import { applyAudioFile } from './audio-file.ts';
import { applyImageFile } from './image-file.ts';
import type { ReadImage } from './image.ts';
import type { ReadAudio } from './audio.ts';
import { formatDuration } from '../model/time.ts';
import { isWarning, type Problem } from '../problems.ts';
import { validate, type YamlSource } from './yaml.ts';
import type { CopiedFile } from '../model/source-file.ts';

/** What an episode takes from its show; placeholders when show.yml itself is invalid. */
export type ShowContext = Pick<Show, 'url' | 'guid' | 'explicit' | 'storiesHeading' | 'chaptersIntro'> & Partial<Pick<Show, 'language' | 'audioBaseUrl'>>;

export interface EpisodeSource {
  /** Path as shown in messages. */
  file: string;
  slug: string;
  text: string;
  /** Where the file is, to find files beside it (transcripts); absent for text that is no file yet (import). */
  place?: { path: string; root: string; cwd: string; listed?: ReadonlySet<string> };
  /** What was read from the audio files that episodes name with audio.file, by absolute path. */
  audio?: ReadonlyMap<string, ReadAudio | string>;
  /** What was read from the local images that episodes name with image, by absolute path. */
  images?: ReadonlyMap<string, ReadImage | string>;
}

/**
 * What must be unique or present across episodes, read from the front matter as written so that
 * cross-file problems are found even in a file that has problems of its own.
 */
export interface Identity {
  file: string;
  slug: string;
  guid?: { value: string; line: number };
  audioUrl?: { value: string; line: number };
  numbered: boolean;
}

export interface LoadedEpisode {
  episode?: Episode;
  problems: Problem[];
  identity: Identity;
  /** The episode names files of its own to read (`transcript:`): what they hold is not in its text. */
  namesFiles?: boolean;
}

export function identityOf(source: EpisodeSource, show: ShowContext, frontMatter?: YamlSource): Identity {
  const identity: Identity = { file: source.file, slug: source.slug, numbered: false };
  const data = frontMatter?.data as Record<string, unknown> | undefined;
  if (!frontMatter || typeof data !== 'object' || data === null) return identity;
  // A text, or { value, isPermaLink } as an import keeps a feed's permalink guid.
  const written = typeof data.guid === 'object' && data.guid !== null ? (data.guid as Record<string, unknown>).value : data.guid;
  const guid = typeof written === 'string' || typeof written === 'number' ? String(written).trim() : undefined;
  // A guid must never change: by default derived from the slug under the show's permanent podcast:guid.
  identity.guid = { value: guid || uuidv5(source.slug, show.guid), line: frontMatter.lineOf(['guid']) };
  const audio = data.audio as Record<string, unknown> | undefined;
  const audioUrl = typeof audio?.url === 'string' ? webUrlOf(audio.url.trim()) : undefined;
  if (audioUrl) identity.audioUrl = { value: audioUrl.href, line: frontMatter.lineOf(['audio', 'url']) };
  identity.numbered = data.episode !== undefined && data.episode !== null;
  return identity;
}

/** What the build itself writes beside an episode's page (render/outputs): a copied file must not take one of these names. */
const EPISODE_OUTPUTS = ['index.html', 'chapters.json', 'transcript.vtt', 'transcript.srt'];

/**
 * A file published beside the page (audio.copy, a local image) under a name the build uses there,
 * or under the other's name, would replace that output: the page by MP3 bytes, say. Names are
 * compared without case, as macOS and Windows file systems and many web servers compare them.
 */
function clashingCopies(file: string, frontMatter: YamlSource, copies: ReadonlyArray<{ field: string; copied: CopiedFile } | undefined>): Problem[] {
  const problems: Problem[] = [];
  const taken = new Map(EPISODE_OUTPUTS.map((name) => [name, `castwright's own ${name}`]));
  for (const entry of copies) {
    if (!entry) continue;
    const name = path.posix.basename(entry.copied.path);
    const clash = taken.get(name.toLowerCase());
    if (clash) {
      problems.push({
        file,
        line: frontMatter.lineOf(entry.field.split('.')),
        message: `${entry.field} is published beside the page as "${name}", the name of ${clash}, which it would replace; expected a file of another name`,
      });
    } else taken.set(name.toLowerCase(), `the file ${entry.field === 'image' ? 'image' : 'audio.file'} names`);
  }
  return problems;
}

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
/** The rule of SLUG in words, as the README states it too. */
export const SLUG_RULE = 'lowercase letters and digits, in words joined by single dashes or underscores';

export function readEpisode(source: EpisodeSource, show: ShowContext): LoadedEpisode {
  const { file, slug } = source;
  const problems: Problem[] = [];
  if (!SLUG.test(slug)) {
    problems.push({
      file,
      line: 1,
      message: `file name "${slug}.md" is not a slug; expected ${SLUG_RULE}, such as 2020-09-14-disrupt-tiktok.md`,
    });
  }
  const split = splitFrontMatter(source.text, file);
  if (Array.isArray(split)) return { problems: [...problems, ...split], identity: identityOf(source, show) };

  const { frontMatter } = split;
  const identity = identityOf(source, show, frontMatter);
  problems.push(...frontMatter.problems);
  const fromFile = source.place
    ? applyAudioFile(frontMatter, { file, episodePath: source.place.path, root: source.place.root, facts: source.audio ?? new Map(), audioBaseUrl: show.audioBaseUrl, slug, siteUrl: show.url })
    : { problems: [], chapters: [] };
  problems.push(...fromFile.problems);
  const image = source.place
    ? applyImageFile(frontMatter, { file, base: path.dirname(source.place.path), root: source.place.root, facts: source.images ?? new Map(), folder: `episodes/${slug}`, siteUrl: show.url })
    : { problems: [] };
  problems.push(...image.problems);
  const fields = frontMatter.problems.some((problem) => !isWarning(problem)) ? undefined : validate(episodeSchema, frontMatter, file);
  if (fields) problems.push(...fields.problems);
  const { body, problems: bodyProblems } = readBody(split.body, {
    file,
    lineOffset: split.bodyLineOffset,
    storiesHeading: show.storiesHeading,
    duration: fields?.value?.audio.duration,
  });
  problems.push(...bodyProblems);
  const duration = fields?.value?.audio.duration;
  for (const [index, { start, duration: length }] of (fields?.value?.soundbites ?? []).entries()) {
    if (duration !== undefined && start + length > duration) {
      problems.push({
        file,
        line: frontMatter.lineOf(['soundbites', index]),
        message: `soundbites[${index}] runs to ${formatDuration(Math.ceil(start + length))}, past the end of the episode (${formatDuration(duration)}); expected a start and duration within the audio`,
      });
    }
  }
  // The stories' timestamps, else the chapters embedded in the audio file.
  const fromStories = storyChapters(body.stories, show.chaptersIntro);
  const chapterList = fromStories.length > 0 ? fromStories : fields?.value?.chapters === undefined ? fromFile.chapters : [];
  // The file's own chapters are checked as the stories' timestamps are: within the audio.
  const late = chapterList === fromFile.chapters && duration !== undefined ? chapterList.find((chapter) => chapter.start >= duration) : undefined;
  if (late) {
    problems.push({
      file,
      line: frontMatter.lineOf(['audio', 'file']),
      message: `the chapter "${late.title.slice(0, 80)}" embedded in audio.file starts at ${formatDuration(Math.floor(late.start))}, not within the episode (${formatDuration(duration!)} long); expected the file's chapters within its audio (or timestamps in the stories)`,
    });
  }
  if (fromStories.length > 0 && fields?.value?.chapters !== undefined) {
    problems.push({
      file,
      line: frontMatter.lineOf(['chapters']),
      message: 'chapters: names a chapters file, and the stories have timestamps too; expected one of them (remove chapters: to publish the timestamps)',
    });
  }
  const url = new URL(`episodes/${slug}/`, show.url).href;
  const transcripts = source.place
    ? readTranscripts(
        fields?.value?.transcript,
        { episodePath: source.place.path, root: source.place.root, cwd: source.place.cwd, slug, file, line: frontMatter.lineOf(['transcript']), listed: source.place.listed },
        url,
        show.language ?? 'en',
        duration,
      )
    : { transcript: fields?.value?.transcript?.filter((entry) => entry.file === undefined), files: [], problems: [] };
  problems.push(...transcripts.problems);
  problems.push(...clashingCopies(file, frontMatter, [fromFile.copied && { field: 'audio.file', copied: fromFile.copied }, image.copied && { field: 'image', copied: image.copied }]));
  const namesFiles = (fields?.value?.transcript ?? []).some((entry) => entry.file !== undefined);
  if (problems.some((problem) => !isWarning(problem)) || !fields?.value) return { problems, identity, namesFiles };

  const { firstParagraph, ...content } = body;
  const value = fields.value;
  // Object.assign onto {} rather than a literal of spreads, as render/view.ts's episodeView: one
  // map (a dictionary's) for all episodes, not one each (~7 MB of V8's old space at 1,000).
  const episode: Episode = Object.assign({}, value, content, {
    chapterList,
    transcript: transcripts.transcript,
    transcriptFiles: transcripts.files,
    copiedFiles: [fromFile.copied, image.copied].filter((copied) => copied !== undefined),
    slug,
    source: file,
    guid: identity.guid!.value,
    guidIsPermaLink: value.guid?.isPermaLink ?? false,
    summary: value.summary ?? firstParagraph,
    explicit: value.explicit ?? show.explicit,
    url,
  });
  return { episode, problems, identity, namesFiles };
}
