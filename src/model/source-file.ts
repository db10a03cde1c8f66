// A file of the content folder published as it is (an audio file with `audio.copy`, a local image),
// carried through render and write by reference: its path and what it was when read. The write
// stage links or copies it, dev and serve stream it, publish uploads it; none reads it into memory,
// and each refuses it when the file on disk is no longer what was read (the feed's length and the
// cache's hash would describe other bytes).

export interface SourceFile {
  /** Absolute path of the file in the content folder. */
  source: string;
  size: number;
  mtimeMs: number;
  /** Hex SHA-256 of the bytes read. */
  sha256: string;
}

/** An output file's content: text castwright made, bytes, or a file of the content folder. */
export type OutputContent = string | Uint8Array | SourceFile;

export const isSourceFile = (content: unknown): content is SourceFile =>
  typeof content === 'object' && content !== null && !(content instanceof Uint8Array) && typeof (content as SourceFile).source === 'string';

/** A file published under `path` (relative to the output folder, `/`-separated). */
export interface CopiedFile {
  path: string;
  file: SourceFile;
}

/** Why `file` on disk is not the file that was read, or undefined when it still is (same size and time). */
export function sourceChange(file: SourceFile, now: { size: number; mtimeMs: number } | undefined): string | undefined {
  if (!now) return 'is gone';
  if (now.size !== file.size) return `was ${file.size} bytes when read and is ${now.size} now`;
  if (now.mtimeMs !== file.mtimeMs) return 'was changed after it was read';
  return undefined;
}

/** A file castwright rendered as text (the feed, a page, a digest); never one published by reference. */
export const textOf = (content: OutputContent | undefined): string => (typeof content === 'string' ? content : '');
