// The feed's <channel> → the settings of show.yml. What the feed lacks and castwright requires
// becomes a placeholder (an empty value with a comment) that the build rejects until filled in.
import { convert as htmlToText } from 'html-to-text';
import { isEmail, isWebUrl } from '../model/fields.ts';
import { APPLE_DESCRIPTION_BYTES, FUNDING_TEXT_LENGTH, podcastGuid } from '../model/schema.ts';
import type { Problem } from '../problems.ts';
import { shortenToBytes } from '../render/view.ts';
import { mapCategory } from './categories.ts';
import { unmapped } from './extra.ts';
import { quoted } from '../feed-reader/quoted.ts';
import { looksLikeHtml } from './notes.ts';
import { withinLine } from './bounds.ts';
import { parseExplicit } from '../feed-reader/explicit.ts';
import { child, childText, childrenNamed, type XmlNode } from '../feed-reader/xml.ts';

/** A value castwright needs and the feed does not give: written empty, with what to fill in. */
export interface Placeholder {
  path: string[];
  comment: string;
}

export interface ShowDraft {
  /** show.yml in the order it is written; placeholders are null. */
  fields: Record<string, unknown>;
  placeholders: Placeholder[];
  /** The show's podcast:guid: as published, or computed from the old feed address. */
  guid: string;
  title: string;
  explicit: boolean;
  author?: string;
  /** podcast:locked yes, with the owner it names. */
  locked?: { owner?: string; line?: number };
  problems: Problem[];
}

export interface ChannelOptions {
  /** Where the site will be served (`--url`). */
  url?: string;
  /** The address apps subscribe to (`--feed-url`, or the URL the feed was fetched from). */
  feedUrl?: string;
  /** The URL the feed was fetched from. */
  fetchedFrom?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Elements mapped to a field (or derived by the build), so not kept in `extra`. */
const HANDLED = new Set([
  'title', 'link', 'description', 'language', 'copyright', 'lastBuildDate', 'pubDate', 'generator', 'docs', 'item',
  'itunes:author', 'itunes:owner', 'itunes:image', 'itunes:category', 'itunes:explicit', 'itunes:type',
  'podcast:guid', 'podcast:locked', 'podcast:funding',
]);

/** HTML or plain text → one block of plain text (descriptions are plain text in castwright). */
export function plainText(raw: string): string {
  const text = looksLikeHtml(raw) ? htmlToText(raw, { wordwrap: false, selectors: [{ selector: 'a', options: { ignoreHref: true } }, { selector: 'img', format: 'skip' }] }) : raw;
  return text.replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}

/** `adam@curry.com (Adam Curry)` → its parts. */
function personOfEditor(raw: string | undefined): { name?: string; email?: string } {
  if (!raw) return {};
  const m = /^\s*([^\s()]+@[^\s()]+)\s*(?:\((.*)\))?\s*$/.exec(raw);
  return m ? { email: m[1], ...(m[2]?.trim() ? { name: m[2].trim() } : {}) } : { name: raw.trim() };
}

export function mapChannel(channel: XmlNode, file: string, options: ChannelOptions): ShowDraft {
  const problems: Problem[] = [];
  const placeholders: Placeholder[] = [];
  const at = (name: string) => child(channel, name)?.line ?? channel.line;
  const warn = (line: number | undefined, message: string) => problems.push({ file, ...(line ? { line } : {}), message, severity: 'warning' });
  const placeholder = (path: string[], comment: string, message: string) => {
    placeholders.push({ path, comment });
    warn(at(path[0]!), `${message}; show.yml gets an empty ${path.join('.')} to fill in (the build refuses it until then)`);
    return null;
  };

  const fields: Record<string, unknown> = {};
  const rawTitle = childText(channel, 'title') ?? childText(channel, 'itunes:title');
  const title = rawTitle && withinLine(rawTitle.replace(/\s+/g, ' '), 'the show title', (message) => warn(at('title'), message));
  fields.title = title ?? placeholder(['title'], "the show's name", 'the feed has no <title>');

  const rawDescription = childText(channel, 'description') ?? childText(channel, 'itunes:summary');
  let description = rawDescription ? plainText(rawDescription) : undefined;
  if (description && Buffer.byteLength(description) > APPLE_DESCRIPTION_BYTES) {
    warn(at('description'), `the show description is ${Buffer.byteLength(description)} bytes long; shortened to Apple's ${APPLE_DESCRIPTION_BYTES}`);
    description = shortenToBytes(description, APPLE_DESCRIPTION_BYTES);
  }
  fields.description = description || placeholder(['description'], 'a description of the show in plain text', 'the feed has no description');

  const link = childText(channel, 'link');
  fields.url = options.url ?? placeholder(['url'], `where dist/ will be served, such as https://example.com/${link ? ` (the old site: ${link})` : ''}`, 'no --url given');

  const language = childText(channel, 'language')?.toLowerCase();
  fields.language = language ?? placeholder(['language'], 'a language code such as en-us', 'the feed has no <language>');

  const owner = child(channel, 'itunes:owner');
  const editor = personOfEditor(childText(channel, 'managingEditor') ?? childText(channel, 'webMaster'));
  const oneLine = (text: string | undefined, what: string, element: string) => text && withinLine(text, what, (message) => warn(at(element), message));
  const ownerName = oneLine(childText(owner, 'itunes:name') ?? editor.name ?? childText(channel, 'itunes:author'), "the owner's name", 'itunes:owner');
  const ownerEmail = childText(owner, 'itunes:email') ?? editor.email;
  const author = oneLine(childText(channel, 'itunes:author'), 'itunes:author', 'itunes:author') ?? ownerName;
  fields.author = author ?? placeholder(['author'], "the name shown as the show's author", 'the feed has no itunes:author or owner');
  fields.owner = {
    name: ownerName ?? placeholder(['owner', 'name'], "the owner's name", 'the feed names no owner (itunes:owner)'),
    email: ownerEmail && isEmail(ownerEmail) ? ownerEmail : placeholder(['owner', 'email'], "the owner's email address", 'the feed gives no owner email address (itunes:owner)'),
  };

  const image = child(channel, 'itunes:image')?.attrs.href?.trim() || childText(child(channel, 'image'), 'url');
  fields.image = image ?? placeholder(['image'], 'the URL of the square cover art (JPEG or PNG, 1400 to 3000 px)', 'the feed has no cover art');

  const categories: string[] = [];
  for (const element of childrenNamed(channel, 'itunes:category')) {
    const parent = element.attrs.text?.trim() ?? '';
    const subs = childrenNamed(element, 'itunes:category').map((sub) => sub.attrs.text?.trim() ?? '');
    for (const sub of subs.length ? subs : [undefined]) {
      const mapped = mapCategory(parent, sub || undefined);
      if (mapped.kind === 'unknown') {
        warn(element.line, `itunes:category ${quoted(mapped.from)} is not an Apple category, old or new; left out`);
        continue;
      }
      if (mapped.kind === 'renamed') warn(element.line, `itunes:category ${quoted(mapped.from)} is Apple's retired name; written as "${mapped.category}"`);
      if (!categories.includes(mapped.category)) categories.push(mapped.category);
    }
  }
  fields.categories = categories.length ? categories : placeholder(['categories'], 'Apple categories, such as [Technology, Business > Marketing]', 'no Apple category could be taken from the feed');

  const explicitText = childText(channel, 'itunes:explicit');
  let explicit = parseExplicit(explicitText);
  if (explicit === undefined) {
    warn(at('itunes:explicit'), explicitText ? `itunes:explicit ${quoted(explicitText)} is neither yes nor no; written as false` : 'the feed has no itunes:explicit; written as false');
    explicit = false;
  }
  fields.explicit = explicit;

  const type = childText(channel, 'itunes:type')?.toLowerCase();
  if (type === 'serial') fields.type = 'serial';
  else if (type && type !== 'episodic') warn(at('itunes:type'), `itunes:type ${quoted(type)} is neither episodic nor serial; left out (episodic)`);
  const copyright = childText(channel, 'copyright');
  if (copyright) fields.copyright = oneLine(copyright.replace(/\s+/g, ' '), 'the copyright line', 'copyright');

  // podcast:guid: as published, else what the spec derives from the address apps subscribe to.
  const published = childText(channel, 'podcast:guid');
  const self = childrenNamed(channel, 'atom:link').find((l) => l.attrs.rel === 'self')?.attrs.href?.trim();
  const selfUsable = self && isWebUrl(self) && self.replace(/\/+$/, '') !== link?.replace(/\/+$/, '') ? self : undefined;
  if (self && !selfUsable) warn(at('atom:link'), `atom:link rel="self" (${quoted(self)}) is the website, not the feed; not used for podcast:guid`);
  const address = options.feedUrl ?? selfUsable ?? options.fetchedFrom;
  let guid: string;
  // As published, capitals included: indexes may compare it as text.
  if (published && UUID.test(published)) guid = published;
  else {
    if (published) warn(at('podcast:guid'), `podcast:guid ${quoted(published)} is not a UUID; computed from the feed address instead`);
    if (!address) {
      problems.push({
        file,
        ...(channel.line ? { line: channel.line } : {}),
        message:
          'the feed has no podcast:guid and does not say its own address (atom:link rel="self"); expected --feed-url <the address apps subscribe to>, so the show keeps the podcast:guid it has always had',
      });
      guid = '';
    } else guid = podcastGuid(address);
  }
  fields.guid = guid;

  const lockedNode = child(channel, 'podcast:locked');
  let locked: ShowDraft['locked'];
  if (lockedNode) {
    const value = lockedNode.text.trim().toLowerCase();
    fields.locked = value === 'yes' || value === 'true';
    const lockOwner = (lockedNode.attrs.owner ?? lockedNode.attrs.email)?.trim();
    if (fields.locked) locked = { ...(lockOwner ? { owner: lockOwner } : {}), ...(lockedNode.line ? { line: lockedNode.line } : {}) };
  }

  const funding = childrenNamed(channel, 'podcast:funding').flatMap((element) => {
    const url = element.attrs.url?.trim();
    if (!url || !isWebUrl(url)) {
      warn(element.line, `podcast:funding has no http(s) url; left out`);
      return [];
    }
    let text = element.text.replace(/\s+/g, ' ').trim() || 'Support the show';
    if (text.length > FUNDING_TEXT_LENGTH) {
      warn(element.line, `podcast:funding text is ${text.length} characters long; shortened to ${FUNDING_TEXT_LENGTH}, the Podcasting 2.0 limit`);
      text = `${text.slice(0, FUNDING_TEXT_LENGTH - 1).replace(/\s+\S*$/, '')}…`;
    }
    return [{ url, text }];
  });
  if (funding.length) fields.funding = funding.length === 1 ? funding[0] : funding;

  const newFeedUrl = childText(channel, 'itunes:new-feed-url');
  if (newFeedUrl) warn(at('itunes:new-feed-url'), `the feed already sends apps to ${quoted(newFeedUrl)} (itunes:new-feed-url); kept in extra, not followed`);

  // The self link is the feed's own address, used above; other atom:links (paging, hubs) are kept.
  const handled = new Set(HANDLED);
  if (childrenNamed(channel, 'atom:link').every((l) => l.attrs.rel === 'self')) handled.add('atom:link');
  const extra = { ...(link ? { link } : {}), ...unmapped(channel, handled) };
  if (Object.keys(extra).length) fields.extra = extra;

  return {
    fields,
    placeholders,
    guid,
    title: title ?? '',
    explicit,
    ...(childText(channel, 'itunes:author') ? { author: childText(channel, 'itunes:author') } : {}),
    ...(locked ? { locked } : {}),
    problems,
  };
}
