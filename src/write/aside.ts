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
//
// Render sees this file only as model/pieces.ts's SetAside, and what it set aside as SetAsideBytes
// (read back in batches by model/pieces.ts's AsidePieces).
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync, writevSync } from 'node:fs';
import type { SetAside, SetAsideBytes } from '../model/pieces.ts';

/** Bytes set aside: where they are in their file. */
export class AsideBytes implements SetAsideBytes {
  constructor(
    readonly file: AsideFile,
    readonly at: number,
    readonly byteLength: number,
  ) {}

  readInto(into: Uint8Array, offset: number): void {
    this.file.read(this, into, offset);
  }
}

/**
 * Bytes set aside wait in memory until about this many are there, then go to the file in one write:
 * one write a feed item was ~2,000 system calls on the main thread of a cold build of 1,000 episodes.
 */
const BATCH = 64 * 1024;

export class AsideFile implements SetAside {
  private fd: number | undefined;
  /** Bytes set aside so far, of which `written` are in the file and the rest in `pending`. */
  private size = 0;
  private written = 0;
  private pending: Uint8Array[] = [];
  /** Still to be removed at close (the system refused to remove it while open). */
  private named: boolean;

  /**
   * `failed` says which output a write or read of the file failed for (the render that sets bytes
   * aside knows no file: a full disk was "write failed (ENOSPC…)", naming nothing).
   */
  constructor(
    private readonly path: string,
    private readonly failed: (error: unknown) => Error = (error) => error as Error,
  ) {
    this.fd = openSync(path, 'wx+');
    try {
      unlinkSync(path);
      this.named = false;
    } catch {
      this.named = true;
    }
  }

  /**
   * Appends `bytes` to the file (they are kept, not copied, until written: they must not change);
   * what to read them back by.
   */
  put(bytes: Uint8Array): AsideBytes {
    this.descriptor();
    const at = this.size;
    this.pending.push(bytes);
    this.size += bytes.byteLength;
    if (this.size - this.written >= BATCH) this.failing(() => this.flush());
    return new AsideBytes(this, at, bytes.byteLength);
  }

  /**
   * Writes the bytes waiting in memory, as they are (one writev, not joined first: copying them into
   * one buffer was ~30-70 ms of a one-edit rebuild of 1,000 episodes); on an error they stay waiting.
   */
  private flush(): void {
    if (this.pending.length === 0) return;
    const fd = this.descriptor();
    const written = writevSync(fd, this.pending, this.written);
    // What the write left (a system may write less than asked), piece by piece.
    let at = this.written;
    for (const piece of this.pending) {
      for (let done = Math.max(0, Math.min(piece.byteLength, this.written + written - at)); done < piece.byteLength; ) {
        done += writeSync(fd, piece, done, piece.byteLength - done, at + done);
      }
      at += piece.byteLength;
    }
    this.written = this.size;
    this.pending = [];
  }

  /** Reads `bytes` (set aside in this file) into `into` at `offset`. */
  read(bytes: AsideBytes, into: Uint8Array, offset: number): void {
    this.failing(() => {
      // Bytes are read back once all are set aside (a feed is written last): what waits is written first.
      if (bytes.at + bytes.byteLength > this.written) this.flush();
      for (let done = 0; done < bytes.byteLength; ) {
        const read = readSync(this.descriptor(), into, offset + done, bytes.byteLength - done, bytes.at + done);
        if (read === 0) throw new Error('the file of bytes set aside for the output ended early');
        done += read;
      }
    });
  }

  private failing(run: () => void): void {
    try {
      run();
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** Closes (and removes) the file; what was set aside can no longer be read. Harmless when closed. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.pending = [];
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
