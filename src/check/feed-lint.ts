// The feed lint: a feed checked against what Apple Podcasts requires and what the Podcasting 2.0
// namespace defines. It reads any RSS feed (through the shared reader, so with its lines); for the
// show's own next feed, each finding points at the show.yml or episode line that produced it, since
// that is what a host edits. The schema already refuses most of these in castwright's sources; the
// lint also guards what custom templates make of them, and feeds castwright did not write.
import { Parser } from 'htmlparser2';
import { parseFeedDate } from '../feed-reader/dates.ts';
import type { FeedDocument } from '../feed-reader/document.ts';
import { parseFeedDuration } from '../feed-reader/durations.ts';
import { TYPE_ALIASES } from '../feed-reader/media-types.ts';
import { child, childText, childrenNamed, type XmlNode } from '../feed-reader/xml.ts';
import { APPLE_CATEGORIES } from '../model/apple-categories.ts';
import { isWebUrl } from '../model/fields.ts';
import { APPLE_DESCRIPTION_BYTES, FUNDING_TEXT_LENGTH, MEDIA_TYPES } from '../model/schema.ts';
import type { Episode } from '../model/types.ts';
import type { Severity } from '../problems.ts';
import { finding, shown, type Finding } from './finding.ts';
import type { SourceLines } from './locate.ts';
import { ALL_ROLES, MEDIUMS, PERSON_ROLES, TXT_MAX } from './podcasting.ts';

/** How the show's own feed maps back to its sources. */
export interface FeedSources {
  showFile: string;
  /** Episodes by guid. */
  episodes: ReadonlyMap<string, Episode>;
  lines: SourceLines;
  /** Called before each item; may throw to stop the lint (dev stops a check a newer save made stale). */
  checkpoint?: () => void;
}

/** The fields of show.yml and of the front matter each element comes from. */
const CHANNEL_FIELDS: Record<string, PropertyKey[]> = {
  title: ['title'], description: ['description'], language: ['language'], link: ['url'], copyright: ['copyright'],
  'itunes:image': ['image'], 'itunes:category': ['categories'], 'itunes:explicit': ['explicit'], 'itunes:type': ['type'],
  'itunes:author': ['author'], 'itunes:owner': ['owner'], 'itunes:new-feed-url': ['newFeedUrl'], 'podcast:guid': ['guid'],
  'podcast:locked': ['locked'], 'podcast:funding': ['funding'],
};
const ITEM_FIELDS: Record<string, PropertyKey[]> = {
  title: ['title'], description: ['summary'], guid: ['guid'], pubDate: ['date'], enclosure: ['audio'],
  'itunes:duration': ['audio', 'duration'], 'itunes:episode': ['episode'], 'itunes:season': ['season'],
  'itunes:episodeType': ['type'], 'itunes:explicit': ['explicit'], 'itunes:image': ['image'], 'podcast:person': ['hosts'],
  'podcast:transcript': ['transcript'], 'podcast:chapters': ['chapters'],
};

/** Enclosure types Apple plays: its audio and video types, and the documents it lists. */
const APPLE_TYPES = new Set([...Object.values(MEDIA_TYPES), 'application/pdf', 'document/x-epub']);
/** HTML Apple shows in a description; other tags are shown as text or dropped. */
const DESCRIPTION_TAGS = new Set(['p', 'ol', 'ul', 'li', 'a']);
const TRANSCRIPT_TYPES = new Set(['text/plain', 'text/html', 'text/vtt', 'application/json', 'application/x-subrip', 'application/srt']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LANGUAGE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const RFC_2822 = /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|[ECMP][SD]T)$/;

/** Episode or season numbers written into a title, which Apple asks to keep out of it. */
const NUMBERED_TITLE = [
  /\b(?:episode|ep|eps)\.?\s*#?\s*\d+\b/i,
  /(?:^|[|:–—-]\s*)#\s*\d+\b/,
  /\bS\d{1,3}\s?E\d{1,4}\b/i,
  /^\d{1,4}\s*[:.|–—-]\s/,
  /\bseason\s+\d+\b/i,
];

function tagsIn(html: string): Set<string> {
  const tags = new Set<string>();
  const parser = new Parser({ onopentagname: (name) => tags.add(name.toLowerCase()) }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return tags;
}

export function lintFeed(document: FeedDocument, sources?: FeedSources): Finding[] {
  const findings: Finding[] = [];
  const { channel, items } = document;

  /** The line a host edits: the source field when the feed is the show's own, else the feed's line. */
  const place = (node: XmlNode | undefined, item: XmlNode | undefined, field?: PropertyKey[]): { file: string; line?: number } => {
    if (sources) {
      if (!item) return { file: sources.showFile, line: sources.lines.field(sources.showFile, field ?? CHANNEL_FIELDS[node?.name ?? ''] ?? []) };
      const episode = sources.episodes.get(childText(item, 'guid') ?? '');
      if (episode) return { file: episode.source, line: sources.lines.field(episode.source, field ?? ITEM_FIELDS[node?.name ?? ''] ?? []) };
    }
    const line = node?.line ?? item?.line ?? channel.line;
    return { file: document.name, ...(line === undefined ? {} : { line }) };
  };
  const report = (severity: Severity, code: string, node: XmlNode | undefined, item: XmlNode | undefined, message: string, field?: PropertyKey[]) => {
    const { file, line } = place(node, item, field);
    findings.push(finding(severity, code, file, line, message));
  };
  const where = (item: XmlNode | undefined) => (item ? `item ${shown(childText(item, 'title') ?? childText(item, 'guid') ?? '?', 60)}` : 'the channel');

  // Channel: what Apple requires, then what it recommends.
  for (const name of ['title', 'description', 'language', 'itunes:image', 'itunes:category', 'itunes:explicit']) {
    const node = child(channel, name);
    const empty = name === 'itunes:image' ? !node?.attrs.href?.trim() : name === 'itunes:category' ? !node?.attrs.text?.trim() : !node?.text.trim();
    if (empty) report('error', 'feed/channel-missing', undefined, undefined, `the channel has no ${name}${node ? ' value' : ''}; Apple requires it`, CHANNEL_FIELDS[name]);
  }
  const owner = child(channel, 'itunes:owner');
  for (const [name, present] of [
    ['itunes:author', Boolean(childText(channel, 'itunes:author'))],
    ['link', Boolean(childText(channel, 'link'))],
    ['itunes:owner with itunes:email', Boolean(childText(owner, 'itunes:email'))],
  ] as const) {
    if (!present) report('warning', 'feed/channel-recommended', undefined, undefined, `the channel has no ${name}; Apple and feed validators expect it`, CHANNEL_FIELDS[name.split(' ')[0]!]);
  }
  if (childrenNamed(channel, 'author').length) {
    report('warning', 'feed/channel-author', child(channel, 'author'), undefined, 'the channel has an <author> element, which RSS 2.0 does not define and the W3C validator rejects; use itunes:author');
  }
  const language = childText(channel, 'language');
  if (language && !LANGUAGE.test(language)) report('error', 'feed/language-invalid', child(channel, 'language'), undefined, `language ${shown(language)} is not an ISO 639 code such as en or en-us`);
  const type = childText(channel, 'itunes:type');
  if (type !== undefined && type !== 'episodic' && type !== 'serial') report('error', 'feed/type-invalid', child(channel, 'itunes:type'), undefined, `itunes:type ${shown(type)} is neither episodic nor serial`);
  for (const element of childrenNamed(channel, 'itunes:category')) {
    const name = element.attrs.text?.trim() ?? '';
    const subs = APPLE_CATEGORIES[name];
    if (!name) continue;
    if (!subs) {
      report('error', 'feed/category-unknown', element, undefined, `itunes:category ${shown(name)} is not one of Apple's categories; Apple ignores it`);
      continue;
    }
    for (const sub of childrenNamed(element, 'itunes:category')) {
      const subName = sub.attrs.text?.trim() ?? '';
      if (!subs.includes(subName)) report('error', 'feed/category-unknown', element, undefined, `itunes:category ${shown(subName)} is not one of Apple's subcategories of "${name}"`);
    }
  }
  checkDescription(child(channel, 'description'), undefined);
  checkExplicit(child(channel, 'itunes:explicit'), undefined);

  // Podcasting 2.0, channel level.
  const podcastGuid = childText(channel, 'podcast:guid');
  if (podcastGuid !== undefined) {
    const node = child(channel, 'podcast:guid');
    if (!UUID.test(podcastGuid)) report('error', 'feed/podcast-guid-invalid', node, undefined, `podcast:guid ${shown(podcastGuid)} is not a UUID; expected the UUIDv5 of the feed's address`);
    else if (podcastGuid[14] !== '5') report('warning', 'feed/podcast-guid-not-v5', node, undefined, `podcast:guid ${podcastGuid} is a version ${podcastGuid[14]} UUID; Podcasting 2.0 asks for version 5, made from the feed's address`);
  }
  const locked = child(channel, 'podcast:locked');
  if (locked && !/^(yes|no)$/.test(locked.text.trim())) report('error', 'feed/locked-invalid', locked, undefined, `podcast:locked ${shown(locked.text.trim())} is neither yes nor no`);
  for (const funding of childrenNamed(channel, 'podcast:funding')) {
    const text = funding.text.trim();
    if (!funding.attrs.url?.trim() || !isWebUrl(funding.attrs.url.trim())) report('error', 'feed/funding-url', funding, undefined, 'podcast:funding has no http(s) url');
    if (text.length > FUNDING_TEXT_LENGTH) report('error', 'feed/funding-too-long', funding, undefined, `podcast:funding text is ${text.length} characters long; Podcasting 2.0 allows at most ${FUNDING_TEXT_LENGTH}`);
  }
  for (const txt of childrenNamed(channel, 'podcast:txt')) {
    const length = txt.text.trim().length;
    if (length > TXT_MAX) report('error', 'feed/txt-too-long', txt, undefined, `podcast:txt is ${length} characters long; Podcasting 2.0 allows at most ${TXT_MAX}`);
  }
  const medium = childText(channel, 'podcast:medium');
  if (medium !== undefined && !MEDIUMS.has(medium)) {
    report('warning', 'feed/medium-unknown', child(channel, 'podcast:medium'), undefined, `podcast:medium ${shown(medium)} is not one Podcasting 2.0 defines (podcast, music, video, film, audiobook, newsletter, blog, publisher, course)`);
  }
  checkPeople(channel, undefined);

  // Items.
  const serial = type === 'serial';
  const guids = new Map<string, XmlNode>();
  const enclosures = new Map<string, XmlNode>();
  for (const item of items) {
    sources?.checkpoint?.();
    const title = childText(item, 'title');
    const guid = childText(item, 'guid');
    const enclosure = child(item, 'enclosure');
    for (const [name, present] of [['title', title], ['enclosure', enclosure], ['guid', guid]] as const) {
      if (!present) report('error', 'feed/item-missing', item, item, `${where(item)} has no ${name}; Apple requires it`, ITEM_FIELDS[name]);
    }
    for (const name of ['pubDate', 'itunes:duration', 'description']) {
      if (!childText(item, name)) report('warning', 'feed/item-recommended', item, item, `${where(item)} has no ${name}; Apple uses it`, ITEM_FIELDS[name]);
    }
    if (title) {
      const titleNode = child(item, 'title');
      if (NUMBERED_TITLE.some((pattern) => pattern.test(title))) {
        report('warning', 'feed/title-episode-number', titleNode, item, `the title ${shown(title)} has an episode or season number in it; Apple asks for them in itunes:episode and itunes:season only${sources ? ' (episode: and season: in the front matter)' : ''}, and shows them itself`);
      }
      if (/<\/?[a-z][^>]*>/i.test(title)) report('warning', 'feed/title-html', titleNode, item, `the title ${shown(title)} has HTML in it; titles are plain text (the W3C validator rejects markup)`);
    }
    if (guid) {
      const first = guids.get(guid);
      if (first) report('error', 'feed/duplicate-guid', child(item, 'guid'), item, `guid ${shown(guid)} is also the guid of ${where(first)}${first.line ? ` (line ${first.line})` : ''}; apps treat both as one episode`);
      else guids.set(guid, item);
    }
    if (enclosure) checkEnclosure(enclosure, item);
    checkDate(item);
    checkDuration(item);
    checkDescription(child(item, 'description'), item);
    checkExplicit(child(item, 'itunes:explicit'), item);
    for (const name of ['itunes:episode', 'itunes:season']) {
      const value = childText(item, name);
      if (value !== undefined && !/^[1-9]\d*$/.test(value)) report('error', 'feed/number-invalid', child(item, name), item, `${name} ${shown(value)} is not a whole number above 0`);
    }
    if (serial && !childText(item, 'itunes:episode')) {
      report('error', 'feed/serial-without-number', item, item, `${where(item)} has no itunes:episode, which a serial show (itunes:type serial) needs on every episode`, ['episode']);
    }
    const episodeType = childText(item, 'itunes:episodeType');
    if (episodeType !== undefined && !['full', 'trailer', 'bonus'].includes(episodeType)) {
      report('error', 'feed/episode-type-invalid', child(item, 'itunes:episodeType'), item, `itunes:episodeType ${shown(episodeType)} is not full, trailer or bonus`);
    }
    for (const transcript of childrenNamed(item, 'podcast:transcript')) {
      const url = transcript.attrs.url?.trim();
      const transcriptType = transcript.attrs.type?.trim();
      if (!url || !isWebUrl(url) || !transcriptType) report('error', 'feed/transcript-invalid', transcript, item, 'podcast:transcript needs an http(s) url and a type');
      else if (!TRANSCRIPT_TYPES.has(transcriptType.toLowerCase())) {
        report('warning', 'feed/transcript-type', transcript, item, `podcast:transcript type ${shown(transcriptType)} is not one apps read (text/vtt, application/x-subrip, application/json, text/html, text/plain)`);
      }
    }
    const chapters = child(item, 'podcast:chapters');
    if (chapters && chapters.attrs.type?.trim() !== 'application/json+chapters') {
      report('warning', 'feed/chapters-type', chapters, item, `podcast:chapters type ${shown(chapters.attrs.type ?? '')} is not application/json+chapters, the one apps read`);
    }
    checkPeople(item, item);
  }
  return findings;

  function checkEnclosure(enclosure: XmlNode, item: XmlNode): void {
    const url = enclosure.attrs.url?.trim() ?? '';
    const length = enclosure.attrs.length?.trim() ?? '';
    const mediaType = enclosure.attrs.type?.trim().toLowerCase() ?? '';
    if (!isWebUrl(url)) report('error', 'feed/enclosure-url', enclosure, item, `the enclosure url ${shown(url)} is not an absolute http(s) URL`, ['audio', 'url']);
    else {
      const first = enclosures.get(url);
      if (first) report('error', 'feed/duplicate-enclosure', enclosure, item, `the enclosure ${shown(url, 120)} is also the audio of ${where(first)}; Apple ignores an episode whose audio another one has`, ['audio', 'url']);
      else enclosures.set(url, item);
    }
    if (!/^[1-9]\d*$/.test(length)) {
      report('error', 'feed/enclosure-length', enclosure, item, `the enclosure length ${shown(length)} is not the file's size in bytes (a whole number above 0)`, ['audio', 'length']);
    }
    if (!APPLE_TYPES.has(mediaType)) {
      const instead = TYPE_ALIASES[mediaType];
      report('error', 'feed/enclosure-type', enclosure, item, `the enclosure type ${shown(mediaType)} is not one Apple plays${instead ? `; expected ${instead}` : `; expected one of ${[...APPLE_TYPES].join(', ')}`}`, ['audio', 'type']);
    }
  }

  function checkDate(item: XmlNode): void {
    const node = child(item, 'pubDate');
    const text = node?.text.trim();
    if (!node || !text) return;
    const parsed = parseFeedDate(text);
    if (typeof parsed === 'string') {
      report('error', 'feed/pubdate-invalid', node, item, `pubDate ${shown(text)} is not a date apps can read: ${parsed}`);
      return;
    }
    const weekday = RFC_2822.exec(text)?.[1];
    const local = new Date(parsed.instant.getTime() + parsed.offsetMinutes * 60_000);
    if (!RFC_2822.test(text)) report('warning', 'feed/pubdate-format', node, item, `pubDate ${shown(text)} is not in RFC 2822 form; apps read "Mon, 14 Sep 2020 14:00:00 GMT"`);
    else if (weekday && weekday !== DAYS[local.getUTCDay()]) {
      report('warning', 'feed/pubdate-format', node, item, `pubDate ${shown(text)} names the wrong day of the week (it was a ${DAYS[local.getUTCDay()]})`);
    }
  }

  function checkDuration(item: XmlNode): void {
    const node = child(item, 'itunes:duration');
    const text = node?.text.trim();
    if (!node || !text) return;
    const seconds = parseFeedDuration(text);
    if (typeof seconds === 'string') report('error', 'feed/duration-invalid', node, item, `itunes:duration ${seconds}`);
    else if (!/^\d+$/.test(text) && !/^(?:\d+:)?[0-5]?\d:[0-5]\d$/.test(text)) {
      report('warning', 'feed/duration-format', node, item, `itunes:duration ${shown(text)} is not whole seconds or [h:]mm:ss; write ${Math.round(seconds)}`);
    }
  }

  function checkDescription(node: XmlNode | undefined, item: XmlNode | undefined): void {
    const html = node?.text.trim();
    if (!node || !html) return;
    const bytes = Buffer.byteLength(html);
    if (bytes > APPLE_DESCRIPTION_BYTES) {
      report('error', 'feed/description-too-long', node, item, `the description of ${where(item)} is ${bytes} bytes long; Apple takes at most ${APPLE_DESCRIPTION_BYTES} and cuts the rest`);
    }
    const others = [...tagsIn(html)].filter((tag) => !DESCRIPTION_TAGS.has(tag));
    if (others.length) {
      report(
        'warning',
        'feed/description-tags',
        node,
        item,
        `the description of ${where(item)} uses ${others.map((tag) => `<${tag}>`).join(', ')}; Apple shows only <p>, <ol>, <ul>, <li> and <a>${sources ? ' (templates/feed/description.hbs renders it)' : ''}`,
      );
    }
  }

  function checkExplicit(node: XmlNode | undefined, item: XmlNode | undefined): void {
    const value = node?.text.trim();
    if (!node || value === undefined || value === 'true' || value === 'false') return;
    report('error', 'feed/explicit-not-boolean', node, item, `itunes:explicit of ${where(item)} is ${shown(value)}; Apple expects true or false`);
  }

  function checkPeople(parent: XmlNode, item: XmlNode | undefined): void {
    for (const person of childrenNamed(parent, 'podcast:person')) {
      const role = person.attrs.role?.trim().toLowerCase();
      const group = person.attrs.group?.trim().toLowerCase();
      const name = shown(person.text.trim(), 40);
      if (group !== undefined && !PERSON_ROLES[group]) {
        report('warning', 'feed/person-group', person, item, `podcast:person ${name} has the group ${shown(person.attrs.group!)}, which is not in the Podcasting 2.0 taxonomy (such as cast, writing, audio production)`);
      } else if (role !== undefined && !(group ? PERSON_ROLES[group]!.includes(role) : ALL_ROLES.has(role))) {
        report('warning', 'feed/person-role', person, item, `podcast:person ${name} has the role ${shown(person.attrs.role!)}, which is not in the Podcasting 2.0 taxonomy${group ? ` for the group "${group}"` : ''} (such as host, co-host, guest, producer)`);
      }
    }
  }
}
