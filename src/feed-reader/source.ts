// Where a feed comes from: a file, or an http(s) URL fetched with redirects followed, a deadline
// and a size cap. Anything else (file:, ftp:, javascript:…) is refused before any work.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { RunError, UsageError, systemError } from '../errors.ts';
import { readRegularFile, type NotOwnFile } from '../regular-file.ts';

/** Real feeds reach 10 MB; anything far beyond is a mistake or an attack, never a podcast feed. */
export const MAX_FEED_BYTES = 25 * 1024 * 1024;
/**
 * The cap for a feed castwright itself wrote, read back from the producer's own disk or publish
 * target by the publish guard: a show of 10,000 episodes without feed.limit makes a 57 MB feed.xml,
 * and the next build must still read it to compare.
 */
export const MAX_OWN_FEED_BYTES = 256 * 1024 * 1024;
export const MAX_REDIRECTS = 5;

export interface FeedSource {
  bytes: Buffer;
  /** How messages name the feed: the path as typed, or the URL. */
  name: string;
  /** The URL as given (what apps subscribed to), for a feed fetched over http(s). */
  url?: string;
  /** The charset of the HTTP Content-Type, if any. */
  charset?: string;
}

export interface SourceOptions {
  cwd: string;
  /** Whole-fetch deadline in milliseconds. */
  timeoutMs: number;
  /**
   * The caller's option that sets timeoutMs (`--timeout`), named when the deadline passes. Only a
   * command that has such an option passes it: build and publish read --against with a fixed
   * deadline, and a message must not send their users to an option they do not have.
   */
  timeoutOption?: string;
  maxBytes?: number;
  /**
   * A file castwright wrote (the earlier build's feed and its pages): opened without blocking and
   * refused unread unless a regular file of at most maxBytes. Not an --against file, which may be
   * a pipe the producer meant (`<(curl …)`).
   */
  ownFile?: boolean;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** A URL-looking argument (but not a Windows drive such as C:\feed.xml). */
export function isUrlLike(spec: string): boolean {
  const scheme = SCHEME.exec(spec)?.[1];
  return scheme !== undefined && scheme.length > 1;
}

export function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function tooLarge(name: string, size: number | undefined, max: number): RunError {
  const what = size === undefined ? 'more than' : `${megabytes(size)}, more than`;
  return new RunError(`${name} is ${what} ${megabytes(max)}; expected a podcast feed (the largest real ones are about 10 MB)`);
}

export async function readFeedSource(spec: string, options: SourceOptions): Promise<FeedSource> {
  const max = options.maxBytes ?? MAX_FEED_BYTES;
  if (isUrlLike(spec)) {
    const scheme = SCHEME.exec(spec)![1]!.toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') {
      throw new UsageError(`"${spec}" is a ${scheme}: address; expected a feed file or an http(s) URL`);
    }
    return fetchFeed(spec, options, max);
  }
  return options.ownFile ? readOwnFeedFile(spec, options.cwd, max) : readFeedFile(spec, options.cwd, max);
}

/**
 * An open file's bytes, or undefined when it holds more than max. Reads at most max + 1 bytes, so
 * /dev/zero or a growing file cannot exhaust memory.
 */
export function readAtMost(fd: number, max: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, max + 1 - total));
    const read = readSync(fd, chunk, 0, chunk.length, null);
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > max) return undefined;
  }
  return Buffer.concat(chunks, total);
}

function readFeedFile(spec: string, cwd: string, max: number): FeedSource {
  const file = path.resolve(cwd, spec);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${spec}: no such file; expected a feed file or an http(s) URL`);
    if (code === 'EISDIR') throw new UsageError(`${spec} is a folder; expected a feed file or an http(s) URL`);
    throw systemError(error, 'cannot read the feed', spec);
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UsageError(`${spec} is a folder; expected a feed file or an http(s) URL`);
    if (info.isFile() && info.size > max) throw tooLarge(spec, info.size, max);
    const bytes = readAtMost(fd, max);
    if (!bytes) throw tooLarge(spec, undefined, max);
    return { bytes, name: spec };
  } catch (error) {
    if (error instanceof UsageError || error instanceof RunError) throw error;
    throw systemError(error, 'cannot read the feed', spec);
  } finally {
    closeSync(fd);
  }
}

function readOwnFeedFile(spec: string, cwd: string, max: number): FeedSource {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path.resolve(cwd, spec), max);
  } catch (error) {
    const { code, folder, size } = error as { code?: string } & Pick<NotOwnFile, 'folder' | 'size'>;
    if (code === 'ENOENT') throw new UsageError(`${spec}: no such file; expected a feed file or an http(s) URL`);
    if (code === 'EISDIR' || (code === 'EFTYPE' && folder)) throw new UsageError(`${spec} is a folder; expected a feed file or an http(s) URL`);
    // A named pipe held the build for ever, waiting for a writer; /dev/zero was read to the cap.
    if (code === 'EFTYPE') throw new RunError(`${spec} is a named pipe, socket or device, not the file an earlier build wrote`);
    if (code === 'EFBIG') throw tooLarge(spec, size, max);
    throw systemError(error, 'cannot read the feed', spec);
  }
  return { bytes, name: spec };
}

const NETWORK_ADVICE: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve; check the URL',
  EAI_AGAIN: 'the host name could not be resolved right now; check the network and try again',
  ECONNREFUSED: 'nothing is listening there; check the URL',
  ECONNRESET: 'the server closed the connection; try again',
  UND_ERR_SOCKET: 'the server closed the connection; try again',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is not trusted",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is for another host",
};

function networkError(url: string, error: unknown): RunError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
  const detail = (code && NETWORK_ADVICE[code]) ?? cause?.message ?? (error as Error).message;
  return new RunError(`cannot fetch ${url}: ${code ? `${code}: ` : ''}${detail}`, { cause: error });
}

/**
 * Redirects are followed by hand, at most MAX_REDIRECTS, each one checked: a redirect to another
 * scheme (file:, ftp:) is refused and a loop ends with a clear message instead of spinning.
 */
/** The deadline passed: how long it was, and the option that sets it when the command has one. */
function timedOut(url: string, options: SourceOptions): RunError {
  const hint = options.timeoutOption ? ` (${options.timeoutOption} sets the limit)` : '';
  return new RunError(`cannot fetch ${url}: no complete answer within ${options.timeoutMs / 1000} s${hint}`);
}

async function fetchFeed(url: string, options: SourceOptions, max: number): Promise<FeedSource> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const seen = new Set<string>();
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new UsageError(`"${url}" is not a valid URL`);
  }
  for (let hop = 0; ; hop++) {
    seen.add(current.href);
    let response: Response;
    try {
      response = await fetch(current, {
        redirect: 'manual',
        signal: deadline,
        headers: { accept: 'application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5', 'user-agent': 'castwright' },
      });
    } catch (error) {
      if (deadline.aborted) throw timedOut(url, options);
      throw networkError(current.href, error);
    }
    if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(response.headers.get('location')!, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new RunError(`${current.href} redirects to ${next.protocol} address ${next.href}; only http(s) redirects are followed`);
      }
      if (seen.has(next.href)) throw new RunError(`${url} redirects in a loop (${current.href} → ${next.href})`);
      if (hop + 1 > MAX_REDIRECTS) throw new RunError(`${url} redirects more than ${MAX_REDIRECTS} times; expected the feed`);
      current = next;
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new RunError(`cannot fetch ${current.href}: the server answered ${response.status} ${response.statusText}`.trim());
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > max) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge(url, declared, max);
    }
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
    const bytes = await readCapped(response, url, max, deadline, options);
    return { bytes, name: url, url, ...(charset ? { charset } : {}) };
  }
}

async function readCapped(response: Response, url: string, max: number, deadline: AbortSignal, options: SourceOptions): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) throw tooLarge(url, undefined, max);
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof RunError) throw error;
    if (deadline.aborted) throw timedOut(url, options);
    throw networkError(url, error);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, total);
}
