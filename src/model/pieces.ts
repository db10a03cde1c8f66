// Bytes in pieces, some of them perhaps set aside out of memory until the file they belong in is
// written (issue 9): a feed is its head, each episode's item and its end, and a large build keeps
// the items in a file of its work area meanwhile. Render only asks for somewhere to set bytes aside
// and gets back what can read them again (SetAside, SetAsideBytes): the file itself is the write
// stage's (write/aside.ts), so the flow stays load → render → write.
import { isByteChunks, type ByteChunks } from './source-file.ts';

/** Bytes set aside: they can be read back, as often as asked, while what holds them is open. */
export interface SetAsideBytes {
  readonly byteLength: number;
  /** Reads the bytes into `into` at `offset`. */
  readInto(into: Uint8Array, offset: number): void;
}

/** Where bytes can be set aside rather than held until they are written (write/aside.ts's AsideFile). */
export interface SetAside {
  put(bytes: Uint8Array): SetAsideBytes;
}

/** Bytes held, or set aside. */
export type Bytes = Uint8Array | SetAsideBytes;

/** What is read back at once: pieces set aside are read a batch of about this many bytes at a time. */
const BATCH = 1024 * 1024;

/**
 * Bytes in pieces as ByteChunks are, some of them set aside: their chunks are read back in order
 * each time they are taken (hashed, then written), a batch at a time, never all at once.
 */
export class AsidePieces {
  readonly byteLength: number;

  constructor(private readonly pieces: readonly Bytes[]) {
    this.byteLength = pieces.reduce((sum, piece) => sum + piece.byteLength, 0);
  }

  /**
   * The bytes in order: pieces held as they are, pieces set aside read back by the batch. With
   * `transient`, every batch is read into the same buffer, so a chunk read back is valid only until
   * the next is taken: for a caller that hashes or copies each chunk as it comes (chunksOf). A new
   * buffer a batch left the feeds' ~13 MB at 1,000 episodes (ten times that at 10,000) as garbage
   * outside the heap at the end of a cold build, when its memory peaks (issue 9).
   */
  *chunks({ transient = false } = {}): Generator<Uint8Array> {
    for (const { batch } of this.batches(transient)) yield batch;
  }

  /**
   * Each piece on its own, in order, read back as `chunks({ transient: true })` reads them: a piece
   * is valid only until the next is taken. For a caller that needs where each piece begins and ends
   * (the feed's items, check/live.ts's writtenFeedMemo) without reading the bytes twice.
   */
  *each(): Generator<Uint8Array> {
    for (const { batch, lengths } of this.batches(true)) {
      let offset = 0;
      for (const length of lengths) {
        yield batch.subarray(offset, offset + length);
        offset += length;
      }
    }
  }

  /** How many pieces there are. */
  get count(): number {
    return this.pieces.length;
  }

  /** The bytes in batches, each with the lengths of the pieces it is made of (a piece held of a batch or more is a batch alone). */
  private *batches(transient: boolean): Generator<{ batch: Uint8Array; lengths: number[] }> {
    let reused: Buffer | undefined;
    for (let index = 0; index < this.pieces.length; ) {
      const piece = this.pieces[index]!;
      if (piece instanceof Uint8Array && piece.byteLength >= BATCH) {
        yield { batch: piece, lengths: [piece.byteLength] };
        index++;
        continue;
      }
      // The run of pieces that starts here, up to a batch (at least one piece): pieces set aside, and
      // the small ones held between them copied in (feed.json's `,` between items made every item
      // a read and two writes of its own: ~3,000 system calls at 1,000 episodes).
      let end = index;
      let length = 0;
      for (let next = this.pieces[end]; next !== undefined && !(next instanceof Uint8Array && next.byteLength >= BATCH) && (end === index || length + next.byteLength <= BATCH); next = this.pieces[end]) {
        length += next.byteLength;
        end++;
      }
      if (transient && (!reused || reused.byteLength < length)) reused = Buffer.allocUnsafeSlow(Math.max(length, BATCH));
      const batch = transient ? reused!.subarray(0, length) : Buffer.allocUnsafe(length);
      const lengths: number[] = [];
      let offset = 0;
      for (; index < end; index++) {
        const next = this.pieces[index]!;
        if (next instanceof Uint8Array) batch.set(next, offset);
        else next.readInto(batch, offset);
        offset += next.byteLength;
        lengths.push(next.byteLength);
      }
      yield { batch, lengths };
    }
  }
}

/** Each piece of bytes in pieces on its own, in order; one read back is valid only until the next is taken (AsidePieces.each). */
export const eachPiece = (content: ByteChunks | AsidePieces): Iterable<Uint8Array> => (content instanceof AsidePieces ? content.each() : content.chunks);

/** How many pieces bytes in pieces are, of either kind. */
export const pieceCount = (content: ByteChunks | AsidePieces): number => (content instanceof AsidePieces ? content.count : content.chunks.length);

/** Bytes in pieces: ByteChunks when all are held, else AsidePieces. */
export function piecesOf(pieces: readonly Bytes[]): ByteChunks | AsidePieces {
  return pieces.every((piece): piece is Uint8Array => piece instanceof Uint8Array) ? { chunks: pieces } : new AsidePieces(pieces);
}

/**
 * The chunks of bytes in pieces, whichever kind, to be used each as it comes: a chunk read back
 * from pieces set aside is valid only until the next is taken (AsidePieces.chunks's `transient`).
 */
export const chunksOf = (content: ByteChunks | AsidePieces): Iterable<Uint8Array> => (content instanceof AsidePieces ? content.chunks({ transient: true }) : content.chunks);

/** Whether the content is bytes in pieces, of either kind. */
export const isPieces = (content: unknown): content is ByteChunks | AsidePieces => content instanceof AsidePieces || isByteChunks(content);

/** The length of bytes in pieces, of either kind. */
export const piecesLength = (content: ByteChunks | AsidePieces): number =>
  content instanceof AsidePieces ? content.byteLength : content.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);

/** Whether bytes in pieces are `bytes`, compared chunk by chunk (never joined). */
export function samePieces(content: ByteChunks | AsidePieces, bytes: Uint8Array): boolean {
  if (piecesLength(content) !== bytes.byteLength) return false;
  let at = 0;
  for (const chunk of chunksOf(content)) {
    if (Buffer.compare(chunk, bytes.subarray(at, at + chunk.byteLength)) !== 0) return false;
    at += chunk.byteLength;
  }
  return true;
}
