// Show notes HTML → the Markdown body of an episode, with turndown. Nothing castwright would not
// render passes through: scripts, frames and embeds are dropped, links and images that are not
// http(s) (or mailto) lose their target, and each removal is reported. A list whose every item
// starts with a link becomes the episode's stories: the first one under the show's stories
// heading, else the first one under no heading at all (which then gets the stories heading).
import TurndownService from 'turndown';
import { randomUUID } from 'node:crypto';
import { isWebUrl } from '../model/fields.ts';
import { isAllowedLink, isStoriesHeading } from '../load/markdown.ts';

export interface NotesOptions {
  /** Relative links are resolved against this (the item's old page). */
  baseUrl?: string;
}

/** A list of links that can be the stories: the heading right before it, if any. */
export interface LinkList {
  heading?: string;
}

export interface ConvertedNotes {
  /** Markdown, with a marker line before each list of links until `finishNotes` picks the stories. */
  markdown: string;
  linkLists: LinkList[];
  /** What was removed, e.g. `<script>`, `link "javascript:alert(1)"`. */
  removed: string[];
  /** Marker lines are this followed by the list's index. */
  marker: string;
}

/** Elements whose content castwright never renders: dropped with what they hold. */
const DROPPED = [
  'script', 'style', 'noscript', 'template', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form',
  'input', 'button', 'select', 'textarea', 'canvas', 'svg', 'math', 'video', 'audio', 'source', 'track', 'head',
  'meta', 'link', 'base',
] as const;
/** Dropped without a word: they never carry anything a reader would miss. */
const SILENT = new Set(['STYLE', 'HEAD', 'META', 'LINK', 'BASE']);

/** The little of the DOM (turndown's, from domino) this module touches; the project has no DOM types. */
interface DomNode {
  nodeName: string;
  nodeType: number;
  nodeValue: string | null;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode: DomNode | null;
  nextSibling: DomNode | null;
}

interface DomElement extends DomNode {
  children: ArrayLike<DomElement>;
  previousElementSibling: DomElement | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
}

const dom = (node: unknown) => node as DomElement;

interface State {
  options: NotesOptions;
  removed: string[];
  marker: string;
  linkLists: LinkList[];
  checked: WeakMap<DomElement, boolean>;
}

let state: State;

function safeTarget(raw: string | null, allowMailto: boolean): { url?: string; refused?: string } {
  const value = (raw ?? '').trim();
  if (!value) return {};
  let resolved = value;
  try {
    resolved = state.options.baseUrl && isWebUrl(state.options.baseUrl) ? new URL(value, state.options.baseUrl).href : value;
  } catch {
    resolved = value;
  }
  if (isWebUrl(resolved) || (allowMailto && isAllowedLink(resolved))) return { url: new URL(resolved).href };
  return { refused: value.length > 60 ? `${value.slice(0, 57)}…` : value };
}

/** A chapter time before a story's link, as castwright's own feeds write it: "00:38 ", "[1:02:03] ". */
const TIMESTAMP_TEXT = /^\s*[[(]?(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?[\])]?\s*(?:[—–-]\s*)?$/;
/** An item that is only a chapter, no story: "00:00 Intro", before the first timestamped story. */
const CHAPTER_ONLY = /^\s*[[(]?(?:\d{1,2}:)?\d{1,3}:\d{2}(?:[.,]\d{1,3})?[\])]?\s+\S/;

const meaningful = (node: DomNode) => !(node.nodeType === 3 && (node.nodeValue ?? '').trim() === '') && node.nodeType !== 8;

/** An item of a stories list: a link with text first, then only inline content. */
function isLinkItem(li: DomElement): boolean {
  let nodes = Array.from(li.childNodes).filter(meaningful);
  if (nodes.length === 1 && nodes[0]!.nodeName === 'P') nodes = Array.from(nodes[0]!.childNodes).filter(meaningful);
  if (nodes[0]?.nodeType === 3 && TIMESTAMP_TEXT.test(nodes[0].nodeValue ?? '')) nodes = nodes.slice(1);
  const first = nodes[0] as DomElement | undefined;
  if (!first || first.nodeName !== 'A' || !(first.textContent ?? '').trim()) return false;
  if (!safeTarget(first.getAttribute('href'), false).url) return false;
  const BLOCKS = /^(P|DIV|UL|OL|LI|H[1-6]|TABLE|BLOCKQUOTE|PRE|HR|SECTION|ARTICLE|DL|FIGURE)$/;
  return !nodes.some((node) => BLOCKS.test(node.nodeName) || (node as DomElement).querySelector?.('p, div, ul, ol, table, blockquote, pre, h1, h2, h3, h4, h5, h6'));
}

/** A top-level list whose every item starts with a link. */
function isLinkList(list: DomElement): boolean {
  const known = state.checked.get(list);
  if (known !== undefined) return known;
  const items = Array.from(list.children);
  let nested = false;
  for (let up = list.parentNode; up && !nested; up = up.parentNode) nested = /^(LI|BLOCKQUOTE|TD|TH|PRE|TABLE)$/.test(up.nodeName);
  // The first item may be the intro chapter ("00:00 Intro"), which the build makes again.
  const stories = items.length > 1 && isChapterOnly(items[0]!) ? items.slice(1) : items;
  const answer = !nested && stories.length > 0 && stories.every((item) => item.nodeName === 'LI' && isLinkItem(item));
  state.checked.set(list, answer);
  return answer;
}

/** A list item that is a timestamp and a title without a link: the intro chapter of a castwright feed. */
function isChapterOnly(item: DomElement): boolean {
  return item.nodeName === 'LI' && !item.querySelector('a, ul, ol, p, div') && CHAPTER_ONLY.test(item.textContent ?? '');
}

function hostOf(url: string): string {
  try {
    return new URL(url.replace(/\\([()])/g, '$1')).hostname.replace(/^www\./, '');
  } catch {
    return '';
  }
}

const service = new TurndownService({ headingStyle: 'atx', bulletListMarker: '-', codeBlockStyle: 'fenced', emDelimiter: '_', hr: '* * *' });

service.addRule('dropped', {
  filter: (node) => (DROPPED as readonly string[]).includes(dom(node).nodeName.toLowerCase()),
  replacement: (_content, node) => {
    const name = dom(node).nodeName;
    if (!SILENT.has(name)) state.removed.push(`<${name.toLowerCase()}>`);
    return '';
  },
});

service.addRule('link', {
  filter: 'a',
  replacement: (content, node) => {
    const href = dom(node).getAttribute('href');
    const target = safeTarget(href, true);
    if (target.refused) state.removed.push(`link "${target.refused}"`);
    if (!target.url || !content.trim()) return content;
    const destination = target.url.replace(/([()<>\\])/g, '\\$1');
    return `[${content}](${destination})`;
  },
});

service.addRule('image', {
  filter: 'img',
  replacement: (_content, node) => {
    const element = dom(node);
    const target = safeTarget(element.getAttribute('src'), false);
    if (target.refused) state.removed.push(`image "${target.refused}"`);
    if (!target.url) return '';
    const alt = service.escape((element.getAttribute('alt') ?? '').replace(/\s+/g, ' ').trim());
    return `![${alt}](${target.url.replace(/([()<>\\])/g, '\\$1')})`;
  },
});

service.addRule('tableRow', {
  filter: 'tr',
  replacement: (content) => `\n\n${content.trim()}\n\n`,
});
service.addRule('tableCell', {
  filter: ['td', 'th'],
  replacement: (content, node) => (dom(node).previousElementSibling ? ` · ${content.trim()}` : content.trim()),
});

service.addRule('list', {
  filter: ['ul', 'ol'],
  replacement: (content, node) => {
    const list = dom(node);
    if (list.parentNode?.nodeName === 'LI') return `\n${content}`;
    if (!isLinkList(list)) return `\n\n${content}\n\n`;
    const before = list.previousElementSibling;
    const heading = before && /^H[1-6]$/.test(before.nodeName) ? (before.textContent ?? '').replace(/\s+/g, ' ').trim() : '';
    state.linkLists.push(heading ? { heading } : {});
    return `\n\n${state.marker}${state.linkLists.length - 1}\n\n${content}\n\n`;
  },
});

// "- item" with continuation lines indented under it, as castwright's own episodes are written.
service.addRule('listItem', {
  filter: 'li',
  replacement: (content, node) => {
    const item = dom(node);
    const parent = item.parentNode as DomElement | null;
    let prefix = '- ';
    if (parent?.nodeName === 'OL') {
      const start = Number(parent.getAttribute('start')) || 1;
      prefix = `${start + Array.prototype.indexOf.call(parent.children, item)}. `;
    }
    let text = content.replace(/^\n+/, '').replace(/\n+$/, '');
    // castwright's own feeds show each story's site after its link: "(techcrunch.com)"; the intro
    // chapter ("00:00 Intro") is made again by the build from the stories' timestamps.
    if (parent && /^(UL|OL)$/.test(parent.nodeName) && isLinkList(parent)) {
      if (item === parent.children[0] && isChapterOnly(item)) return '';
      text = text.replace(/^((?:\\?[[(]?[\d:.,]+\\?[\])]?\s+)?\[(?:\\.|[^\]\\])*\]\((\S+?)\))\s+\(([^()\s]+)\)/, (whole, link: string, url: string, site: string) =>
        hostOf(url) === site ? link : whole,
      );
    }
    return `${prefix}${text.replace(/\n/g, `\n${' '.repeat(prefix.length)}`)}${item.nextSibling ? '\n' : ''}`;
  },
});

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain-text notes as HTML: paragraphs at blank lines, line breaks kept, bare URLs made links. */
export function plainTextToHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const html = escapeHtml(paragraph.trim()).replace(/https?:\/\/[^\s<>"]+/g, (url) => {
        let tail = /[).,;:!?]+$/.exec(url)?.[0] ?? '';
        // A closing parenthesis that pairs with one in the URL belongs to it: …/Foo_(bar).
        if (tail.startsWith(')') && url.slice(0, url.length - tail.length).includes('(')) tail = tail.slice(1);
        const href = url.slice(0, url.length - tail.length);
        return `<a href="${href}">${href}</a>${tail}`;
      });
      return `<p>${html.replace(/\n/g, '<br>')}</p>`;
    })
    .join('\n');
}

/** Whether the text holds HTML markup rather than plain text. */
export function looksLikeHtml(text: string): boolean {
  return /<(?:[a-z][a-z0-9]*[\s/>]|!--|\/[a-z])/i.test(text);
}

export function convertNotes(source: string, options: NotesOptions = {}): ConvertedNotes {
  state = { options, removed: [], marker: `castwright-links-${randomUUID()}-`, linkLists: [], checked: new WeakMap() };
  const html = looksLikeHtml(source) ? source : plainTextToHtml(source);
  const markdown = service
    .turndown(html)
    .replace(/[ \t]+$/gm, (spaces) => (spaces === '  ' ? spaces : ''))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return {
    markdown,
    linkLists: state.linkLists,
    removed: state.removed,
    marker: state.marker,
  };
}

/**
 * Which list of links becomes the stories: the first under a heading the build takes for the
 * stories heading (`configured`, or castwright's default), else the first under no heading.
 */
export function storiesList(notes: ConvertedNotes, configured: string | undefined): number {
  const headed = notes.linkLists.findIndex((list) => list.heading !== undefined && isStoriesHeading(list.heading, configured));
  return headed !== -1 ? headed : notes.linkLists.findIndex((list) => list.heading === undefined);
}

/** The heading written above a list of links that had none. */
export const DEFAULT_STORIES_HEADING = 'Stories';

/**
 * The final body: the chosen list of links under the stories heading (added when the list had no
 * heading), and any other heading the loader would take for the stories heading turned into bold
 * text, so the build reads the stories exactly where the import found them.
 */
export function finishNotes(notes: ConvertedNotes, configured: string | undefined): string {
  const chosen = storiesList(notes, configured);
  const storiesHeading = configured ?? DEFAULT_STORIES_HEADING;
  const lines: string[] = [];
  let headingLine = -1;
  for (const line of notes.markdown.split('\n')) {
    if (!line.includes(notes.marker)) {
      lines.push(line);
      continue;
    }
    if (!line.startsWith(notes.marker) || Number(line.slice(notes.marker.length)) !== chosen) {
      // Drop the marker and the blank line that follows it.
      continue;
    }
    if (notes.linkLists[chosen]!.heading !== undefined) {
      let before = lines.length - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      headingLine = before;
    } else {
      headingLine = lines.length;
      lines.push(`## ${service.escape(storiesHeading)}`);
    }
  }
  let fenced = false;
  return lines
    .map((line, index) => {
      if (/^(```|~~~)/.test(line)) fenced = !fenced;
      const heading = !fenced && index !== headingLine ? /^#{1,6} (.*)$/.exec(line) : null;
      if (!heading) return line;
      const text = heading[1]!.replace(/\\(.)/g, '$1');
      return isStoriesHeading(text, configured) ? `**${heading[1]}**` : line;
    })
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}
