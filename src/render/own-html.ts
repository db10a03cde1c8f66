// Reads the HTML our Markdown renderer makes (load/markdown.ts: markdown-it with raw HTML off, its
// links then campaign-tagged by utm.ts) as a stream of tags and text, the events htmlparser2 gives
// for it, without htmlparser2: its general tokenizer was the largest single cost of a digest's text
// part (~0.2 s of a cold 1,000-episode build). The HTML is narrow: the tags markdown-it writes, in
// lower case and always closed in order, attributes always `name="value"`, and text and values
// escaped with the four entities markdown-it writes (&amp; &lt; &gt; &quot;). Anything else (another
// tag or entity, a comment, a tag closed out of order or that htmlparser2 would close by itself) is
// not read: readOwnHtml says so, having perhaps given some events already, and the caller reads the
// whole HTML with htmlparser2 instead (email-text.ts). Both give the same events for what this reads
// (test/render/own-html.test.ts compares them on generated hostile input).

export interface HtmlHandler {
  open(name: string, attributes: Record<string, string>): void;
  text(text: string): void;
  close(name: string): void;
}

/** The elements markdown-it writes that have content (and so a closing tag). */
const CONTAINERS = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'ul',
  'ol',
  'li',
  'pre',
  'code',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'em',
  'strong',
  's',
  'a',
]);
/** The void elements markdown-it writes: htmlparser2 closes each as soon as it opens. */
const VOID = new Set(['br', 'hr', 'img']);

/**
 * What an element being opened closes when it is what is open (htmlparser2's `openImpliesClose`, for
 * the elements above). markdown-it never writes such HTML; the reader leaves it to htmlparser2.
 */
const IMPLIES_CLOSE: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'hr', 'ol', 'pre', 'table', 'ul'].map((name) => [name, new Set(['p'])] as const),
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['li', new Set(['li'])],
  ['tbody', new Set(['thead', 'tbody'])],
]);

/** An opening tag: its name, then its attributes, each ` name="value"` (the value has no `"`). */
const OPEN_TAG = /<([a-z][a-z0-9]*)((?: [a-z]+="[^"]*")*)>/y;
const ATTRIBUTE = / ([a-z]+)="([^"]*)"/g;
const CLOSE_TAG = /<\/([a-z][a-z0-9]*)>/y;
/** An entity markdown-it writes, or any other `&` (which the reader does not decode). */
const AMPERSAND = /&(?:amp;|lt;|gt;|quot;)?/g;
const DECODED: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' };

/** Text or an attribute value with its entities decoded; undefined when it has an `&` of another kind. */
function decoded(text: string): string | undefined {
  if (!text.includes('&')) return text;
  let other = false;
  const result = text.replace(AMPERSAND, (entity) => {
    if (entity === '&') other = true;
    return DECODED[entity] ?? entity;
  });
  return other ? undefined : result;
}

/**
 * Gives `handler` the tags and text of HTML our Markdown renderer made, as htmlparser2 would (entities
 * decoded, a void element closed as it opens). False when the HTML is of another kind: the events
 * given so far are then to be thrown away.
 */
export function readOwnHtml(html: string, handler: HtmlHandler): boolean {
  /** The open elements, innermost last. */
  const open: string[] = [];
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    const end = lt === -1 ? html.length : lt;
    if (end > at) {
      const text = decoded(html.slice(at, end));
      if (text === undefined) return false;
      handler.text(text);
    }
    if (lt === -1) break;
    if (html.charCodeAt(lt + 1) === 47 /* / */) {
      CLOSE_TAG.lastIndex = lt;
      const tag = CLOSE_TAG.exec(html);
      if (!tag || open[open.length - 1] !== tag[1]) return false;
      open.pop();
      handler.close(tag[1]!);
      at = CLOSE_TAG.lastIndex;
      continue;
    }
    OPEN_TAG.lastIndex = lt;
    const tag = OPEN_TAG.exec(html);
    if (!tag) return false;
    const name = tag[1]!;
    const isVoid = VOID.has(name);
    if (!isVoid && !CONTAINERS.has(name)) return false;
    if (open.length > 0 && IMPLIES_CLOSE.get(name)?.has(open[open.length - 1]!)) return false;
    const attributes: Record<string, string> = {};
    if (tag[2]) {
      for (const [, key, value] of tag[2].matchAll(ATTRIBUTE)) {
        const text = decoded(value!);
        if (text === undefined) return false;
        // The first of two same-named attributes counts, as in htmlparser2.
        if (!Object.hasOwn(attributes, key!)) attributes[key!] = text;
      }
    }
    handler.open(name, attributes);
    if (isVoid) handler.close(name);
    else open.push(name);
    at = OPEN_TAG.lastIndex;
  }
  return open.length === 0;
}
