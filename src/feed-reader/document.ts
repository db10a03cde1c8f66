// The feed as a document: decoded, parsed, and checked to be an RSS 2.0 channel. Anything else (an
// HTML page, an Atom feed, JSON) gets a message that says what it is instead.
import { ContentError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import type { FeedSource } from './source.ts';
import { child, childrenNamed, decodeFeed, parseXml, type XmlNode } from './xml.ts';

export interface FeedDocument {
  /** How messages name the feed. */
  name: string;
  channel: XmlNode;
  items: XmlNode[];
  /** Warnings found while reading (bytes that were not valid in the declared encoding). */
  warnings: Problem[];
}

function notAFeed(text: string, root: string | undefined): string {
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return 'this is JSON, not a feed; expected an RSS 2.0 podcast feed';
  if (root?.toLowerCase() === 'html' || /^<!doctype html/i.test(start)) {
    const alternate = /<link[^>]+type=["']application\/rss\+xml["'][^>]*>/i.exec(text)?.[0];
    const href = alternate ? /href=["']([^"']+)["']/i.exec(alternate)?.[1] : undefined;
    return `this is a web page, not a feed${href ? `; the page names its feed: ${href}` : '; expected the address of the RSS feed itself'}`;
  }
  if (root === 'feed') return 'this is an Atom feed; castwright reads RSS 2.0 podcast feeds (every podcast host publishes one)';
  if (root === 'rdf:RDF') return 'this is an RSS 1.0 (RDF) feed; castwright reads RSS 2.0 podcast feeds';
  if (root === undefined) return 'this is not XML, nor a feed; expected an RSS 2.0 podcast feed';
  return `the document is <${root}>, not an RSS feed; expected <rss version="2.0"> with a <channel>`;
}

/** Throws ContentError with `name:line` problems when the bytes are not an RSS 2.0 feed. */
export function readFeedDocument(source: FeedSource): FeedDocument {
  const { name } = source;
  const decoded = decodeFeed(source.bytes, source.charset);
  if (typeof decoded === 'string') throw new ContentError([{ file: name, line: 1, message: decoded }]);
  const { text } = decoded;
  if (text.trim() === '') throw new ContentError([{ file: name, message: 'the feed is empty; expected an RSS 2.0 podcast feed' }]);
  const start = text.trimStart();
  // A web page is rarely well-formed XML: say what it is before the XML parser complains.
  const html = /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype html|html[\s>])/i.test(start);
  if (!start.startsWith('<') || html) throw new ContentError([{ file: name, line: 1, message: notAFeed(text, html ? 'html' : undefined) }]);
  const parsed = parseXml(text, name);
  if (Array.isArray(parsed)) throw new ContentError(parsed);
  const { root } = parsed;
  if (root.name !== 'rss') throw new ContentError([{ file: name, line: root.line ?? 1, message: notAFeed(text, root.name) }]);
  const channel = child(root, 'channel');
  if (!channel) throw new ContentError([{ file: name, line: root.line ?? 1, message: 'the feed has no <channel>; expected <rss><channel>…</channel></rss>' }]);
  const warnings: Problem[] = [];
  if (decoded.replaced > 0) {
    warnings.push({
      file: name,
      severity: 'warning',
      message: `${decoded.replaced} byte sequence${decoded.replaced === 1 ? ' is' : 's are'} not valid ${decoded.encoding} and became "\uFFFD"; check the encoding the feed declares`,
    });
  }
  return { name, channel, items: childrenNamed(channel, 'item'), warnings };
}
