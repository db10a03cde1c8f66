// A real `castwright dev` in a child process, and what a cold `castwright build --drafts` of the same
// files holds: what dev serves over HTTP must be exactly that build, plus the preview's own additions
// (its bar, the live-reload client, the email preview pages). Used by test/dev/*.test.ts.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { CLIENT_PATH, EVENTS_PATH } from '../../src/dev/server.ts';
import { ContentError } from '../../src/errors.ts';
import { isSourceFile, textOf } from '../../src/model/source-file.ts';
import { generate } from '../../src/pipeline.ts';
import { runCli, spawnCli } from '../helpers/cli.ts';

/** Generous: the CI machine is a loaded 2-core box; only a save never built runs into it. */
export const SETTLE_MS = 90_000;

export interface DevProcess {
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Builds reported so far (good or failed). */
  builds(): number;
  /** Ctrl+C: resolves with its exit code. */
  stop(): Promise<number | null>;
}

const BUILT = /^(?:✓ Built|✗ \d+ problems?:)/gm;

/** Starts `castwright dev --port 0` in `root` (content in root/episodes): resolves once it serves. */
export async function startDev(root: string): Promise<DevProcess> {
  const child: ChildProcess = spawnCli(['dev', '--port', '0', '--content', 'episodes'], { cwd: root });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev never said where it serves:\n${out}`)), SETTLE_MS);
    const look = () => {
      const found = /castwright preview: (http:\/\/\S+\/)/.exec(out);
      if (!found) return;
      clearTimeout(timer);
      child.stdout!.off('data', look);
      resolve(found[1]!);
    };
    child.stdout!.on('data', look);
    void exited.then((code) => reject(new Error(`dev exited with ${code}:\n${out}`)));
  });
  return {
    url,
    output: () => out,
    builds: () => out.match(BUILT)?.length ?? 0,
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** Polls `check` until it holds (or throws, saying what never happened, after `ms`). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, ms = SETTLE_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`never happened within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function filesUnder(dir: string, prefix = ''): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = `${prefix}${entry.name}`;
    if (entry.isDirectory()) for (const [file, bytes] of await filesUnder(path.join(dir, entry.name), `${name}/`)) files.set(file, bytes);
    else files.set(name, await readFile(path.join(dir, entry.name)));
  }
  return files;
}

export type Built = { ok: true; files: Map<string, Buffer> } | { ok: false; output: string };

/** A cold `castwright build --drafts --no-cache` of root/episodes, into a folder of its own (and state of its own). */
export async function coldBuild(root: string): Promise<Built> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'castwright-cold-'));
  try {
    const out = path.join(scratch, 'dist');
    const result = await runCli(['build', '--drafts', '--no-cache', '--content', 'episodes', '--out', out], { cwd: root, env: { CASTWRIGHT_STATE: path.join(scratch, 'state') } });
    if (result.code !== 0) return { ok: false, output: result.stdout + result.stderr };
    return { ok: true, files: await filesUnder(out) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * What `castwright build --drafts --no-cache` makes of root/episodes with other templates (the
 * command has no option for them, so the same pipeline is run here, in memory, with no cache).
 */
export async function coldBuildWith(root: string, templatesDir: string): Promise<Built> {
  try {
    const { files } = await generate({ contentDir: path.join(root, 'episodes'), templatesDir, cwd: root, drafts: true });
    return { ok: true, files: new Map([...files].map(([file, content]) => [file, isSourceFile(content) ? readFileSync(content.source) : Buffer.from(textOf(content))])) };
  } catch (error) {
    if (error instanceof ContentError) return { ok: false, output: error.problems.map((problem) => problem.message).join('\n') };
    throw error;
  }
}

/** In the preview, an email's page is its preview (frames, sizes, text part), not the web version `build` writes. */
const isEmailPage = (file: string) => /^email\/[^/]+\/index\.html$/.test(file);

/** The page as `build` writes it: without the preview's bar and the live-reload client. */
export function asBuilt(body: string): string {
  return body
    .replace(/<div id="castwright-preview-bar"[\s\S]*?<\/div>\n/g, '')
    .replace(new RegExp(`<script src="${CLIENT_PATH}" data-version="\\d+"></script>\\n`), '');
}

/**
 * What differs between what dev serves and the cold build (`gone`: files of an earlier build, which
 * must now answer 404); nothing once the last save is built.
 */
export async function differences(url: string, built: ReadonlyMap<string, Buffer>, gone: Iterable<string> = []): Promise<string[]> {
  const found: string[] = [];
  for (const [file, bytes] of built) {
    if (isEmailPage(file)) {
      // Its email preview stands in its place: served, for the same episode.
      if ((await fetch(new URL(file, url))).status !== 200) found.push(`${file}: no email preview`);
      continue;
    }
    const response = await fetch(new URL(file, url));
    if (response.status !== 200) {
      found.push(`${file}: ${response.status}`);
      continue;
    }
    const body = Buffer.from(await response.arrayBuffer());
    const same = file.endsWith('.html') && !file.startsWith('email/') ? asBuilt(body.toString('utf8')) === bytes.toString('utf8') : body.equals(bytes);
    if (!same) found.push(`${file}: not as a cold build makes it`);
  }
  for (const file of gone) if (!built.has(file) && (await fetch(new URL(file, url))).status !== 404) found.push(`${file}: still served`);
  return found;
}

/**
 * Waits until dev serves exactly what a cold build of the files as they are now makes (the build
 * must succeed); returns the built files. Throws with what still differs after SETTLE_MS.
 */
export async function servesColdBuild(dev: Pick<DevProcess, 'url' | 'output'>, root: string, gone: Iterable<string> = [], templatesDir?: string): Promise<Map<string, Buffer>> {
  const built = templatesDir ? await coldBuildWith(root, templatesDir) : await coldBuild(root);
  if (!built.ok) throw new Error(`the cold build failed:\n${built.output}`);
  let last: string[] = [];
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    last = await differences(dev.url, built.files, gone);
    if (last.length === 0) return built.files;
    if (Date.now() > deadline) throw new Error(`dev still differs from a cold build after ${SETTLE_MS} ms:\n${last.slice(0, 20).join('\n')}\n--- dev said:\n${dev.output().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface State {
  version: number;
  problems: string[];
  warnings: Array<{ text: string; severity: 'error' | 'warning' }>;
}

/** Reads dev's event stream (what open pages are told) until a state matches. */
export async function waitForState(url: string, matches: (state: State) => boolean, ms = SETTLE_MS): Promise<State> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    const response = await fetch(new URL(EVENTS_PATH, url), { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data && /^event: state$/m.test(event)) {
          const state = JSON.parse(data) as State;
          if (matches(state)) return state;
        }
      }
    }
    throw new Error('event stream ended');
  } catch (error) {
    if (controller.signal.aborted) throw new Error(`no such state within ${ms} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
