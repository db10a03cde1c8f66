// What `castwright check` reports: a Problem with a stable code (`feed/explicit-not-boolean`), a
// severity, and the file and line a host edits to fix it. Codes are documented in the README and
// never renamed: scripts and CI filter on them.
import { sortProblems, type Problem, type Severity } from '../problems.ts';

export interface Finding extends Problem {
  code: string;
  severity: Severity;
}

export function finding(severity: Severity, code: string, file: string, line: number | undefined, message: string): Finding {
  return { file, ...(line === undefined ? {} : { line }), message, severity, code };
}

/**
 * A problem the loader found in the content, as a finding: `content/invalid`, or for a warning
 * (valid, but probably not meant; what `build` prints) `content/warning`.
 */
export function contentFinding(problem: Problem): Finding {
  const severity = problem.severity ?? 'error';
  return { ...problem, severity, code: problem.code ?? (severity === 'warning' ? 'content/warning' : 'content/invalid') };
}

export const isError = (item: Finding): boolean => item.severity === 'error';

export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter(isError).length;
  return { errors, warnings: findings.length - errors };
}

/** Sorted by file and line; the same finding twice (one template mistake seen in every digest) once. */
export function tidyFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((item) => {
    const key = `${item.code}\0${item.file}\0${item.line ?? ''}\0${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return sortProblems(unique) as Finding[];
}

/** One JSON line for CI: the same fields in the same order, always. */
export function findingJson(item: Finding): string {
  return JSON.stringify({ severity: item.severity, code: item.code, file: item.file, line: item.line ?? null, message: item.message });
}

// Control characters (an escape sequence could rewrite the terminal), bidirectional overrides (they
// reorder what is shown) and line separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from outside (a live feed's guid or title) quoted for a message: unsafe characters escaped,
 * at most `max` characters, so a hostile feed can neither flood nor rewrite the terminal.
 */
export function shown(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  const escaped = cut.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/"/g, '\\"');
  return `"${escaped}"`;
}
