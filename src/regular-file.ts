// Reading back a file castwright wrote for itself, which anyone may have replaced since.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The most castwright reads back of any file it wrote for itself (a cache pack, the output record,
 * audio.json and images.json, a code cache, a send ledger, a lock, the subscription store), decided
 * from its size before reading. A 1,000-episode show writes a largest cache pack of 0.5 MB (20 MB in
 * its 64 packs) and a 0.65 MB output record; a 100,000-episode show, about 50 and 65 MB. A ledger
 * or a subscription store holds a line of ~200 bytes a reader: this is over a million readers. Four
 * times the largest a show writes, the same as the cap on an earlier feed (MAX_OWN_FEED_BYTES):
 * anything larger was not written by castwright (a 600 MB sparse pack, read whole, took the build
 * to ~690 MB).
 */
export const MAX_STATE_BYTES = 256 * 1024 * 1024;

/** Something else than castwright's own file in its place: its `code` says what (EFTYPE, EFBIG). */
export interface NotOwnFile extends Error {
  code: 'EFTYPE' | 'EFBIG';
  /** EFTYPE: whether it is a folder (not a pipe, socket or device). */
  folder?: boolean;
  /** EFBIG: the file's size and the limit it passed. */
  size?: number;
  limit?: number;
}

function checked(file: string, info: { isFile(): boolean; isDirectory(): boolean; size: number }, limit: number): void {
  if (!info.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE', folder: info.isDirectory() });
  if (info.size > limit) throw tooLarge(file, info.size, limit);
}

const tooLarge = (file: string, size: number, limit: number) =>
  Object.assign(new Error(`${file} holds ${size} bytes, more than ${limit}`), { code: 'EFBIG', size, limit });

/** Bytes read first when fstat gives no size (a file of /proc says 0): grown as more come. */
const UNSIZED = 64 * 1024;

/**
 * Where a file opened and checked is read into, to its end and never past `limit`: fstat's size is
 * only where to start. readFileSync and FileHandle.readFile read a file that says 0 bytes (a file of
 * /proc or /sys, a file grown from empty) to its end, whatever its length, and take the size again
 * themselves, so a file grown since the check was read whole. One byte more than the limit is room
 * enough to see that the end is there; filling it is EFBIG.
 */
class Bounded {
  private buffer: Buffer;
  at = 0;

  constructor(
    private readonly file: string,
    size: number,
    private readonly limit: number,
  ) {
    this.buffer = Buffer.allocUnsafe(Math.min((size || UNSIZED) + 1, limit + 1));
  }

  /** Where the next read goes: grown when full, EFBIG past the limit. */
  room(): Buffer {
    if (this.at === this.buffer.length) {
      if (this.at > this.limit) throw tooLarge(this.file, this.at, this.limit);
      const larger = Buffer.allocUnsafe(Math.min(this.buffer.length * 2, this.limit + 1));
      this.buffer.copy(larger, 0, 0, this.at);
      this.buffer = larger;
    }
    return this.buffer;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}

/**
 * Opens a file castwright wrote for itself for reading; throws EFTYPE when it is anything but a
 * regular file, and EFBIG when it holds more than `limit` bytes. Opened without blocking, and
 * checked before it is read: a named pipe put in its place held the build forever, and a link to
 * /dev/zero read without end.
 */
export function openRegularFile(file: string, limit = MAX_STATE_BYTES): number {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    checked(file, fstatSync(fd), limit);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** The bytes of a file castwright wrote for itself (see openRegularFile). */
export function readRegularFile(file: string, limit = MAX_STATE_BYTES): Buffer {
  const fd = openRegularFile(file, limit);
  try {
    return readOpenedFile(file, fd, limit);
  } finally {
    closeSync(fd);
  }
}

/** The bytes of a file opened by openRegularFile, to its end and never more than `limit` (EFBIG). */
export function readOpenedFile(file: string, fd: number, limit = MAX_STATE_BYTES): Buffer {
  const bounded = new Bounded(file, fstatSync(fd).size, limit);
  for (let got = -1; got !== 0; bounded.at += got) {
    const into = bounded.room();
    got = readSync(fd, into, bounded.at, into.length - bounded.at, null);
  }
  return bounded.bytes();
}

/** readRegularFile for a server or a command that must not stop its other work while reading. */
export async function readRegularFileAsync(file: string, limit = MAX_STATE_BYTES): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    checked(file, info, limit);
    const bounded = new Bounded(file, info.size, limit);
    for (let got = -1; got !== 0; bounded.at += got) {
      const into = bounded.room();
      ({ bytesRead: got } = await handle.read(into, bounded.at, into.length - bounded.at, null));
    }
    return bounded.bytes();
  } finally {
    await handle.close();
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/**
 * What is wrong with a file refused by openRegularFile and what was expected, for a `file: …`
 * message of a reader that cannot ignore it (a ledger, the lists); undefined for any other error.
 */
export function refusedReason(error: unknown, expected: string): string | undefined {
  const { code, size, limit } = error as Partial<NotOwnFile>;
  if (code === 'EFTYPE') return `not a regular file (a named pipe, device or folder); expected ${expected}`;
  if (code === 'EFBIG') return `${mb(size!)}, more than castwright writes there (${mb(limit!)} at most); expected ${expected}`;
  return undefined;
}
