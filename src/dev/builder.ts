// Runs the preview's builds in a worker thread (dev/build-worker.ts), one at a time. The thread is
// kept between builds, so modules are loaded once; stopping a build ends the thread, and the next
// build starts a new one.
import { Worker } from 'node:worker_threads';
import { entryUrl, threadScript } from '../thread-script.ts';
import type { BuildOutcome, BuildRequest, BuiltFiles, WorkerData, WorkerMessage } from './build-worker.ts';

export type { BuildOutcome, BuildRequest, BuiltFiles, FileChanges } from './build-worker.ts';

export interface BuilderOptions {
  /** URL of the module whose `buildPreview` runs the builds (default: dev/preview). */
  previewModule?: string;
}

export interface Builder {
  /**
   * Runs one build; resolves `undefined` when it was stopped by `stop()` or `close()`. A good
   * build's files reach `onBuilt` first, before its check ends.
   */
  build(request: BuildRequest, onBuilt?: (built: BuiltFiles) => void): Promise<BuildOutcome | undefined>;
  /** Counts a save: the check of a build asked for before it stops at its next step (its findings would be stale). */
  countSave(): void;
  /** Stops the running build now, whatever it is doing (nothing when none is running). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

const WORKER_ENTRY = entryUrl('build-worker', import.meta.url);
const PREVIEW_MODULE = entryUrl('preview', import.meta.url);

interface Running {
  worker: Worker;
  ready: Promise<void>;
  pending?: (outcome: BuildOutcome | undefined) => void;
  onBuilt?: (built: BuiltFiles) => void;
}

export function startBuilder(options: BuilderOptions = {}): Builder {
  const saves = new SharedArrayBuffer(4);
  const savesSeen = new Int32Array(saves);
  const data: WorkerData = { previewModule: options.previewModule ?? PREVIEW_MODULE, saves };
  let current: Running | undefined;
  let closed = false;

  const start = (): Running => {
    // Without the parent's --import flags: the bootstrap registers what it needs, once.
    const worker = new Worker(threadScript(WORKER_ENTRY), { eval: true, workerData: data, execArgv: [] });
    const running: Running = { worker, ready: Promise.resolve() };
    running.ready = new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
    });
    worker.on('message', (message: WorkerMessage) => {
      if (message === 'ready') return;
      if ('built' in message) {
        if (running.pending) running.onBuilt?.(message.built);
        return;
      }
      const pending = running.pending;
      running.pending = undefined;
      running.onBuilt = undefined;
      pending?.(message.outcome);
    });
    // A thread that dies (out of memory, an error outside any build) fails its build and is replaced.
    const died = (reason: string) => {
      if (current === running) current = undefined;
      const pending = running.pending;
      running.pending = undefined;
      pending?.({ ok: false, buildMs: 0, problems: [{ file: 'castwright', message: `the build stopped unexpectedly (${reason}); save again to retry` }] });
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`its thread exited with code ${code}`));
    return running;
  };

  const end = async (running: Running | undefined) => {
    if (!running) return;
    if (current === running) current = undefined;
    const pending = running.pending;
    running.pending = undefined;
    await running.worker.terminate();
    pending?.(undefined);
  };

  return {
    async build(request, onBuilt) {
      if (closed) return undefined;
      current ??= start();
      const running = current;
      if (running.pending) throw new Error('one build at a time');
      const outcome = new Promise<BuildOutcome | undefined>((resolve) => (running.pending = resolve));
      running.onBuilt = onBuilt;
      // Waiting for "ready" first: a message posted before the entry listens would be lost.
      await Promise.race([running.ready, outcome]);
      if (running.pending) running.worker.postMessage({ ...request, saves: Atomics.load(savesSeen, 0) } satisfies BuildRequest);
      return outcome;
    },
    countSave: () => {
      Atomics.add(savesSeen, 0, 1);
      // Wakes a build thread waiting for a quiet moment to check (build-worker.ts).
      Atomics.notify(savesSeen, 0);
    },
    stop: () => (current?.pending ? end(current) : Promise.resolve()),
    async close() {
      closed = true;
      await end(current);
    },
  };
}
