// A problem in the sources or settings, reported as `file:line: message`. Every stage collects
// every problem it finds before giving up, so a producer fixes them all in one pass.
import path from 'node:path';

/** An error stops the command; a warning is printed and the command goes on (unless --strict). */
export type Severity = 'error' | 'warning';

export interface Problem {
  /** Path as the producer would type it, relative to the working folder. */
  file: string;
  /** 1-based line in that file; absent when the problem is not at a line. */
  line?: number;
  message: string;
  /** `error` when absent. */
  severity?: Severity;
  /** A stable name for the kind of problem, such as `guard/guid-changed` (`castwright check` findings). */
  code?: string;
}

export const isWarning = (problem: Problem): boolean => problem.severity === 'warning';

/**
 * Control characters but tab and line feed (a carriage return too: it would let a line overwrite
 * the one before), and the invisible ones that change what a line seems to say: a byte order mark
 * or a zero-width space inside a field name (`unknown field "description"` for a name that looks
 * right), marks and overrides of writing direction (a title that reorders the message around it),
 * line and paragraph separators. The joiners (U+200C, U+200D) stay: Persian words and emoji need them.
 */
const UNSHOWN = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Those characters written as \u001B: messages quote titles, file names and feeds that anyone may
 * write, and a terminal obeys an escape sequence (colours, cursor moves, a title) it is given.
 */
export const visibleText = (text: string): string =>
  text.replace(UNSHOWN, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

/** `file:line`, or the file alone for a problem that is not at a line. */
export function problemLocation(problem: Problem): string {
  const file = visibleText(problem.file);
  return problem.line === undefined ? file : `${file}:${problem.line}`;
}

/** The message, followed by its code when it has one. */
export function problemText(problem: Problem): string {
  return visibleText(problem.code ? `${problem.message} [${problem.code}]` : problem.message);
}

export function formatProblem(problem: Problem): string {
  return `${problemLocation(problem)}: ${isWarning(problem) ? 'warning: ' : ''}${problemText(problem)}`;
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1));
}

/** A path as messages name it: relative to the working folder when inside it, with `/` separators. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file).split(path.sep).join('/');
}
