// A problem in the sources, reported as `file:line: message`. Loading collects every problem of
// every file before giving up, so a producer fixes them all in one pass.

export interface Problem {
  /** Path as the producer would type it, relative to the working folder. */
  file: string;
  /** 1-based line in that file; absent when the problem is not at a line (an unexpected error). */
  line?: number;
  message: string;
}

/** `file:line`, or the file alone for a problem that is not at a line. */
export function problemLocation(problem: Problem): string {
  return problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
}

export function formatProblem(problem: Problem): string {
  return `${problemLocation(problem)}: ${problem.message}`;
}

export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : a.file < b.file ? -1 : 1));
}

/** Thrown by the load stage when the sources are invalid; holds every problem found. */
export class ContentError extends Error {
  readonly problems: Problem[];

  constructor(problems: readonly Problem[]) {
    const sorted = sortProblems(problems);
    super(`${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the content:\n${sorted.map(formatProblem).join('\n')}`);
    this.name = 'ContentError';
    this.problems = sorted;
  }
}
