// One <item> → the front matter and notes of an episode, or the reason it is skipped.
import { isWebUrl } from '../model/fields.ts';
import { APPLE_DESCRIPTION_BYTES, MAX_AUDIO_BYTES, MAX_EPISODE_NUMBER, MAX_SEASON_NUMBER, MEDIA_TYPES, TRANSCRIPT_TYPES } from '../model/schema.ts';
import type { Problem } from '../problems.ts';
import { MAX_DURATION_SECONDS, MAX_YEAR, MIN_YEAR, formatDuration } from '../model/time.ts';
import { isoDate, shortenToBytes } from '../render/view.ts';
import { withinLine } from './bounds.ts';
import { plainText } from './channel.ts';
import { parseExplicit } from '../feed-reader/explicit.ts';
import { TYPE_ALIASES } from '../feed-reader/media-types.ts';
import { parseFeedDate, type FeedDate } from '../feed-reader/dates.ts';
import { parseFeedDuration } from '../feed-reader/durations.ts';
import { unmapped } from './extra.ts';
import { quoted } from '../feed-reader/quoted.ts';
import { convertNotes, looksLikeHtml, type ConvertedNotes } from './notes.ts';
import { child, childText, childrenNamed, innerMarkup, type XmlNode } from '../feed-reader/xml.ts';

export interface ItemContext {
  file: string;
  /** The channel's itunes:author: an item author equal to it names the show, not a host. */
  showAuthor?: string;
  showExplicit: boolean;
  /** The show is serial: castwright wants every episode numbered. */
  serial: boolean;
  /** The feed was written by castwright: its own additions to the notes are not imported again. */
  byCastwright: boolean;
}

export interface EpisodeDraft {
  line?: number;
  title: string;
  date: FeedDate;
  guid: string;
  audioUrl: string;
  /** The item's page on the old site. */
  link?: string;
  /** The title as messages quote it. */
  label: string;
  /** Front matter in the order it is written; a placeholder is null. */
  fields: Record<string, unknown>;
  placeholders: Array<{ path: string[]; comment: string }>;
  notes: ConvertedNotes;
  /** The line of an element, for messages. */
  lineOf(name: string): number | undefined;
}

export type ItemResult =
  | { draft: EpisodeDraft; problems: Problem[] }
  /** Not an episode (no audio): left out with a warning. */
  | { draft?: undefined; problems: Problem[] };

const KNOWN_TYPES = new Set(Object.values(MEDIA_TYPES));

/** A table's own entry only: a type or extension such as "constructor" must not find Object's. */
const lookUp = (table: Readonly<Record<string, string>>, key: string): string | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

/** Elements mapped to a field or derived by the build, so not kept in `extra`. */
const HANDLED = new Set([
  'title', 'description', 'content:encoded', 'guid', 'pubDate', 'enclosure', 'itunes:duration', 'itunes:episode', 'itunes:season',
  'podcast:episode', 'podcast:season', 'itunes:episodeType', 'itunes:explicit', 'itunes:image', 'podcast:person',
  'podcast:transcript', 'podcast:chapters', 'link',
]);

/**
 * Decimal digits only (Number() would also take `0x10` or `1e3`, which apps read otherwise), up to
 * the build's bound for the field.
 */
function positiveWhole(raw: string | undefined, max: number): number | undefined | string {
  if (raw === undefined) return undefined;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value <= 0) return `${quoted(raw.trim())} is not a whole number above 0`;
  return value <= max ? value : `${quoted(raw.trim())} is above ${max.toLocaleString('en')}, the largest the build takes`;
}

/** Castwright's own template adds "Hosted by …" and a link to the page; not imported again. */
function withoutCastwrightAdditions(html: string, link: string | undefined): string {
  let result = html.replace(/\s*<p>Hosted by [^<]*\.<\/p>\s*(?=(<p><a href="[^"]*">Show notes<\/a><\/p>\s*)?$)/, '');
  if (link) result = result.replace(new RegExp(`\\s*<p><a href="${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">Show notes</a></p>\\s*$`), '');
  return result;
}

/** First paragraph of a description as plain text: the summary a feed gives when it has full notes too. */
function firstParagraph(raw: string): string {
  const text = plainText(raw);
  return (looksLikeHtml(raw) ? text.split(/\n\s*\n/)[0] : text.split('\n')[0])?.replace(/\s+/g, ' ').trim() ?? '';
}

export function mapItem(item: XmlNode, context: ItemContext): ItemResult {
  const { file } = context;
  const problems: Problem[] = [];
  const lineOf = (name: string) => child(item, name)?.line ?? item.line;
  const title0 = childText(item, 'title')?.replace(/\s+/g, ' ') ?? childText(item, 'itunes:title');
  const label = title0 ? quoted(title0) : 'without a title';
  const report = (name: string, message: string, severity: 'warning' | 'error' = 'warning') => {
    const line = lineOf(name);
    problems.push({ file, ...(line ? { line } : {}), message: `item ${label}: ${message}`, ...(severity === 'warning' ? { severity } : {}) });
  };

  const enclosure = child(item, 'enclosure');
  const audioUrl = enclosure?.attrs.url?.trim();
  if (!enclosure || !audioUrl) {
    report('enclosure', 'no enclosure (no audio file), so not an episode; left out');
    return { problems };
  }
  if (!isWebUrl(audioUrl)) {
    report('enclosure', `enclosure url ${quoted(audioUrl)} is not an http(s) address; left out`);
    return { problems };
  }

  const fields: Record<string, unknown> = {};
  const placeholders: EpisodeDraft['placeholders'] = [];
  let title = title0 ?? '';
  if (!title) {
    report('title', 'no title; named "Untitled episode" (change it in the episode file)');
    title = 'Untitled episode';
  }
  title = withinLine(title, 'the title', (message) => report('title', message));
  fields.title = title;

  const rawDate = childText(item, 'pubDate') ?? childText(item, 'dc:date');
  const date = rawDate ? parseFeedDate(rawDate) : 'missing';
  if (typeof date === 'string') {
    report('pubDate', rawDate ? `pubDate ${quoted(rawDate)}: ${date}` : 'no pubDate; expected the date the episode was published', 'error');
    return { problems };
  }
  const year = new Date(date.instant.getTime() + date.offsetMinutes * 60_000).getUTCFullYear();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    report('pubDate', `pubDate ${quoted(rawDate!)} is in the year ${year}; expected ${MIN_YEAR} to ${MAX_YEAR}`, 'error');
    return { problems };
  }
  if (date.note) report('pubDate', `pubDate ${quoted(rawDate!)}: ${date.note}`);

  const guidNode = child(item, 'guid');
  let guid = guidNode?.text.trim();
  let isPermaLink = false;
  if (!guid) {
    // Apps that meet an item without a guid know it by its audio file.
    report('guid', 'no guid; its enclosure URL becomes the guid, as podcast apps already identify it');
    guid = audioUrl;
  } else {
    // RSS 2.0: isPermaLink is true unless it says false; only a URL can be one.
    const attribute = guidNode!.attrs.isPermaLink?.trim().toLowerCase();
    isPermaLink = attribute !== 'false' && isWebUrl(guid);
  }
  fields.date = isoDate(date);
  fields.guid = isPermaLink ? { value: guid, isPermaLink: true } : guid;

  for (const [name, key, max] of [['itunes:episode', 'episode', MAX_EPISODE_NUMBER], ['itunes:season', 'season', MAX_SEASON_NUMBER]] as const) {
    const podcastName = name.replace('itunes:', 'podcast:');
    const number = positiveWhole(childText(item, name) ?? childText(item, podcastName), max);
    if (typeof number === 'string') report(name, `${name}: ${number}; left out (kept in extra)`);
    else if (number !== undefined) fields[key] = number;
    if (key === 'episode' && context.serial && fields.episode === undefined) {
      fields.episode = null;
      placeholders.push({ path: ['episode'], comment: 'the episode number: a serial show numbers every episode, and the old feed gave none' });
      report(name, `no ${name}, but the show is serial and castwright numbers every episode of a serial show; the episode file gets an empty episode to fill in (the build refuses it until then)`);
    }
  }
  const episodeType = childText(item, 'itunes:episodeType')?.toLowerCase();
  if (episodeType === 'trailer' || episodeType === 'bonus') fields.type = episodeType;
  else if (episodeType && episodeType !== 'full') report('itunes:episodeType', `itunes:episodeType ${quoted(episodeType)} is not full, trailer or bonus; written as full`);

  const explicitText = childText(item, 'itunes:explicit');
  const explicit = parseExplicit(explicitText);
  if (explicitText && explicit === undefined) report('itunes:explicit', `itunes:explicit ${quoted(explicitText)} is neither yes nor no; the show's value is used`);
  if (explicit !== undefined && explicit !== context.showExplicit) fields.explicit = explicit;

  // Notes: content:encoded, else description, else itunes:summary.
  const link = childText(item, 'link');
  const notesNode = [child(item, 'content:encoded'), child(item, 'description'), child(item, 'itunes:summary')].find((n) => n && (n.text.trim() || n.children.length));
  let notesHtml = notesNode ? (notesNode.children.length ? innerMarkup(notesNode) : notesNode.text.trim()) : '';
  if (context.byCastwright) notesHtml = withoutCastwrightAdditions(notesHtml, link);
  const notes = convertNotes(notesHtml, link && isWebUrl(link) ? { baseUrl: link } : {});
  if (notes.removed.length) {
    const removed = [...new Set(notes.removed)].join(', ');
    report(notesNode?.name ?? 'description', `removed from the notes: ${removed} (castwright renders only http(s) and mailto links, and no embedded code or media)`);
  }

  // The description's first paragraph is the summary when it says something the notes' does not.
  const description = childText(item, 'description');
  if (description && notesNode?.name === 'content:encoded') {
    let summary = firstParagraph(description);
    const notesFirst = firstParagraph(notesHtml);
    if (summary && summary !== notesFirst) {
      if (Buffer.byteLength(summary) > APPLE_DESCRIPTION_BYTES) {
        report('description', `the summary is ${Buffer.byteLength(summary)} bytes long; shortened to Apple's ${APPLE_DESCRIPTION_BYTES}`);
        summary = shortenToBytes(summary, APPLE_DESCRIPTION_BYTES);
      }
      fields.summary = summary;
    }
  }

  const audio: Record<string, unknown> = { url: audioUrl };
  const length = Number(enclosure.attrs.length?.trim());
  if (Number.isInteger(length) && length > 0 && length <= MAX_AUDIO_BYTES) audio.length = length;
  else {
    audio.length = null;
    placeholders.push({ path: ['audio', 'length'], comment: 'the file size in bytes: the old feed gave none' });
    const wrong = length > MAX_AUDIO_BYTES ? `is above ${MAX_AUDIO_BYTES.toLocaleString('en')} bytes, the largest the build takes` : 'is not a size in bytes';
    report('enclosure', `enclosure length ${quoted(enclosure.attrs.length ?? '')} ${wrong}; the episode file gets an empty audio.length to fill in (the build refuses it until then)`);
  }
  const rawType = enclosure.attrs.type?.trim().toLowerCase();
  const extension = new URL(audioUrl).pathname.split('.').pop()?.toLowerCase() ?? '';
  let type = rawType && (lookUp(TYPE_ALIASES, rawType) ?? rawType);
  if (type && rawType !== type) report('enclosure', `enclosure type ${quoted(rawType!)} is not what Apple reads; written as "${type}"`);
  if (!type || !KNOWN_TYPES.has(type)) {
    const guessed = lookUp(MEDIA_TYPES, extension);
    if (!guessed) {
      report('enclosure', `enclosure type ${quoted(rawType ?? '')} is not one Apple accepts (${[...KNOWN_TYPES].join(', ')}); left out`, 'error');
      return { problems };
    }
    report('enclosure', `enclosure type ${quoted(rawType ?? '')} is not one Apple accepts; written as "${guessed}" from the file name`);
    type = guessed;
  }
  audio.type = type;
  const rawDuration = childText(item, 'itunes:duration');
  // 0 is how feeds say "unknown": the same as no duration, not worth keeping.
  let durationIsZero = false;
  if (rawDuration) {
    const seconds = parseFeedDuration(rawDuration);
    if (typeof seconds === 'string') report('itunes:duration', `itunes:duration ${seconds}; left out (kept in extra)`);
    else if (seconds > MAX_DURATION_SECONDS) report('itunes:duration', `itunes:duration ${quoted(rawDuration)} is more than 24 hours; left out (kept in extra)`);
    else if (seconds >= 0.5) audio.duration = formatDuration(Math.round(seconds));
    else durationIsZero = true;
  }
  fields.audio = audio;

  const image = child(item, 'itunes:image')?.attrs.href?.trim();
  if (image && isWebUrl(image)) fields.image = image;
  else if (image) report('itunes:image', `itunes:image ${quoted(image)} is not an http(s) address; left out (kept in extra)`);

  const people = childrenNamed(item, 'podcast:person').flatMap((person) => {
    const name = withinLine(person.text.replace(/\s+/g, ' ').trim(), 'a podcast:person name', (message) => report('podcast:person', message));
    if (!name) return [];
    const entry: Record<string, string> = { name };
    const role = person.attrs.role?.trim();
    const group = person.attrs.group?.trim();
    if (role && role.toLowerCase() !== 'host') entry.role = role;
    if (group && group.toLowerCase() !== 'cast') entry.group = group;
    for (const key of ['img', 'href'] as const) {
      const url = person.attrs[key]?.trim();
      if (url && isWebUrl(url)) entry[key] = url;
    }
    return [Object.keys(entry).length === 1 ? name : entry];
  });
  const author = childText(item, 'itunes:author') ?? childText(item, 'author') ?? childText(item, 'dc:creator');
  if (people.length) fields.hosts = people;
  else if (author && author !== context.showAuthor && !/@/.test(author)) {
    fields.hosts = [withinLine(author.replace(/\s+/g, ' '), 'the author', (message) => report('itunes:author', message))];
  }

  const transcripts = childrenNamed(item, 'podcast:transcript').flatMap((element) => {
    const url = element.attrs.url?.trim();
    const transcriptType = element.attrs.type?.trim();
    if (!url || !isWebUrl(url) || !transcriptType) {
      report('podcast:transcript', 'podcast:transcript needs an http(s) url and a type; left out (kept in extra)');
      return [];
    }
    const entry: Record<string, string> = { url, type: transcriptType };
    if (element.attrs.language?.trim()) entry.language = element.attrs.language.trim();
    if (element.attrs.rel?.trim()) entry.rel = element.attrs.rel.trim();
    return [entry];
  });
  if (transcripts.length === 1 && Object.keys(transcripts[0]!).length === 2) {
    const only = transcripts[0]!;
    const byExtension = lookUp(TRANSCRIPT_TYPES, new URL(only.url!).pathname.split('.').pop()?.toLowerCase() ?? '');
    fields.transcript = byExtension === only.type ? only.url : transcripts;
  } else if (transcripts.length) fields.transcript = transcripts;

  const chapters = child(item, 'podcast:chapters')?.attrs.url?.trim();
  if (chapters && isWebUrl(chapters)) fields.chapters = chapters;
  else if (chapters) report('podcast:chapters', `podcast:chapters url ${quoted(chapters)} is not an http(s) address; left out (kept in extra)`);

  // What has no field is kept: elements castwright does not map, and mapped ones it had to leave out.
  const handled = new Set(HANDLED);
  if (fields.hosts || people.length || author === context.showAuthor) for (const name of ['itunes:author', 'author', 'dc:creator']) handled.add(name);
  const summaryNode = child(item, 'itunes:summary');
  if (summaryNode && plainText(summaryNode.text) === plainText(notesHtml)) handled.add('itunes:summary');
  if (notesNode === summaryNode) handled.add('itunes:summary');
  const media = child(item, 'media:content');
  if (media && media.attrs.url?.trim() === audioUrl && childrenNamed(item, 'media:content').length === 1) handled.add('media:content');
  if (childText(item, 'itunes:title') === title0) handled.add('itunes:title');
  const extra: Record<string, unknown> = { ...(link ? { link } : {}), ...unmapped(item, handled) };
  for (const [name, key] of [['itunes:episode', 'episode'], ['itunes:season', 'season'], ['itunes:duration', '']] as const) {
    const raw = childText(item, name);
    if (raw && (key ? fields[key] == null : audio.duration === undefined && !durationIsZero)) extra[name] = raw;
  }
  if (image && !fields.image) extra['itunes:image'] = image;
  if (chapters && !fields.chapters) extra['podcast:chapters'] = chapters;
  const chaptersType = child(item, 'podcast:chapters')?.attrs.type?.trim();
  if (fields.chapters && chaptersType && chaptersType !== 'application/json+chapters') extra['podcast:chapters@type'] = chaptersType;
  if (Object.keys(extra).length) fields.extra = extra;

  return {
    draft: { ...(item.line ? { line: item.line } : {}), ...(link ? { link } : {}), title, label, date, guid, audioUrl, fields, placeholders, notes, lineOf },
    problems,
  };
}
