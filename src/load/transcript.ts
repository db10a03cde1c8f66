// Transcripts as hosts get them from their editors: WebVTT (`.vtt`) and SubRip (`.srt`). Each is
// read into cues (start, end, speaker, text) so the page can show it readably; every malformed cue
// is reported at its line, all at once. The file itself is published as it was written.
import type { Cue, TranscriptFile } from '../model/types.ts';
import type { Problem } from '../problems.ts';

export type TranscriptFormat = TranscriptFile['format'];

export const TRANSCRIPT_MEDIA_TYPES: Readonly<Record<TranscriptFormat, string>> = {
  vtt: 'text/vtt',
  srt: 'application/x-subrip',
};

/** A transcript longer than this many cues is not one episode's (a day of speech is about 30,000). */
export const MAX_CUES = 50_000;

// VTT: [hh:]mm:ss.ttt, hours of two or more digits; SRT: hh:mm:ss,ttt (many tools write a dot too).
const VTT_TIME = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIME = /^(\d{1,3}):([0-5]\d):([0-5]\d)[,.](\d{1,3})$/;

function seconds(raw: string, pattern: RegExp): number | undefined {
  const m = pattern.exec(raw.trim());
  if (!m) return undefined;
  const [, h = '0', mi, s, ms] = m;
  return Number(h) * 3600 + Number(mi) * 60 + Number(s) + Number(ms!.padEnd(3, '0')) / 1000;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * A cue's text without its tags, and the inside of each tag, in one pass: a regular expression for
 * tags rescans the rest of the text at every "<" that has no ">" after it, and a hostile cue of
 * such "<"s would hold a build for minutes.
 */
function splitTags(text: string): { plain: string; tags: string[] } {
  let plain = '';
  const tags: string[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('<', at);
    const close = open === -1 ? -1 : text.indexOf('>', open + 1);
    // No tag closes after this "<" (the rest has no ">"): the rest is text, its "<" as written.
    if (close === -1) {
      plain += text.slice(at);
      break;
    }
    plain += text.slice(at, open);
    tags.push(text.slice(open + 1, close));
    at = close + 1;
  }
  return { plain, tags };
}

/** A cue's text without markup, and the speaker of its first voice tag. */
function cueText(lines: readonly string[]): { text: string; speaker?: string } {
  const { plain, tags } = splitTags(lines.join(' '));
  const voice = tags.map((tag) => /^v(?:\.[^\s]*)?\s+(.+)$/s.exec(tag)).find((match) => match !== null);
  let text = decode(plain).replace(/\s+/g, ' ').trim();
  let speaker = voice ? decode(voice[1]!).trim() : undefined;
  // SRT has no voice tags; editors write "Name: text" or "[Name] text" instead.
  if (!speaker) {
    const named = /^(?:\[([^\]]{1,60})\]|([A-Z][\p{L}.'-]*(?: [A-Z][\p{L}.'-]*){0,3}):)\s+(.+)$/u.exec(text);
    if (named) {
      speaker = (named[1] ?? named[2])!.trim();
      text = named[3]!;
    }
  }
  return speaker ? { text, speaker } : { text };
}

interface Parsed {
  cues: Cue[];
  problems: Problem[];
}

/** Splits the text into blocks of non-blank lines, each with the number of its first line. */
function blocks(text: string): Array<{ line: number; lines: string[] }> {
  const found: Array<{ line: number; lines: string[] }> = [];
  let current: { line: number; lines: string[] } | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (!current) {
      current = { line: index + 1, lines: [] };
      found.push(current);
    }
    current.lines.push(line);
  }
  return found;
}

function timing(line: string, pattern: RegExp): { start?: number; end?: number; ok: boolean } {
  const m = /^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$/.exec(line);
  if (!m) return { ok: false };
  return { start: seconds(m[1]!, pattern), end: seconds(m[2]!, pattern), ok: true };
}

function addCue(cues: Cue[], problems: Problem[], file: string, line: number, start: number, end: number, lines: string[], example: string, duration?: number): void {
  const problem = (message: string) => problems.push({ file, line, message });
  if (end <= start) return void problem(`cue ends (${end}s) before it starts (${start}s); expected an end after the start, such as ${example}`);
  // The duration is whole seconds, rounded: a cue may start within the second after it.
  if (duration !== undefined && start >= duration + 1) {
    return void problem(`cue starts at ${start}s, after the end of the audio (${duration}s); expected cues within the episode (is this another episode's transcript?)`);
  }
  const previous = cues[cues.length - 1];
  if (previous && start < previous.start) return void problem(`cue starts at ${start}s, before the cue above it (${previous.start}s); expected cues in time order`);
  if (lines.length === 0) return void problem('cue has no text; expected a line of text under its times');
  cues.push({ start, end, ...cueText(lines) });
}

/** `duration`: the audio's, in whole seconds, when known: a cue that starts after it is a problem. */
export function parseVtt(text: string, file: string, duration?: number): Parsed {
  const cues: Cue[] = [];
  const problems: Problem[] = [];
  const all = blocks(text);
  const header = all[0];
  if (!header || !/^WEBVTT(?:[ \t].*)?$/.test(header.lines[0]!.replace(/^\uFEFF/, ''))) {
    return { cues, problems: [{ file, line: header?.line ?? 1, message: 'a WebVTT file starts with the line "WEBVTT"; expected it on the first line' }] };
  }
  // The header block may carry metadata lines (Kind:, Language:) up to the first blank line.
  for (const block of all.slice(1)) {
    if (cues.length + problems.length >= MAX_CUES) {
      problems.push({ file, line: block.line, message: `more than ${MAX_CUES.toLocaleString('en')} cues; expected one episode's transcript` });
      break;
    }
    const first = block.lines[0]!;
    if (/^(NOTE|STYLE|REGION)(?:[ \t]|$)/.test(first)) continue;
    // An optional cue identifier comes before the timing line; a first line that is neither is a broken timing.
    const timed = !first.includes('-->') && (block.lines[1] ?? '').includes('-->') ? 1 : 0;
    const at = block.line + timed;
    const times = timing(block.lines[timed] ?? '', VTT_TIME);
    if (!times.ok) {
      problems.push({ file, line: at, message: `expected a cue timing such as "00:01:02.500 --> 00:01:05.000", got ${JSON.stringify((block.lines[timed] ?? '').slice(0, 60))}` });
      continue;
    }
    if (times.start === undefined || times.end === undefined) {
      problems.push({ file, line: at, message: `a cue time is not [hh:]mm:ss.ttt (minutes and seconds below 60, three digits after a dot); expected such as "01:02.500 --> 01:05.000"` });
      continue;
    }
    addCue(cues, problems, file, at, times.start, times.end, block.lines.slice(timed + 1), '"00:01:02.500 --> 00:01:05.000"', duration);
  }
  return { cues, problems };
}

export function parseSrt(text: string, file: string, duration?: number): Parsed {
  const cues: Cue[] = [];
  const problems: Problem[] = [];
  for (const block of blocks(text)) {
    if (cues.length + problems.length >= MAX_CUES) {
      problems.push({ file, line: block.line, message: `more than ${MAX_CUES.toLocaleString('en')} cues; expected one episode's transcript` });
      break;
    }
    // Each cue: its number, its timing, its text. Some tools leave the number out.
    const timed = /^\d+$/.test(block.lines[0]!.trim()) ? 1 : 0;
    const at = block.line + timed;
    const times = timing(block.lines[timed] ?? '', SRT_TIME);
    if (!times.ok) {
      problems.push({ file, line: at, message: `expected a cue number, then a timing such as "00:01:02,500 --> 00:01:05,000", got ${JSON.stringify((block.lines[timed] ?? '').slice(0, 60))}` });
      continue;
    }
    if (times.start === undefined || times.end === undefined) {
      problems.push({ file, line: at, message: 'a cue time is not hh:mm:ss,ttt (minutes and seconds below 60); expected such as "00:01:02,500 --> 00:01:05,000"' });
      continue;
    }
    addCue(cues, problems, file, at, times.start, times.end, block.lines.slice(timed + 1), '"00:01:02,500 --> 00:01:05,000"', duration);
  }
  if (cues.length === 0 && problems.length === 0) problems.push({ file, line: 1, message: 'the transcript has no cues; expected numbered cues with times and text' });
  return { cues, problems };
}

export function parseTranscript(format: TranscriptFormat, text: string, file: string, duration?: number): Parsed {
  return format === 'vtt' ? parseVtt(text, file, duration) : parseSrt(text, file, duration);
}
