// `check --links`: every story, show and audio link asked whether it answers: HEAD first, GET when
// a server refuses HEAD, redirects followed by hand (at most five, http(s) only), each URL within a
// time limit, at most N at once and a few per host. Links that answered are remembered for a day
// in the show's state folder, so a second check does not ask again. Never run against the
// internet in tests: they serve their links from a local server. A link to a file this build puts
// on the site (local artwork, copied audio, a transcript, a page) is judged from the build itself:
// before the first publish the site does not have it yet, and after it the build is what counts.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { readRegularFileAsync } from '../regular-file.ts';
import { canonicalMediaType } from '../feed-reader/media-types.ts';
import { judgeArtwork, imageFacts, type ImageFacts } from './artwork.ts';
import { finding, shown, type Finding } from './finding.ts';

export type LinkKind = 'link' | 'audio' | 'artwork';

export interface LinkTarget {
  url: string;
  kind: LinkKind;
  /** Where a host edits it. */
  file: string;
  line: number;
  /** For audio: the byte length and type the sources give. */
  length?: number;
  type?: string;
}

export interface LinkOptions {
  timeoutMs: number;
  /** Requests at once. */
  concurrency: number;
  /** Requests at once to one host. */
  perHost?: number;
  /** The cache file; without it nothing is remembered. */
  cacheFile?: string;
  /** The clock, for the cache (milliseconds). */
  now?: number;
  /** Told how many links are done, for a progress line. */
  onProgress?: (done: number, total: number) => void;
  /** The site this build publishes: links to its files are judged from the build, not asked. */
  site?: BuiltSite;
}

export interface BuiltSite {
  /** The show's site URL. */
  url: string;
  /** Each file the build outputs (its path in the output folder, `/`-separated) and its size in bytes. */
  files: ReadonlyMap<string, number>;
}

/** The output file that a URL of the site names (a folder's address names its index.html), when the build makes it. */
export function builtFile(url: string, site: BuiltSite): string | undefined {
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(site.url.endsWith('/') ? site.url : `${site.url}/`);
  } catch {
    return undefined;
  }
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) return undefined;
  let file: string;
  try {
    file = decodeURIComponent(target.pathname.slice(base.pathname.length));
  } catch {
    return undefined;
  }
  if (file === '' || file.endsWith('/')) file += 'index.html';
  return site.files.has(file) ? file : undefined;
}

/** What a link answered; only answers that worked are cached. */
interface Answer {
  ok: boolean;
  status?: number;
  /** Why there was no usable answer (a network error, a time-out, a bad redirect). */
  error?: string;
  length?: number;
  type?: string;
  image?: ImageFacts;
  checkedAt: number;
}

export const CACHE_MS = 24 * 60 * 60 * 1000;
const MAX_REDIRECTS = 5;
/** Enough of any cover art to find its size: JPEG's frame marker may follow long metadata. */
const ARTWORK_BYTES = 1024 * 1024;
const USER_AGENT = 'Mozilla/5.0 (compatible; castwright link check)';

class LinkFailure extends Error {}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

async function request(url: string, method: 'HEAD' | 'GET', signal: AbortSignal): Promise<Response> {
  const seen = new Set<string>();
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    seen.add(current.href);
    const response = await fetch(current, { method, redirect: 'manual', signal, headers: { 'user-agent': USER_AGENT, accept: '*/*' } });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new LinkFailure(`redirects to a ${next.protocol} address (${next.href}); only http(s) is followed`);
    if (seen.has(next.href)) throw new LinkFailure(`redirects in a loop (${current.href} → ${next.href})`);
    if (hop + 1 > MAX_REDIRECTS) throw new LinkFailure(`redirects more than ${MAX_REDIRECTS} times`);
    current = next;
  }
}

async function readHead(response: Response, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, max);
}

function failureOf(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `no answer within ${timeoutMs / 1000} s`;
  if (error instanceof LinkFailure) return error.message;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

async function probe(target: LinkTarget, timeoutMs: number, now: number): Promise<Answer> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    let response: Response | undefined;
    if (target.kind !== 'artwork') {
      try {
        response = await request(target.url, 'HEAD', signal);
      } catch (error) {
        if (signal.aborted || error instanceof LinkFailure) throw error;
      }
      // Some servers refuse or mishandle HEAD: ask again with GET, reading no body.
      if (response && response.status >= 400) response = undefined;
    }
    response ??= await request(target.url, 'GET', signal);
    const length = Number(response.headers.get('content-length'));
    const answer: Answer = {
      ok: response.status < 400,
      status: response.status,
      ...(response.headers.get('content-length') !== null && Number.isFinite(length) ? { length } : {}),
      ...(response.headers.get('content-type') ? { type: response.headers.get('content-type')! } : {}),
      checkedAt: now,
    };
    if (target.kind === 'artwork' && answer.ok) answer.image = imageFacts(await readHead(response, ARTWORK_BYTES));
    else await response.body?.cancel().catch(() => undefined);
    return answer;
  } catch (error) {
    return { ok: false, error: failureOf(error, signal, timeoutMs), checkedAt: now };
  }
}

/** Definitive answers (the page is gone); the others may work another time. */
const gone = (answer: Answer) => answer.status !== undefined && answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429;

function findingsFor(target: LinkTarget, answer: Answer, uses: number): Finding[] {
  const also = uses > 1 ? ` (and ${uses - 1} more place${uses === 2 ? '' : 's'})` : '';
  const url = shown(target.url, 160);
  const said = answer.error ?? `answers ${answer.status}`;
  const at = (severity: 'error' | 'warning', code: string, message: string) => finding(severity, code, target.file, target.line, `${message}${also}`);
  if (!answer.ok) {
    if (!gone(answer)) return [at('warning', 'links/unreachable', `${url} ${said}; it may work another time (try again later)`)];
    if (target.kind === 'audio') return [at('error', 'links/audio-broken', `the audio ${url} ${said}: the episode cannot be played or downloaded`)];
    if (target.kind === 'artwork') return [at('error', 'links/artwork-broken', `the artwork ${url} ${said}: Apple rejects a show without cover art`)];
    return [at('warning', 'links/broken', `${url} ${said}; fix or remove the link`)];
  }
  const found: Finding[] = [];
  if (target.kind === 'audio') {
    if (target.length !== undefined && answer.length !== undefined && answer.length !== target.length) {
      found.push(at('warning', 'links/audio-length', `the audio ${url} is ${answer.length} bytes, but audio.length says ${target.length}: apps trust the length and may stop playback early or refuse the file; write ${answer.length}`));
    }
    const served = answer.type?.split(';')[0]?.trim();
    if (target.type && served && canonicalMediaType(served) !== target.type) {
      found.push(at('warning', 'links/audio-type', `the audio ${url} is served as ${served}, but the feed says ${target.type}: some apps will not play it; fix the server's Content-Type or audio.type`));
    }
  }
  if (target.kind === 'artwork' && answer.image) {
    for (const problem of judgeArtwork(answer.image, target.url, answer.type)) found.push(at(problem.severity, problem.code, problem.message));
  }
  return found;
}

interface CacheFile {
  version: 1;
  answers: Record<string, Answer>;
}

async function readCache(file: string | undefined, now: number): Promise<Map<string, Answer>> {
  const fresh = new Map<string, Answer>();
  if (!file) return fresh;
  try {
    // Through the regular-file reader: a pipe there held `check` forever, a huge file was read whole.
    const data = JSON.parse((await readRegularFileAsync(file)).toString('utf8')) as CacheFile;
    for (const [url, answer] of Object.entries(data.version === 1 ? data.answers : {})) {
      if (answer?.ok === true && typeof answer.checkedAt === 'number' && now - answer.checkedAt < CACHE_MS && answer.checkedAt <= now) fresh.set(url, answer);
    }
  } catch {
    // No cache, or one that cannot be read: it only saves time, so everything is asked again.
  }
  return fresh;
}

async function writeCache(file: string | undefined, answers: Map<string, Answer>): Promise<void> {
  if (!file) return;
  const data: CacheFile = { version: 1, answers: Object.fromEntries([...answers].filter(([, answer]) => answer.ok)) };
  const partial = `${file}.${process.pid}.partial`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(partial, `${JSON.stringify(data)}\n`);
    await rename(partial, file);
  } catch {
    // A cache that cannot be written costs the next check its time, nothing else.
  }
}

/** Runs `work` on each item, at most `limit` at once and `perHost` per host. */
async function pool<T>(items: readonly T[], limit: number, perHost: number, host: (item: T) => string, work: (item: T) => Promise<void>): Promise<void> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const queue = queues.get(host(item));
    if (queue) queue.push(item);
    else queues.set(host(item), [item]);
  }
  const active = new Map<string, number>();
  let running = 0;
  await new Promise<void>((resolve) => {
    const next = () => {
      for (const [name, queue] of queues) {
        while (running < limit && queue.length && (active.get(name) ?? 0) < perHost) {
          const item = queue.shift()!;
          running++;
          active.set(name, (active.get(name) ?? 0) + 1);
          void work(item)
            .catch(() => undefined)
            .finally(() => {
              running--;
              active.set(name, active.get(name)! - 1);
              next();
            });
        }
        if (!queue.length) queues.delete(name);
      }
      if (running === 0 && queues.size === 0) resolve();
    };
    next();
  });
}

export async function checkLinks(targets: readonly LinkTarget[], options: LinkOptions): Promise<Finding[]> {
  const now = options.now ?? Date.now();
  // Each URL is asked once: an artwork or audio use decides how, else the first use.
  const unique = new Map<string, { target: LinkTarget; uses: number }>();
  for (const target of targets) {
    const seen = unique.get(target.url);
    if (!seen) unique.set(target.url, { target, uses: 1 });
    else {
      seen.uses++;
      if (seen.target.kind === 'link' && target.kind !== 'link') seen.target = target;
    }
  }
  const cache = await readCache(options.cacheFile, now);
  const answers = new Map<string, Answer>();
  // What the build puts on the site is there once published, with the bytes the build has (local art was judged when loaded).
  const built = new Map<string, Answer>();
  for (const { target } of unique.values()) {
    const file = options.site && builtFile(target.url, options.site);
    if (file !== undefined) built.set(target.url, { ok: true, status: 200, length: options.site!.files.get(file)!, checkedAt: now });
  }
  const toAsk = [...unique.values()].filter(({ target }) => {
    const cached = built.get(target.url) ?? cache.get(target.url);
    if (cached && (target.kind !== 'artwork' || cached.image || built.has(target.url))) answers.set(target.url, cached);
    return !answers.has(target.url);
  });
  let done = unique.size - toAsk.length;
  options.onProgress?.(done, unique.size);
  await pool(toAsk, Math.max(1, options.concurrency), Math.max(1, options.perHost ?? 4), ({ target }) => hostOf(target.url), async ({ target }) => {
    answers.set(target.url, await probe(target, options.timeoutMs, now));
    options.onProgress?.(++done, unique.size);
  });
  await writeCache(options.cacheFile, new Map([...cache, ...[...answers].filter(([url]) => !built.has(url))]));
  return [...unique.values()].flatMap(({ target, uses }) => findingsFor(target, answers.get(target.url)!, uses));
}
