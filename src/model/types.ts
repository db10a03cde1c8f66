// The domain model every output is rendered from. Fields that come from sources are inferred from
// the schema; the rest is derived by the load stage from the Markdown body.
import type { EpisodeFields, ShowSettings } from './schema.ts';
import type { CopiedFile } from './source-file.ts';
import type { PublishDate } from './time.ts';

export type Show = ShowSettings & {
  /** Files of the content folder published as they are: the cover art when `image` names a local file. */
  copiedFiles?: CopiedFile[];
};

export type EmailSettings = NonNullable<ShowSettings['email']>;

/** A show with email settings: only such a show has digests to render and send. */
export type MailingShow = Show & { email: EmailSettings };

export function hasEmail(show: Show): show is MailingShow {
  return show.email !== undefined;
}

/** One covered story: the list item `- [Title](url) — summary` under the stories heading. */
export interface Story {
  title: string;
  url: string;
  /** Host name of the story's site without `www.`, e.g. `techcrunch.com`. */
  source: string;
  /** Plain text, empty when the item has none. */
  summary: string;
  /** The summary's inline Markdown rendered to HTML. */
  summaryHtml: string;
  /** Seconds into the audio where the story starts (`- 12:34 [Title](url)`), when written. */
  start?: number;
}

/** One chapter of an episode: from a story's timestamp, the intro, or the audio file's own marks. */
export interface Chapter {
  /** Seconds from the start of the audio. */
  start: number;
  title: string;
  url?: string;
}

/** One timed line of a transcript. */
export interface Cue {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  /** From a VTT voice tag (`<v Alex Wilhelm>`), or an SRT line written `Alex Wilhelm: …`. */
  speaker?: string;
  /** Plain text: tags removed, entities decoded, lines joined. */
  text: string;
}

/** A transcript file of the content folder, published beside the episode's page. */
export interface TranscriptFile {
  /** Name in the episode's output folder: transcript.vtt or transcript.srt. */
  name: string;
  format: 'vtt' | 'srt';
  /** The file as written, published unchanged. */
  text: string;
  cues: Cue[];
}

export interface Episode extends Omit<EpisodeFields, 'guid' | 'summary' | 'explicit' | 'date'> {
  /** File name without `.md`: the page's path and the email's name. */
  slug: string;
  /** The source file as named in messages, relative to the working folder. */
  source: string;
  date: PublishDate;
  guid: string;
  /** The feed writes isPermaLink="true": a guid imported from a feed that published it so. */
  guidIsPermaLink: boolean;
  /** Plain text: the front matter's `summary`, or the first paragraph of the body. */
  summary: string;
  explicit: boolean;
  /** Absolute URL of the show notes page. */
  url: string;
  /** Body before the stories heading, as HTML. */
  introHtml: string;
  /** The stories heading as written, e.g. "On the podcast this morning". */
  storiesHeading?: string;
  stories: Story[];
  /** Body after the stories list, as HTML. */
  outroHtml: string;
  /**
   * Chapters castwright publishes itself (chapters.json, psc:chapters, description timestamps):
   * from the stories' timestamps, else from the audio file. Empty when there are none.
   */
  chapterList: Chapter[];
  /** Transcripts castwright reads and publishes (a .vtt or .srt beside the episode, or `transcript:` naming one). */
  transcriptFiles: TranscriptFile[];
  /** Files of the content folder published as they are: the audio with `audio.copy: true`. */
  copiedFiles: CopiedFile[];
}

export type EpisodeStatus = 'published' | 'draft' | 'scheduled';

export interface ListedEpisode extends Episode {
  status: EpisodeStatus;
}

/** What one build publishes: the show and its episodes, newest first. */
export interface Publication {
  show: Show;
  episodes: ListedEpisode[];
}
