// Reads an episode's Markdown body: the intro, the list of covered stories under its heading, and
// the outro. Raw HTML is never passed through and every link is checked, with its line.
import MarkdownIt from 'markdown-it';
import type { RendererRule, Token } from 'markdown-it';
import { isWebUrl } from '../model/fields.ts';
import type { Story } from '../model/types.ts';
import type { Problem } from '../problems.ts';

const md = new MarkdownIt('default', { html: false, linkify: false, typographer: false });
// markdown-it silently drops links it deems unsafe, leaving "[x](javascript:…)" as text. We accept
// them here so `checkLinks` can report each one at its line and fail the build instead.
md.validateLink = () => true;
// Never the only guard: should a check above ever miss a link, it still cannot reach an output.
const renderToken: RendererRule = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
const renderLinkOpen = md.renderer.rules.link_open ?? renderToken;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const href = attr(tokens[idx]!, 'href');
  if (href !== null && !isAllowedLink(href)) tokens[idx]!.attrs = (tokens[idx]!.attrs ?? []).filter(([name]) => name !== 'href');
  return renderLinkOpen(tokens, idx, options, env, self);
};
const renderImage = md.renderer.rules.image ?? renderToken;
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const src = attr(tokens[idx]!, 'src');
  return src !== null && isWebUrl(src) ? renderImage(tokens, idx, options, env, self) : md.utils.escapeHtml(tokens[idx]!.content);
};

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
}

const STORY_FORMAT = 'expected "- [Title](https://…) — summary"';

export function isAllowedLink(href: string): boolean {
  if (isWebUrl(href)) return true;
  try {
    return new URL(href).protocol === 'mailto:';
  } catch {
    return false;
  }
}

function attr(token: Token, name: string): string | null {
  const value = token.attrGet(name);
  return value === null ? null : String(value);
}

/** Plain text of inline tokens: what a reader sees, without markup. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => (t.type === 'softbreak' || t.type === 'hardbreak' ? ' ' : t.type === 'text' || t.type === 'code_inline' || t.type === 'image' ? t.content : ''))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

export function isStoriesHeading(text: string, configured?: string): boolean {
  const heading = text.trim().toLowerCase();
  if (configured) return heading.startsWith(configured.trim().toLowerCase());
  return heading.startsWith('on the podcast') || heading === 'stories';
}

/**
 * Every link and image in the body must be http(s) (or mailto for links): no `javascript:`. Each
 * one is reported at the line where it is written: table cells have no line map of their own, and a
 * code span may hide line breaks, so the link is looked up in the source lines of its block.
 */
function checkLinks(tokens: readonly Token[], source: readonly string[], context: BodyContext): Problem[] {
  const problems: Problem[] = [];
  let block: [number, number] = [0, 1];
  for (const token of tokens) {
    if (token.map) block = [token.map[0], token.map[1]];
    if (token.type !== 'inline' || !token.children) continue;
    let counted = block[0];
    for (const child of token.children) {
      if (child.type === 'softbreak' || child.type === 'hardbreak') counted++;
      const target = child.type === 'link_open' ? attr(child, 'href') : child.type === 'image' ? attr(child, 'src') : null;
      if (target === null || (child.type === 'image' ? isWebUrl(target) : isAllowedLink(target))) continue;
      const written = source.findIndex((line, i) => i >= block[0] && i < block[1] && line.includes(target));
      const what = child.type === 'image' ? 'image' : 'link';
      const expected = child.type === 'image' ? 'an absolute http(s) URL' : 'an absolute http(s) or mailto: URL';
      problems.push({
        file: context.file,
        line: context.lineOffset + (written === -1 ? counted : written) + 1,
        message: `${what} "${target}" is not allowed; expected ${expected}`,
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

function readStory(item: Token[], line: number, file: string): Story | Problem {
  const problem = (message: string): Problem => ({ file, line, message });
  const blocks = item.filter((t) => t.level === item[0]!.level + 1);
  const inline = item.find((t) => t.type === 'inline');
  if (blocks.length !== 2 || blocks[0]!.type !== 'paragraph_open' || !inline?.children) {
    return problem(`a story is a single list item of one paragraph; ${STORY_FORMAT}`);
  }
  const children = inline.children;
  const open = children.findIndex((t) => t.type !== 'text' || t.content.trim() !== '');
  if (children[open]?.type !== 'link_open') return problem(`story has no link at its start; ${STORY_FORMAT}`);
  const close = children.findIndex((t, i) => i > open && t.type === 'link_close');
  const url = attr(children[open]!, 'href') ?? '';
  const title = plainText(children.slice(open + 1, close));
  if (isAllowedLink(url) && !isWebUrl(url)) return problem(`story link "${url}" is not a web page; expected an http(s) URL`);
  if (!title) return problem(`story link has no title; ${STORY_FORMAT}`);

  // The summary follows a dash or a colon: "— Musk says…", ": the sale talks…".
  const rest = children.slice(close + 1).map((t) => Object.assign(Object.create(Object.getPrototypeOf(t)), t) as Token);
  const first = rest[0];
  if (first?.type === 'text') first.content = first.content.replace(/^\s*(?:[—–-]+|:)?\s*/, '');
  return {
    title,
    url,
    source: isWebUrl(url) ? new URL(url).hostname.replace(/^www\./, '') : '',
    summary: plainText(rest),
    summaryHtml: md.renderer.renderInline(rest, md.options, {}).trim(),
  };
}

function readStories(tokens: Token[], listOpen: number, listClose: number, context: BodyContext) {
  const stories: Story[] = [];
  const problems: Problem[] = [];
  const itemLevel = tokens[listOpen]!.level + 1;
  for (let i = listOpen + 1; i < listClose; i++) {
    const token = tokens[i]!;
    if (token.type !== 'list_item_open' || token.level !== itemLevel) continue;
    const close = closingIndex(tokens, i);
    const line = context.lineOffset + (token.map?.[0] ?? 0) + 1;
    const story = readStory(tokens.slice(i, close + 1), line, context.file);
    if ('message' in story) problems.push(story);
    else stories.push(story);
    i = close;
  }
  return { stories, problems };
}

export function readBody(markdown: string, context: BodyContext): { body: Body; problems: Problem[] } {
  const env = {};
  const tokens = md.parse(markdown, env);
  const problems = checkLinks(tokens, markdown.split('\n'), context);
  const render = (slice: Token[]) => md.renderer.render(slice, md.options, env);
  const firstParagraph = tokens.findIndex((t) => t.type === 'paragraph_open' && t.level === 0);
  const body: Body = {
    introHtml: render(tokens),
    stories: [],
    outroHtml: '',
    firstParagraph: firstParagraph === -1 ? '' : plainText(tokens[firstParagraph + 1]?.children ?? []),
  };

  const heading = tokens.findIndex(
    (t, i) => t.type === 'heading_open' && isStoriesHeading(plainText(tokens[i + 1]?.children ?? []), context.storiesHeading),
  );
  if (heading === -1) return { body, problems };

  body.storiesHeading = plainText(tokens[heading + 1]!.children ?? []);
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
  const stories = readStories(tokens, list, listClose, context);
  body.stories = stories.stories;
  body.outroHtml = render(tokens.slice(listClose + 1));
  return { body, problems: [...problems, ...stories.problems] };
}
