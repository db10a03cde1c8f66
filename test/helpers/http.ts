// Local HTTP servers for tests that fetch (never the internet), on a random port of 127.0.0.1:
// one that routes by path (responses that never come are held until it closes), and one that
// records every request with its body, for the notification services.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestServer {
  base: string;
  routes: Map<string, Handler>;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  /** Keeps a response unanswered (a server that never replies) until close. */
  hold(response: ServerResponse): void;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const requests: string[] = [];
  const held: ServerResponse[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const handler = routes.get(request.url ?? '');
    if (handler) handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    requests,
    hold: (response) => void held.push(response),
    async close() {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


export interface Recorded {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  /** The answer to the next requests: a status, or `hang` to never answer. */
  answer: number | 'hang';
  /** Resolves at the next request that arrives. */
  nextRequest(): Promise<Recorded>;
  close(): Promise<void>;
}

export async function recordingServer(path = '/'): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  const waiting: Array<(request: Recorded) => void> = [];
  const hung: ServerResponse[] = [];
  const state = { answer: 204 as number | 'hang' };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, body };
      requests.push(recorded);
      waiting.splice(0).forEach((resolve) => resolve(recorded));
      if (state.answer === 'hang') {
        hung.push(res);
        return;
      }
      res.writeHead(state.answer, { 'content-type': 'text/plain' });
      res.end(state.answer < 300 ? '' : 'hub says no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    get answer() {
      return state.answer;
    },
    set answer(value) {
      state.answer = value;
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      hung.forEach((res) => res.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
