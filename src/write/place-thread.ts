// The thread of write/placer.ts: places the files the main thread hands over, in the order given,
// with the same synchronous calls the main thread would make. Its first error is sent back and
// everything after it is skipped, as is everything once the main thread asks it to stop.
import { mkdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { placeSource } from './place-source.ts';
import { BUSY_COPYING, plainError, SLOT, type ThreadData, type ThreadOp, type ThreadReply } from './placer.ts';
import { openPieces, placeFile, reuseLive, type OutputRecord, type Pieces } from './reuse.ts';

const { port, state, ring, target, previous } = workerData as ThreadData;
const shared = new Int32Array(state);
// From here on, no progress for the stall limit is a stall (placer.ts's reserve).
Atomics.store(shared, SLOT.started, 1);
const record: OutputRecord | undefined = previous && { file: '', target, previous: new Map(previous as never), next: new Map() };
/** The known files (PlaceOp.hash) it could not link: the main thread writes them. */
const unlinked: number[] = [];
let failed = false;
/** The file whose pieces are coming: how many are left, and where they go (nowhere: the live output's file was linked). */
let receiving: { left: number; into: Pieces | undefined } | undefined;

function place(op: ThreadOp): void {
  if ('piece' in op) {
    receiving!.into?.write(Buffer.from(ring, op.at, op.length));
    if (--receiving!.left === 0) endPieces();
    return;
  }
  if (op.folder !== undefined) mkdirSync(op.folder, { recursive: true });
  if (op.pieces !== undefined) {
    receiving = { left: op.pieces, into: openPieces(record, op.relative, op.file, op.occupied, op.sha256) };
    if (op.pieces === 0) endPieces();
  } else if (op.hash !== undefined) {
    if (!reuseLive(record!, op.relative, op.file, op.hash, op.occupied)) unlinked.push(op.seq);
  } else if (op.source) placeSource(record, op.relative, op.file, op.source, op.occupied);
  else placeFile(record, op.relative, op.file, op.bytes ?? Buffer.from(ring, op.at, op.length), op.occupied, op.sha256);
}

function endPieces(): void {
  const { into } = receiving!;
  receiving = undefined;
  into?.end();
}

/** A file left half written (an error, or the main thread asked to stop) is closed. */
function dropPieces(): void {
  receiving?.into?.abandon();
  receiving = undefined;
}

port.on('message', (ops: ThreadOp[] | 'end') => {
  if (ops === 'end') {
    if (!failed) port.postMessage({ next: record ? [...record.next] : [], unlinked } satisfies ThreadReply);
    parentPort!.postMessage('done');
    return;
  }
  for (const op of ops) run(op);
});

function run(op: ThreadOp): void {
  // Busy before looking at stop; the main thread sets stop before looking at busy (placer.ts's stop).
  // 2 while placing a content file: its copy may take minutes, and the main thread waits it out.
  Atomics.store(shared, SLOT.busy, 'source' in op && op.source ? BUSY_COPYING : 1);
  try {
    if (!failed && !Atomics.load(shared, SLOT.stop)) place(op);
    else dropPieces();
  } catch (error) {
    dropPieces();
    failed = true;
    port.postMessage({ error: plainError(error) } satisfies ThreadReply);
    Atomics.store(shared, SLOT.failed, 1);
  } finally {
    Atomics.store(shared, SLOT.busy, 0);
    Atomics.notify(shared, SLOT.busy);
    // Its bytes in the ring may be written over from now on.
    Atomics.store(shared, SLOT.consumed, op.end!);
    Atomics.notify(shared, SLOT.consumed);
  }
}
