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

/**
 * Bytes given as pieces, in order, never joined: a feed is its head, each episode's item as the
 * cache holds it, and its end. Joined, the feed of a large show would be a second copy of its items
 * (tens of megabytes) made while they are still held (issue 9); each consumer takes the pieces as
 * they are (written one after the other, hashed in order), or joins them where it needs text.
 */
export interface ByteChunks {
  chunks: readonly Uint8Array[];
}

/** An output file's content: text castwright made, bytes, bytes in pieces, or a file of the content folder. */
export type OutputContent = string | Uint8Array | ByteChunks | SourceFile;

export const isSourceFile = (content: unknown): content is SourceFile =>
  typeof content === 'object' && content !== null && !(content instanceof Uint8Array) && typeof (content as SourceFile).source === 'string';

export const isByteChunks = (content: unknown): content is ByteChunks =>
  typeof content === 'object' && content !== null && !(content instanceof Uint8Array) && Array.isArray((content as ByteChunks).chunks);

/** How many bytes the pieces hold. */
export const chunksLength = ({ chunks }: ByteChunks): number => chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);

/** The pieces as one text; a BOM kept, as Buffer's toString keeps it. */
export function chunksText({ chunks }: ByteChunks): string {
  // Joined, then decoded at once: decoding a thousand items one by one into a string built piece by
  // piece made a dev save ~150 ms slower (1,000 episodes). A character cut between two pieces is whole again.
  return Buffer.concat(chunks).toString('utf8');
}

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

/** A file castwright rendered, as text (the feed, a page, a digest); '' for one published by reference (or none). */
export function textOf(content: OutputContent | undefined): string {
  if (typeof content === 'string') return content;
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString();
  return isByteChunks(content) ? chunksText(content) : '';
}

/** A file castwright rendered, as UTF-8 bytes (its pieces joined); empty for one published by reference (or none). */
export function bytesOf(content: OutputContent | undefined): Buffer {
  if (typeof content === 'string') return Buffer.from(content);
  if (content instanceof Uint8Array) return Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  return isByteChunks(content) ? Buffer.concat(content.chunks) : Buffer.alloc(0);
}
