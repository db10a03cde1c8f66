// The podcast feed: RSS 2.0 with the itunes, content, atom and podcast (Podcasting 2.0) namespaces,
// written by the `rss` package. Complete for Apple and Podcasting 2.0, valid for the W3C validator.
import { randomUUID } from 'node:crypto';
import RSS from 'rss';
import { APPLE_DESCRIPTION_BYTES, type Category, type Person, type Transcript } from '../model/schema.ts';
import type { Show } from '../model/types.ts';
import type { Templates } from './templates.ts';
import type { Problem } from '../problems.ts';
import { largestFitting, shortenText, type EpisodeView } from './view.ts';

const NAMESPACES = {
  itunes: 'http://www.itunes.com/dtds/podcast-1.0.dtd',
  podcast: 'https://podcastindex.org/namespace/1.0',
};

// Characters XML 1.0 forbids (most control characters) would make the whole feed unreadable.
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

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
    { 'podcast:medium': 'podcast' },
    ...show.funding.map(({ url, text }) => ({ 'podcast:funding': [{ _attr: { url } }, text] })),
    ...(show.newFeedUrl ? [{ 'itunes:new-feed-url': show.newFeedUrl }] : []),
    // WebSub: apps that subscribe at the hub hear of a new episode when `publish` pings it.
    ...show.websub.map((hub) => ({ 'atom:link': { _attr: { href: hub, rel: 'hub' } } })),
  ];
}

/** podcast:person with the attributes the sources give; the role defaults to host. */
function personElement(person: Person): XmlElement {
  const attributes: Record<string, string> = { role: person.role ?? 'host' };
  if (person.group) attributes.group = person.group;
  if (person.img) attributes.img = person.img;
  if (person.href) attributes.href = person.href;
  return { 'podcast:person': [{ _attr: attributes }, person.name] };
}

function transcriptElement(transcript: Transcript): XmlElement {
  const attributes: Record<string, string> = { url: transcript.url, type: transcript.type };
  if (transcript.language) attributes.language = transcript.language;
  if (transcript.rel) attributes.rel = transcript.rel;
  return { 'podcast:transcript': { _attr: attributes } };
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

/** What one episode puts in the feed: the parts worth rendering once (templates, the fitting search). */
export interface FeedItem {
  description: string;
  content: string;
}

/** The feed item of one episode, or the problem that keeps it out of the feed. */
export function renderFeedItem(templates: Templates, episode: EpisodeView): FeedItem | Problem {
  const description = fitDescription(templates, episode);
  if (typeof description !== 'string') return description;
  return { description, content: templates.feed.content({ episode }).trim() };
}

function itemElements(episode: EpisodeView, content: string): XmlElement[] {
  const numbers: XmlElement[] = [];
  if (episode.episode !== undefined) numbers.push({ 'itunes:episode': episode.episode });
  if (episode.season !== undefined) numbers.push({ 'itunes:season': episode.season });
  return [
    { 'content:encoded': { _cdata: content } },
    ...(episode.audio.duration === undefined ? [] : [{ 'itunes:duration': episode.audio.duration }]),
    ...numbers,
    { 'itunes:episodeType': episode.type },
    { 'itunes:explicit': String(episode.explicit) },
    ...(episode.image ? [{ 'itunes:image': { _attr: { href: episode.image } } }] : []),
    ...(episode.season !== undefined ? [{ 'podcast:season': episode.season }] : []),
    ...(episode.episode !== undefined ? [{ 'podcast:episode': episode.episode }] : []),
    ...episode.hosts.map(personElement),
    ...(episode.transcript ?? []).map(transcriptElement),
    ...(episode.chapters ? [{ 'podcast:chapters': { _attr: { url: episode.chapters, type: 'application/json+chapters' } } }] : []),
  ];
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);

/** The whole feed from every listed episode's item, newest first. */
export function renderFeed(show: Show, templates: Templates, items: ReadonlyArray<{ view: EpisodeView; item: FeedItem }>): string {
  const episodes = items.map(({ view }) => view);
  const newest = episodes[0]?.date.instant;
  // No `author` option: the rss package would write a channel <author>, which validators reject.
  const feed = new RSS({
    title: show.title,
    description: show.description,
    site_url: show.url,
    feed_url: show.feedUrl,
    image_url: show.image,
    language: show.language,
    copyright: show.copyright,
    pubDate: newest,
    generator: 'castwright',
    custom_namespaces: NAMESPACES,
    custom_elements: channelElements(show),
  });
  // The rss package writes isPermaLink="false" for every guid it is given. A permalink guid goes in
  // under a marker no content can forge, then is written out as published.
  const marker = `castwright-permalink-${randomUUID()}-`;
  for (const [index, { view: episode, item }] of items.entries()) {
    feed.item({
      title: episode.title,
      description: item.description,
      url: episode.url,
      guid: episode.guidIsPermaLink ? `${marker}${index}` : episode.guid,
      date: episode.date.instant,
      enclosure: { url: episode.audio.url, size: episode.audio.length, type: episode.audio.type },
      custom_elements: itemElements(episode, item.content),
    });
  }
  // The rss package stamps lastBuildDate with the wall clock; the newest episode's date keeps two
  // builds of the same sources byte-identical.
  const xml = feed
    .xml({ indent: '  ' })
    .replace(/<lastBuildDate>[^<]*<\/lastBuildDate>\s*/, newest ? `<lastBuildDate>${newest.toUTCString()}</lastBuildDate>\n    ` : '')
    // The stylesheet makes the feed readable when opened in a browser; podcast apps ignore it.
    .replace(/^(<\?xml[^>]*\?>)/, `$1\n<?xml-stylesheet type="text/xsl" href="${templates.assets.feedStylesheet.path}"?>\n`)
    .replace(
      new RegExp(`<guid isPermaLink="false">${marker}(\\d+)</guid>`, 'g'),
      (_, index: string) => `<guid isPermaLink="true">${escapeXml(episodes[Number(index)]!.guid)}</guid>`,
    );
  return `${xml.replace(NOT_XML, '')}\n`;
}
