// castwright serve's HTTP server: the built site and, for a show with email, the subscription
// endpoints. Made to face the internet behind a proxy or on its own: headers and bodies are
// size-limited, a client too slow to send its request is cut off, a bad request never brings the
// server down, and close() lets the requests in progress finish (their list rows on disk, their
// answers sent) before it returns.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListsStore } from '../lists/store.ts';
import { hasEmail, type Show } from '../model/types.ts';
import type { Templates } from '../render/templates.ts';
import { BODY_LIMIT, discardBody } from './body.ts';
import { clientAddress } from './client.ts';
import { securityHeaders } from './headers.ts';
import type { Limit } from './limits.ts';
import type { Mailer } from './mailer.ts';
import { CONFIRM_PATH, SUBSCRIBE_PATH, unsubscribeRoute, unsubscribeTokenOf } from './routes.ts';
import { staticSite } from './static.ts';
import { subscriptionEndpoints, type Asked } from './subscription.ts';

export interface Timeouts {
  /** The request line and headers must arrive within this. */
  headersMs: number;
  /** The whole request, body included. */
  requestMs: number;
  /** A connection with nothing going on is closed after this. */
  idleMs: number;
  /** Keep-alive connections wait this long for the next request. */
  keepAliveMs: number;
}

export const TIMEOUTS: Timeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 };
/** Request line and headers together, in bytes. */
export const HEADER_LIMIT = 16 * 1024;

export interface ServeOptions {
  /** The built site's folder, absolute. */
  out: string;
  show: Show;
  templates: Templates;
  /** For a show with email settings: the secret and the lists; without them only the site is served. */
  secret?: string;
  store?: ListsStore;
  /** For a show that takes sign-ups. */
  mailer?: Mailer;
  host: string;
  port: number;
  trustProxy: boolean;
  log(line: string): void;
  now?: () => Date;
  timeouts?: Partial<Timeouts>;
  limits?: { signupsPerClient?: Limit; signupsPerAddress?: Limit; confirmsPerClient?: Limit };
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops taking connections and waits for the requests in progress; after `graceMs` the rest are cut. */
  close(graceMs?: number): Promise<void>;
}

function plain(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders('text/plain'), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
}

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const timeouts = { ...TIMEOUTS, ...options.timeouts };
  const site = staticSite(options.out);
  const { show } = options;
  const mailing = hasEmail(show) && options.secret && options.store ? { show, secret: options.secret, store: options.store } : undefined;
  const endpoints =
    mailing &&
    subscriptionEndpoints({
      ...mailing,
      templates: options.templates,
      ...(options.mailer ? { mailer: options.mailer } : {}),
      log: options.log,
      ...(options.now ? { now: options.now } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    });
  const route = mailing && unsubscribeRoute(mailing.show.email.unsubscribe, show.url);
  const signups = Boolean(mailing?.show.email.subscribe && options.mailer);
  let closing = false;
  const open = new Set<ServerResponse>();
  let drained: (() => void) | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    // Origin-form only: an absolute URL or `*` asks for no file of this site.
    if (!target.startsWith('/')) return plain(req, res, 400, 'Bad request');
    let url: URL;
    try {
      url = new URL(`http://site${target}`);
    } catch {
      return plain(req, res, 400, 'Bad request');
    }
    const asked: Asked = { req, res, pathname: url.pathname, query: url.searchParams, client: clientAddress(req, options.trustProxy) };
    if (endpoints && route) {
      const token = unsubscribeTokenOf(route, url.pathname, url.searchParams);
      if (token !== undefined) return endpoints.unsubscribe(asked, token);
      if (signups && url.pathname === SUBSCRIBE_PATH) return endpoints.subscribe(asked);
      if (signups && url.pathname === CONFIRM_PATH) return endpoints.confirm(asked);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      await discardBody(req);
      return plain(req, res, 405, 'Method not allowed', { Allow: 'GET, HEAD', Connection: 'close' });
    }
    return site.serve(req, res, target);
  }

  const respond = (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    if (closing) res.setHeader('Connection', 'close');
    res.once('close', () => {
      open.delete(res);
      if (closing && open.size === 0) drained?.();
    });
    handle(req, res).catch((error: unknown) => {
      options.log(`error answering ${req.method} ${url(req)}: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) plain(req, res, 500, 'Internal server error', { Connection: 'close' });
      else res.destroy();
    });
  };
  const server = createServer(
    {
      maxHeaderSize: HEADER_LIMIT,
      requestTimeout: timeouts.requestMs,
      headersTimeout: timeouts.headersMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node looks for requests over their time this often (30 s by default, longer than the limits).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, timeouts.headersMs / 4)),
    },
    respond,
  );
  // A client that asks before sending its body (Expect: 100-continue) hears at once that a body too large is refused.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length']) > BODY_LIMIT) return plain(req, res, 413, 'Request body too large', { Connection: 'close' });
    res.writeContinue();
    respond(req, res);
  });
  server.setTimeout(timeouts.idleMs, (socket) => socket.destroy());
  // A malformed request or oversized headers: answered by Node (400, 431) or cut; never thrown.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostInUrl}:${port}/`,
    server,
    async close(graceMs = 10_000) {
      closing = true;
      // The answers still to come end their connections.
      for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (open.size > 0) {
        const done = new Promise<void>((resolve) => (drained = resolve));
        const timer = new Promise<'late'>((resolve) => setTimeout(resolve, graceMs, 'late').unref());
        if ((await Promise.race([done, timer])) === 'late') options.log(`${open.size} request${open.size === 1 ? '' : 's'} still open after ${graceMs / 1000} s; closing them`);
      }
      server.closeAllConnections();
      await stopped;
      await options.store?.settled();
    },
  };
}

/** A request's path for a log line, without its query or anything that may be a token. */
function url(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!.replace(/[A-Za-z0-9_-]{24,}/g, '…');
}
