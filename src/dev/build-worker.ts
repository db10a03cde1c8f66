// The preview's builds run here, in a worker thread: however long a build takes, the preview
// server keeps answering, Ctrl+C is heard, and a build can be stopped by ending its thread.
// One request at a time; each answer is plain data (classes do not cross threads).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { chunksLength, isByteChunks, isSourceFile, type OutputContent, type SourceFile } from '../model/source-file.ts';
import { CheckStopped, checkPreview } from '../check/run.ts';
import { ContentError } from '../errors.ts';
import type { Problem } from '../problems.ts';
import type { buildPreview as BuildPreview, PreviewOptions } from './preview.ts';

export interface BuildRequest extends Omit<PreviewOptions, 'onScanned' | 'onNamedFiles' | 'now'> {
  /** What counts as the future, in ms since the epoch (default: the wall clock). */
  now?: number;
  /** The `id` of the files the asker holds: the answer is then only what changed since them. */
  have?: string;
  /** The saves counted when it was asked (WorkerData.saves): a later save stops its check. */
  saves?: number;
}

/**
 * A build's files as what changed since the files named `base` (every file when `base` is absent):
 * a save sends its own pages and the show's, not the whole site, across threads. `Content` is what
 * the build made (OutputContent: a feed in pieces) until movableChanges makes it what crosses.
 */
export interface FileChanges<Content = PreviewContent> {
  /** Names these files, for the next request's `have`. */
  id: string;
  base?: string;
  set: Array<[string, Content]>;
  removed: string[];
}

/**
 * A served file: UTF-8 bytes (a text or a feed's pieces joined: see movableChanges), or a file of
 * the content folder streamed from disk (dev/served-source.ts). A text only where the server is
 * given one directly (its tests).
 */
export type PreviewContent = string | Uint8Array | SourceFile;

/** Two byte sequences of the same length, piece by piece: mostly the very same pieces (a feed's cached items). */
function sameBytes(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  const cutAlike = a.length === b.length && a.every((chunk, index) => chunk.byteLength === b[index]!.byteLength);
  // Cut elsewhere: the whole compared (the same bytes may come in pieces of other lengths).
  if (!cutAlike) return Buffer.concat(a).equals(Buffer.concat(b));
  return a.every((chunk, index) => chunk === b[index] || Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).equals(b[index]!));
}

/** A file of the content folder is the same while its bytes are (a new reference is made per build); bytes in pieces, while their bytes are. */
function sameContent(a: OutputContent | undefined, b: OutputContent): boolean {
  if (a === b) return true;
  if (isSourceFile(a) || isSourceFile(b)) return isSourceFile(a) && isSourceFile(b) && a.source === b.source && a.sha256 === b.sha256 && a.size === b.size && a.mtimeMs === b.mtimeMs;
  if (!isByteChunks(a) || !isByteChunks(b) || chunksLength(a) !== chunksLength(b)) return false;
  return sameBytes(a.chunks, b.chunks);
}

/** Sent as soon as the files are ready, before the check: the page is served without waiting for it. */
export interface BuiltFiles {
  changes: FileChanges;
  episodes: number;
  warnings: Problem[];
  /** How long the files took, without the thread's start-up. */
  buildMs: number;
}

/**
 * `folders`: the content folders the scan read, absent when the build stopped before scanning;
 * `named`: the files the content names, wherever they are (PreviewOptions.onNamedFiles);
 * `buildMs`: the build itself, without the thread's start-up.
 */
export type BuildOutcome = { folders?: string[]; named?: string[]; buildMs: number } & (
  /** `checked`: false when a newer save stopped the check (its findings would be stale): `findings` is then empty. */
  | { ok: true; episodes: number; warnings: Problem[]; findings: Problem[]; checked: boolean }
  | { ok: false; problems: Problem[] }
);

export interface WorkerData {
  /** URL of the module whose `buildPreview` the builds run (the real one, or a test's stand-in). */
  previewModule: string;
  /** One Int32: the saves the asker has seen, counted up by it at each save, read here without waiting for a message. */
  saves: SharedArrayBuffer;
}

/** What a worker posts: `built` first (good builds only), then the outcome. */
export type WorkerMessage = 'ready' | { built: BuiltFiles } | { outcome: BuildOutcome };

/** The changes from `before` (held under `base`) to `after`; unchanged files cost one lookup each. */
export function diffFiles(before: ReadonlyMap<string, OutputContent> | undefined, base: string | undefined, after: ReadonlyMap<string, OutputContent>, id: string): FileChanges<OutputContent> {
  if (!before || base === undefined) return { id, set: [...after], removed: [] };
  const set: Array<[string, OutputContent]> = [];
  for (const [file, content] of after) if (!sameContent(before.get(file), content)) set.push([file, content]);
  const removed = [...before.keys()].filter((file) => !after.has(file));
  return { id, base, set, removed };
}

/**
 * The changes as they cross threads, and the buffers to move with the message: each text as its
 * UTF-8 bytes, and a feed's pieces joined into bytes of their own, each in a buffer of its own that
 * postMessage moves rather than copies. The server then holds a file in one byte a character where
 * a text holding any character past U+00FF (a dash, a curly quote: most pages) takes two, and no
 * copy of the whole site is made on the way: at 1,000 episodes the first build's files cost the
 * server ~185 MB as texts, plus as much again while the message was copied, against ~100 MB as
 * bytes. Encoding costs ~1 ms a megabyte, and a save sends only the files it changed.
 */
export function movableChanges(changes: FileChanges<OutputContent>): { changes: FileChanges; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const encoder = new TextEncoder();
  const set = changes.set.map(([file, content]): [string, PreviewContent] => {
    if (isByteChunks(content)) {
      // Into a buffer of its own (a Buffer may share a pool's): what is moved is exactly the file.
      const bytes = new Uint8Array(chunksLength(content));
      let at = 0;
      for (const chunk of content.chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
      transfer.push(bytes.buffer);
      return [file, bytes];
    }
    if (typeof content !== 'string') return [file, content];
    const bytes = encoder.encode(content);
    transfer.push(bytes.buffer as ArrayBuffer);
    return [file, bytes];
  });
  return { changes: { ...changes, set }, transfer };
}

/** Applies changes to the files they were made against (or replaces them all, for a full set). */
export function applyChanges(files: ReadonlyMap<string, PreviewContent> | undefined, changes: FileChanges): Map<string, PreviewContent> {
  const next = new Map(changes.base === undefined ? [] : files);
  for (const file of changes.removed) next.delete(file);
  for (const [file, content] of changes.set) next.set(file, content);
  return next;
}

/** Anything that goes wrong in a build is shown as a problem; the preview itself carries on. */
export function problemsOf(error: unknown): Problem[] {
  if (error instanceof ContentError) return error.problems;
  return [{ file: 'castwright', message: `unexpected error: ${(error as Error)?.message ?? String(error)}` }];
}

/** A full garbage collection: `gc`, which a thread can expose for itself (node:v8's documented way). */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** How long the preview stays without a save before its build is checked. */
const CHECK_AFTER_QUIET_MS = 1000;

if (parentPort) {
  const port = parentPort;
  const { previewModule } = workerData as WorkerData;
  const saves = new Int32Array((workerData as WorkerData).saves);
  const { buildPreview } = (await import(previewModule)) as { buildPreview: typeof BuildPreview };
  const collectGarbage = garbageCollector();
  // The files last sent, under their id: the next build sends only what differs from them.
  let sent: { id: string; files: Map<string, OutputContent> } | undefined;
  let builds = 0;
  port.on('message', async (request: BuildRequest) => {
    let folders: string[] | undefined;
    const onScanned = (read: readonly string[]) => void (folders = [...read]);
    let named: string[] | undefined;
    const onNamedFiles = (files: readonly string[]) => void (named = [...files]);
    let outcome: BuildOutcome;
    const started = performance.now();
    try {
      const now = request.now === undefined ? undefined : new Date(request.now);
      const { files, episodes, warnings, generated } = await buildPreview({ ...request, now, onScanned, onNamedFiles });
      const id = `${threadId}.${++builds}`;
      const base = sent && request.have === sent.id ? sent : undefined;
      const moved = movableChanges(diffFiles(base?.files, base?.id, files, id));
      sent = { id, files };
      const message: WorkerMessage = { built: { changes: moved.changes, episodes, warnings, buildMs: performance.now() - started } };
      port.postMessage(message, moved.transfer);
      const buildMs = performance.now() - started;
      // What `castwright check` would say of it (never the network), checked here beside the
      // build: what was loaded and rendered holds functions, which do not cross threads. The
      // files are served already; the findings follow. A save after this build was asked for makes
      // them stale: the check stops there, so the build of that save is not kept waiting.
      const checkpoint = () => {
        if (request.saves !== undefined && Atomics.load(saves, 0) !== request.saves) throw new CheckStopped();
      };
      try {
        // The check waits for a quiet moment first: saves often come in bursts (a save, then
        // another a moment later), and a step of the check (parsing the feed) cannot stop midway.
        // A save counted meanwhile wakes this thread at once (builder.countSave notifies).
        if (request.saves !== undefined) Atomics.wait(saves, 0, request.saves, CHECK_AFTER_QUIET_MS);
        checkpoint();
        const findings = await checkPreview(generated, { cwd: request.cwd ?? process.cwd(), contentDir: request.contentDir, templatesDir: request.templatesDir, checkpoint });
        outcome = { ok: true, folders, named, buildMs, episodes, warnings, findings, checked: true };
      } catch (error) {
        if (!(error instanceof CheckStopped)) throw error;
        outcome = { ok: true, folders, named, buildMs, episodes, warnings, findings: [], checked: false };
      }
    } catch (error) {
      outcome = { ok: false, folders, named, buildMs: performance.now() - started, problems: problemsOf(error) };
    }
    const message: WorkerMessage = { outcome };
    port.postMessage(message);
    // A check leaves hundreds of megabytes of garbage at 1,000 episodes (the feed parsed, every
    // digest linted), which V8 collects late: a few saves took the process from ~650 MB to ~1 GB.
    // Collected now (~100-250 ms on a loaded machine), in the quiet moment the check waited for,
    // unless a save came meanwhile (its build goes first, and its own check ends with this).
    if (outcome.ok && outcome.checked && Atomics.load(saves, 0) === request.saves) collectGarbage();
  });
  port.postMessage('ready');
}
