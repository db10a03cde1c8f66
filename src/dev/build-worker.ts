// The preview's builds run here, in a worker thread: however long a build takes, the preview
// server keeps answering, Ctrl+C is heard, and a build can be stopped by ending its thread.
// One request at a time; each answer is plain data (classes do not cross threads).
import type { SourceFile } from '../model/source-file.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { checkPreview } from '../check/run.ts';
import { ContentError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import type { buildPreview as BuildPreview, PreviewOptions } from './preview.ts';

export interface BuildRequest extends Omit<PreviewOptions, 'onScanned' | 'now'> {
  /** What counts as the future, in ms since the epoch (default: the wall clock). */
  now?: number;
}

/**
 * `folders`: the content folders the scan read, absent when the build stopped before scanning;
 * `buildMs`: the build itself, without the thread's start-up.
 */
export type BuildOutcome = { folders?: string[]; buildMs: number } & (
  | { ok: true; files: Map<string, string | SourceFile>; episodes: number; warnings: Problem[]; findings: Problem[] }
  | { ok: false; problems: Problem[] }
);

export interface WorkerData {
  /** URL of the module whose `buildPreview` the builds run (the real one, or a test's stand-in). */
  previewModule: string;
}

/** Anything that goes wrong in a build is shown as a problem; the preview itself carries on. */
export function problemsOf(error: unknown): Problem[] {
  if (error instanceof ContentError) return error.problems;
  return [{ file: 'castwright', message: `unexpected error: ${(error as Error)?.message ?? String(error)}` }];
}

if (parentPort) {
  const port = parentPort;
  const { previewModule } = workerData as WorkerData;
  const { buildPreview } = (await import(previewModule)) as { buildPreview: typeof BuildPreview };
  port.on('message', async (request: BuildRequest) => {
    let folders: string[] | undefined;
    const onScanned = (read: readonly string[]) => void (folders = [...read]);
    let outcome: BuildOutcome;
    const started = performance.now();
    try {
      const now = request.now === undefined ? undefined : new Date(request.now);
      const { files, episodes, warnings, generated } = await buildPreview({ ...request, now, onScanned });
      // What `castwright check` would say of it (never the network), checked here beside the
      // build: what was loaded and rendered holds functions, which do not cross threads.
      const findings = await checkPreview(generated, { cwd: request.cwd ?? process.cwd(), contentDir: request.contentDir, templatesDir: request.templatesDir });
      outcome = { ok: true, folders, buildMs: performance.now() - started, files, episodes, warnings, findings };
    } catch (error) {
      outcome = { ok: false, folders, buildMs: performance.now() - started, problems: problemsOf(error) };
    }
    port.postMessage(outcome);
  });
  port.postMessage('ready');
}
