// What a publish changes on its target, found by content hash against the target's record, never
// by time: new and changed files in ranks (see kinds.ts), the feed last, and only then deletions.
import { isByteChunks, isSourceFile, type OutputContent } from '../model/source-file.ts';
import type { UploadBody } from './body.ts';
import { createHash } from 'node:crypto';
import { RunError } from '../errors.ts';
import { contentTypeOf } from '../model/content-types.ts';
import { FEED_FILE, cacheControlOf, kindOf, rankOf, type Kind } from './kinds.ts';
import { RECORD_FILE, isSitePath, type PublishRecord } from './record.ts';

export interface Upload {
  path: string;
  body: UploadBody;
  sha256: string;
  kind: Kind;
  contentType: string;
  cacheControl: string;
}

export interface Plan {
  /** Uploads grouped in the order they go up; each group finishes before the next starts. */
  ranks: Upload[][];
  /** Files castwright put there earlier that this build no longer has; removed after the feed. */
  deletions: string[];
  /** Files the target already holds as built. */
  unchanged: number;
  /** SHA-256 of this build's feed. */
  feedSha256: string;
  /** The record once every upload and deletion is done (notifications as they were). */
  after: PublishRecord;
}

export const sha256Of = (body: Uint8Array): string => createHash('sha256').update(body).digest('hex');

export const uploadsOf = (plan: Plan): Upload[] => plan.ranks.flat();

export const planIsEmpty = (plan: Plan): boolean => plan.ranks.length === 0 && plan.deletions.length === 0;

export interface PlanOptions {
  /** Upload every file, whatever the record says (deletions still come from the record). */
  force?: boolean;
}

/** The plan from this build's files and what the target's record says it holds. */
export function planPublish(files: ReadonlyMap<string, OutputContent>, record: PublishRecord, options: PlanOptions = {}): Plan {
  const bad = [...files.keys()].filter((path) => !isSitePath(path));
  if (bad.length) throw new RunError(`the build has files castwright cannot publish safely: ${bad.slice(0, 5).map((p) => JSON.stringify(p)).join(', ')}`);
  if (!files.has(FEED_FILE)) throw new RunError(`the build has no ${FEED_FILE}; there is nothing for podcast apps to read`);

  const pending = new Set(record.pending);
  const built: Record<string, string> = {};
  const uploads: Upload[] = [];
  let unchanged = 0;
  for (const [path, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // A file by reference was hashed when read (load/audio.ts); its bytes stay on disk until uploaded.
    // Bytes in pieces are joined: an upload is one body.
    const body = typeof content === 'string' ? Buffer.from(content) : isByteChunks(content) ? Buffer.concat(content.chunks) : content;
    const hash = isSourceFile(body) ? body.sha256 : sha256Of(body);
    built[path] = hash;
    if (!options.force && record.files[path] === hash && !pending.has(path)) {
      unchanged++;
      continue;
    }
    uploads.push({ path, body, sha256: hash, kind: kindOf(path), contentType: contentTypeOf(path), cacheControl: cacheControlOf(path) });
  }
  const byRank = new Map<number, Upload[]>();
  for (const upload of uploads) {
    const rank = rankOf(upload.path);
    const group = byRank.get(rank);
    if (group) group.push(upload);
    else byRank.set(rank, [upload]);
  }
  const ranks = [...byRank].sort(([a], [b]) => a - b).map(([, group]) => group);
  // An upload that never confirmed may have landed: it is ours to delete too.
  const known = new Set([...Object.keys(record.files), ...record.pending]);
  const deletions = [...known].filter((path) => !(path in built) && path !== RECORD_FILE).sort(deepestFirst);
  return { ranks, deletions, unchanged, feedSha256: built[FEED_FILE]!, after: { files: built, pending: [], notified: { ...record.notified } } };
}

/** Files before the folders above them, so a folder emptied by deletions can go too. */
function deepestFirst(a: string, b: string): number {
  return b.split('/').length - a.split('/').length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The slugs of episode pages a plan adds (not there before) and removes. */
export function episodeChanges(plan: Plan, record: PublishRecord): { added: string[]; removed: string[] } {
  const slugOf = (path: string) => /^episodes\/([^/]+)\/index\.html$/.exec(path)?.[1];
  const added = uploadsOf(plan)
    .filter((upload) => !(upload.path in record.files))
    .map((upload) => slugOf(upload.path))
    .filter((slug): slug is string => slug !== undefined);
  const removed = plan.deletions.map(slugOf).filter((slug): slug is string => slug !== undefined);
  return { added, removed };
}
