// The preview's HTTP server: serves the files of the last good build from memory, pushes the
// build state to open pages over server-sent events, and never lets a bad request or a bad build
// bring it down.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RunError, UsageError, isErrno, systemError } from '../errors.ts';
import type { Severity } from '../problems.ts';
import { isSourceFile, textOf, type OutputContent } from '../model/source-file.ts';
import { contentTypeOf } from '../model/content-types.ts';
import { requestedFile } from './paths.ts';
import { sameContent, serveSource } from './served-source.ts';

export const EVENTS_PATH = '/__castwright/events';
export const CLIENT_PATH = '/__castwright/client.js';
const NOT_FOUND = '404.html';

export interface ServerOptions {
  host: string;
  /** First port to try; the next ones are tried while it is taken. 0 picks any free port. */
  port: number;
  /** Shown until the first good build, when the content starts out invalid. */
  waitingPage: string;
  /** The live-reload client, served whether or not there is a good build. */
  client: string;
}

export interface PreviewServer {
  url: string;
  /** Serves a new good build and tells open pages to reload; `warnings` are shown beside it. */
  publish(files: ReadonlyMap<string, OutputContent>, warnings?: readonly ShownWarning[]): void;
  /** Keeps serving the last good build and shows these problems on every open page. */
  fail(problems: readonly string[]): void;
  close(): Promise<void>;
}

interface State {
  files?: ReadonlyMap<string, OutputContent>;
  version: number;
  problems: readonly string[];
  warnings: readonly ShownWarning[];
}

/**
 * What the page lists beside the preview without blocking it: the build's warnings and what
 * `castwright check` says of the build (its errors too: only invalid content stops a preview).
 */
export interface ShownWarning {
  text: string;
  severity: Severity;
}

const sameList = (a: readonly ShownWarning[], b: readonly ShownWarning[]) =>
  a.length === b.length && a.every((item, i) => item.text === b[i]!.text && item.severity === b[i]!.severity);

function sameFiles(a: ReadonlyMap<string, OutputContent>, b: ReadonlyMap<string, OutputContent>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, content] of a) if (!sameContent(b.get(file), content)) return false;
  return true;
}

/** Raw digests are shown inside the email preview's frames, exactly as built: no client there. */
const isRawEmail = (file: string) => /^email\/[^/]+\.html$/.test(file);

function withClient(html: string, version: number): string {
  const tag = `<script src="${CLIENT_PATH}" data-version="${version}"></script>\n`;
  const end = html.toLowerCase().lastIndexOf('</body>');
  return end === -1 ? html + tag : html.slice(0, end) + tag + html.slice(end);
}

/** Ports tried after the one asked for, while they are taken. */
const MORE_PORTS = 50;

async function listen(server: Server, host: string, port: number): Promise<number> {
  const last = port === 0 ? 0 : Math.min(65535, port + MORE_PORTS);
  for (let tried = port; ; tried++) {
    try {
      // Each listener goes when the other fires: a callback given to listen() stays behind after a
      // taken port, and eleven taken ports would leave eleven (MaxListenersExceededWarning).
      await new Promise<void>((resolve, reject) => {
        const failed = (error: Error) => {
          server.off('listening', listening);
          reject(error);
        };
        const listening = () => {
          server.off('error', failed);
          resolve();
        };
        server.once('error', failed);
        server.once('listening', listening);
        server.listen(tried, host);
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      if (isErrno(error) && error.code === 'EADDRINUSE' && tried < last) continue;
      throw listenError(error, host, port, last);
    }
  }
}

/** Why the preview cannot listen, in one line that says what to change. */
function listenError(error: unknown, host: string, port: number, last: number): Error {
  if (!isErrno(error)) return error as Error;
  const where = host.includes(':') ? `[${host}]` : host;
  switch (error.code) {
    case 'EADDRINUSE':
      return new RunError(
        `${last > port ? `ports ${port} to ${last} on ${where} are all` : `port ${port} on ${where} is`} in use; stop what uses them, or choose another --port (0: any free port)`,
        { cause: error },
      );
    case 'EACCES':
      return new UsageError(`--port ${port}: not permitted to listen on it (EACCES); ports below 1024 need root: choose one from 1024 to 65535`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new UsageError(`--host ${host}: this machine has no such address; expected 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of its own addresses`, { cause: error });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new UsageError(`--host ${host}: no such host name; expected 127.0.0.1, localhost, 0.0.0.0 or one of this machine's addresses`, { cause: error });
    default:
      return systemError(error, `cannot listen on ${where}:${port}`, '');
  }
}

/**
 * A web page on another site could point its own host name at this machine (DNS rebinding) and read
 * unpublished drafts. Names other than localhost and the bound host are refused; IP addresses, which
 * rebinding cannot use, are allowed so the preview can be shared on a network.
 */
function allowedHost(header: string | undefined, boundHost: string): boolean {
  if (header === undefined) return true;
  const name = header.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === boundHost.toLowerCase() || /^[\d.]+$/.test(name) || name.includes(':');
}

export async function startServer(options: ServerOptions): Promise<PreviewServer> {
  const state: State = { version: 0, problems: [], warnings: [] };
  const listeners = new Set<ServerResponse>();
  const stateEvent = () => `event: state\ndata: ${JSON.stringify({ version: state.version, problems: state.problems, warnings: state.warnings })}\n\n`;
  const broadcast = () => {
    const event = stateEvent();
    for (const listener of listeners) listener.write(event);
  };

  const send = (res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string | Uint8Array) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const serveFile = (req: IncomingMessage, res: ServerResponse, file: string, status = 200) => {
    const found = state.files?.get(file) ?? '';
    const type = contentTypeOf(file);
    if (isSourceFile(found)) {
      if (!serveSource(req, res, found, type)) send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return;
    }
    // A build's files arrive as UTF-8 bytes (dev/build-worker.ts movableChanges): served as they
    // are, read as text only where the client goes into it (a page: some 50 µs).
    const content = found instanceof Uint8Array ? found : textOf(found);
    if (!type.startsWith('text/html') || isRawEmail(file)) return send(res, req, status, type, content);
    const html = typeof content === 'string' ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
    send(res, req, status, type, withClient(html, state.version));
  };

  const notFound = (req: IncomingMessage, res: ServerResponse) => {
    if (state.files?.has(NOT_FOUND)) serveFile(req, res, NOT_FOUND, 404);
    else send(res, req, 404, 'text/plain; charset=utf-8', 'Not found\n');
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, req, 405, 'text/plain; charset=utf-8', 'Method not allowed\n');
      return;
    }
    if (!allowedHost(req.headers.host, options.host)) {
      send(res, req, 403, 'text/plain; charset=utf-8', 'This preview only answers to localhost or an IP address\n');
      return;
    }
    if (target === CLIENT_PATH) {
      send(res, req, 200, 'text/javascript; charset=utf-8', options.client);
      return;
    }
    if (target === EVENTS_PATH) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      res.write(stateEvent());
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (!state.files) {
      // No good build yet: a page that shows the problems and reloads once they are fixed.
      send(res, req, 503, 'text/html; charset=utf-8', withClient(options.waitingPage, state.version));
      return;
    }
    const file = requestedFile(target);
    if (file === undefined) return notFound(req, res);
    if (state.files.has(file)) return serveFile(req, res, file);
    // A page's relative links need the trailing slash: /episodes/x → /episodes/x/.
    if (state.files.has(`${file}/index.html`)) {
      const [path, query] = target.split(/\?(.*)/s, 2);
      res.writeHead(301, { Location: `${path}/${query ? `?${query}` : ''}`, 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    notFound(req, res);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) send(res, req, 500, 'text/plain; charset=utf-8', `Preview error: ${(error as Error).message}\n`);
      else res.destroy();
    }
  });
  const port = await listen(server, options.host, options.port);
  // Keeps proxies and browsers from dropping an idle event stream.
  const heartbeat = setInterval(() => listeners.forEach((listener) => listener.write(': keep-alive\n\n')), 15_000);
  heartbeat.unref();

  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostInUrl}:${port}/`,
    publish(files, warnings = []) {
      // A build that changed nothing (a save of the same text, a rebuild to catch up) reloads no page.
      const changed = !state.files || !sameFiles(state.files, files);
      if (!changed && state.problems.length === 0 && sameList(state.warnings, warnings)) return;
      state.files = files;
      if (changed) state.version++;
      state.problems = [];
      state.warnings = warnings;
      broadcast();
    },
    fail(problems) {
      state.problems = problems;
      broadcast();
    },
    async close() {
      clearInterval(heartbeat);
      for (const listener of listeners) listener.end();
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
