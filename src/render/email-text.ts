// The plain-text part of the digest: the HTML of an episode's intro, outro and story summaries, as
// our Markdown renderer makes it (load/markdown.ts), written as text a plain-text mail client shows
// well. Only the tags markdown-it makes are given a form: paragraphs, headings, emphasis, links,
// images, lists, block quotes, code, line breaks, rules and tables. Any other element shows its text;
// the content of script, style and the like never shows.
//
// Read from the HTML, not from markdown-it's tokens: an episode keeps only its HTML (in the build
// cache too), and the campaign tags are added to that HTML. It is read as a stream, with no tree
// built: by own-html.ts, which reads only the narrow HTML markdown-it writes (a 1,000-episode show's
// intros and outros in half the time), else by htmlparser2 (already used by the lints), which reads any.
import { Parser } from 'htmlparser2';
import { readOwnHtml } from './own-html.ts';

/** Lines of the text part are wrapped at this width; a word longer than a line (a link) is never broken. */
export const TEXT_WIDTH = 72;

/** However deep lists and quotes nest, a line has room for this many characters after its prefix. */
const MIN_ROOM = 24;

/** What each line written inside a list item, a block quote or the indent asked for starts with: `first` on its first line, then `rest`. */
interface Box {
  kind: 'indent' | 'li' | 'blockquote';
  first: string;
  rest: string;
  /** Whether its first line is written (the next line starts with `rest`). */
  used: boolean;
  /** The list, when the box is one of its items. */
  list?: List;
}

interface List {
  ordered: boolean;
  /** The number of the next item (`<ol start>`). */
  next: number;
  items: number;
  /** A list with paragraphs in its items (Markdown's "loose" list): a blank line between items. */
  loose: boolean;
}

type Align = 'left' | 'right' | 'center';

interface Row {
  cells: string[];
  aligns: Align[];
  header: boolean;
}

/** Elements whose content is never text a reader should see. */
const HIDDEN = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'textarea', 'select', 'iframe', 'object', 'svg', 'math']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** Links and images a reader is shown: load refuses every other scheme, this only makes sure. */
const SHOWN_URL = /^(?:https?:\/\/|mailto:)/i;
/** White space as HTML collapses it (a no-break space is kept, and never broken at). */
const SPACES = /[ \t\n\r\f]+/g;
/** White space SPACES would change, but for two spaces in a row (found by `includes`, faster than one regular expression for both). */
const SPACES_TO_COLLAPSE = /[\t\n\r\f]/;

/**
 * Each run of white space as one space. Most texts have single spaces only, which the replace
 * would copy one by one to the same text (~15% of reading a body): it runs only where it changes something.
 */
const collapsed = (text: string) => (SPACES_TO_COLLAPSE.test(text) || text.includes('  ') ? text.replace(SPACES, ' ') : text);

/**
 * Text in which every UTF-16 unit is one column of a fixed-width font: Latin, Greek, Cyrillic and
 * the usual punctuation (curly quotes, dashes), which is most of what shows write.
 */
const ONE_COLUMN_EACH = /^[\u0000-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u205e]*$/;
/** No column: combining marks (an accent written apart), zero-width spaces and joiners, bidi marks, variation selectors. */
const NO_COLUMN = /[\p{M}\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/u;
/** Two columns, as terminals and fixed-width mail clients show them: East Asian wide and full-width characters, emoji drawn as pictures. */
const TWO_COLUMNS =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;

/**
 * How many columns the text takes in a fixed-width font (an approximation of what terminals do): a
 * width counted in UTF-16 units made a decomposed "é" two columns, an emoji two and a CJK character
 * one, so such lines wrapped short or long and table columns did not line up.
 */
export function columnsOf(text: string): number {
  if (ONE_COLUMN_EACH.test(text)) return text.length;
  let columns = 0;
  for (const char of text) columns += NO_COLUMN.test(char) ? 0 : TWO_COLUMNS.test(char) ? 2 : 1;
  return columns;
}

/**
 * Words of a line (apart by spaces), joined greedily into lines of at most `room` columns; a
 * longer word (a link) stands alone on its line.
 */
function wrap(line: string, room: number): string[] {
  return ONE_COLUMN_EACH.test(line) ? wrapUnits(line, room) : wrapColumns(line, room);
}

/** wrap where a column is a UTF-16 unit: lines are cut out of the text, never rebuilt. */
function wrapUnits(line: string, room: number): string[] {
  const lines: string[] = [];
  let start = 0;
  const end = line.length;
  for (;;) {
    while (start < end && line.charCodeAt(start) === 32) start++;
    if (start >= end) return lines;
    if (end - start <= room) break;
    let cut = line.lastIndexOf(' ', start + room);
    if (cut <= start) {
      cut = line.indexOf(' ', start + room);
      if (cut === -1) break;
    }
    lines.push(line.slice(start, cut).trimEnd());
    start = cut + 1;
  }
  lines.push(line.slice(start).trimEnd());
  return lines;
}

/** Characters a line may not start with (closing brackets, CJK full stops and commas, small kana, the long vowel mark). */
const NO_BREAK_BEFORE = /^[)\]}、。，．・：；？！゛゜ヽヾゝゞ々ー’”〉》」』】〕）］｝｡｣､ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ]/u;
/** Characters a line may not end with (opening brackets). */
const NO_BREAK_AFTER = /[(\[{‘“〈《「『【〔（［｛｢]$/u;
const WEB_ADDRESS = /^(?:https?:\/\/|mailto:|\[https?:\/\/)/i;

/**
 * The parts of a word between which a line may break: between two East Asian wide characters, as
 * Chinese and Japanese are written without spaces (a run of other characters stays whole), but not
 * before a closing mark nor after an opening one. An address is never broken.
 */
function breakableParts(word: string): string[] {
  if (WEB_ADDRESS.test(word) || !TWO_COLUMNS.test(word)) return [word];
  const parts: string[] = [];
  let part = '';
  let wide = false;
  for (const char of word) {
    const isWide = TWO_COLUMNS.test(char);
    const mayBreak = part !== '' && (isWide || wide) && !NO_BREAK_BEFORE.test(char) && !NO_BREAK_AFTER.test(part);
    if (mayBreak) {
      parts.push(part);
      part = '';
    }
    part += char;
    wide = isWide || (wide && NO_COLUMN.test(char));
  }
  if (part !== '') parts.push(part);
  return parts;
}

/** wrap for any text: each word measured in columns; a word wider than the line broken where its script allows. */
function wrapColumns(line: string, room: number): string[] {
  const lines: string[] = [];
  let current = '';
  let used = 0;
  const add = (piece: string, columns: number, space: boolean) => {
    const gap = space && current !== '' ? 1 : 0;
    if (current !== '' && used + gap + columns <= room) {
      current += gap ? ` ${piece}` : piece;
      used += gap + columns;
    } else {
      if (current !== '') lines.push(current.trimEnd());
      current = piece;
      used = columns;
    }
  };
  for (const word of line.split(' ')) {
    if (word === '') continue;
    const columns = columnsOf(word);
    if (used + 1 + columns <= room || columns <= room) {
      add(word, columns, true);
      continue;
    }
    breakableParts(word).forEach((part, i) => add(part, columnsOf(part), i === 0));
  }
  if (current !== '') lines.push(current.trimEnd());
  return lines.filter((part) => part !== '');
}

function alignOf(style: string | undefined): Align {
  const align = style && /text-align:\s*(left|right|center)/i.exec(style)?.[1];
  return (align?.toLowerCase() as Align | undefined) ?? 'left';
}

function pad(text: string, width: number, align: Align): string {
  const space = width - columnsOf(text);
  if (align === 'right') return ' '.repeat(space) + text;
  if (align === 'center') return ' '.repeat(Math.floor(space / 2)) + text + ' '.repeat(Math.ceil(space / 2));
  return text + ' '.repeat(space);
}

/**
 * One rendering: block elements write lines (through `emit`, which puts each box's prefix before
 * them); inline content gathers in `inline` until the block it is in ends, then is wrapped.
 */
class TextWriter {
  private readonly lines: string[] = [];
  private readonly boxes: Box[] = [];
  private readonly lists: List[] = [];
  /** Links being read: each keeps the inline text before it, as a cell does, while `inline` gathers the link's own text. */
  private readonly links: Array<{ href?: string; before: string }> = [];
  /** Text of the block being read, white space collapsed; `\n` where a `<br>` was. */
  private inline = '';
  /** A blank line is due before the next line written: this one (the prefix of the boxes it separates blocks of). */
  private gap: string | undefined;
  /** Whether anything was written since the innermost box opened (or since the start). */
  private wrote = false;
  private hidden = 0;
  /** The text of the `<pre>` being read, as written. */
  private pre: string | undefined;
  private rows: Row[] | undefined;
  private row: Row | undefined;
  /** The inline text around the table cell being read. */
  private outsideCell: string | undefined;

  /** `indent`: put before every line that has text, within `width`. */
  constructor(
    private readonly width: number,
    indent: string,
  ) {
    if (indent !== '') this.boxes.push({ kind: 'indent', first: indent, rest: indent, used: true });
  }

  /** Characters before the text on a line, from the boxes it is in. */
  private indent(): number {
    let width = 0;
    for (const box of this.boxes) width += box.rest.length;
    return width;
  }

  private room(): number {
    return Math.max(this.width - this.indent(), MIN_ROOM);
  }

  private emit(text: string): void {
    if (this.gap !== undefined && this.lines.length > 0) this.lines.push(this.gap);
    this.gap = undefined;
    let prefix = '';
    for (const box of this.boxes) {
      prefix += box.used ? box.rest : box.first;
      box.used = true;
    }
    this.lines.push(`${prefix}${text}`.trimEnd());
    this.wrote = true;
  }

  /** Writes the inline text gathered so far, wrapped. */
  private flush(): void {
    // Spaces that ended one text and began the next read as one.
    const text = this.inline.includes('  ') ? this.inline.replace(/ {2,}/g, ' ') : this.inline;
    this.inline = '';
    if (text.trim() === '') return;
    const room = this.room();
    const lines = text.split('\n');
    // Line breaks at the very start or end of a block make no empty lines.
    while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    for (const line of lines) {
      const wrapped = wrap(line, room);
      if (wrapped.length === 0) this.emit('');
      for (const part of wrapped) this.emit(part);
    }
  }

  /**
   * A block starts: what was gathered before it is written, and it is set off by a blank line
   * from what came before it in the same box. Not in an item of a tight list, whose text and
   * nested list read as one.
   */
  private startBlock(): void {
    this.flush();
    const list = this.boxes[this.boxes.length - 1]?.list;
    if (this.wrote && !(list && !list.loose)) this.setGap();
  }

  private setGap(): void {
    let prefix = '';
    for (const box of this.boxes) prefix += box.rest;
    this.gap = prefix.trimEnd();
  }

  private openBox(box: Box): void {
    this.boxes.push(box);
    this.wrote = false;
  }

  private closeBox(kind: Box['kind']): void {
    if (this.boxes[this.boxes.length - 1]?.kind !== kind) return;
    this.flush();
    const box = this.boxes.pop();
    // An empty item still shows its marker.
    if (box && !box.used) {
      this.boxes.push(box);
      this.emit('');
      this.boxes.pop();
    }
    this.wrote = true;
  }

  readonly open = (name: string, attributes: Record<string, string>): void => {
    if (HIDDEN.has(name)) this.hidden++;
    if (this.hidden > 0) return;
    if (this.pre !== undefined) {
      if (name === 'br') this.pre += '\n';
      return;
    }
    if (name === 'p') {
      this.startBlock();
      const list = this.boxes[this.boxes.length - 1]?.list;
      if (list) list.loose = true;
    } else if (HEADINGS.has(name) || name === 'hr') {
      this.startBlock();
      if (name === 'hr') this.emit('-'.repeat(this.room()));
    } else if (name === 'ul' || name === 'ol') {
      this.startBlock();
      const start = Number.parseInt(attributes.start ?? '', 10);
      this.lists.push({ ordered: name === 'ol', next: Number.isSafeInteger(start) ? start : 1, items: 0, loose: false });
    } else if (name === 'li') {
      this.flush();
      const list = this.lists[this.lists.length - 1] ?? { ordered: false, next: 1, items: 0, loose: false };
      if (list.items > 0 && list.loose) this.setGap();
      list.items++;
      const marker = list.ordered ? `${list.next++}. ` : '- ';
      this.openBox({ kind: 'li', first: marker, rest: ' '.repeat(marker.length), used: false, list });
    } else if (name === 'blockquote') {
      this.startBlock();
      this.openBox({ kind: 'blockquote', first: '> ', rest: '> ', used: false });
    } else if (name === 'pre') {
      this.startBlock();
      this.pre = '';
    } else if (name === 'br') {
      this.inline += this.outsideCell === undefined ? '\n' : ' ';
    } else if (name === 'a') {
      const href = attributes.href;
      // Its text is gathered apart, so closing it never slices nor rebuilds the text before it
      // (that was quadratic in the links of a paragraph).
      this.links.push({ href: href !== undefined && SHOWN_URL.test(href) ? href : undefined, before: this.inline });
      this.inline = '';
    } else if (name === 'img') {
      const alt = collapsed(attributes.alt ?? '').trim();
      const src = attributes.src;
      const shown = src !== undefined && /^https?:\/\//i.test(src) ? `[${src}]` : '';
      this.inline += alt && shown ? `${alt} ${shown}` : alt || shown;
    } else if (name === 's' || name === 'del') {
      this.inline += '~~';
    } else if (name === 'table') {
      this.startBlock();
      this.rows = [];
    } else if (name === 'tr' && this.rows) {
      this.row = { cells: [], aligns: [], header: false };
    } else if ((name === 'td' || name === 'th') && this.row) {
      this.outsideCell = this.inline;
      this.inline = '';
      this.row.aligns.push(alignOf(attributes.style));
      if (name === 'th') this.row.header = true;
    }
  };

  readonly text = (text: string): void => {
    if (this.hidden > 0) return;
    if (this.pre !== undefined) this.pre += text;
    else this.inline += collapsed(text);
  };

  readonly close = (name: string): void => {
    if (HIDDEN.has(name)) {
      this.hidden = Math.max(0, this.hidden - 1);
      return;
    }
    if (this.hidden > 0) return;
    if (name === 'pre' && this.pre !== undefined) {
      const code = this.pre.replace(/\n$/, '');
      this.pre = undefined;
      // Code as written, indented as Markdown indents it, never wrapped.
      for (const line of code.split('\n')) this.emit(line.trim() === '' ? '' : `    ${line.replace(/\t/g, '    ')}`);
      this.wrote = true;
    } else if (this.pre !== undefined) {
      return;
    } else if (name === 'p' || HEADINGS.has(name)) {
      this.flush();
    } else if (name === 'ul' || name === 'ol') {
      this.flush();
      this.lists.pop();
    } else if (name === 'li' || name === 'blockquote') {
      this.closeBox(name);
    } else if (name === 'a') {
      this.closeLink();
    } else if (name === 's' || name === 'del') {
      this.inline += '~~';
    } else if ((name === 'td' || name === 'th') && this.row && this.outsideCell !== undefined) {
      this.row.cells.push(collapsed(this.inline).trim());
      this.inline = this.outsideCell;
      this.outsideCell = undefined;
    } else if (name === 'tr' && this.rows && this.row) {
      this.rows.push(this.row);
      this.row = undefined;
    } else if (name === 'table' && this.rows) {
      const rows = this.rows;
      this.rows = undefined;
      this.writeTable(rows);
    }
  };

  /**
   * A link is its text and then its address in brackets: `the show [https://…]`. A link written
   * as its own address (`<https://…>`, perhaps with the `/` a bare host is given, now with campaign
   * tags) shows the address once; a mail
   * link written as its address shows the address alone.
   */
  private closeLink(): void {
    const link = this.links.pop();
    if (!link) return;
    const own = this.inline;
    this.inline = link.before;
    const { href } = link;
    const text = own.trim();
    if (!href) this.inline += own;
    else if (text === '') this.inline += `${own} ${href}`;
    else if (href === `mailto:${text}`) this.inline += own;
    else if (text === href || (/^https?:\/\/\S+$/i.test(text) && href.startsWith(text) && /^\/?(?:[?#]|$)/.test(href.slice(text.length)))) {
      this.inline += `${/^\s/.test(own) ? ' ' : ''}${href}`;
    } else this.inline += `${own} [${href}]`;
  }

  /**
   * Columns padded to their widest cell, the header underlined, when the table fits the width; else
   * each row as lines of `Header: value`, a blank line between rows.
   */
  private writeTable(rows: Row[]): void {
    if (rows.length === 0) return;
    // Measured in one pass: spreading every row into Math.max overflows the stack past ~120,000 rows.
    const widths: number[] = [];
    for (const row of rows) row.cells.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, columnsOf(cell))));
    const columns = widths.length;
    const aligns = Array.from({ length: columns }, (_, i) => rows.find((row) => row.aligns[i])?.aligns[i] ?? 'left');
    const total = widths.reduce((sum, width) => sum + width, 0) + 2 * (columns - 1);
    if (total <= this.room()) {
      for (const row of rows) {
        this.emit(widths.map((width, i) => pad(row.cells[i] ?? '', width, aligns[i]!)).join('  '));
        if (row.header) this.emit(widths.map((width) => '-'.repeat(width)).join('  '));
      }
      return;
    }
    const header = rows.find((row) => row.header);
    for (const row of rows) {
      if (row === header) continue;
      this.startBlock();
      this.inline = row.cells
        .map((cell, i) => (header?.cells[i] ? `${header.cells[i]}: ${cell}` : cell))
        .filter((line) => line.trim() !== '')
        .join('\n');
    }
    this.flush();
  }

  finish(): string {
    this.flush();
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return this.lines.join('\n');
  }
}

/** The spaces that line text up under the text after `label` (a list's "10. "). */
export const hangingIndent = (label: string) => ' '.repeat(columnsOf(label));

export interface TextOptions {
  /** The longest a line may be, indent included (a word longer than a line stands alone). */
  width?: number;
  /** Put before every line with text on it. */
  indent?: string;
}

/**
 * Plain text of HTML made by our Markdown renderer: blocks apart by a blank line, lines wrapped at
 * `width` (less the indent of lists and quotes), entities decoded, links followed by their address.
 * No line break at the end.
 */
export function htmlToPlainText(html: string, { width = TEXT_WIDTH, indent = '' }: TextOptions = {}): string {
  // Text with no markup and no entity (most story summaries) is only wrapped.
  if (!html.includes('<') && !html.includes('&')) {
    const lines = wrap(collapsed(html), Math.max(width - indent.length, MIN_ROOM));
    return lines.length === 0 ? '' : indent + lines.join(`\n${indent}`);
  }
  const own = new TextWriter(width, indent);
  if (readOwnHtml(html, own)) return own.finish();
  return htmlparser2PlainText(html, { width, indent });
}

/** htmlToPlainText by way of htmlparser2: for HTML of any kind (readOwnHtml reads only our own). */
export function htmlparser2PlainText(html: string, { width = TEXT_WIDTH, indent = '' }: TextOptions = {}): string {
  const writer = new TextWriter(width, indent);
  const parser = new Parser({ onopentag: writer.open, ontext: writer.text, onclosetag: writer.close }, { decodeEntities: true });
  parser.end(html);
  return writer.finish();
}
