// One interface for every place a show is published, one small module per kind of target (as
// nodemailer has one per transport). A target puts and removes files and keeps castwright's record;
// what goes up when, and what the record says, is decided once for all in run.ts.
import type { Upload } from './plan.ts';
import type { TargetSpec } from './target-url.ts';

export interface ChangeSummary {
  /** Titles of the episodes this change adds, newest first. */
  added: string[];
  /** Slugs of the episodes it removes. */
  removed: string[];
  uploads: number;
  deletions: number;
}

export interface Target {
  /** The target as messages show it, without credentials. */
  readonly display: string;
  /** The record castwright keeps in the target, or undefined when there is none yet. */
  readRecord(): Promise<string | undefined>;
  /** Puts files, calling `done` for each as it lands. A failure may leave some of them put. */
  put(files: readonly Upload[], done: (path: string) => void): Promise<void>;
  /** Removes files castwright put there before; one already gone is no error. */
  remove(paths: readonly string[], done: (path: string) => void): Promise<void>;
  /** Writes the record as part of the change being made (it goes live with it). */
  writeRecord(text: string): Promise<void>;
  /** Makes the change live where a target gathers it (a folder swapped in, a commit pushed). */
  commit(change: ChangeSummary): Promise<string | undefined>;
  /** Rewrites the live record on its own, after a change or without one (notifications made). */
  updateRecord(text: string): Promise<void>;
  /** Whether a file put is visible at once (S3, rsync, a folder changed in place) or only at commit. */
  readonly changesAreLive: boolean;
  /** Frees what the target holds (temporary folders, connections); the change is not made live. */
  close(): Promise<void>;
}

export interface TargetContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Folders the target must never be or hold (the content and templates). */
  sources: string[];
}

/** Each kind's module is loaded only when used: the S3 SDK alone takes a good part of a second. */
export async function openTarget(spec: TargetSpec, context: TargetContext): Promise<Target> {
  switch (spec.kind) {
    case 'folder':
      return (await import('./targets/folder.ts')).openFolder(spec, context);
    case 'ssh':
    case 'rsync':
      return (await import('./targets/rsync.ts')).openRsync(spec, context);
    case 's3':
      return (await import('./targets/s3.ts')).openS3(spec, context);
    case 'git':
      return (await import('./targets/git.ts')).openGit(spec, context);
  }
}
