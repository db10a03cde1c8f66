// The podcast feed: RSS 2.0 with the itunes, content, atom and podcast (Podcasting 2.0) namespaces,
// its channel written by the `rss` package, its items directly (feedItemText). Complete for Apple
// and Podcasting 2.0, valid for the W3C validator.
import RSS from 'rss';
import { APPLE_DESCRIPTION_BYTES, type Category, type Person } from '../model/schema.ts';
import type { ByteChunks } from '../model/source-file.ts';
import { piecesOf, type AsidePieces, type Bytes } from '../model/pieces.ts';
import type { Show } from '../model/types.ts';
import type { Templates } from './templates.ts';
import type { Problem } from '../problems.ts';
import { largestFitting, shortenText, type EpisodeView } from './view.ts';
import { JSON_CHAPTERS_TYPE } from './chapters.ts';
import { normalPlayTime } from '../model/time.ts';

const NAMESPACES = {
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
  // Podlove Simple Chapters: Spotify reads chapters only from these or the description's timestamps.
  psc: 'http://podlove.org/simple-chapters',
};

// Characters XML 1.0 forbids (most control characters) would make the whole feed unreadable.
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Whether a text has any of them, found many times faster over a feed of megabytes than the
// replacement finds none: control characters, U+FFFE and U+FFFF, or a surrogate that is not half of
// a pair (what isWellFormed looks for).
const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const hasNotXml = (text: string) => CONTROL.test(text) || !(text as string & { isWellFormed(): boolean }).isWellFormed();

/** The text without the characters XML 1.0 forbids (as it is when it has none: the usual case). */
const withoutNotXml = (text: string) => (hasNotXml(text) ? text.replace(NOT_XML, '') : text);

type XmlElement = Record<string, unknown>;

/** `Business > Investing` and `Business > Marketing` share one parent element, as Apple shows it. */
function categoryElements(categories: readonly Category[]): XmlElement[] {
  const parents = new Map<string, string[]>();
  for (const { name, subcategory } of categories) {
    const subs = parents.get(name) ?? [];
    if (subcategory && !subs.includes(subcategory)) subs.push(subcategory);
    parents.set(name, subs);
  }
  return [...parents].map(([name, subs]) => ({
    'itunes:category': subs.length
      ? [{ _attr: { text: name } }, ...subs.map((sub) => ({ 'itunes:category': { _attr: { text: sub } } }))]
      : { _attr: { text: name } },
  }));
}

function channelElements(show: Show): XmlElement[] {
  return [
    { 'itunes:author': show.author },
    { 'itunes:owner': [{ 'itunes:name': show.owner.name }, { 'itunes:email': show.owner.email }] },
    { 'itunes:image': { _attr: { href: show.image } } },
    ...categoryElements(show.categories),
    { 'itunes:explicit': String(show.explicit) },
    { 'itunes:type': show.type },
    { 'podcast:guid': show.guid },
    { 'podcast:locked': [{ _attr: { owner: show.owner.email } }, show.locked ? 'yes' : 'no'] },
    { 'podcast:medium': show.medium },
    ...show.funding.map(({ url, text }) => ({ 'podcast:funding': [{ _attr: { url } }, text] })),
    ...show.txt.map(({ text, purpose }) => ({ 'podcast:txt': purpose ? [{ _attr: { purpose } }, text] : text })),
    ...show.people.map(personElement),
    ...(show.newFeedUrl ? [{ 'itunes:new-feed-url': show.newFeedUrl }] : []),
    // WebSub: apps that subscribe at the hub hear of a new episode when `publish` pings it.
    ...show.websub.map((hub) => ({ 'atom:link': { _attr: { href: hub, rel: 'hub' } } })),
  ];
}

/** podcast:person with the attributes the sources give; the role defaults to host. */
export function personElement(person: Person): XmlElement {
  const attributes: Record<string, string> = { role: person.role ?? 'host' };
  if (person.group) attributes.group = person.group;
  if (person.img) attributes.img = person.img;
  if (person.href) attributes.href = person.href;
  return { 'podcast:person': [{ _attr: attributes }, person.name] };
}

const fitsApple = (html: string) => Buffer.byteLength(html) <= APPLE_DESCRIPTION_BYTES;

/**
 * The short description: the summary and as many story links as fit in Apple's 4000 bytes. Each
 * search renders the template O(log n) times: a loop from n stories down made 10,000 stories take
 * minutes. A problem when not even the template with an empty summary fits.
 */
function fitDescription(templates: Templates, episode: EpisodeView): string | Problem {
  const { stories, summary } = episode;
  const render = (text: string, shown: number) =>
    templates.feed.description({ episode, summary: text, stories: stories.slice(0, shown), more: stories.length - shown }).trim();
  const everything = render(summary, stories.length);
  if (fitsApple(everything)) return everything;
  // From here on "And N more stories" is there, so each story shown makes the text longer.
  if (fitsApple(render(summary, 0))) {
    return render(summary, largestFitting(0, stories.length - 1, (shown) => fitsApple(render(summary, shown))));
  }
  // Even alone the summary is too long: shorten it until it fits with its markup and escapes.
  const bare = render('', 0);
  if (!fitsApple(bare)) {
    const bytes = Buffer.byteLength(bare);
    const forAddress = bytes - Buffer.byteLength(templates.feed.description({ episode: { ...episode, url: '' }, summary: '', stories: [], more: stories.length }).trim());
    return {
      file: episode.source,
      message:
        `the feed description cannot fit in Apple's ${APPLE_DESCRIPTION_BYTES} bytes: without a summary or stories it takes ${bytes} bytes, ` +
        `${forAddress} of them for the show notes address; expected ` +
        (forAddress * 2 > bytes ? 'a shorter url in show.yml' : 'a shorter template feed/description.hbs'),
    };
  }
  const cut = (length: number) => (length === 0 ? '' : shortenText(summary, length));
  return render(cut(largestFitting(0, summary.length, (length) => fitsApple(render(cut(length), 0)))), 0);
}

/**
 * What one episode puts in the feed: its <item> element, as indented in the feed, as UTF-8 bytes
 * without the characters XML forbids. Bytes, so that a feed of megabytes is put together from
 * cached items by copying them, never decoded to text and encoded again (issue 9).
 */
export interface FeedItem {
  xml: Uint8Array;
}

/** A feed item as the feed's own files are given it: its bytes held, or set aside until the feed is written (write/aside.ts). */
export interface KeptFeedItem {
  xml: Bytes;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** A CDATA section as the rss package (its xml dependency) writes one: each `]]>` split across two sections. */
const cdata = (text: string) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/** ` name="value"`, the value escaped as the xml package escapes an attribute. */
const attribute = (name: string, value: string) => ` ${name}="${escapeXml(value)}"`;

// Indentation of the feed (two spaces a level): an item's children sit at level 3, theirs at 4.
const CHILD = '\n      ';
const GRANDCHILD = '\n        ';

/**
 * The feed item of one episode, or the problem that keeps it out of the feed. Rendered on its own,
 * so that the feed can be put together from items rendered (or cached) apart.
 */
export function renderFeedItem(show: Pick<Show, 'audioPrefix'>, templates: Templates, episode: EpisodeView): FeedItem | Problem {
  const description = fitDescription(templates, episode);
  if (typeof description !== 'string') return description;
  const content = templates.feed.content({ episode }).trim();
  // Cleaned here rather than in the whole feed: an item begins and ends with ASCII (a line break,
  // `</item>`), so no surrogate pair spans two items and removing per item removes the same.
  return { xml: Buffer.from(withoutNotXml(feedItemText(show, episode, description, content))) };
}

/**
 * The <item> element as the rss package wrote it when it wrote each item in a channel of its own
 * (issue 9: building that channel was ~10% of a cold build's main thread): the same elements in the
 * same order, indentation, escapes, CDATA sections, and what it does with empty values (a title
 * "No title", no <description> or <link>, a self-closed <content:encoded/>). Begins with the line
 * break before `<item>`, ends with `</item>`. test/render/feed-item-bytes.test.ts holds the two to
 * the same bytes.
 */
export function feedItemText(show: Pick<Show, 'audioPrefix'>, episode: EpisodeView, description: string, content: string): string {
  const title = episode.title || 'No title';
  let xml = `\n    <item>${CHILD}<title>${cdata(title)}</title>`;
  if (description) xml += `${CHILD}<description>${cdata(description)}</description>`;
  if (episode.url) xml += `${CHILD}<link>${escapeXml(episode.url)}</link>`;
  // Without a guid the rss package falls back to the link (then a permalink) or the title.
  const guid = episode.guidIsPermaLink ? episode.guid : episode.guid || episode.url || title;
  const permaLink = episode.guidIsPermaLink || (!episode.guid && !!episode.url);
  xml += `${CHILD}<guid isPermaLink="${permaLink}">${escapeXml(guid)}</guid>`;
  xml += `${CHILD}<pubDate>${new Date(episode.date.instant).toUTCString()}</pubDate>`;
  // The schema always gives a type; the rss package looked one up from the URL only when it was empty.
  const url = enclosureUrl(show, episode.audio.url);
  if (url) xml += `${CHILD}<enclosure${attribute('url', url)}${attribute('length', String(episode.audio.length || 0))}${attribute('type', episode.audio.type)}/>`;
  xml += content ? `${CHILD}<content:encoded>${cdata(content)}</content:encoded>` : `${CHILD}<content:encoded/>`;
  if (episode.audio.duration !== undefined) xml += `${CHILD}<itunes:duration>${episode.audio.duration}</itunes:duration>`;
  if (episode.episode !== undefined) xml += `${CHILD}<itunes:episode>${episode.episode}</itunes:episode>`;
  if (episode.season !== undefined) xml += `${CHILD}<itunes:season>${episode.season}</itunes:season>`;
  xml += `${CHILD}<itunes:episodeType>${escapeXml(episode.type)}</itunes:episodeType>`;
  xml += `${CHILD}<itunes:explicit>${episode.explicit}</itunes:explicit>`;
  if (episode.image) xml += `${CHILD}<itunes:image${attribute('href', episode.image)}/>`;
  if (episode.season !== undefined) {
    xml += `${CHILD}<podcast:season${episode.seasonName ? attribute('name', episode.seasonName) : ''}>${episode.season}</podcast:season>`;
  }
  if (episode.episode !== undefined) {
    xml += `${CHILD}<podcast:episode${episode.episodeDisplay ? attribute('display', episode.episodeDisplay) : ''}>${episode.episode}</podcast:episode>`;
  }
  for (const { start, duration, title: bite } of episode.soundbites) {
    const attributes = `${attribute('startTime', seconds(start))}${attribute('duration', seconds(duration))}`;
    xml += bite ? `${CHILD}<podcast:soundbite${attributes}>${escapeXml(bite)}</podcast:soundbite>` : `${CHILD}<podcast:soundbite${attributes}/>`;
  }
  for (const person of episode.hosts) {
    let attributes = attribute('role', person.role ?? 'host');
    if (person.group) attributes += attribute('group', person.group);
    if (person.img) attributes += attribute('img', person.img);
    if (person.href) attributes += attribute('href', person.href);
    xml += `${CHILD}<podcast:person${attributes}>${escapeXml(person.name)}</podcast:person>`;
  }
  for (const transcript of episode.transcript ?? []) {
    let attributes = `${attribute('url', transcript.url)}${attribute('type', transcript.type)}`;
    if (transcript.language) attributes += attribute('language', transcript.language);
    if (transcript.rel) attributes += attribute('rel', transcript.rel);
    xml += `${CHILD}<podcast:transcript${attributes}/>`;
  }
  if (episode.chaptersUrl) xml += `${CHILD}<podcast:chapters${attribute('url', episode.chaptersUrl)}${attribute('type', JSON_CHAPTERS_TYPE)}/>`;
  if (episode.timeline.length > 0) {
    xml += `${CHILD}<psc:chapters version="1.2">`;
    for (const { start, title: chapter, url: href } of episode.timeline) {
      xml += `${GRANDCHILD}<psc:chapter${attribute('start', normalPlayTime(start))}${attribute('title', chapter)}${href ? attribute('href', href) : ''}/>`;
    }
    xml += `${CHILD}</psc:chapters>`;
  }
  return `${xml}\n    </item>`;
}

/** Seconds as Podcasting 2.0 writes them: a number with at most three decimals. */
const seconds = (value: number) => String(Number(value.toFixed(3)));

/**
 * The enclosure URL as the feed publishes it: each tracking prefix of show.yml (OP3, Podtrac…)
 * wraps the URL without its scheme, the first one outermost. Never used on the page.
 */
export function enclosureUrl(show: Pick<Show, 'audioPrefix'>, url: string): string {
  return show.audioPrefix.reduceRight((wrapped, prefix) => `${prefix}${wrapped.replace(/^https?:\/\//i, '')}`, url);
}

/** Where page `number` (from 1) of a paged feed is published: feed.xml, then feed-2.xml, feed-3.xml… */
export const feedPagePath = (number: number): string => (number === 1 ? 'feed.xml' : `feed-${number}.xml`);

/** One page of a feed that feed.limit splits: its number (from 1) and how many there are. */
export interface FeedPage {
  number: number;
  count: number;
}

/**
 * RFC 5005 links of a page: paging (first, last, previous, next) for apps that walk the pages, and
 * from the feed its archives (prev-archive, next-archive between the archive pages).
 */
function pageLinks(show: Show, page: FeedPage): XmlElement[] {
  const url = (number: number) => new URL(feedPagePath(number), show.url).href;
  const link = (rel: string, number: number) => ({ 'atom:link': { _attr: { href: url(number), rel } } });
  const { number, count } = page;
  return [
    link('first', 1),
    link('last', count),
    ...(number > 1 ? [link('previous', number - 1)] : []),
    ...(number < count ? [link('next', number + 1)] : []),
    ...(number < count ? [link('prev-archive', number + 1)] : []),
    ...(number > 2 ? [link('next-archive', number - 1)] : []),
  ];
}

/** The feed's pages: one when it has no limit or the episodes fit, else the newest `limit` a page. */
export function renderFeedPages(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: FeedItem }>): Array<readonly [string, ByteChunks]>;
export function renderFeedPages(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: KeptFeedItem }>): Array<readonly [string, ByteChunks | AsidePieces]>;
export function renderFeedPages(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: KeptFeedItem }>): Array<readonly [string, ByteChunks | AsidePieces]> {
  const limit = show.feed?.limit;
  if (limit === undefined || items.length <= limit) return [[feedPagePath(1), renderFeed(show, templates, items)]];
  const count = Math.ceil(items.length / limit);
  return Array.from({ length: count }, (_, index) => {
    const page = { number: index + 1, count };
    return [feedPagePath(page.number), renderFeed(show, templates, items.slice(index * limit, (index + 1) * limit), page)] as const;
  });
}

/**
 * The whole feed (or one page of it) from every listed episode's item, newest first, as UTF-8 bytes
 * in pieces: the items' own bytes, never joined (AsidePieces when some were set aside).
 */
export function renderFeed(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: FeedItem }>, page?: FeedPage): ByteChunks;
export function renderFeed(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: KeptFeedItem }>, page?: FeedPage): ByteChunks | AsidePieces;
export function renderFeed(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: KeptFeedItem }>, page?: FeedPage): ByteChunks | AsidePieces {
  const episodes = items.map(({ view }) => view);
  const newest = episodes[0]?.date.instant;
  // No `author` option: the rss package would write a channel <author>, which validators reject.
  const feed = new RSS({
    title: show.title,
    description: show.description,
    site_url: show.url,
    feed_url: page ? new URL(feedPagePath(page.number), show.url).href : show.feedUrl,
    image_url: show.image,
    language: show.language,
    copyright: show.copyright,
    pubDate: newest,
    generator: 'castwright',
    custom_namespaces: NAMESPACES,
    custom_elements: [...channelElements(show), ...(page ? pageLinks(show, page) : [])],
  });
  // The rss package stamps lastBuildDate with the wall clock; the newest episode's date keeps two
  // builds of the same sources byte-identical.
  const xml = feed
    .xml({ indent: '  ' })
    .replace(/<lastBuildDate>[^<]*<\/lastBuildDate>\s*/, newest ? `<lastBuildDate>${newest.toUTCString()}</lastBuildDate>\n    ` : '')
    // The stylesheet makes the feed readable when opened in a browser; podcast apps ignore it.
    .replace(/^(<\?xml[^>]*\?>)/, `$1\n<?xml-stylesheet type="text/xsl" href="${templates.assets.feedStylesheet.path}"?>\n`);
  // The items, rendered one by one, go where the rss package would have put them: last in the
  // channel. The channel's text ends and resumes with ASCII, so it is cleaned apart from them. The
  // last "</channel>": the show's description (CDATA, written as it is) may hold the same text.
  const end = xml.lastIndexOf('\n  </channel>');
  if (end === -1) throw new Error('the rss package wrote no </channel>');
  return piecesOf([Buffer.from(withoutNotXml(xml.slice(0, end))), ...items.map(({ item }) => item.xml), Buffer.from(`${withoutNotXml(xml.slice(end))}\n`)]);
}
