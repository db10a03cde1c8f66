// Request bodies: the forms of the site and the RFC 8058 one-click POST, which mailbox providers
// send as multipart/form-data or application/x-www-form-urlencoded. Every body is small, so one
// larger than the limit is refused (413) without being kept.
import type { IncomingMessage } from 'node:http';

/** The largest form castwright takes: an address, a token and a few fields fit many times over. */
export const BODY_LIMIT = 16 * 1024;

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 408 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The whole body, or BodyError(413) as soon as it is known to be too large. */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyError(413, `the body is ${declared} bytes; at most ${limit} are taken`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return finish(new BodyError(413, `the body is over ${limit} bytes`));
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('aborted', () => finish(new BodyError(400, 'the client went away')));
    req.once('error', (error) => finish(new BodyError(400, error.message)));
  });
}

/**
 * The fields of a form body: urlencoded or multipart/form-data (RFC 7578); text/plain and a
 * missing type are read as urlencoded, since some senders of the one-click POST leave it out.
 * A field given twice keeps its first value.
 */
export function parseForm(contentType: string | undefined, body: Buffer): Map<string, string> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    const boundary = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType!)?.slice(1).find(Boolean);
    if (!boundary || boundary.length > 200) throw new BodyError(400, 'multipart/form-data without a boundary');
    return parseMultipart(body, boundary);
  }
  if (type !== '' && type !== 'application/x-www-form-urlencoded' && type !== 'text/plain') throw new BodyError(415, `a body of type ${type}; expected a form`);
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8').trim())) if (!fields.has(name)) fields.set(name, value);
  return fields;
}

function parseMultipart(body: Buffer, boundary: string): Map<string, string> {
  const fields = new Map<string, string>();
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  if (position < 0) throw new BodyError(400, 'a multipart body without its boundary');
  // Parts are bounded by the body's size, which the limit bounds.
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return fields;
    const next = body.indexOf(delimiter, position);
    if (next < 0) throw new BodyError(400, 'a multipart body cut short');
    const part = body.subarray(position, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new BodyError(400, 'a multipart part without headers');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const name = /content-disposition:\s*form-data;(?:[^\r\n]*?;)?\s*name="([^"]*)"/i.exec(headers)?.[1];
    // The value ends before the CRLF that precedes the next delimiter.
    const value = part.subarray(headerEnd + 4, part.length - 2).toString('utf8');
    if (name !== undefined && !fields.has(name)) fields.set(name, value);
    position = next;
  }
}

/**
 * Reads and drops what is left of a refused body, so the client, still sending, gets to read the
 * answer instead of a reset connection; past `cap` bytes the connection is cut instead.
 */
export function discardBody(req: IncomingMessage, cap = 16 * 1024 * 1024): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let size = 0;
    const finish = () => {
      req.off('data', onData);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.socket.destroy();
        finish();
      }
    };
    req.on('data', onData);
    req.once('end', finish);
    req.once('close', finish);
    req.resume();
  });
}
