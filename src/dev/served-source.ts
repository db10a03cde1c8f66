// A file of the content folder in the preview (an audio file with `audio.copy`): streamed from
// disk as it is now, by range, never held in memory with the rendered files.
import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutputContent, SourceFile } from '../model/source-file.ts';
import { isSourceFile } from '../model/source-file.ts';
import { sendFileRange } from '../serve/range.ts';

/**
 * Same content: the same text, the same bytes (a build's files arrive as bytes, new ones at each
 * build that sends them: a thread started afresh sends every file again, mostly unchanged), or the
 * same file read with the same hash.
 */
export function sameContent(a: OutputContent | undefined, b: OutputContent | undefined): boolean {
  if (isSourceFile(a) || isSourceFile(b)) return isSourceFile(a) && isSourceFile(b) && a.source === b.source && a.sha256 === b.sha256;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a === b || (a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b));
  return a === b;
}

/** Answers with the file; false when it is gone (the caller answers 404; the watcher rebuilds). */
export function serveSource(req: IncomingMessage, res: ServerResponse, file: SourceFile, type: string): boolean {
  const now = statSync(file.source, { throwIfNoEntry: false });
  if (!now?.isFile()) return false;
  sendFileRange(req, res, file.source, now.size, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  return true;
}
