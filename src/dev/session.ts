// A preview session: build, serve, and rebuild on every save. Builds run in a worker thread
// (dev/builder.ts), so the server answers and Ctrl+C is heard however long a build takes. A failed
// rebuild leaves the last good build served and sends its problems to the terminal and to every
// open page; warnings, and what `castwright check` says of the build, go beside the preview
// without hiding it.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { scanContentFolder } from '../load/scan.ts';
import { formatProblem, type Problem } from '../problems.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { applyChanges, type PreviewContent } from './build-worker.ts';
import { startBuilder, type BuiltFiles } from './builder.ts';
import { restartAfterMs } from './restart.ts';
import { startServer, type ShownWarning } from './server.ts';
import { watchSources, type SourceWatcher } from './watch.ts';

export interface SessionOptions {
  contentDir: string;
  templatesDir?: string;
  host: string;
  port: number;
  cwd?: string;
  /** URL of the module whose `buildPreview` runs the builds (default: dev/preview). */
  previewModule?: string;
  /**
   * A save during a build that has run this long stops it and starts again from the new sources,
   * rather than waiting for a result that is already stale (default: dev/restart.ts, at least 2 s
   * and never sooner than a cold build in a new thread would take). 0 always starts again.
   */
  restartAfterMs?: number;
  /** Keep nothing between builds (`--no-cache`): every save parses and renders everything. */
  noCache?: boolean;
}

/**
 * `warnings`: the content's own; `findings`: what `castwright check` says of the build, unless a
 * newer save stopped the check (`checked: false`; the build of that save checks again).
 */
export type BuildReport =
  | { ok: true; episodes: number; warnings: Problem[]; findings: Problem[]; checked: boolean; ms: number }
  | { ok: false; problems: Problem[]; ms: number };

export interface Session {
  url: string;
  /** The first build, started with the session (the server answers before it ends). */
  firstBuild: Promise<BuildReport>;
  /** Rebuilds now; concurrent calls are coalesced into one more build after the running one. */
  rebuild(): Promise<BuildReport>;
  /** The content folders being watched: those the last scan read. */
  watchedFolders(): string[];
  close(): Promise<void>;
}

const shown = (problem: Problem): ShownWarning => ({ text: formatProblem(problem), severity: problem.severity ?? 'error' });

const STOPPED: BuildReport = { ok: false, problems: [{ file: 'castwright', message: 'the preview was stopped' }], ms: 0 };

export async function startSession(options: SessionOptions, onBuild: (report: BuildReport) => void = () => {}): Promise<Session> {
  const cwd = options.cwd ?? process.cwd();
  const templatesDir = options.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  // Read once at start: they must work before the first good build, when templates may be broken.
  const [waitingPage, client] = await Promise.all([
    readFile(path.join(templatesDir, 'dev', 'waiting.html'), 'utf8'),
    readFile(path.join(templatesDir, 'dev', 'client.js'), 'utf8'),
  ]);
  const server = await startServer({ host: options.host, port: options.port, waitingPage, client });
  const builder = startBuilder({ previewModule: options.previewModule });
  let closed = false;
  // How long the last build itself took (without the thread's start-up): the measure of "long".
  let lastBuildMs = 0;
  // What a build in a new thread took to its files (its start included): what stopping one costs.
  let coldMs: number | undefined;
  // Whether the next build runs in a new thread (the first, or the one after a stop).
  let freshThread = true;
  const restartAfter = () => options.restartAfterMs ?? restartAfterMs(lastBuildMs, coldMs);

  // The files served, and the id the build thread gave them: a build sends what changed since.
  let served: { id?: string; files?: ReadonlyMap<string, PreviewContent> } = {};
  // Shown beside the pages until the new build's check ends.
  let shownWarnings: ShownWarning[] = [];
  // The last check's findings: shown while a newer save's build is checked in its place.
  let lastFindings: Problem[] = [];
  const serve = (built: BuiltFiles) => {
    const { changes } = built;
    // How long builds take is known from the files, before the check ends (or is stopped).
    if (built.buildMs > 0) lastBuildMs = built.buildMs;
    // Changes against files other than those served (a thread that was replaced) are never applied.
    if (changes.base !== undefined && changes.base !== served.id) return;
    served = { id: changes.id, files: applyChanges(served.files, changes) };
    server.publish(served.files!, shownWarnings);
    if (running) running.served = true;
  };

  let watcher: SourceWatcher | undefined;
  // The paths the watcher reported since the last build was asked for; undefined: unknown (the
  // first build, a rebuild asked for without a save), so the next build reads everything.
  let changed: Set<string> | undefined;
  const buildOnce = async (): Promise<BuildReport | undefined> => {
    const started = performance.now();
    // What changed since the last build was asked for; a build stopped with its thread takes its
    // paths with it, and the new thread, knowing nothing, reads everything.
    const since = changed;
    changed = new Set();
    const request = { contentDir: options.contentDir, templatesDir, cwd, noCache: options.noCache, have: served.id, changed: since && [...since] };
    const fresh = freshThread;
    freshThread = false;
    const outcome = await builder.build(request, (built) => {
      if (fresh) coldMs = performance.now() - started;
      serve(built);
    });
    if (!outcome) return undefined;
    const ms = performance.now() - started;
    if (outcome.buildMs > 0) lastBuildMs = outcome.buildMs;
    let report: BuildReport;
    if (outcome.ok) {
      if (outcome.checked) lastFindings = outcome.findings;
      shownWarnings = [...outcome.warnings, ...lastFindings].map(shown);
      if (served.files) server.publish(served.files, shownWarnings);
      report = { ok: true, episodes: outcome.episodes, warnings: outcome.warnings, findings: outcome.findings, checked: outcome.checked, ms };
    } else {
      server.fail(outcome.problems.map(formatProblem));
      report = { ok: false, problems: outcome.problems, ms };
    }
    onBuild(report);
    // Folders the scan read for the first time (a new sub-folder) are watched from now on; what
    // changed in them before that is only seen by building once more.
    if (outcome.folders && !closed) {
      void watcher?.follow(outcome.folders).then((added) => {
        if (added && !closed) void rebuildFor(undefined);
      });
    }
    // The files the content names may lie outside those folders (in _media/, say): watched too,
    // from when the build is over. One renamed, removed or saved since the build read it (during
    // its check, say) was seen by no watcher: those newly watched are built once more.
    if (outcome.named && !closed) {
      watcher?.watchFiles(outcome.named).then(
        (added) => {
          if (added.length > 0 && !closed) void rebuildFor(added);
        },
        (error: unknown) => onBuild({ ok: false, problems: [{ file: 'castwright', message: `watching for changes failed: ${(error as Error).message}` }], ms: 0 }),
      );
    }
    return report;
  };

  // One build at a time; saves during a build ask for exactly one more afterwards, and stop the
  // running one when it has run long (a huge show, or a build that would never end).
  // A build whose files are served is only checking them: it is not stopped (its thread keeps what
  // the next save reuses); its check stops at its next step (builder.countSave), and the next build
  // follows at once.
  let running: { done: Promise<BuildReport | undefined>; started: number; served?: boolean } | undefined;
  let again: Promise<BuildReport> | undefined;
  /** Rebuilds for these changed paths (undefined: whatever may have changed). */
  const rebuildFor = (paths: readonly string[] | undefined): Promise<BuildReport> => {
    if (closed) return Promise.resolve(STOPPED);
    if (!paths) changed = undefined;
    else for (const file of paths) changed?.add(file);
    return rebuild();
  };
  const rebuild = (): Promise<BuildReport> => {
    if (closed) return Promise.resolve(STOPPED);
    if (running) {
      // Its check, if it has come to that, would judge files older than this save: it stops.
      builder.countSave();
      // A check that never ends is stopped all the same, after ten times as long.
      if (performance.now() - running.started >= restartAfter() * (running.served ? 10 : 1)) {
        freshThread = true;
        void builder.stop();
      }
      again ??= running.done.then(() => {
        again = undefined;
        return rebuild();
      });
      return again;
    }
    const done = buildOnce().finally(() => (running = undefined));
    running = { done, started: performance.now() };
    // A stopped build answers with the build that replaced it.
    return done.then((report) => report ?? again ?? STOPPED);
  };

  // Watching starts before the first build, so that a save made during it is not missed; the
  // folders come from a scan here (folder listings only, bounded like the build's own).
  watcher = await watchSources({
    contentDir: options.contentDir,
    folders: scanContentFolder(options.contentDir, cwd).folders,
    templatesDir,
    onChange: (paths) => void rebuildFor(paths),
    onError: (error) => onBuild({ ok: false, problems: [{ file: 'castwright', message: `watching for changes failed: ${error.message}` }], ms: 0 }),
  });
  const firstBuild = rebuild();
  return {
    url: server.url,
    firstBuild,
    rebuild: () => rebuildFor(undefined),
    watchedFolders: () => watcher?.watched() ?? [],
    async close() {
      closed = true;
      await builder.close();
      await watcher?.close();
      await server.close();
    },
  };
}
