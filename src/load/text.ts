// Reads a source file as UTF-8 text, or says exactly why it cannot be: not a regular file (a named
// pipe would block the build forever), too big, unreadable, saved as UTF-16, binary, or not valid
// UTF-8 at a given line. Nothing is guessed: a file castwright cannot read as written is a problem.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { systemReason } from '../errors.ts';
import type { Problem } from '../problems.ts';

/** Far above any episode (10,000 stories are about 1.5 MB), far below what would exhaust memory. */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

const SAVE_AS_UTF8 = 'expected UTF-8 text: save it as UTF-8 in your editor';

export type SourceText = { text: string } | { problem: Problem; missing: boolean };

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

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text, or the problem that stops it. `shown` names the file in messages. */
export function decodeSource(bytes: Uint8Array, shown: string): { text: string } | { problem: Problem } {
  const problem = (message: string, line?: number) => ({ problem: line === undefined ? { file: shown, message } : { file: shown, line, message } });
  for (const [bom, encoding] of BOMS) {
    if (bom.every((byte, i) => bytes[i] === byte)) return problem(`the file is saved as ${encoding}; ${SAVE_AS_UTF8}`, 1);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return problem(`the file holds NUL bytes: it is binary (or UTF-16 without a byte order mark), not text; ${SAVE_AS_UTF8}`, lineAt(bytes, nul));
  }
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const offset = invalidUtf8Offset(bytes);
    const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
    return problem(`not valid UTF-8 (byte 0x${byte}; the file may be Latin-1 or Windows-1252); ${SAVE_AS_UTF8}`, lineAt(bytes, offset));
  }
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
