// castwright's errors. Every failure a user can cause or meet (bad usage, invalid content, a file
// system or network error) is a CastwrightError carrying its exit code, so the command line has
// one branch for them all and prints one clear line, never a stack trace. Anything else is a bug.
import { formatProblem, sortProblems, type Problem } from './problems.ts';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export abstract class CastwrightError extends Error {
  abstract readonly exitCode: number;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Wrong arguments or settings, found before any work: exit 2. */
export class UsageError extends CastwrightError {
  readonly exitCode: number = EXIT.usage;
}

/** The sources (or templates) are invalid: every problem found, all at once. Exit 1. */
export class ContentError extends CastwrightError {
  readonly exitCode: number = EXIT.failed;
  readonly problems: Problem[];

  constructor(problems: readonly Problem[]) {
    const sorted = sortProblems(problems);
    super(`${sorted.length} problem${sorted.length === 1 ? '' : 's'} in the content:\n${sorted.map(formatProblem).join('\n')}`);
    this.problems = sorted;
  }
}

/** A run that could not finish (a file it cannot write, a server that does not answer): exit 1. */
export class RunError extends CastwrightError {
  readonly exitCode: number = EXIT.failed;
}

interface ErrnoLike {
  code?: string;
  syscall?: string;
  path?: string;
  dest?: string;
  message?: string;
}

/** What a user can do about each operating-system error. */
const ADVICE: Record<string, string> = {
  EACCES: 'check its permissions, or run as a user who may use it',
  EPERM: 'the operating system refused the operation; check its permissions and ownership',
  ENOSPC: 'the disk is full; free some space and run the command again',
  EDQUOT: 'the disk quota is used up; free some space and run the command again',
  EROFS: 'the file system is read-only; choose a writable folder',
  EBUSY: 'it is in use (a mount point, or held open by another program)',
  ENOENT: 'it does not exist',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder, not a file',
  EEXIST: 'it already exists',
  ELOOP: 'it is a loop of symbolic links',
  EMFILE: 'too many files are open; raise the limit (ulimit -n) and run the command again',
  ENFILE: 'too many files are open on this system; close some programs and run the command again',
  EIO: 'the disk reported an input/output error; check the device',
  ENAMETOOLONG: 'the path is too long',
  EXDEV: 'it is on another file system',
  EADDRINUSE: 'the address is already in use; choose another port',
  EADDRNOTAVAIL: 'this machine has no such address; use 127.0.0.1, 0.0.0.0 or one of its own addresses',
  ENOTFOUND: 'the host name does not resolve; check it',
  ECONNREFUSED: 'nothing is listening there; check the host and port',
  ECONNRESET: 'the other side closed the connection',
  ETIMEDOUT: 'it did not answer in time',
};

export function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as ErrnoLike).code === 'string' && /^E[A-Z0-9]+$/.test((error as ErrnoLike).code!);
}

/**
 * An operating-system error as one line a user can act on: what was being done, the path, the
 * error code and what to do about it. `what` is e.g. "cannot write the output folder".
 */
export function systemError(error: unknown, what?: string, shownPath?: string): RunError {
  const e = (error ?? {}) as ErrnoLike;
  const where = shownPath ?? e.path;
  const head = what ?? (e.syscall ? `${e.syscall} failed` : 'a system call failed');
  return new RunError(`${head}${where ? ` ${where}` : ''} (${systemReason(error)})`, { cause: error });
}

/** The error code and what to do about it, e.g. "EACCES: check its permissions, …". */
export function systemReason(error: unknown): string {
  const e = (error ?? {}) as ErrnoLike;
  const code = e.code ?? 'error';
  const advice = ADVICE[code];
  if (advice) return `${code}: ${advice}`;
  return code === 'error' ? (e.message ?? String(error)) : `${code}: ${(e.message ?? '').replace(/^[A-Z0-9]+: /, '').replace(/, \w+ '.*$/, '')}`;
}
