// Reads a source file as UTF-8 text, or says exactly why it cannot be: not a regular file (a named
// pipe would block the build forever), too big, unreadable, saved as UTF-16, binary, or not valid
// UTF-8 at a given line. Nothing is guessed: a file castwright cannot read as written is a problem.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { systemReason } from '../errors.ts';
import type { Problem } from '../problems.ts';

/** Far above any episode (10,000 stories are about 1.5 MB), far below what would exhaust memory. */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

const SAVE_AS_UTF8 = 'expected UTF-8 text: save it as UTF-8 in your editor';

/**
 * `blanked`, beside a problem of control characters only: the text with them deleted, as the
 * message asks (lines kept: a line end is none of them), read for the file's other problems alone,
 * so that all are reported at once; never built from. Deleted, not made spaces: a space changes
 * what YAML reads (a control character is content to it), so U+0001 before a field's name gave ten
 * "invalid YAML" problems of lines that had none, an escape before a colour code's `[` an
 * unterminated list, a bell before `#` a comment. (Not named `text`: `'text' in` tells a text read from a problem.)
 */
export type SourceText = { text: string } | { problem: Problem; missing: boolean; blanked?: string };

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

const BOMS: Array<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], 'UTF-32'],
  [[0xff, 0xfe, 0x00, 0x00], 'UTF-32'],
  [[0xfe, 0xff], 'UTF-16'],
  [[0xff, 0xfe], 'UTF-16'],
];

/** Offset of the first byte that does not start a valid UTF-8 sequence (overlongs and surrogates included). */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) length = 3;
    else if (b >= 0xf0 && b <= 0xf4) length = 4;
    else return i;
    // The second byte's range rules out overlong forms, surrogates and code points above U+10FFFF.
    min = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    if (b === 0xed) max = 0x9f;
    if (b === 0xf4) max = 0x8f;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? min : 0x80) || next > (k === 1 ? max : 0xbf)) return i;
    }
    i += length;
  }
  return -1;
}

/**
 * The line of `offset`, counting line ends as the front matter and Markdown do: CRLF, LF and a lone
 * CR (counting LF alone, a file saved with CR line ends had every problem on line 1).
 */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  return line;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or the problem that stops it. `shown` names the file in messages. */
export function decodeSource(bytes: Uint8Array, shown: string): { text: string } | { problem: Problem; blanked?: string } {
  const problem = (message: string, line?: number) => ({ problem: line === undefined ? { file: shown, message } : { file: shown, line, message } });
  for (const [bom, encoding] of BOMS) {
    if (bom.every((byte, i) => bytes[i] === byte)) return problem(`the file is saved as ${encoding}; ${SAVE_AS_UTF8}`, 1);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return problem(`the file holds NUL bytes: it is binary (or UTF-16 without a byte order mark), not text; ${SAVE_AS_UTF8}`, lineAt(bytes, nul));
  }
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    const offset = invalidUtf8Offset(bytes);
    const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
    return problem(`not valid UTF-8 (byte 0x${byte}; the file may be Latin-1 or Windows-1252); ${SAVE_AS_UTF8}`, lineAt(bytes, offset));
  }
  const control = controlCharacters(text);
  return control ? { ...problem(control.message, control.line), blanked: text.replace(CONTROL_ALL, '') } : { text };
}

/** Control characters other than tab and line ends: C0, DEL and C1 (U+0080 to U+009F). */
const CONTROL = /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');
const LINE_END = /\r\n?|\n/g;
/** How many further lines a message names before it only counts them. */
const LINES_NAMED = 10;
/** Windows-1252's characters at 0x80 to 0x9F (Node's TextDecoder reads that range as Latin-1); '' where it has none. */
const WINDOWS_1252 = '€\u0000‚ƒ„…†‡ˆ‰Š‹Œ\u0000Ž\u0000\u0000‘’“”•–—˜™š›œ\u0000žŸ';

/** The character as a reader can look it up: U+001B, and what it likely stands for. */
function describeControl(char: string): string {
  const code = char.charCodeAt(0);
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code === 0x1b) return `${name} (escape, as terminals' colour codes start)`;
  if (code < 0x80) return name;
  // What C1 characters in text nearly always are: Windows-1252 punctuation converted as Latin-1.
  const meant = WINDOWS_1252[code - 0x80];
  return !meant || meant === '\u0000' ? name : `${name} (likely a Windows-1252 "${meant}" converted wrongly)`;
}

/**
 * The text without control characters, for text castwright writes itself (an import): C1
 * characters that stand for Windows-1252 punctuation become it, the others are dropped.
 */
export function withoutControlCharacters(text: string): { text: string; removed: number } {
  if (!CONTROL.test(text)) return { text, removed: 0 };
  let removed = 0;
  const cleaned = text.replace(CONTROL_ALL, (char) => {
    removed++;
    const meant = char.charCodeAt(0) >= 0x80 ? WINDOWS_1252[char.charCodeAt(0) - 0x80] : undefined;
    return meant && meant !== '\u0000' ? meant : '';
  });
  return { text: cleaned, removed };
}

/**
 * Control characters show as nothing or as garbage on the page, the feed drops them, and in the
 * digest's text part an escape sequence could recolour or move a terminal mail reader's screen:
 * they are refused, with every line that holds one, rather than published differently in each output.
 */
function controlCharacters(text: string): { message: string; line: number } | undefined {
  if (!CONTROL.test(text)) return undefined;
  const lines: number[] = [];
  let first: { char: string; column: number } | undefined;
  let line = 1;
  let lineStart = 0;
  // Line ends as lineAt counts them (a control character is never part of one), each found once:
  // looked for again from the line's start at every control character, a line of 1 MB with one
  // every 10 bytes took 73 s (each search ran on to the line's end).
  LINE_END.lastIndex = 0;
  let end = LINE_END.exec(text);
  for (const match of text.matchAll(CONTROL_ALL)) {
    for (; end !== null && end.index < match.index; end = LINE_END.exec(text)) {
      line++;
      lineStart = end.index + end[0].length;
    }
    first ??= { char: match[0], column: match.index - lineStart + 1 };
    if (lines[lines.length - 1] !== line) lines.push(line);
  }
  const [at, ...others] = lines;
  const more = others.length === 0 ? '' : others.length <= LINES_NAMED ? `, and on line${others.length === 1 ? '' : 's'} ${others.join(', ')}` : `, and on ${others.length} more lines (${others.slice(0, LINES_NAMED).join(', ')}, …)`;
  return {
    line: at!,
    message: `the file holds the control character ${describeControl(first!.char)} at column ${first!.column}${more}, which readers never see as text; expected text without control characters: delete it (tabs and line ends are fine)`,
  };
}

/**
 * Reads `file` synchronously: for thousands of small files a round trip through libuv's thread pool
 * per file costs several times more than the reads themselves. Opened without blocking, so a named
 * pipe is reported instead of waiting for a writer that never comes.
 */
export function readSourceText(file: string, shown: string, expected = 'a Markdown file'): SourceText {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: { file: shown, message: `cannot be read (${systemReason(error)})` }, missing: code === 'ENOENT' };
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { problem: { file: shown, message: `is ${kindOf(info)}, not a text file; expected ${expected}` }, missing: false };
    if (info.size > MAX_SOURCE_BYTES) {
      const megabytes = (info.size / 1024 / 1024).toFixed(1);
      return { problem: { file: shown, message: `is ${megabytes} MB; expected a text file of at most ${MAX_SOURCE_BYTES / 1024 / 1024} MB` }, missing: false };
    }
    const decoded = decodeSource(readFileSync(fd), shown);
    return 'text' in decoded ? decoded : { ...decoded, missing: false };
  } catch (error) {
    return { problem: { file: shown, message: `cannot be read (${systemReason(error)})` }, missing: false };
  } finally {
    closeSync(fd);
  }
}
