// Reads an episode's Markdown body: the intro, the list of covered stories under its heading, and
// the outro. Raw HTML is never passed through and every link is checked, with its line.
import MarkdownIt from 'markdown-it';
import type { RendererRule, Token } from 'markdown-it';
import { webUrlHint, webUrlOf } from '../model/fields.ts';
import { formatDuration, parseTimestamp } from '../model/time.ts';
import type { Story } from '../model/types.ts';
import type { Problem } from '../problems.ts';
import { ownStrings } from './own-strings.ts';

const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
// markdown-it silently drops links it deems unsafe, leaving "[x](javascript:…)" as text. We accept
// them here so `checkLinks` can report each one at its line and fail the build instead.
md.validateLink = () => true;
/**
 * An http(s) address that markdown-it's normalizeLink gives back exactly as written: a host of
 * ASCII letters, digits and dashes in dot-separated labels (no user, no port, no trailing dot, at
 * most 255 characters, as its parser keeps a host), then only characters its percent-encoding
 * keeps and `%` escapes that are whole. normalizeLink parses every link into parts, punycodes the
 * host and encodes each part: ~15% of a body's parse, for show notes whose links are nearly all
 * such addresses. Any other link still goes through it (test/load/markdown.test.ts compares both).
 */
export const PLAIN_LINK = /^https?:\/\/(?=[^/?#]{1,255}(?:[/?#]|$))[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*(?:[/?#](?:[\w;/?:@&=+$,.!~*'()#-]|%[0-9A-Fa-f]{2})*)?$/;
const normalizeLink = md.normalizeLink.bind(md);
md.normalizeLink = (url) => (PLAIN_LINK.test(url) ? url : normalizeLink(url));
// Never the only guard: should a check below ever miss a link, it still cannot reach an output.
// Checked links are already normalised to `scheme://…`, so a prefix test is enough here.
const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;
const renderToken: RendererRule = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
const renderLinkOpen = md.renderer.rules.link_open ?? renderToken;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = attr(tokens[idx]!, 'href');
  if (href !== null && !SAFE_HREF.test(href)) tokens[idx]!.attrs = (tokens[idx]!.attrs ?? []).filter(([name]) => name !== 'href');
  return renderLinkOpen(tokens, idx, options, env, self);
};
const renderImage = md.renderer.rules.image ?? renderToken;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const src = attr(tokens[idx]!, 'src');
  return src !== null && /^https?:\/\//i.test(src) ? renderImage(tokens, idx, options, env, self) : md.utils.escapeHtml(tokens[idx]!.content);
};

/** The tokens of a Markdown text, as markdown-it's parse gives them (for this module's settings). */
export function parseMarkdown(markdown: string, env: Parameters<typeof md.parse>[1] = {}): Token[] {
  return md.parse(markdown, env);
}

export interface Body {
  introHtml: string;
  storiesHeading?: string;
  stories: Story[];
  outroHtml: string;
  /** Plain text of the first paragraph, the default summary. */
  firstParagraph: string;
}

interface BodyContext {
  file: string;
  /** Lines of the file before the body. */
  lineOffset: number;
  /** From show.yml; by default "On the podcast…" or "Stories". */
  storiesHeading?: string;
  /** The episode's length in seconds, when known: a story's timestamp must fall within it. */
  duration?: number;
}

const STORY_FORMAT = 'expected "- [Title](https://…) — summary"';

/**
 * A story's timestamp, written before its link: `12:34`, `[12:34]`, `(1:02:03)`, perhaps followed
 * by a dash. The digits are read by parseTimestamp, which says what is wrong with `12:75`.
 */
const LEADING_TIMESTAMP = /^\s*(?:\[\s*([\d:.]+)\s*\]|\(\s*([\d:.]+)\s*\)|(\d[\d:.]*))\s*(?:[—–-]\s*)?$/;

/** Where a story's link starts, after the blank text and a timestamp that may come before it. */
function storyStart(children: readonly Token[]): { open: number; timestamp?: string } {
  const first = children.findIndex((t) => t.type !== 'text' || t.content.trim() !== '');
  const token = children[first];
  const written = token?.type === 'text' ? LEADING_TIMESTAMP.exec(token.content) : null;
  if (!written || !written.slice(1).some((part) => part?.includes(':'))) return { open: first };
  const open = children.findIndex((t, i) => i > first && (t.type !== 'text' || t.content.trim() !== ''));
  return { open, timestamp: written[1] ?? written[2] ?? written[3] };
}

/** A link as every output writes it (`new URL().href`), or undefined when it is not http(s) or mailto. */
export function allowedLink(href: string): URL | undefined {
  const web = webUrlOf(href);
  if (web) return web;
  try {
    const url = new URL(href);
    return url.protocol === 'mailto:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a link may appear in the show notes at all (see allowedLink). */
export const isAllowedLink = (href: string): boolean => allowedLink(href) !== undefined;

function attr(token: Token, name: string): string | null {
  const value = token.attrGet(name);
  return value === null ? null : String(value);
}

/** White space other than single spaces: what plainText has to turn into single spaces. */
const SPACES_TO_JOIN = /[^\S ]|\s\s/;

/** Plain text of inline tokens: what a reader sees, without markup. */
function plainText(tokens: readonly Token[]): string {
  let text = '';
  for (const t of tokens) {
    if (t.type === 'softbreak' || t.type === 'hardbreak') text += ' ';
    else if (t.type === 'text' || t.type === 'code_inline' || t.type === 'image') text += t.content;
  }
  // Each run of white space becomes one space. Most texts have single spaces only, which the
  // replace would copy one by one to the same text: it runs only where it changes something.
  return (SPACES_TO_JOIN.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
}

export function isStoriesHeading(text: string, configured?: string): boolean {
  const heading = text.trim().toLowerCase();
  if (configured) return heading.startsWith(configured.trim().toLowerCase());
  return heading.startsWith('on the podcast') || heading === 'stories';
}

/**
 * Every link and image in the body must be http(s) (or mailto for links), written `scheme://host`:
 * no `javascript:`, no `https:host`. Each allowed one is rewritten in its normalised form, so that
 * page, feed and email all carry the same address; each refused one is reported at the line where
 * it is written: table cells have no line map of their own, and a code span may hide line breaks,
 * so the link is looked up in the source lines of its block.
 */
function checkLinks(tokens: readonly Token[], markdown: string, context: BodyContext, webLinks: Map<Token, URL>): Problem[] {
  const problems: Problem[] = [];
  // The body's lines, split only for a refused link's line (most bodies have none).
  let lines: string[] | undefined;
  let block: [number, number] = [0, 1];
  for (const token of tokens) {
    if (token.map) block = [token.map[0], token.map[1]];
    if (token.type !== 'inline' || !token.children) continue;
    let counted = block[0];
    for (const child of token.children) {
      if (child.type === 'softbreak' || child.type === 'hardbreak') counted++;
      const name = child.type === 'link_open' ? 'href' : child.type === 'image' ? 'src' : undefined;
      const target = name === undefined ? null : attr(child, name);
      if (name === undefined || target === null) continue;
      const url = child.type === 'image' ? webUrlOf(target) : allowedLink(target);
      if (url) {
        child.attrSet(name, url.href);
        // Kept for readStory, which needs the parsed address of a story's link: parsed once.
        if (child.type === 'link_open' && url.protocol !== 'mailto:') webLinks.set(child, url);
        continue;
      }
      child.attrs = (child.attrs ?? []).filter(([key]) => key !== name);
      const source = (lines ??= markdown.split('\n'));
      let written = -1;
      for (let i = block[0]; i < block[1] && i < source.length; i++) {
        if (source[i]!.includes(target)) {
          written = i;
          break;
        }
      }
      const what = child.type === 'image' ? 'image' : 'link';
      const expected = child.type === 'image' ? 'an absolute http(s) URL' : 'an absolute http(s) or mailto: URL';
      problems.push({
        file: context.file,
        line: context.lineOffset + (written === -1 ? counted : written) + 1,
        message: `${what} "${target}" is not allowed${webUrlHint(target)}; expected ${expected}`,
      });
    }
  }
  return problems;
}

function closingIndex(tokens: readonly Token[], open: number): number {
  const { level } = tokens[open]!;
  const type = tokens[open]!.type.replace(/_open$/, '_close');
  for (let i = open + 1; i < tokens.length; i++) {
    if (tokens[i]!.type === type && tokens[i]!.level === level) return i;
  }
  return tokens.length - 1;
}

/** A story, a problem with it, or undefined when its link was refused (and reported) already. */
function readStory(item: Token[], line: number, file: string, webLinks: ReadonlyMap<Token, URL>): Story | Problem | undefined {
  const problem = (message: string): Problem => ({ file, line, message });
  const blocks = item.filter((t) => t.level === item[0]!.level + 1);
  const inline = item.find((t) => t.type === 'inline');
  if (blocks.length !== 2 || blocks[0]!.type !== 'paragraph_open' || !inline?.children) {
    return problem(`a story is a single list item of one paragraph; ${STORY_FORMAT}`);
  }
  const children = inline.children;
  const { open, timestamp } = storyStart(children);
  if (children[open]?.type !== 'link_open') return problem(`story has no link at its start; ${STORY_FORMAT}`);
  let start: number | undefined;
  if (timestamp !== undefined) {
    const parsed = parseTimestamp(timestamp);
    if (typeof parsed === 'string') return problem(`story timestamp "${timestamp}" is ${parsed}; expected one such as "- 12:34 [Title](https://…)"`);
    start = parsed;
  }
  // Its own close, at its level: markdown-it nests an autolink written in a link's text (`[<https://…>](…)`),
  // whose close comes first (the summary then started with a stray `</a>`, and kept its dash).
  const close = children.findIndex((t, i) => i > open && t.type === 'link_close' && t.level === children[open]!.level);
  const href = attr(children[open]!, 'href');
  if (href === null) return undefined;
  // checkLinks set the href to the address it parsed (an http(s) one when it kept it).
  const url = webLinks.get(children[open]!) ?? webUrlOf(href);
  if (!url) return problem(`story link "${href}" is not a web page; expected an http(s) URL`);
  const title = plainText(children.slice(open + 1, close));
  if (!title) return problem(`story link has no title; ${STORY_FORMAT}`);

  // The summary follows a dash or a colon: "— Musk says…", ": the sale talks…".
  const rest = children.slice(close + 1);
  const first = rest[0];
  if (first?.type === 'text') {
    rest[0] = Object.assign(Object.create(Object.getPrototypeOf(first)) as Token, first, {
      content: first.content.replace(/^\s*(?:[—–-]+|:)?\s*/, ''),
    });
  }
  // Text with no markup renders as a piece of the episode file, which would keep the file alive:
  // the texts get copies of their own. The address and its host are not the file's: the URL
  // parser made href (checkLinks), and the host is a piece of that very href.
  const summary = ownStrings(plainText(rest));
  const summaryHtml = md.renderer.renderInline(rest, md.options, {}).trim();
  return {
    title: ownStrings(title),
    url: href,
    source: url.hostname.replace(/^www\./, ''),
    summary,
    // A summary without markup or characters HTML escapes is its own HTML: one string for both
    // rather than two copies, held for every story of every episode until the build ends (~1 KB an
    // episode of the live heap, ~10 MB at 10,000 episodes).
    summaryHtml: summaryHtml === summary ? summary : ownStrings(summaryHtml),
    ...(start === undefined ? {} : { start }),
  };
}

/**
 * Timestamped stories are chapters: each must start after the one before it and within the audio.
 * A story without a timestamp is no chapter and is not compared.
 */
function timestampProblem(story: Story, previous: Story | undefined, duration: number | undefined): string | undefined {
  if (story.start === undefined) return undefined;
  if (previous?.start !== undefined && story.start <= previous.start) {
    return `story timestamp ${formatDuration(Math.floor(story.start))} is not after the one before it (${formatDuration(Math.floor(previous.start))}); expected timestamps in increasing order`;
  }
  if (duration !== undefined && story.start >= duration) {
    return `story timestamp ${formatDuration(Math.floor(story.start))} is not within the episode (${formatDuration(duration)} long); expected a time before the end of the audio`;
  }
  return undefined;
}

function readStories(tokens: Token[], listOpen: number, listClose: number, context: BodyContext, webLinks: ReadonlyMap<Token, URL>) {
  const stories: Story[] = [];
  const problems: Problem[] = [];
  const itemLevel = tokens[listOpen]!.level + 1;
  let timed: Story | undefined;
  for (let i = listOpen + 1; i < listClose; i++) {
    const token = tokens[i]!;
    if (token.type !== 'list_item_open' || token.level !== itemLevel) continue;
    const close = closingIndex(tokens, i);
    const line = context.lineOffset + (token.map?.[0] ?? 0) + 1;
    const story = readStory(tokens.slice(i, close + 1), line, context.file, webLinks);
    if (story && 'message' in story) problems.push(story);
    else if (story) {
      const wrong = timestampProblem(story, timed, context.duration);
      if (wrong) problems.push({ file: context.file, line, message: wrong });
      if (story.start !== undefined) timed = story;
      stories.push(story);
    }
    i = close;
  }
  return { stories, problems };
}

const isList = (token: Token | undefined) => token?.type === 'bullet_list_open' || token?.type === 'ordered_list_open';

/** A top-level list whose every item starts with a link: covered stories, by the look of it. */
function isListOfLinks(tokens: readonly Token[], open: number): boolean {
  const itemLevel = tokens[open]!.level + 1;
  let items = 0;
  for (let i = open + 1; i < tokens.length && tokens[i]!.level > tokens[open]!.level; i++) {
    const token = tokens[i]!;
    if (token.type !== 'list_item_open' || token.level !== itemLevel) continue;
    items++;
    const inline = tokens[i + 2];
    const children = inline?.type === 'inline' ? (inline.children ?? []) : [];
    if (children[storyStart(children).open]?.type !== 'link_open') return false;
  }
  return items > 0;
}

/**
 * Without a stories heading an episode has no stories, silently; a list of links in its body
 * means the heading is probably named differently. A warning says where and how to fix it.
 */
function unreadStoryList(tokens: readonly Token[], context: BodyContext): Problem | undefined {
  const list = tokens.findIndex((t, i) => t.level === 0 && isList(t) && isListOfLinks(tokens, i));
  if (list === -1) return undefined;
  const above = tokens[list - 1]?.type === 'heading_close' ? plainText(tokens[list - 2]?.children ?? []) : undefined;
  const configured = context.storiesHeading?.trim();
  const wanted = configured ? `a heading starting with "${configured}" (storiesHeading in show.yml)` : 'a heading starting with "On the podcast", or "Stories"';
  const what = above === undefined ? 'this list of links has no stories heading above it' : `"${above}" is not a stories heading`;
  const setting = above === undefined ? 'storiesHeading in show.yml set to the heading you use' : `storiesHeading: "${above}" in show.yml`;
  return {
    file: context.file,
    line: context.lineOffset + (tokens[list]!.map?.[0] ?? 0) + 1,
    severity: 'warning',
    message: `${what}, so the episode has no stories in the feed, the page or the email; expected ${wanted} right above the list, or ${setting}`,
  };
}

export function readBody(markdown: string, context: BodyContext): { body: Body; problems: Problem[] } {
  const env = {};
  const tokens = parseMarkdown(markdown, env);
  const webLinks = new Map<Token, URL>();
  const problems = checkLinks(tokens, markdown, context, webLinks);
  const render = (slice: Token[]) => md.renderer.render(slice, md.options, env);
  const firstParagraph = tokens.findIndex((t) => t.type === 'paragraph_open' && t.level === 0);
  const body: Body = {
    // The whole body until a stories heading is found (rendered once, below, either way).
    introHtml: '',
    stories: [],
    outroHtml: '',
    // A copy of its own (ownStrings): the text of one token is a piece of the episode file.
    firstParagraph: firstParagraph === -1 ? '' : ownStrings(plainText(tokens[firstParagraph + 1]?.children ?? [])),
  };

  const heading = tokens.findIndex(
    (t, i) => t.type === 'heading_open' && isStoriesHeading(plainText(tokens[i + 1]?.children ?? []), context.storiesHeading),
  );
  if (heading === -1) {
    body.introHtml = render(tokens);
    const unread = unreadStoryList(tokens, context);
    return { body, problems: unread ? [...problems, unread] : problems };
  }

  body.storiesHeading = ownStrings(plainText(tokens[heading + 1]!.children ?? []));
  body.introHtml = render(tokens.slice(0, heading));
  const list = heading + 3;
  const listType = tokens[list]?.type;
  if (listType !== 'bullet_list_open' && listType !== 'ordered_list_open') {
    problems.push({
      file: context.file,
      line: context.lineOffset + (tokens[heading]!.map?.[0] ?? 0) + 1,
      message: `heading "${body.storiesHeading}" must be followed by the list of stories; ${STORY_FORMAT}`,
    });
    body.outroHtml = render(tokens.slice(heading));
    return { body, problems };
  }
  const listClose = closingIndex(tokens, list);
  const stories = readStories(tokens, list, listClose, context, webLinks);
  body.stories = stories.stories;
  body.outroHtml = render(tokens.slice(listClose + 1));
  return { body, problems: [...problems, ...stories.problems] };
}
