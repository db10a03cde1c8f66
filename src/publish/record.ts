// The record a target keeps of what castwright put there: each file's SHA-256, the uploads begun
// but not confirmed, and which feed each notification service was last told about. It lives in the
// target itself (so a CI runner with a fresh checkout sees the same state as a laptop), which also
// means it is untrusted input: a path in it that could leave the target is refused, never followed.
import * as z from 'zod';
import { RunError } from '../errors.ts';
import { RECORD_FILE } from './record-file.ts';

// Its name is kept apart, so publish --help can state it without loading zod.
export { RECORD_FILE };

const VERSION = 1;
const MAX_PATH = 1024;

export interface PublishRecord {
  /** Path → SHA-256 (hex) of the file as castwright last put it. */
  files: Record<string, string>;
  /** Paths whose upload began and was not confirmed: their content on the target is unknown. */
  pending: string[];
  /** Notification service id → SHA-256 of the feed it was last told about. */
  notified: Record<string, string>;
}

export const EMPTY_RECORD: PublishRecord = Object.freeze({ files: {}, pending: [], notified: {} }) as PublishRecord;

/**
 * A path castwright may write or delete under a target's root: relative, `/`-separated, no empty,
 * `.` or `..` part, no backslash, no control character. Anything else in a record is an attack or
 * damage, never a file of ours.
 */
export function isSitePath(value: string): boolean {
  if (value === '' || value.length > MAX_PATH || value === RECORD_FILE) return false;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return false;
  return value.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const sitePath = z.string().refine(isSitePath);

const recordSchema = z.object({
  castwright: z.literal(VERSION),
  files: z.record(sitePath, sha256),
  pending: z.array(sitePath).default([]),
  notified: z.record(z.string().max(500), sha256).default({}),
});

export class RecordError extends RunError {}

/** Reads a record; undefined text (no record on the target) is the empty record. */
export function parseRecord(text: string | undefined, where: string): PublishRecord {
  if (text === undefined) return { files: {}, pending: [], notified: {} };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw unreadable(where, 'it is not JSON');
  }
  const version = (data as { castwright?: unknown } | null)?.castwright;
  if (typeof version === 'number' && version > VERSION) {
    throw new RecordError(`${where}: the record ${RECORD_FILE} was written by a newer castwright (format ${version}); update castwright to publish here`);
  }
  const parsed = recordSchema.safeParse(data);
  if (!parsed.success) {
    // A path that could leave the target is named as such: it is what an attack looks like.
    const unsafe = unsafePathIn(data);
    if (unsafe !== undefined) throw unreadable(where, `it names a file castwright would never write (${shown(unsafe)}): a path outside the site, or damage`);
    const issue = parsed.error.issues[0]!;
    throw unreadable(where, `${issue.path.map(String).join('.') || 'its top level'} is not as castwright writes it`);
  }
  return { files: parsed.data.files, pending: [...new Set(parsed.data.pending)], notified: parsed.data.notified };
}

function unsafePathIn(data: unknown): string | undefined {
  const { files, pending } = (data ?? {}) as { files?: unknown; pending?: unknown };
  const paths = [...(files && typeof files === 'object' ? Object.keys(files) : []), ...(Array.isArray(pending) ? pending.filter((p) => typeof p === 'string') : [])];
  return paths.find((p) => !isSitePath(p));
}

function shown(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}…` : text);
}

function unreadable(where: string, why: string): RecordError {
  return new RecordError(
    `${where}: the record ${RECORD_FILE} cannot be trusted: ${why}. castwright cannot tell what the target holds, so it changed nothing. ` +
      'Run again with --force to upload every file and write a new record (nothing is deleted then)',
  );
}

/** Stable text: keys sorted, so the same state always gives the same bytes. */
export function serializeRecord(record: PublishRecord): string {
  const sorted = <T>(entries: Record<string, T>) => Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const data = {
    castwright: VERSION,
    files: sorted(record.files),
    ...(record.pending.length ? { pending: [...record.pending].sort() } : {}),
    notified: sorted(record.notified),
  };
  return `${JSON.stringify(data, null, 1)}\n`;
}
