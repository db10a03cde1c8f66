// A feed's bytes → a tree of elements with canonical namespace prefixes and source lines.
// fast-xml-parser does the parsing (entities, CDATA, limits on entity expansion); it gives no
// positions, so a small scanner of our own finds the line of every element near the top of the
// tree (channel, items and their children) and the two are matched in document order.
import { TextDecoder } from 'node:util';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Problem } from '../problems.ts';

export interface XmlNode {
  /** Canonical name: `itunes:duration` whatever prefix the feed chose for Apple's namespace. */
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  /** Text content, CDATA included, as written (not trimmed). */
  text: string;
  /** 1-based line of the start tag, where known. */
  line?: number;
  /** Text and elements in document order, kept only for an element that has both (raw XHTML). */
  mixed?: Array<string | XmlNode>;
}

/** Namespaces by URI (lower-cased, without the scheme) → the prefix castwright uses for them. */
const NAMESPACES: Record<string, string> = {
  'www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
  'podcastindex.org/namespace/1.0': 'podcast',
  'github.com/podcastindex-org/podcast-namespace/blob/main/docs/1.0.md': 'podcast',
  'purl.org/rss/1.0/modules/content/': 'content',
  'www.w3.org/2005/atom': 'atom',
  'search.yahoo.com/mrss/': 'media',
  'www.google.com/schemas/play-podcasts/1.0': 'googleplay',
  'purl.org/dc/elements/1.1/': 'dc',
  'podlove.org/simple-chapters': 'psc',
};

function canonicalPrefix(uri: string): string | undefined {
  const key = uri.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
  // Own entries only: a namespace URI such as "constructor" must not find Object's.
  for (const candidate of [key, `${key}/`]) if (Object.hasOwn(NAMESPACES, candidate)) return NAMESPACES[candidate];
  return undefined;
}

export interface DecodedText {
  text: string;
  /** The encoding used, as declared. */
  encoding: string;
  /** Bytes that were not valid in that encoding (replaced by U+FFFD). */
  replaced: number;
}

/** How a feed's bytes are to be decoded: the encoding's name, and where the text starts (after a UTF-8 byte order mark). */
export interface FeedEncoding {
  encoding: string;
  start: number;
}

/**
 * The encoding is taken from a byte order mark, else the XML declaration, else the HTTP charset,
 * else UTF-8 (the XML default).
 */
export function feedEncoding(bytes: Buffer, httpCharset?: string): FeedEncoding {
  let encoding = 'utf-8';
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  // UTF-16 without a byte order mark, known by its first character as the XML spec (appendix F) says.
  else if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] !== 0x00) encoding = 'utf-16le';
  else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[3] !== 0x00) encoding = 'utf-16be';
  else {
    const head = bytes.subarray(0, 200).toString('latin1');
    const declared = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1]?.toLowerCase();
    // A declaration read byte by byte is in an 8-bit encoding: one that says UTF-16 is wrong (as libxml2 reads it).
    if (declared && !declared.startsWith('utf-16')) encoding = declared;
    else if (!declared && httpCharset) encoding = httpCharset.toLowerCase();
  }
  return { encoding, start };
}

/** As feedEncoding says, decoded. Returns a message when the encoding is unknown. */
export function decodeFeed(bytes: Buffer, httpCharset?: string): DecodedText | string {
  const { encoding, start } = feedEncoding(bytes, httpCharset);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  } catch {
    return `declares the encoding "${encoding}", which castwright cannot read; expected UTF-8, UTF-16, ISO-8859-x or windows-125x`;
  }
  // Feeds labelled ISO-8859-1 are windows-1252 in practice (curly quotes at 0x93…), as the
  // Encoding Standard says; Node decodes 0x80-0x9F of that family as control characters.
  const text = decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes.subarray(start)) : decoder.decode(bytes.subarray(start));
  let replaced = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) replaced++;
  return { text, encoding, replaced };
}

/** windows-1252's characters at 0x80-0x9F (undefined positions stay as they are). */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

interface ScannedElement {
  name: string;
  line: number;
  children: ScannedElement[];
  /** Offsets in the text: where the start tag begins and ends, and where the element ends (when it does). */
  start: number;
  tagEnd: number;
  end?: number;
}

/** Depth of the tree the scanner records: rss > channel > item > item child. */
const SCANNED_DEPTH = 4;

export interface ScannedDocument {
  /** The document element (and any stray siblings), with their descendants down to SCANNED_DEPTH. */
  elements: ScannedElement[];
  /** Where the first markup declaration (`<!DOCTYPE`) outside comments and CDATA starts. */
  declarationAt?: number;
}

const SLASH = 0x2f;
const GREATER = 0x3e;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** Whether a UTF-16 code unit is white space to a regular expression's \s. */
function isWhiteSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Start tags with their lines, in document order, skipping comments, CDATA, processing
 * instructions and the DOCTYPE, so markup inside them is never taken for an element. Linear in the
 * size of the text: every step moves forward.
 */
export function scanElements(text: string): ScannedDocument {
  let declarationAt: number | undefined;
  const root: ScannedElement = { name: '', line: 0, children: [], start: 0, tagEnd: 0 };
  const stack: Array<ScannedElement | undefined> = [root];
  let line = 1;
  let counted = 0;
  const lineAt = (position: number) => {
    for (let i = text.indexOf('\n', counted); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, position);
    return line;
  };
  // Where `token` ends, or -1 when the text stops before it (a truncated document): never a
  // position before `from`, or the scan would go back and loop.
  const after = (token: string, from: number) => {
    const found = text.indexOf(token, from);
    return found === -1 ? -1 : found + token.length;
  };
  let at = text.indexOf('<');
  while (at !== -1) {
    let end: number;
    if (text.startsWith('<!--', at)) end = after('-->', at + 4);
    else if (text.startsWith('<![CDATA[', at)) end = after(']]>', at + 9);
    else if (text.startsWith('<?', at)) end = after('?>', at + 2);
    else if (text.startsWith('<!', at)) {
      declarationAt ??= at;
      // A DOCTYPE may hold an internal subset in brackets, whose declarations contain '>'.
      const bracket = text.indexOf('[', at);
      const close = text.indexOf('>', at);
      end = bracket !== -1 && bracket < close ? text.indexOf(']', bracket) : close;
      end = end === -1 ? -1 : after('>', end);
    } else if (text[at + 1] === '/') {
      end = after('>', at);
      if (stack.length > 1) {
        const closed = stack.pop();
        if (closed && end !== -1) closed.end = end;
      }
    } else {
      // The name: up to 199 characters that are no white space (as a regular expression's \s), '/' or '>'.
      // By character codes, as the tag's end below: a slice and a match a tag, and a string a
      // character, were ~40 ms of a one-edit rebuild of 1,000 episodes (the guard reads the feed).
      let i = at + 1;
      for (const stop = Math.min(text.length, at + 200); i < stop; i++) {
        const c = text.charCodeAt(i);
        if (c === SLASH || c === GREATER || isWhiteSpace(c)) break;
      }
      const name = text.slice(at + 1, i);
      // Find the end of the tag, stepping over quoted attribute values that may hold '>' (a quote
      // never closed runs to the end of the text).
      while (i < text.length) {
        const c = text.charCodeAt(i);
        if (c === GREATER) break;
        if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
          const close = text.indexOf(c === DOUBLE_QUOTE ? '"' : "'", i + 1);
          i = close === -1 ? text.length : close + 1;
        } else i++;
      }
      end = i >= text.length ? -1 : i + 1;
      const selfClosing = end !== -1 && text[i - 1] === '/';
      const parent = stack[stack.length - 1];
      const element: ScannedElement | undefined = parent && stack.length <= SCANNED_DEPTH ? { name, line: lineAt(at), children: [], start: at, tagEnd: end } : undefined;
      if (element) parent!.children.push(element);
      if (element && selfClosing) element.end = end;
      if (!selfClosing) stack.push(element);
    }
    if (end <= 0) break;
    at = text.indexOf('<', end);
  }
  return { elements: root.children, ...(declarationAt === undefined ? {} : { declarationAt }) };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  // Lenient like podcast apps: HTML entities such as &nbsp; in a feed are read, not refused.
  htmlEntities: true,
  // Entities a feed declares itself get a small budget (no "billion laughs"); the limits apply to
  // those only (`appliesTo`, known to the parser but missing from its typings), not to &amp; & co.
  processEntities: {
    enabled: true,
    maxEntitySize: 1000,
    maxEntityCount: 50,
    maxExpansionDepth: 5,
    maxTotalExpansions: 10_000,
    maxExpandedLength: 1_000_000,
    ...{ appliesTo: 'external' },
  },
});

type Ordered = Record<string, unknown>;

interface Scope {
  prefixes: Map<string, string>;
}

function elementName(key: string): [string, string | undefined] {
  const colon = key.indexOf(':');
  return colon === -1 ? [key, undefined] : [key.slice(colon + 1), key.slice(0, colon)];
}

function convert(entry: Ordered, scope: Scope, scanned: ScannedElement | undefined): XmlNode | undefined {
  const key = Object.keys(entry).find((k) => k !== ':@');
  if (key === undefined || key === '#text' || key === '#comment') return undefined;
  const attrs: Record<string, string> = {};
  let prefixes = scope.prefixes;
  for (const [name, value] of Object.entries((entry[':@'] as Record<string, unknown> | undefined) ?? {})) {
    if (name.startsWith('xmlns:')) {
      const canonical = canonicalPrefix(String(value));
      if (canonical) {
        if (prefixes === scope.prefixes) prefixes = new Map(prefixes);
        prefixes.set(name.slice(6), canonical);
      }
    } else if (name !== 'xmlns') {
      attrs[name] = String(value);
    }
  }
  const [local, prefix] = elementName(key);
  // An undeclared prefix (a common slip) is kept as written.
  const name = prefix === undefined ? local : `${prefixes.get(prefix) ?? prefix}:${local}`;
  const node: XmlNode = { name, attrs, children: [], text: '', ...(scanned && scanned.name === key ? { line: scanned.line } : {}) };
  const inner = scope.prefixes === prefixes ? scope : { prefixes };
  const matches = scanned && scanned.name === key ? scanned.children : [];
  let next = 0;
  let text = '';
  const mixed: Array<string | XmlNode> = [];
  for (const child of (entry[key] as Ordered[]) ?? []) {
    if ('#text' in child) {
      text += String(child['#text']);
      mixed.push(String(child['#text']));
      continue;
    }
    const childKey = Object.keys(child).find((k) => k !== ':@');
    // Match the scanner's elements by name in order; a disagreement stops matching, never misplaces.
    let match: ScannedElement | undefined;
    if (childKey !== undefined && childKey !== '#comment' && matches[next]?.name === childKey) match = matches[next++];
    const converted = convert(child, inner, match);
    if (converted) {
      node.children.push(converted);
      mixed.push(converted);
    }
  }
  node.text = text;
  if (node.children.length > 0 && text.trim() !== '') node.mixed = mixed;
  return node;
}

export interface ParsedXml {
  /** The document element. */
  root: XmlNode;
}

/** Throws problems (`file:line: …`) when the text is not XML at all. */
export function parseXml(text: string, file: string): ParsedXml | Problem[] {
  // Entities a feed declares itself are never expanded: no feed needs them, and they are how a
  // "billion laughs" or an external file gets in. The DOCTYPE is found as the parser finds it (past
  // comments and CDATA); from there on any <!ENTITY counts, so no trick of quoting can hide one.
  const scanned = scanElements(text);
  const { declarationAt } = scanned;
  if (declarationAt !== undefined && /<!ENTITY/i.test(text.slice(declarationAt))) {
    const line = text.slice(0, declarationAt).split('\n').length;
    return [{ file, line, message: 'the feed declares its own entities (<!ENTITY> in its DOCTYPE), which castwright never expands; podcast feeds do not need them: remove them from the feed, or from a copy of it' }];
  }
  // Well-formed to the end: a truncated download must not import as a shorter catalogue.
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return [{ file, line: valid.err.line, message: `not well-formed XML: ${valid.err.msg.replace(/\s+/g, ' ')} (a truncated download, or a broken feed)` }];
  }
  let ordered: Ordered[];
  try {
    ordered = parser.parse(text) as Ordered[];
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').trim();
    const line = /line[: ]+(\d+)/i.exec(message)?.[1];
    if (/entit/i.test(message)) {
      return [{ file, line: 1, message: `the feed declares entities beyond what castwright expands (${message}); podcast feeds never need their own entities` }];
    }
    return [{ file, ...(line ? { line: Number(line) } : { line: 1 }), message: `not readable as XML: ${message}` }];
  }
  const scope: Scope = { prefixes: new Map() };
  const elements = ordered.filter((entry) => !('#text' in entry) && !('#comment' in entry));
  const first = elements[0];
  const root = first ? convert(first, scope, scanned.elements[0]) : undefined;
  if (!root) return [{ file, line: 1, message: 'no XML element found; expected an RSS feed (<rss version="2.0">)' }];
  return { root };
}

/** Children of `node` named `name` (canonical). */
export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((child) => child.name === name) : [];
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** Trimmed text of the first child named `name`, or undefined when absent or empty. */
export function childText(node: XmlNode | undefined, name: string): string | undefined {
  const text = child(node, name)?.text.trim();
  return text ? text : undefined;
}

const escapeMarkup = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function outerMarkup(node: XmlNode): string {
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escapeMarkup(v).replace(/"/g, '&quot;')}"`)
    .join('');
  return `<${node.name}${attrs}>${innerMarkup(node)}</${node.name}>`;
}

/** Serialises an element's content back to markup: for feeds that put raw XHTML in their notes. */
export function innerMarkup(node: XmlNode): string {
  if (node.children.length === 0) return escapeMarkup(node.text);
  const parts = node.mixed ?? node.children;
  return parts.map((part) => (typeof part === 'string' ? escapeMarkup(part) : outerMarkup(part))).join('');
}
