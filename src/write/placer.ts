// Places the output's files in the work folder as they are added (write/atomic.ts). Past the first
// few hundred files the file system work moves to one worker thread (write/place-thread.ts): the
// main thread hands each file over and goes on rendering, and `finish` waits for the rest.
//
// Why a thread: a cold build of 1,000 episodes makes ~4,000 files and ~2,000 folders, and on ext4
// creating them is kernel time (inode allocation) that the main thread spent between renders while
// the second core could take it. Not libuv's pool: rendering is synchronous, so a write through it
// advances one step (open, write, close) each time the event loop turns, i.e. mostly after
// rendering, and thousands of small writes through the pool cost about twice the CPU. One thread
// making the same synchronous calls, fed in order, overlaps all of it. Measured on 2 cores shared
// with other work (paired cold builds of 1,000 episodes, medians before -> after; 8 pairs at load
// 4-5, then 6 at load ~2): the main thread's CPU 4.03 -> 3.65 s and 4.21 -> 3.62 s on ext4 (its
// sys 1.02 -> 0.42 s and 0.77 -> 0.42 s), 3.33 -> 2.96 s and 4.52 -> 4.28 s on tmpfs; wall on ext4
// 6.1 -> 6.6 s and 4.6 -> 4.2 s, on tmpfs 5.2 -> 4.9 s and 4.9 -> 4.9 s, within this machine's
// noise. The thread costs ~40 MB of peak memory (~284 -> ~330 MB) and ~50 ms to start. A rebuild
// that adopts the spare writes at commit (write/atomic.ts's writeTree) and does not use it.
//
// What the write stage promises still holds: ops run in the order they were added (a path added
// twice ends with the later content); the first error stops the thread, is thrown by the next
// `add` or by `finish`, and nothing is written after it; `stop` returns only once the thread has
// stopped touching the work folder, so it can be removed. Files are handed over through a ring of
// shared memory (RING bytes; the main thread waits when it is full, and a larger file waits for the
// ring to be empty; a file given in pieces, a feed, goes through it a megabyte at a time, never
// joined), so memory stays bounded whatever the show's size, and the thread writes from the ring
// without copying.
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { RunError } from '../errors.ts';
import { isSourceFile, type ByteChunks, type SourceFile } from '../model/source-file.ts';
import { chunksOf, isPieces, piecesLength, type AsidePieces } from '../model/pieces.ts';
import { entryUrl, threadScript } from '../thread-script.ts';
import { placeContent } from './place-source.ts';
import { contentHash, hashFirst, placeFile, placeKnownFile, type KnownFile, type OutputRecord, type WriteContent } from './reuse.ts';

const stalled = (ms: number) => new Error(`the thread writing the output made no progress for ${ms / 1000} s (it may have run out of memory); nothing of this build was put in place`);

/** Files placed on the main thread before the thread is started (its start costs ~40 ms, a small show never needs it). */
export const THREAD_FROM = 256;
/** The shared memory files are handed over in; a file larger than about half of it is posted alone (unless given in pieces). */
const RING = 4 * 1024 * 1024;
/**
 * Bytes in pieces (ByteChunks: a feed of tens of megabytes) go through the ring in pieces of this
 * size, never as one copy; several can be in the ring at once, so the thread writes one while the
 * next is filled.
 */
const PIECE = 1024 * 1024;
/** What an op counts in the ring besides its bytes, so that ops without bytes are bounded too. */
const OP_COST = 64;
/**
 * How long the main thread waits for the thread without it moving on before the build fails: a
 * thread that died without a word (out of memory) must not leave the build waiting for ever. One
 * file takes far less, even on a slow disk.
 */
const STALL_MS = 60_000;
/** Ops are posted by the batch (a message costs ~20 µs). */
const BATCH_OPS = 64;

/** Slots of the state shared with the thread. */
export const SLOT = { consumed: 0, failed: 1, stop: 2, busy: 3, started: 4 } as const;
/** SLOT.busy while the thread places a content file (a link, or a copy that may take minutes); 1 for any other op. */
export const BUSY_COPYING = 2;

/** Where an op's bytes are in the ring, and what the ring has consumed once it is done. */
interface RingSlot {
  at?: number;
  length?: number;
  /** What the ring has consumed once it is done (SLOT.consumed, counted modulo 2^32). */
  end?: number;
}

/**
 * One file for the thread to place: bytes, a content-folder file, (`hash`) a link to the live
 * output's file, or (`pieces`) a file whose bytes come in the PieceOps that follow.
 */
export interface PlaceOp extends RingSlot {
  seq: number;
  relative: string;
  file: string;
  /** A folder to make first. */
  folder?: string;
  occupied: boolean;
  /** Its bytes themselves, not in the ring (a file larger than half of it). */
  bytes?: string | Uint8Array;
  source?: SourceFile;
  hash?: string;
  /** How many PieceOps bring its bytes… */
  pieces?: number;
  /**
   * …and their hash, when taken first (write/reuse.ts's hashFirst); or the hash of a text given by
   * addText (taken from the ring as it was copied there).
   */
  sha256?: string;
}

/** The next piece of the file the last PlaceOp with `pieces` opened, in the ring. */
export interface PieceOp extends RingSlot {
  piece: true;
}

export type ThreadOp = PlaceOp | PieceOp;

export interface ThreadData {
  port: MessagePort;
  state: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  target: string;
  /** The record's previous files, when there is a record. */
  previous?: Array<[string, unknown]>;
}

/** An error as plain data (classes do not cross threads). */
interface PlainError {
  message: string;
  stack?: string;
  run?: boolean;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** What the thread says: its first error, or (after 'end') what it wrote and the links it could not make. */
export type ThreadReply = { error: PlainError } | { next: Array<[string, unknown]>; unlinked: number[] };

export function plainError(error: unknown): PlainError {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, errno, syscall, path, dest } = error as NodeJS.ErrnoException & { dest?: string };
  return { message: error.message, stack: error.stack, run: error instanceof RunError, code, errno, syscall, path, dest };
}

function fromPlain(plain: PlainError): Error {
  if (plain.run) return new RunError(plain.message);
  const error = Object.assign(new Error(plain.message), plain);
  delete (error as { run?: boolean }).run;
  return error;
}

export interface Placer {
  /** Places a file; a file added again at the same path replaces the earlier one. Throws the first error, its own or the thread's. */
  add(relative: string, content: WriteContent): void;
  /** Places a text as UTF-8 bytes, as add; gives back the content hash of those bytes (taken once, for the caller and the record). */
  addText(relative: string, text: string): string;
  addKnown(relative: string, known: KnownFile): void;
  /** How many paths were added. */
  readonly count: number;
  /** Waits until every file is in place and `record` says what was written; throws the first error. */
  finish(): Promise<void>;
  /** Stops the thread; once it returns nothing more is written. Harmless when there is none. */
  stop(): void;
}

/**
 * Places files at `locate(relative)` in `staging`, recording them in `record` (write/reuse.ts).
 * `threadFrom`: how many files are placed here before the thread takes over.
 */
export function openPlacer(staging: string, record: OutputRecord | undefined, locate: (relative: string) => string, threadFrom = THREAD_FROM, stallMs = STALL_MS): Placer {
  const placed = new Set<string>();
  const folders = new Set<string>();
  let thread: Thread | undefined;
  let seq = 0;
  // Links the thread was asked to make, by path: when it cannot (the live file changed), the content is loaded and written at the end.
  const linking = new Map<string, { seq: number; known: KnownFile }>();

  /** The path in the work folder, its folder if not made yet, and whether a file was put there already. */
  const prepare = (relative: string) => {
    const file = locate(relative);
    const folder = path.dirname(file);
    const made = folders.has(folder);
    folders.add(folder);
    const occupied = placed.has(relative);
    placed.add(relative);
    linking.delete(relative);
    if (!thread && placed.size > threadFrom) thread = new Thread(staging, record, stallMs);
    return { relative, file, occupied, ...(made ? {} : { folder }) };
  };
  const makeFolder = (folder: string | undefined) => folder !== undefined && mkdirSync(folder, { recursive: true });

  return {
    add(relative, content) {
      const at = prepare(relative);
      if (thread) {
        if (isSourceFile(content)) thread.place({ ...at, seq: ++seq, source: content });
        else if (isPieces(content)) thread.placePieces({ ...at, seq: ++seq }, content, hashFirst(record, relative, content));
        else thread.place({ ...at, seq: ++seq }, content);
        return;
      }
      makeFolder(at.folder);
      placeContent(record, relative, at.file, content, at.occupied);
    },
    addText(relative, text) {
      const at = prepare(relative);
      if (thread) return thread.placeText({ ...at, seq: ++seq }, text);
      makeFolder(at.folder);
      const bytes = Buffer.from(text);
      const hash = contentHash(bytes);
      placeFile(record, relative, at.file, bytes, at.occupied, hash);
      return hash;
    },
    addKnown(relative, known) {
      const at = prepare(relative);
      if (!thread) {
        makeFolder(at.folder);
        placeKnownFile(record, relative, at.file, known, at.occupied);
      } else if (record?.previous.get(relative)?.hash === known.hash) {
        linking.set(relative, { seq: ++seq, known });
        thread.place({ ...at, seq, hash: known.hash });
      } else {
        thread.place({ ...at, seq: ++seq }, known.load());
      }
    },
    get count() {
      return placed.size;
    },
    async finish() {
      if (!thread) return;
      const { next, unlinked } = await thread.finish();
      thread = undefined;
      for (const [relative, recorded] of next) record?.next.set(relative, recorded as never);
      const bySeq = new Map([...linking].map(([relative, { seq, known }]) => [seq, { relative, known }]));
      for (const seq of unlinked) {
        const link = bySeq.get(seq);
        if (!link) continue;
        const file = locate(link.relative);
        placeFile(record, link.relative, file, link.known.load(), lstatSync(file, { throwIfNoEntry: false }) !== undefined);
      }
    },
    stop() {
      thread?.stop();
      thread = undefined;
    },
  };
}

/** The writing thread, seen from the main thread. */
class Thread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly shared: Int32Array;
  private readonly ring: Buffer;
  /** Bytes counted into the ring (modulo 2^32, as SLOT.consumed), and where the next go. */
  private produced = 0;
  private position = 0;
  /** Ops not posted yet, and the buffers they move. */
  private batch: ThreadOp[] = [];
  private moved: ArrayBuffer[] = [];
  private error: Error | undefined;
  /** Settles when the thread has ended. */
  private readonly ended: Promise<unknown>;

  constructor(
    staging: string,
    record: OutputRecord | undefined,
    private readonly stallMs: number,
  ) {
    const state = new SharedArrayBuffer(4 * Object.keys(SLOT).length);
    this.shared = new Int32Array(state);
    const ring = new SharedArrayBuffer(RING);
    this.ring = Buffer.from(ring);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: ThreadData = { port: port2, state, ring, target: record?.target ?? staging, ...(record ? { previous: [...record.previous] } : {}) };
    // A thread that cannot even load says so as it would say a write error.
    const failed = `
      const { workerData } = await import('node:worker_threads');
      workerData.port.postMessage({ error: { message: String(error && error.stack || error) } });
      const shared = new Int32Array(workerData.state);
      Atomics.store(shared, ${SLOT.failed}, 1);
      Atomics.notify(shared, ${SLOT.consumed});`;
    this.worker = new Worker(threadScript(entryUrl('place-thread', import.meta.url), failed), { eval: true, workerData: data, transferList: [port2], execArgv: [] });
    // Its errors are read from the port; an 'error' event (a bug in it) must not end the process.
    this.worker.on('error', () => {});
    this.ended = new Promise((resolve) => this.worker.once('exit', resolve));
  }

  /** Hands an op over, with `content` to write (copied into the ring). */
  place(op: PlaceOp, content?: string | Uint8Array): void {
    this.throwFailure();
    const length = content === undefined ? 0 : typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
    // Alone past half the ring, less an op's cost: a file that does not fit before the ring's end
    // starts over at 0, skipping less than its own length, so skipped + length + OP_COST stays
    // within the ring (a reservation larger than the ring would wait for room it never has).
    if (length > RING / 2 - OP_COST) {
      // Alone: once the ring is empty, and counted as filling it.
      this.reserve(RING);
      if (typeof content === 'string') op.bytes = content;
      else {
        // Bytes of its own to move: a view into a larger buffer (a cache pack) would take all of it along.
        op.bytes = new Uint8Array(content!);
        this.moved.push(op.bytes.buffer as ArrayBuffer);
      }
      this.push(op);
    } else {
      this.inRing(op, length, (at) => {
        if (typeof content === 'string') this.ring.write(content, at);
        else if (content) this.ring.set(content, at);
      });
    }
  }

  /**
   * Hands over a text, encoded as UTF-8 straight into the ring (no Buffer of its own) and hashed
   * there: its hash goes with the op, so the thread does not hash it again, and is given back.
   */
  placeText(op: PlaceOp, text: string): string {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a pair of surrogates, 4 for 2): room for that
    // much is waited for, the text encoded there in one pass and only what it took counted, with
    // no Buffer.byteLength pass over it first (~75 ms of a cold 1,000-episode build).
    const most = text.length * 3;
    if (most > RING / 2 - OP_COST) {
      const length = Buffer.byteLength(text);
      if (length > RING / 2 - OP_COST) {
        op.sha256 = contentHash(text);
        this.place(op, text);
        return op.sha256;
      }
      this.throwFailure();
      this.inRing(op, length, (at) => {
        this.ring.write(text, at, length);
        op.sha256 = contentHash(this.ring.subarray(at, at + length));
      });
      return op.sha256!;
    }
    this.throwFailure();
    const skipped = this.position + most > RING ? RING - this.position : 0;
    this.waitForRoom(skipped + most + OP_COST);
    const at = skipped ? 0 : this.position;
    // All of it fits before the ring's end: write() stops there only for a text longer than `most`.
    const length = this.ring.write(text, at);
    this.produced = (this.produced + skipped + length + OP_COST) | 0;
    op.at = at;
    op.length = length;
    op.sha256 = contentHash(this.ring.subarray(at, at + length));
    this.position = (at + length) % RING;
    this.push(op);
    return op.sha256;
  }

  /**
   * Hands over a file of bytes in pieces, never joined: an op that opens it, then its bytes in
   * PieceOps of PIECE bytes (the last one less), each filled in the ring from the chunks in order,
   * many small ones together or a large one cut. `hash`: what hashFirst gave.
   */
  placePieces(op: PlaceOp, content: ByteChunks | AsidePieces, hash: string | undefined): void {
    let left = piecesLength(content);
    this.place({ ...op, pieces: Math.ceil(left / PIECE), ...(hash === undefined ? {} : { sha256: hash }) });
    // The next byte to copy: `chunk` at offset (chunks set aside are read back as they are taken).
    const chunks = chunksOf(content)[Symbol.iterator]();
    let chunk: Uint8Array = new Uint8Array(0);
    let offset = 0;
    while (left > 0) {
      const length = Math.min(PIECE, left);
      left -= length;
      this.throwFailure();
      this.inRing({ piece: true }, length, (at) => {
        for (let filled = 0; filled < length; ) {
          while (offset === chunk.byteLength) {
            const next = chunks.next();
            if (next.done) throw new Error('bytes in pieces ended before their length');
            [chunk, offset] = [next.value, 0];
          }
          const taken = Math.min(chunk.byteLength - offset, length - filled);
          this.ring.set(chunk.subarray(offset, offset + taken), at + filled);
          filled += taken;
          offset += taken;
        }
      });
    }
  }

  /** Counts `length` bytes of the ring for `op`, in one stretch, has `fill` copy them there, and hands the op over. */
  private inRing(op: ThreadOp, length: number, fill: (at: number) => void): void {
    // Contiguous: what is left at the end of the ring is skipped when the bytes do not fit there.
    const skipped = this.position + length > RING ? RING - this.position : 0;
    this.reserve(skipped + length + OP_COST);
    op.at = skipped ? 0 : this.position;
    op.length = length;
    fill(op.at);
    this.position = (op.at + length) % RING;
    this.push(op);
  }

  private push(op: ThreadOp): void {
    op.end = this.produced;
    this.batch.push(op);
    if (this.batch.length >= BATCH_OPS) this.post();
  }

  /** Counts `size` more bytes into the ring, once the thread has consumed enough (the batch is posted first: it waits for it). */
  private reserve(size: number): void {
    this.waitForRoom(size);
    this.produced = (this.produced + size) | 0;
  }

  /** Waits until the ring has room for `size` bytes, counting none of them. */
  private waitForRoom(size: number): void {
    const room = () => RING - ((this.produced - Atomics.load(this.shared, SLOT.consumed)) | 0);
    if (room() < size) this.post();
    let since = Date.now();
    for (let left = room(), before = left; left < size; left = room()) {
      Atomics.wait(this.shared, SLOT.consumed, (this.produced - RING + left) | 0, 1000);
      this.throwFailure();
      // Copying a content file (SLOT.busy 2) is progress however long it takes: a video of gigabytes
      // on another disk may take minutes, and the copy is a system call that allocates no memory.
      if (room() !== before || Atomics.load(this.shared, SLOT.busy) === BUSY_COPYING) [before, since] = [room(), Date.now()];
      // A thread still starting (its module loading on a loaded machine) has the whole STALL_MS.
      else if (Date.now() - since >= (Atomics.load(this.shared, SLOT.started) ? this.stallMs : Math.max(this.stallMs, STALL_MS))) throw stalled(this.stallMs);
    }
  }

  /** Hands the batch over. */
  private post(): void {
    if (this.batch.length === 0) return;
    this.port.postMessage(this.batch, this.moved);
    this.batch = [];
    this.moved = [];
  }

  /** Throws the thread's error, once it has one. */
  private throwFailure(): void {
    if (!Atomics.load(this.shared, SLOT.failed)) return;
    for (let message = receiveMessageOnPort(this.port); !this.error && message; message = receiveMessageOnPort(this.port)) {
      const reply = message.message as ThreadReply;
      if ('error' in reply) this.error = fromPlain(reply.error);
    }
    throw (this.error ??= new Error('the thread writing the output stopped'));
  }

  async finish(): Promise<{ next: Array<[string, unknown]>; unlinked: number[] }> {
    this.post();
    this.port.postMessage('end');
    // It answers on the port, then says so (or it ended: it could not load).
    await Promise.race([new Promise((resolve) => this.worker.once('message', resolve)), this.ended]);
    this.throwFailure();
    const done = receiveMessageOnPort(this.port)?.message as ThreadReply | undefined;
    this.stop();
    if (!done || !('next' in done)) throw new Error('the thread writing the output stopped before it was done');
    return done;
  }

  /** Once it returns the thread writes nothing more: it skips what is left and ends. */
  stop(): void {
    if (Atomics.load(this.shared, SLOT.stop)) return;
    Atomics.store(this.shared, SLOT.stop, 1);
    // A thread busy this long is not coming back (see STALL_MS): ended rather than waited for.
    const until = Date.now() + STALL_MS;
    for (let busy = Atomics.load(this.shared, SLOT.busy); busy !== 0 && Date.now() < until; busy = Atomics.load(this.shared, SLOT.busy)) Atomics.wait(this.shared, SLOT.busy, busy, 1000);
    void this.worker.terminate();
  }
}
