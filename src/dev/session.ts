// A preview session: build, serve, and rebuild on every save. A failed rebuild leaves the last
// good build served and sends its problems to the terminal and to every open page.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, type Problem } from '../problems.ts';
import { ContentError } from '../errors.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { checkPreview } from '../check/run.ts';
import { buildPreview } from './preview.ts';
import { startServer } from './server.ts';
import { watchFolders } from './watch.ts';

export interface SessionOptions {
  contentDir: string;
  templatesDir?: string;
  host: string;
  port: number;
  cwd?: string;
}

export type BuildReport = { ok: true; episodes: number; ms: number; findings: Problem[] } | { ok: false; problems: Problem[]; ms: number };

export interface Session {
  url: string;
  /** Rebuilds now; concurrent calls are coalesced into one more build after the running one. */
  rebuild(): Promise<BuildReport>;
  close(): Promise<void>;
}

/** Anything that goes wrong in a build is shown as a problem; the session itself carries on. */
function problemsOf(error: unknown): Problem[] {
  if (error instanceof ContentError) return error.problems;
  return [{ file: 'castwright', message: `unexpected error: ${(error as Error).message ?? String(error)}` }];
}

export async function startSession(options: SessionOptions, onBuild: (report: BuildReport) => void = () => {}): Promise<Session> {
  const cwd = options.cwd ?? process.cwd();
  const templatesDir = options.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  // Read once at start: they must work before the first good build, when templates may be broken.
  const [waitingPage, client] = await Promise.all([
    readFile(path.join(templatesDir, 'dev', 'waiting.html'), 'utf8'),
    readFile(path.join(templatesDir, 'dev', 'client.js'), 'utf8'),
  ]);
  const server = await startServer({ host: options.host, port: options.port, waitingPage, client });

  const buildOnce = async (): Promise<BuildReport> => {
    const started = performance.now();
    try {
      const preview = await buildPreview({ contentDir: options.contentDir, templatesDir, cwd });
      // What `castwright check` would say of it, shown beside the preview; it never blocks it.
      const findings = await checkPreview(preview.generated, { cwd, contentDir: options.contentDir, templatesDir });
      server.publish(preview.files, findings.map((finding) => ({ text: formatProblem(finding), severity: finding.severity ?? 'error' })));
      return { ok: true, episodes: preview.episodes, ms: performance.now() - started, findings };
    } catch (error) {
      const problems = problemsOf(error);
      server.fail(problems.map(formatProblem));
      return { ok: false, problems, ms: performance.now() - started };
    }
  };

  // One build at a time; saves during a build ask for exactly one more afterwards.
  let running: Promise<BuildReport> | undefined;
  let again: Promise<BuildReport> | undefined;
  const rebuild = (): Promise<BuildReport> => {
    if (!running) {
      running = buildOnce().finally(() => (running = undefined));
      void running.then(onBuild);
      return running;
    }
    again ??= running.then(() => {
      again = undefined;
      return rebuild();
    });
    return again;
  };

  // Watching starts first, so that a save made during the first build is not missed.
  const watcher = await watchFolders(
    [options.contentDir, templatesDir],
    () => void rebuild(),
    (error) => onBuild({ ok: false, problems: [{ file: 'castwright', message: `watching for changes failed: ${error.message}` }], ms: 0 }),
  );
  await rebuild();
  return {
    url: server.url,
    rebuild,
    async close() {
      await watcher.close();
      await server.close();
    },
  };
}
