// What an upload carries: bytes castwright rendered, or a file of the content folder by reference
// (an audio file with `audio.copy`), which goes up from disk, never read whole into memory, and
// only while it is still the file the build read (the feed states its length).
import { constants, createReadStream, type ReadStream } from 'node:fs';
import { copyFile, stat, writeFile } from 'node:fs/promises';
import { RunError } from '../errors.ts';
import { isSourceFile, sourceChange, type SourceFile } from '../model/source-file.ts';

export type UploadBody = Uint8Array | SourceFile;

async function checkUnchanged(file: SourceFile): Promise<void> {
  const why = sourceChange(file, await stat(file.source).catch(() => undefined));
  if (why) throw new RunError(`${file.source} ${why}; expected the file as the build read it (publish again once it is saved)`);
}

/** Writes the body at `to` (copied, a reflink where the file system offers one, when it is a file by reference). */
export async function writeBody(to: string, body: UploadBody | string): Promise<void> {
  if (!isSourceFile(body)) return writeFile(to, body);
  await checkUnchanged(body);
  await copyFile(body.source, to, constants.COPYFILE_FICLONE);
  // A copy taken while the file was being rewritten holds neither version.
  await checkUnchanged(body);
}

/** The body as an HTTP client sends it, with its length (a stream needs it said). */
export async function bodyStream(body: UploadBody): Promise<{ body: Uint8Array | ReadStream; length: number }> {
  if (!isSourceFile(body)) return { body, length: body.length };
  await checkUnchanged(body);
  return { body: createReadStream(body.source, { end: body.size - 1 }), length: body.size };
}
