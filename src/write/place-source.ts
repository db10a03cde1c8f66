// A file of the content folder placed in the output (model/source-file.ts): hard-linked where the
// file system allows (no second copy of a 100 MB audio file), else copied (a reflink where offered).
// The live output's copy is reused as other files are when the record shows the same bytes. What
// is placed must be the file that was read: the feed states its length, so a file that changed
// since (another size or time) stops the build instead of publishing a length it no longer has.
import { constants, copyFileSync, linkSync, lstatSync, rmSync, statSync } from 'node:fs';
import { RunError } from '../errors.ts';
import { isSourceFile, sourceChange, type SourceFile } from '../model/source-file.ts';
import { COPY_INSTEAD, placeFile, remember, reuseLive, type OutputRecord, type WriteContent } from './reuse.ts';

/** The record's hash of a file placed by reference: its SHA-256, as the content hash of text is base64url. */
const recordHash = (file: SourceFile) => `sha256:${file.sha256}`;

export function placeSource(record: OutputRecord | undefined, relative: string, file: string, source: SourceFile, occupied = false): void {
  const hash = recordHash(source);
  if (record && reuseLive(record, relative, file, hash, occupied)) return;
  // What an adopted earlier output holds there is not reused: never write into an old file.
  if (occupied) rmSync(file, { force: true });
  const changed = sourceChange(source, statSync(source.source, { throwIfNoEntry: false }));
  if (changed) throw new SourceChangedError(source, changed);
  try {
    linkSync(source.source, file);
  } catch (error) {
    if (!COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    copyFileSync(source.source, file, constants.COPYFILE_FICLONE);
    // A copy made while the file was being rewritten holds neither version.
    const after = sourceChange(source, statSync(source.source, { throwIfNoEntry: false })) ?? (lstatSync(file).size === source.size ? undefined : 'changed while it was copied');
    if (after) throw new SourceChangedError(source, after);
  }
  if (record) remember(record, relative, hash, file);
}

/** The file is not what the build read: the run stops, the previous output stays. */
export class SourceChangedError extends RunError {
  constructor(file: SourceFile, why: string) {
    super(`${file.source} ${why}; expected the file as the build read it (build again once it is saved)`);
  }
}

/** Any output content in its place: a file of the content folder by reference, text or bytes written. */
export function placeContent(record: OutputRecord | undefined, relative: string, file: string, content: WriteContent, occupied = false): void {
  if (isSourceFile(content)) placeSource(record, relative, file, content, occupied);
  else placeFile(record, relative, file, content, occupied);
}
