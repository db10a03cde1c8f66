// The built site, served from disk as it is now. Every request looks the file up by its path
// again (no folder is held open), so a build swapped into place by rename is served from the next
// request on, and a request already reading a file finishes it from the build it started in.
//
// Files are kept in memory by their identity on disk (device, inode, size, time), with a strong
// ETag from a hash of their bytes: the build writes the same bytes for the same sources, so a
// rebuild that changed nothing keeps every ETag and browsers keep getting 304s. Text is sent
// compressed with brotli or gzip when the client takes it, each compressed once.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';
import { contentTypeOf } from '../model/content-types.ts';
import { requestedFile } from '../dev/paths.ts';
import { securityHeaders } from './headers.ts';
import { sendFileRange } from './range.ts';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** Files larger than this are streamed as they are, neither kept in memory nor compressed. */
const CACHED_FILE_BYTES = 4 * 1024 * 1024;
/** All files kept in memory together, compressed copies included. */
const CACHE_BYTES = 64 * 1024 * 1024;
/** Smaller files gain nothing from compression. */
const COMPRESS_FROM_BYTES = 1024;

const NOT_FOUND = '404.html';

type Encoding = 'br' | 'gzip';

interface Entry {
  /** The file's real path: its key in the cache. */
  key: string;
  identity: string;
  body: Buffer;
  etag: string;
  mtime: Date;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
  bytes: number;
}

/** Text: text/*, XML and JSON, those named by a +xml or +json suffix too (feed.xsl, the JSON Feed, chapters). */
const compressible = (type: string) => /^(text\/|application\/(xml|json|javascript|[\w.-]+\+(xml|json))|image\/svg\+xml)/.test(type);

/** The encodings the client accepts, best first (q=0 refuses one). */
export function acceptedEncodings(header: string | undefined): Encoding[] {
  if (!header) return [];
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const weight = (name: Encoding) => weights.get(name) ?? (weights.get('*') ?? 0);
  return (['br', 'gzip'] as const).filter((name) => weight(name) > 0).sort((a, b) => weight(b) - weight(a));
}

/** If-None-Match holds this ETag (weak comparison, as RFC 9110 says for GET), or `*`. */
function matches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

function cacheControl(type: string, query: string): string {
  // The pages link the stylesheet and script with ?v=<hash of its content>: that URL never changes meaning.
  if (/(^|&)v=/.test(query) && (type.startsWith('text/css') || type.startsWith('text/javascript'))) return 'public, max-age=31536000, immutable';
  // Pages, feeds and the sitemap are always revalidated; the feed's stylesheet is an asset, kept an
  // hour as publish has caches keep it (publish/kinds.ts).
  const revalidated = type.startsWith('text/html') || (type.includes('xml') && !type.startsWith('application/xslt+xml'));
  return revalidated ? 'no-cache' : 'public, max-age=3600';
}

export interface StaticSite {
  /** Answers a GET or HEAD for a file of the site, its 404 page included. */
  serve(req: IncomingMessage, res: ServerResponse, target: string): Promise<void>;
  /** Answers with the site's 404 page (or a plain one when the build has none). */
  notFound(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function staticSite(root: string): StaticSite {
  const cache = new Map<string, Entry>();
  let cached = 0;

  const remember = (key: string, entry: Entry) => {
    const old = cache.get(key);
    if (old) cached -= old.bytes;
    // What it still compresses is counted by its own entry, which is no longer the cache's.
    cache.delete(key);
    cache.set(key, entry);
    cached += entry.bytes;
    // Oldest first out, until it fits.
    for (const [name, evicted] of cache) {
      if (cached <= CACHE_BYTES) break;
      cache.delete(name);
      cached -= evicted.bytes;
    }
  };

  /** The site's folder as it is now, resolved through symbolic links (a host may point --out at a release). */
  async function currentRoot(): Promise<string | undefined> {
    // A build swaps its new folder in by two renames; for an instant the path is missing.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        return await realpath(root);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await sleep(5);
      }
    }
    return undefined;
  }

  type Found = { kind: 'file'; entry: Entry } | { kind: 'large'; file: string; size: number; mtime: Date; etag: string } | { kind: 'folder' } | { kind: 'missing' } | { kind: 'no-site' };

  /** The folder's identity, to tell whether a build was swapped in while a file was looked up. */
  const folderId = async (folder: string) => {
    const info = await stat(folder).catch(() => undefined);
    return info && `${info.dev}:${info.ino}`;
  };

  async function find(relative: string): Promise<Found> {
    for (let attempt = 0; ; attempt++) {
      const base = await currentRoot();
      if (base === undefined) return { kind: 'no-site' };
      const before = await folderId(base);
      const found = await lookUp(base, relative);
      // Missing because the build it was looked up in went away meanwhile: look in the new one.
      if (found.kind !== 'missing' || attempt >= 3 || (await folderId(root)) === before) return found;
    }
  }

  async function lookUp(base: string, relative: string): Promise<Found> {
    const file = path.join(base, ...relative.split('/'));
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return { kind: 'missing' };
    }
    // A symbolic link inside the site must not lead out of it.
    if (!real.startsWith(base + path.sep)) return { kind: 'missing' };
    let handle;
    try {
      handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return { kind: 'missing' };
    }
    try {
      const info = await handle.stat();
      if (info.isDirectory()) return { kind: 'folder' };
      if (!info.isFile()) return { kind: 'missing' };
      const identity = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
      const known = cache.get(real);
      if (known?.identity === identity) return { kind: 'file', entry: known };
      if (info.size > CACHED_FILE_BYTES) return { kind: 'large', file: real, size: info.size, mtime: info.mtime, etag: `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"` };
      const body = await handle.readFile();
      const entry: Entry = { key: real, identity, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, mtime: info.mtime, encoded: {}, bytes: body.length };
      remember(real, entry);
      return { kind: 'file', entry };
    } finally {
      await handle.close();
    }
  }

  function encode(entry: Entry, encoding: Encoding): Promise<Buffer> {
    let pending = entry.encoded[encoding];
    if (!pending) {
      pending =
        encoding === 'br'
          ? brotli(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: entry.body.length } })
          : gzipped(entry.body, { level: 9 });
      entry.encoded[encoding] = pending;
      void pending.then((bytes) => {
        entry.bytes += bytes.length;
        // Counted only while the entry is still the cache's.
        if (cache.get(entry.key) === entry) cached += bytes.length;
      });
    }
    return pending;
  }

  async function send(req: IncomingMessage, res: ServerResponse, relative: string, query: string, status: number): Promise<boolean> {
    const found = await find(relative);
    if (found.kind === 'no-site') {
      res.writeHead(503, { ...securityHeaders('text/plain'), 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : 'The site is not built yet.\n');
      return true;
    }
    if (found.kind === 'folder' && status === 200) {
      // A page's relative links need the trailing slash: /episodes/x → /episodes/x/.
      const index = await find(`${relative}/index.html`);
      if (index.kind !== 'file' && index.kind !== 'large') return false;
      const location = `/${relative.split('/').map(encodeURIComponent).join('/')}/${query ? `?${query}` : ''}`;
      res.writeHead(301, { ...securityHeaders('text/plain'), Location: location, 'Cache-Control': 'no-cache', 'Content-Length': 0 });
      res.end();
      return true;
    }
    if (found.kind !== 'file' && found.kind !== 'large') return false;
    const type = contentTypeOf(relative);
    const etag = found.kind === 'file' ? found.entry.etag : found.etag;
    const mtime = found.kind === 'file' ? found.entry.mtime : found.mtime;
    const headers: Record<string, string | number> = {
      ...securityHeaders(type, { email: relative.startsWith('email/') }),
      'Content-Type': type,
      'Cache-Control': status === 200 ? cacheControl(type, query) : 'no-cache',
      'Last-Modified': mtime.toUTCString(),
      'Accept-Ranges': found.kind === 'large' || !compressible(type) ? 'bytes' : 'none',
    };
    const encodings = found.kind === 'file' && compressible(type) && found.entry.body.length >= COMPRESS_FROM_BYTES ? acceptedEncodings(req.headers['accept-encoding']) : [];
    if (found.kind === 'file' && compressible(type)) headers.Vary = 'Accept-Encoding';
    const encoding = encodings[0];
    const tag = encoding ? etag.replace(/"$/, `-${encoding}"`) : etag;
    if (status === 200) {
      headers.ETag = tag;
      const ifNoneMatch = req.headers['if-none-match'];
      const ifModifiedSince = req.headers['if-modified-since'];
      const since = ifModifiedSince ? Date.parse(ifModifiedSince) : Number.NaN;
      if (ifNoneMatch !== undefined ? matches(ifNoneMatch, tag) : !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since) {
        res.writeHead(304, headers);
        res.end();
        return true;
      }
    }
    if (found.kind === 'large') {
      // Large files are audio and video: players seek in them by range.
      sendFileRange(req, res, await open(found.file, constants.O_RDONLY | constants.O_NOFOLLOW), found.size, headers, status);
      return true;
    }
    if (!encoding && !compressible(type)) {
      // Audio, images: taken by range too (a player seeks in a short file as in a long one).
      sendFileRange(req, res, found.entry.body, found.entry.body.length, headers, status);
      return true;
    }
    const body = encoding ? await encode(found.entry, encoding) : found.entry.body;
    if (encoding) headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = body.length;
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  async function notFound(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await send(req, res, NOT_FOUND, '', 404)) return;
    res.writeHead(404, { ...securityHeaders('text/plain'), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : 'Not found\n');
  }

  return {
    notFound,
    async serve(req, res, target) {
      const relative = requestedFile(target);
      // Names starting with a dot (.git, .env, an editor's swap file) are never part of a site;
      // .well-known/ is the one folder of that kind the web uses.
      if (relative === undefined || relative.split('/').some((segment, i) => segment.startsWith('.') && !(i === 0 && segment === '.well-known'))) return notFound(req, res);
      const query = target.includes('?') ? target.slice(target.indexOf('?') + 1) : '';
      if (!(await send(req, res, relative, query, 200))) await notFound(req, res);
    },
  };
}

/** For tests and the start-up check: the folder exists and is one. */
export async function isFolder(folder: string): Promise<boolean> {
  return (await stat(folder).catch(() => undefined))?.isDirectory() ?? false;
}
