// A show to serve in tests: the fixture show (with email, optionally taking sign-ups) and one
// published episode, built into dist/ by the real build; and castwright serve started on it,
// in this process (startServe, as the command composes it) or as the real executable.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { main } from '../../src/cli/main.ts';
import { listsPlace, type ListsPlace } from '../../src/lists/place.ts';
import { ListsStore } from '../../src/lists/store.ts';
import { loadContent } from '../../src/load/content.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/render/templates.ts';
import { smtpBackend } from '../../src/send/backends/smtp.ts';
import { createMailer, type Mailer } from '../../src/serve/mailer.ts';
import { startServe, type RunningServer, type ServeOptions } from '../../src/serve/server.ts';
import { unsubscribeToken } from '../../src/send/token.ts';
import { spawnCli } from '../helpers/cli.ts';
import { fixture, workspace } from '../helpers/content.ts';
import { ENV } from '../send/cli.ts';
import { SECRET, SLUG, showWithMailto, subscribersCsv } from '../send/mailing.ts';

export { SECRET, SLUG };

export interface SiteOptions {
  /** email.subscribe: true */
  subscribe?: boolean;
  /** A subscribers.csv of this many generated readers beside the content folder. */
  readers?: number;
}

/** A workspace with episodes/ and a dist/ built from it. */
export async function servedWorkspace(options: SiteOptions = {}): Promise<string> {
  const show = `${await showWithMailto()}${options.subscribe ? '  subscribe: true\n' : ''}`;
  const root = await workspace({ [`${SLUG}.md`]: await fixture('episodes/valid.md') }, { show });
  if (options.readers !== undefined) await writeFile(path.join(root, 'subscribers.csv'), subscribersCsv(options.readers));
  const silent = { write: () => undefined };
  const code = await main(['build'], { stdout: silent, stderr: silent, env: { NO_COLOR: '1' }, cwd: root });
  if (code !== 0) throw new Error(`the build of the test site failed (${code})`);
  return root;
}

export interface TestServe extends RunningServer {
  lists: ListsPlace;
  store: ListsStore;
  logs: string[];
  /** The one-click URL of a reader, as send puts it in List-Unsubscribe. */
  unsubscribeUrl(address: string): string;
}

const running = new Set<TestServe>();

/** castwright serve on the workspace, in this process, on a free port. */
export async function serveInProcess(root: string, options: Partial<ServeOptions> & { smtpUrl?: string } = {}): Promise<TestServe> {
  const { show } = await loadContent(path.join(root, 'episodes'), { cwd: root });
  const templates = await loadTemplates(DEFAULT_TEMPLATES_DIR, root);
  const lists = listsPlace('episodes', { cwd: root });
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const store = await ListsStore.open(lists, { onNote: log, ...(options.now ? { now: options.now } : {}) });
  let mailer: Mailer | undefined;
  if (options.smtpUrl) mailer = createMailer({ backend: smtpBackend({ url: new URL(options.smtpUrl), timeoutMs: 10_000 }), log, retryDelaysMs: [] });
  const server = await startServe({ out: path.join(root, 'dist'), show, templates, secret: SECRET, store, ...(mailer ? { mailer } : {}), host: '127.0.0.1', port: 0, trustProxy: false, log, ...options });
  const served: TestServe = {
    ...server,
    lists,
    store,
    logs,
    unsubscribeUrl: (address) => new URL(`unsubscribe?token=${unsubscribeToken(address, SECRET)}`, server.url).href,
    close: async (grace) => {
      if (!running.delete(served)) return;
      await server.close(grace);
      await mailer?.drain(5_000);
      await mailer?.close();
    },
  };
  running.add(served);
  return served;
}

/** Stops every server a test left running: for afterEach. */
export async function closeServers(): Promise<void> {
  await Promise.all([...running].map((served) => served.close(1_000)));
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real executable: `castwright serve --port 0 …` in the workspace, resolved once it listens. */
export async function spawnServe(root: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawnCli(['serve', '--port', '0', ...args], { cwd: root, env: { ...ENV, ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const found = /castwright serve: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
      if (found) resolve(found[1]!);
    });
    void exited.then(({ code }) => reject(new Error(`castwright serve exited (${code}) before listening:\n${stdout}\n${stderr}`)));
  });
  return { child, url, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A one-click unsubscribe as a mailbox provider sends it (RFC 8058: the body as a form). */
export function oneClick(url: string, type: 'urlencoded' | 'multipart' = 'urlencoded'): Promise<Response> {
  if (type === 'multipart') {
    const body = new FormData();
    body.set('List-Unsubscribe', 'One-Click');
    return fetch(url, { method: 'POST', body });
  }
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
}

export async function listsFolder(root: string): Promise<void> {
  await mkdir(path.join(root, 'lists'), { recursive: true });
}

/** One raw HTTP request over a socket, for what fetch refuses to send; resolves with everything the server answered. */
export function rawRequest(url: string, request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.write(request);
  });
}


/** Any castwright command run in this process through the command line's entry, as a user would type it. */
export async function castwright(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => void (stdout += text) },
    stderr: { write: (text: string) => void (stderr += text) },
    env: { PATH: process.env.PATH, ...ENV, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}
