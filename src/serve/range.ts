// Byte ranges (RFC 9110 §14) for files served from disk: podcast apps and <audio> seek by asking
// for a part of the file (`Range: bytes=1000-`) and expect 206 with that part, or 416 when the
// part lies past the end. One range only: a request for several gets the whole file (200), which
// the RFC allows and players never need otherwise.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** The one range a Range header asks of a file of `size` bytes; undefined to send it all; 'unsatisfiable' for 416. */
export function byteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  // Another unit, several ranges or a malformed header: ignored, as the RFC says.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match;
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** Whether If-Range lets the range apply: absent, or naming this file's validator (a strong ETag or its exact date). */
function rangeStillApplies(req: IncomingMessage, etag: string | undefined, lastModified: string | undefined): boolean {
  const ifRange = req.headers['if-range'];
  if (ifRange === undefined) return true;
  if (typeof ifRange !== 'string') return false;
  if (ifRange.startsWith('"')) return etag !== undefined && ifRange === etag;
  return lastModified !== undefined && ifRange === lastModified;
}

/**
 * Answers with `file` (a path, a handle opened on it, which is closed, or its bytes) of `size` bytes, whole or
 * the range asked for: headers given are sent as they are, with Accept-Ranges, Content-Length and
 * Content-Range added. HEAD sends no body.
 */
export function sendFileRange(req: IncomingMessage, res: ServerResponse, file: string | FileHandle | Buffer, size: number, headers: Record<string, string | number>, status = 200): void {
  const etag = typeof headers.ETag === 'string' ? headers.ETag : undefined;
  const lastModified = typeof headers['Last-Modified'] === 'string' ? headers['Last-Modified'] : undefined;
  const asked = status === 200 && rangeStillApplies(req, etag, lastModified) ? byteRange(req.headers.range, size) : undefined;
  const out: Record<string, string | number> = { ...headers, 'Accept-Ranges': 'bytes' };
  if (asked === 'unsatisfiable') {
    res.writeHead(416, { ...out, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
    res.end();
    if (isHandle(file)) void file.close();
    return;
  }
  const range = asked ?? (size === 0 ? undefined : { start: 0, end: size - 1 });
  if (asked) out['Content-Range'] = `bytes ${asked.start}-${asked.end}/${size}`;
  out['Content-Length'] = range ? range.end - range.start + 1 : 0;
  res.writeHead(asked ? 206 : status, out);
  if (req.method === 'HEAD' || !range) {
    res.end();
    if (isHandle(file)) void file.close();
    return;
  }
  if (Buffer.isBuffer(file)) {
    res.end(file.subarray(range.start, range.end + 1));
    return;
  }
  const stream = typeof file === 'string' ? createReadStream(file, { start: range.start, end: range.end }) : file.createReadStream({ start: range.start, end: range.end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

const isHandle = (file: string | FileHandle | Buffer): file is FileHandle => typeof file !== 'string' && !Buffer.isBuffer(file);
