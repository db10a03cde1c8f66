// Bytes set aside in a file of the output's work area while a build renders, and read back a batch
// at a time when the file they belong in is written: the feeds' items (issue 9). A feed is written
// only once every episode is rendered, and its items (one per episode in feed.xml and in
// feed.json, ~16 KB together) were held in memory until then: ~160 MB at 10,000 episodes. Set
// aside, a cold build of 10,000 episodes holds none of them; what is read back is let go once it
// is in the ring of the writing thread (write/placer.ts) or written.
//
// The file is removed as soon as it is opened where the system allows it (its bytes stay readable
// through the descriptor and go with it, whatever ends the process), else when the work area is
// released, or by the next build (write/work-area.ts's removeStaleWorkAreas).
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { isByteChunks, type ByteChunks } from '../model/source-file.ts';

/** Bytes set aside: where they are in their file. */
export class AsideBytes {
  constructor(
    readonly file: AsideFile,
    readonly at: number,
    readonly byteLength: number,
  ) {}
}

/** Bytes held, or set aside. */
export type Bytes = Uint8Array | AsideBytes;

/** What is read back at once: items are read a batch of about this many bytes at a time. */
const BATCH = 1024 * 1024;

export class AsideFile {
  private fd: number | undefined;
  private size = 0;
  /** Still to be removed at close (the system refused to remove it while open). */
  private named: boolean;

  constructor(private readonly path: string) {
    this.fd = openSync(path, 'wx+');
    try {
      unlinkSync(path);
      this.named = false;
    } catch {
      this.named = true;
    }
  }

  /** Appends `bytes` to the file; what to read them back by. */
  put(bytes: Uint8Array): AsideBytes {
    const at = this.size;
    for (let done = 0; done < bytes.byteLength; ) done += writeSync(this.descriptor(), bytes, done, bytes.byteLength - done, at + done);
    this.size += bytes.byteLength;
    return new AsideBytes(this, at, bytes.byteLength);
  }

  /** Reads `bytes` (set aside in this file) into `into` at `offset`. */
  read(bytes: AsideBytes, into: Uint8Array, offset: number): void {
    for (let done = 0; done < bytes.byteLength; ) {
      const read = readSync(this.descriptor(), into, offset + done, bytes.byteLength - done, bytes.at + done);
      if (read === 0) throw new Error('the file of bytes set aside for the output ended early');
      done += read;
    }
  }

  /** Closes (and removes) the file; what was set aside can no longer be read. Harmless when closed. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } finally {
      if (this.named) rmSync(this.path, { force: true });
    }
  }

  private descriptor(): number {
    if (this.fd === undefined) throw new Error('the file of bytes set aside for the output is closed');
    return this.fd;
  }
}

/**
 * Bytes in pieces as ByteChunks are, some of them set aside: their chunks are read back in order
 * each time they are taken (hashed, then written), a batch at a time, never all at once.
 */
export class AsidePieces {
  readonly byteLength: number;

  constructor(private readonly pieces: readonly Bytes[]) {
    this.byteLength = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  }

  /** The bytes in order: pieces held as they are, pieces set aside read back by the batch. */
  *chunks(): Generator<Uint8Array> {
    for (let index = 0; index < this.pieces.length; ) {
      const piece = this.pieces[index]!;
      if (piece instanceof Uint8Array) {
        yield piece;
        index++;
        continue;
      }
      // The run of pieces set aside that starts here, up to a batch (at least one piece).
      let end = index;
      let length = 0;
      for (let next = this.pieces[end]; next instanceof AsideBytes && (end === index || length + next.byteLength <= BATCH); next = this.pieces[end]) {
        length += next.byteLength;
        end++;
      }
      const batch = Buffer.allocUnsafe(length);
      let offset = 0;
      for (; index < end; index++) {
        const aside = this.pieces[index] as AsideBytes;
        aside.file.read(aside, batch, offset);
        offset += aside.byteLength;
      }
      yield batch;
    }
  }
}

/** Bytes in pieces: ByteChunks when all are held, else AsidePieces. */
export function piecesOf(pieces: readonly Bytes[]): ByteChunks | AsidePieces {
  return pieces.every((piece): piece is Uint8Array => piece instanceof Uint8Array) ? { chunks: pieces } : new AsidePieces(pieces);
}

/** The chunks of bytes in pieces, whichever kind. */
export const chunksOf = (content: ByteChunks | AsidePieces): Iterable<Uint8Array> => (content instanceof AsidePieces ? content.chunks() : content.chunks);

/** Whether the content is bytes in pieces, of either kind. */
export const isPieces = (content: unknown): content is ByteChunks | AsidePieces => content instanceof AsidePieces || isByteChunks(content);

/** The length of bytes in pieces, of either kind. */
export const piecesLength = (content: ByteChunks | AsidePieces): number =>
  content instanceof AsidePieces ? content.byteLength : content.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
