// Display values derived once per episode and shared by every output: dates, lengths, labels.
import { formatDuration, formatTimestamp, isoDuration, type PublishDate } from '../model/time.ts';
import type { Person } from '../model/schema.ts';
import type { Chapter, Cue, ListedEpisode, Show, Story } from '../model/types.ts';
import { hashOf } from '../cache/fingerprint.ts';
import type { BuildCache } from '../cache/store.ts';

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The date as the producer's audience reads it, in the UTC offset the producer wrote. */
export function formatDate(date: PublishDate, language: string): string {
  let format = dateFormats.get(language);
  if (!format) {
    // English after the language: ICU formats a language it has no dates for (la, tlh) in the
    // process's default locale, set by LC_ALL, LC_MESSAGES or LANG, so a build under LANG=de_DE
    // wrote German dates, and the date texts it kept by day showed in a build under LANG=C.
    format = new Intl.DateTimeFormat([language, 'en'], { dateStyle: 'long', timeZone: 'UTC' });
    dateFormats.set(language, format);
  }
  return format.format(new Date(date.instant.getTime() + date.offsetMinutes * 60_000));
}

/**
 * Each episode's dateText by the day it falls on where the producer wrote it, kept in the build
 * cache for the show's language: formatting a date first loads ICU's date data (~15-25 ms), which
 * a rebuild of episodes whose days are known then never loads (issue 9). The entry is one JSON
 * text, day → text; anything else under its key (damaged, foreign) is a miss, and the days are
 * formatted again.
 */
export interface DateTexts {
  text(date: PublishDate): string;
  /** Keeps the days of this build in the cache, when one was not known. */
  save(): void;
}

/** The local day of a date (its dateText depends on nothing else), as days since 1970-01-01: a toISOString per episode cost ~8 ms. */
const localDay = (date: PublishDate) => String(Math.floor((date.instant.getTime() + date.offsetMinutes * 60_000) / 86_400_000));

export function cachedDateTexts(cache: BuildCache, language: string): DateTexts {
  // ICU's data decides the texts: a Node built with another ICU has other entries.
  const key = hashOf('date-texts', language, process.versions.icu ?? '', process.versions.unicode ?? '');
  const known = storedDateTexts(cache.get(key));
  const used = new Map<string, string>();
  let missed = false;
  return {
    text(date) {
      const day = localDay(date);
      let text = used.get(day) ?? known.get(day);
      if (text === undefined) {
        text = formatDate(date, language);
        missed = true;
      }
      used.set(day, text);
      return text;
    },
    save() {
      if (missed) cache.set(key, JSON.stringify(Object.fromEntries(used)));
    },
  };
}

/** The day → text map of a stored entry; empty for anything but a JSON object of texts. */
export function storedDateTexts(value: unknown): Map<string, string> {
  if (typeof value !== 'string') return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return new Map();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Map();
  const entries = Object.entries(parsed);
  return entries.every(([day, text]) => /^-?\d{1,9}$/.test(day) && typeof text === 'string') ? new Map(entries as Array<[string, string]>) : new Map();
}

/** ISO 8601 with the offset the producer wrote, e.g. 2020-09-14T07:00:00-07:00. */
export function isoDate(date: PublishDate): string {
  const local = new Date(date.instant.getTime() + date.offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (date.offsetMinutes === 0) return `${local}Z`;
  const sign = date.offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(date.offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

/**
 * `text` cut back to a whole word so that with its ellipsis it is at most `length` UTF-16 units
 * long. Never splits a surrogate pair.
 */
export function shortenText(text: string, length: number): string {
  if (text.length <= length) return text;
  let cut = text.slice(0, Math.max(0, length - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  const word = cut.replace(/\s+\S*$/, '');
  return `${(word || cut).trimEnd()}…`;
}

/** `text` shortened as `shortenText` does, to at most `maxBytes` of UTF-8 (Apple counts bytes). */
export function shortenToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  return shortenText(text, largestFitting(0, text.length, (length) => Buffer.byteLength(shortenText(text, length)) <= maxBytes));
}

/** The largest n in [low, high] for which `fits(n)` holds, given that it holds for `low`. */
export function largestFitting(low: number, high: number, fits: (n: number) => boolean): number {
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

const STATUS_LABELS = { published: '', draft: 'Draft', scheduled: 'Scheduled' } as const;

/** A chapter with its start as listeners read it: `00:00`, `12:34`, `01:02:03`. */
export interface ChapterView extends Chapter {
  startText: string;
}

/** A story with its timestamp as text and as a link that seeks the audio (a media fragment). */
export interface StoryView extends Story {
  startText?: string;
  seekUrl?: string;
}

/** A paragraph of the page's transcript: one speaker's turn, cut at about a minute. */
export interface TranscriptParagraph {
  start: number;
  startText: string;
  seekUrl: string;
  speaker?: string;
  text: string;
}

/** A paragraph runs at most this long before the next one starts, so its timestamp stays useful. */
const PARAGRAPH_SECONDS = 60;

function transcriptParagraphs(cues: readonly Cue[], seekUrl: (start: number) => string, hours: boolean): TranscriptParagraph[] {
  const paragraphs: TranscriptParagraph[] = [];
  let current: TranscriptParagraph | undefined;
  for (const cue of cues) {
    if (!cue.text) continue;
    if (!current || cue.speaker !== current.speaker || cue.start - current.start >= PARAGRAPH_SECONDS) {
      current = { start: cue.start, startText: formatTimestamp(cue.start, hours), seekUrl: seekUrl(cue.start), ...(cue.speaker ? { speaker: cue.speaker } : {}), text: cue.text };
      paragraphs.push(current);
    } else {
      current.text += ` ${cue.text}`;
    }
  }
  return paragraphs;
}

/** The file castwright writes beside each page for episodes with chapters. */
export const CHAPTERS_FILE = 'chapters.json';

export interface EpisodeView extends ListedEpisode {
  stories: StoryView[];
  /** castwright's own chapters (chapterList), each with its start as text. */
  timeline: ChapterView[];
  /** The chapter before the first story (the intro), which the description lists apart. */
  introChapter?: ChapterView;
  /** The first transcript castwright publishes (VTT before SRT), as paragraphs for the page. */
  transcriptParagraphs: TranscriptParagraph[];
  /** The chapters file the feed names: `chapters:` from the front matter, else the one written beside the page. */
  chaptersUrl?: string;
  dateText: string;
  isoDate: string;
  durationText: string;
  isoDuration: string;
  sizeText: string;
  /** "Draft" or "Scheduled"; empty for a published episode. */
  statusLabel: string;
  /** "Episode 312, season 4" or empty. */
  numberText: string;
  /** Hosts (role host, or none), then everyone else with their role: "Jane Doe (guest)". */
  hostPeople: Person[];
  otherPeople: Array<Person & { roleText: string }>;
}

/** Podcasting 2.0's default role is host. */
export const isHost = (person: Person): boolean => person.role === undefined || person.role.toLowerCase() === 'host';

/** Whole seconds, as a `#t=` media fragment and a player's currentTime take them. */
const seekSeconds = (start: number) => Number(start.toFixed(3));

/** With `dates`, the dateText is taken from them (a build with a cache, see DateTexts). */
export function episodeView(show: Show, episode: ListedEpisode, dates?: DateTexts): EpisodeView {
  // An episode of an hour or more writes every timestamp with hours, so they line up.
  const hours = (episode.audio.duration ?? 0) >= 3600 || episode.chapterList.some((chapter) => chapter.start >= 3600);
  const timeline = episode.chapterList.map((chapter) => ({ ...chapter, startText: formatTimestamp(chapter.start, hours) }));
  const seekUrl = (start: number) => `${episode.audio.url.replace(/#.*$/, '')}#t=${seekSeconds(start)}`;
  const stories = episode.stories.map((story): StoryView =>
    story.start === undefined ? story : { ...story, startText: formatTimestamp(story.start, hours), seekUrl: seekUrl(story.start) },
  );
  const firstStory = stories.find((story) => story.start !== undefined);
  const number = episode.episode === undefined ? '' : `Episode ${episode.episode}`;
  const season = episode.season === undefined ? '' : `season ${episode.season}`;
  // Object.assign onto {}, not a literal spreading the episode: the spread gave each view a hidden
  // class (map) of its own (799 maps for 799 views in a heap snapshot of a cold 1,000-episode
  // build), each built in V8's old space (~10 MB there until a full collection, which a build
  // rarely reaches: cold peak ~16 MB higher) and each a new shape for every template lookup.
  // Assigned one by one, its ~38 properties go past V8's limit for fast ones and sit in a
  // dictionary: one map for all views. Same properties, same order (the episode's, its stories in
  // place, then the view's own).
  return Object.assign({}, episode, {
    stories,
    timeline,
    introChapter: timeline[0] && firstStory && timeline[0].start < firstStory.start! ? timeline[0] : undefined,
    transcriptParagraphs: transcriptParagraphs(episode.transcriptFiles[0]?.cues ?? [], seekUrl, hours),
    chaptersUrl: episode.chapters ?? (timeline.length > 0 ? new URL(CHAPTERS_FILE, episode.url).href : undefined),
    dateText: dates ? dates.text(episode.date) : formatDate(episode.date, show.language),
    isoDate: isoDate(episode.date),
    // Empty when the length is unknown (an imported episode whose feed gave none).
    durationText: episode.audio.duration === undefined ? '' : formatDuration(episode.audio.duration),
    isoDuration: episode.audio.duration === undefined ? '' : isoDuration(episode.audio.duration),
    sizeText: formatBytes(episode.audio.length),
    statusLabel: STATUS_LABELS[episode.status],
    hostPeople: episode.hosts.filter(isHost),
    otherPeople: episode.hosts.filter((person) => !isHost(person)).map((person) => ({ ...person, roleText: person.role!.toLowerCase() })),
    numberText: [number, season].filter(Boolean).join(', ').replace(/^s/, (c) => (number ? c : c.toUpperCase())),
  });
}
