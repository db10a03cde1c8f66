// The plain YAML most front matter is written in, read without the `yaml` package: a tenth of a
// cold build went to building its documents (with positions, for messages) for ten-line blocks.
// Nested `key: value` maps, `- ` sequences, one-line quoted and flow-sequence values, and `>`/`|`
// blocks of whole lines. Anything else (comments, anchors, tags, escapes, numbers other than plain
// integers, a line this reader is not sure of) returns undefined, and the `yaml` package reads the
// text as before: this reader never decides what a document means when the two could differ, and
// it never reports a problem (test/load/plain-yaml.test.ts compares both on random documents).

interface Line {
  indent: number;
  /** The line without its indentation. */
  text: string;
  /** Whether blank lines come before it (they count inside a block). */
  afterBlank: boolean;
  /** Its line number in the text, from 1. */
  no: number;
}

/** Plain YAML's data, and where each value starts, as the `yaml` package's nodes would say. */
export interface PlainYaml {
  data: Record<string, unknown>;
  /** The line of the value at `path`, or of the nearest part of the path that exists (as load/yaml.ts's lineOf). */
  lineOf(path: readonly PropertyKey[], of?: 'value' | 'key'): number;
}

/** Thrown inside the reader when the text leaves the plain subset; never escapes it. */
const NOT_PLAIN = Symbol('not plain');

// Characters that, first in a value, make YAML read it as something other than plain text.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
const KEY = /^([A-Za-z_][\w-]*):(?: +(.*))?$/;
// A value YAML's core schema would read as something other than text or a plain integer.
const NOT_TEXT = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
const PLAIN_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
// Front matter is a few levels deep. A deeper document is the yaml package's: it reports one too
// deep for its stack as a problem, where this reader's recursion would throw (RangeError) instead.
const MAX_DEPTH = 32;

function notPlain(): never {
  throw NOT_PLAIN;
}

/** A plain (unquoted) scalar: text, a plain integer, true, false or null; anything else is not plain. */
function plainScalar(text: string, inFlow: boolean): unknown {
  if (text === '' || INDICATOR.test(text) || text.includes(': ') || text.endsWith(':')) notPlain();
  if (inFlow && /[,[\]{}]/.test(text)) notPlain();
  if (!NOT_TEXT.test(text)) return text;
  if (PLAIN_INTEGER.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null' || text === '~') return null;
  return notPlain();
}

/** A value written on the line of its key or dash. */
function inlineValue(text: string): unknown {
  if (text.startsWith('"')) {
    const quoted = /^"([^"\\]*)"$/.exec(text);
    return quoted ? quoted[1] : notPlain();
  }
  if (text.startsWith("'")) {
    const quoted = /^'((?:[^']|'')*)'$/.exec(text);
    return quoted ? quoted[1]!.replace(/''/g, "'") : notPlain();
  }
  if (text.startsWith('[')) {
    const flow = /^\[([^[\]{}"':]*)\]$/.exec(text);
    if (!flow) notPlain();
    // Only spaces separate flow items: YAML keeps a no-break or other Unicode space in the item,
    // where String.prototype.trim would take it away.
    const inside = trimSpaces(flow[1]!);
    return inside === '' ? [] : inside.split(',').map((item) => plainScalar(trimSpaces(item), true));
  }
  return plainScalar(text, false);
}

/** `text` without the spaces (U+0020 only) around it; a loop, as ` +$` would retry every run of spaces. */
function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(start, end);
}

class Reader {
  private at = 0;
  /** Maps and sequences open around the one being read. */
  private depth = 0;
  /** The line each map's keys and each sequence's items start on. */
  readonly keyLines = new WeakMap<object, Map<string, number>>();
  /** The line each value of a map (by key) or sequence (by index) starts on. */
  readonly valueLines = new WeakMap<object, Map<string | number, number>>();

  constructor(private readonly lines: Line[]) {}

  read(): Record<string, unknown> {
    const value = this.mapping(0);
    if (this.at < this.lines.length) notPlain();
    return value;
  }

  private get line(): Line | undefined {
    return this.lines[this.at];
  }

  private mapping(indent: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) notPlain();
    const map: Record<string, unknown> = {};
    const keyLines = new Map<string, number>();
    const valueLines = new Map<string | number, number>();
    this.keyLines.set(map, keyLines);
    this.valueLines.set(map, valueLines);
    while (this.line && this.line.indent >= indent) {
      const { indent: own, text, no } = this.line;
      if (own !== indent || text.startsWith('-')) notPlain();
      const field = KEY.exec(text) ?? notPlain();
      const key = field[1]!;
      // `null: x` is the key "" to YAML, `True` and `true` the same key: left to the yaml package.
      if (key === '__proto__' || NOT_TEXT.test(key) || Object.hasOwn(map, key)) notPlain();
      this.at++;
      keyLines.set(key, no);
      // A value on the key's line (or none) starts there; a block below it, on its first line.
      valueLines.set(key, field[2] || !this.line || this.line.indent < indent || (this.line.indent === indent && !this.line.text.startsWith('- ')) ? no : this.line.no);
      map[key] = this.valueOf(field[2], indent);
    }
    this.depth--;
    return map;
  }

  /** The value after `key:` (or a dash) at `indent`: on its line, in a block below it, or nothing (null). */
  private valueOf(inline: string | undefined, indent: number): unknown {
    if (inline !== undefined && inline !== '') {
      const block = /^([>|])(-?)$/.exec(inline);
      if (block) return this.blockScalar(indent, block[1] === '>' ? ' ' : '\n', block[2] === '-');
      const value = inlineValue(inline);
      // A plain value continued on a more indented line is one multi-line value: not plain here.
      if (this.line && this.line.indent > indent) notPlain();
      return value;
    }
    const next = this.line;
    if (!next) return null;
    if (next.indent > indent) return next.text.startsWith('- ') ? this.sequence(next.indent) : this.mapping(next.indent);
    // A sequence may sit at its key's own indentation.
    if (next.indent === indent && next.text.startsWith('- ')) return this.sequence(indent);
    return null;
  }

  private sequence(indent: number): unknown[] {
    if (++this.depth > MAX_DEPTH) notPlain();
    const items: unknown[] = [];
    const valueLines = new Map<string | number, number>();
    this.valueLines.set(items, valueLines);
    while (this.line && this.line.indent === indent && this.line.text.startsWith('- ')) {
      valueLines.set(items.length, this.line.no);
      const item = this.line.text.slice(2).replace(/^ +/, '');
      const itemIndent = indent + this.line.text.length - item.length;
      if (item === '' || item.startsWith('- ')) notPlain();
      if (KEY.test(item)) {
        // `- key: value` opens a map whose other keys line up with this one.
        this.lines[this.at] = { ...this.line, indent: itemIndent, text: item };
        items.push(this.mapping(itemIndent));
      } else {
        this.at++;
        items.push(this.valueOf(item, indent));
      }
    }
    if (this.line && this.line.indent > indent) notPlain();
    this.depth--;
    return items;
  }

  /** A `>`/`|` block of whole lines, all at one indentation, none blank; `strip`: without the last line break. */
  private blockScalar(indent: number, join: string, strip: boolean): string {
    const first = this.line;
    if (!first || first.indent <= indent) notPlain();
    const lines: string[] = [];
    while (this.line && this.line.indent > indent) {
      if (this.line.indent !== first.indent || this.line.afterBlank) notPlain();
      lines.push(this.line.text);
      this.at++;
    }
    return lines.join(join) + (strip ? '' : '\n');
  }
}

/**
 * The data of `text` when it is plain YAML (see above), exactly as the `yaml` package would read it;
 * undefined when it is not, or when it may not be.
 */
export function readPlainYaml(text: string): PlainYaml | undefined {
  // Comments, tabs, escapes, control characters and line ends other than \n, directives and
  // document markers: left to the `yaml` package.
  if (/[#\\\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|^(?:%|\.\.\.|---)/m.test(text)) return undefined;
  const lines: Line[] = [];
  let afterBlank = false;
  let no = 0;
  for (const raw of text.split('\n')) {
    no++;
    const text = raw.replace(/^ +/, '');
    if (text === '') {
      afterBlank = lines.length > 0;
      continue;
    }
    // Trailing spaces would stay in a block scalar: only the `yaml` package knows where they go.
    if (text !== text.trimEnd()) return undefined;
    lines.push({ indent: raw.length - text.length, text, afterBlank, no });
    afterBlank = false;
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const reader = new Reader(lines);
  let data: Record<string, unknown>;
  try {
    data = reader.read();
  } catch (error) {
    if (error === NOT_PLAIN) return undefined;
    throw error;
  }
  const start = lines[0]!.no;
  const lineOf = (path: readonly PropertyKey[], of: 'value' | 'key' = 'value'): number => {
    let node: unknown = data;
    let line = start;
    for (const [index, key] of path.entries()) {
      if (Array.isArray(node)) {
        if (typeof key !== 'number' || key < 0 || key >= node.length) break;
      } else if (node !== null && typeof node === 'object') {
        const keyLine = reader.keyLines.get(node)?.get(String(key));
        if (keyLine === undefined) break;
        line = keyLine;
        if (of === 'key' && index === path.length - 1) break;
      } else {
        break;
      }
      // A one-line flow sequence's items are on its own line.
      line = reader.valueLines.get(node)?.get(Array.isArray(node) ? (key as number) : String(key)) ?? line;
      node = (node as Record<PropertyKey, unknown>)[Array.isArray(node) ? (key as number) : String(key)];
    }
    return line;
  };
  return { data, lineOf };
}
