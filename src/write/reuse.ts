// Files a build has not changed are taken from the previous output rather than written again:
// hard-linked into the new output's work folder (copied where a link is refused: another file
// system, a file system without links), so an edit costs in proportion to what it changed. The
// atomic swap stays as it was: the new folder is complete before it takes the old one's place.
//
// What the previous build wrote is known from its record (one per output folder, kept in the build
// cache): each file's content hash and the size, modification time and inode it had when written.
// A file is reused only when its new content has the same hash and the live file still has the
// same size, time and inode, so a file edited or replaced in the output since is written afresh.
// A linked file shares its inode with the live output: nothing ever writes into a staged file in
// place (a path is either linked or written new, never both), and a replaced file gets a new inode.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, copyFileSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync, mkdirSync, type Stats } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../cache/fingerprint.ts';
import { readRegularFile } from '../regular-file.ts';
import type { ByteChunks, OutputContent, SourceFile } from '../model/source-file.ts';
import { chunksOf, isPieces, piecesLength, type AsidePieces } from '../model/pieces.ts';
import { HOST, isRunning } from './work-area.ts';

const RECORD_FORMAT = 'castwright-output-record-2';

interface Recorded {
  hash: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface OutputRecord {
  /** Where the record lives; written anew after each build of the folder. */
  file: string;
  /** The output folder it describes (its real path). */
  target: string;
  previous: Map<string, Recorded>;
  next: Map<string, Recorded>;
}

export { contentHash };

/**
 * The record of `target` in `file`, or an empty one when it is missing, damaged or of another folder.
 * Temporary files of this record that a killed build left are removed first (removeStaleTemporaries).
 */
export function readOutputRecord(file: string, target: string): OutputRecord {
  removeStaleTemporaries(file);
  const record: OutputRecord = { file, target, previous: new Map(), next: new Map() };
  try {
    const data = JSON.parse(readRegularFile(file).toString('utf8')) as { format?: unknown; target?: unknown; files?: unknown };
    if (data.format !== RECORD_FORMAT || data.target !== target || typeof data.files !== 'object' || data.files === null) return record;
    for (const [relative, entry] of Object.entries(data.files as Record<string, unknown>)) {
      if (!Array.isArray(entry) || entry.length !== 4) continue;
      const [hash, size, mtimeMs, ino] = entry as unknown[];
      if (typeof hash === 'string' && typeof size === 'number' && typeof mtimeMs === 'number' && typeof ino === 'number') {
        record.previous.set(relative, { hash, size, mtimeMs, ino });
      }
    }
  } catch {
    // No record (a first build) or one that cannot be read: every file is written.
  }
  return record;
}

const matches = (recorded: Recorded, stats: Stats | undefined) =>
  stats !== undefined && stats.isFile() && stats.size === recorded.size && stats.mtimeMs === recorded.mtimeMs && stats.ino === recorded.ino;

// A link refused for a reason a copy gets round: another file system, links not supported or too many.
export const COPY_INSTEAD = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/** An output file known by the hash of its content, read only when it cannot be linked (render/publication.ts's KeptFile). */
export interface KnownFile {
  hash: string;
  load(): string | Uint8Array;
}

/** What the write stage is given: any output content, or bytes in pieces some of which were set aside (write/aside.ts). */
export type WriteContent = OutputContent | AsidePieces;

/** What castwright writes itself: every output content but a file of the content folder. */
export type FileContent = Exclude<WriteContent, SourceFile>;

/**
 * Puts `content` at `file` (a path in the work folder), reusing the live output's `relative` when
 * the record shows it holds exactly this content. `occupied`: something is at `file` already (in
 * an earlier output taken over as the work folder); it is kept only when it is that very live file.
 * `hash`: the content hash of `content` (not bytes in pieces) when the caller took it already.
 */
export function placeFile(record: OutputRecord | undefined, relative: string, file: string, content: FileContent, occupied = false, hash?: string): void {
  if (isPieces(content)) {
    const pieces = openPieces(record, relative, file, occupied, hashFirst(record, relative, content));
    if (!pieces) return;
    for (const chunk of chunksOf(content)) pieces.write(chunk);
    pieces.end();
    return;
  }
  if (!record) {
    writeAnew(file, content, occupied);
    return;
  }
  // Encoded once, for the hash and the write (a feed of a large show is megabytes).
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  hash ??= contentHash(bytes);
  if (reuseLive(record, relative, file, hash, occupied)) return;
  writeAnew(file, bytes, occupied);
  remember(record, relative, hash, file);
}

/** As placeFile for a file known by its hash: its content is loaded only when the live output does not hold it. */
export function placeKnownFile(record: OutputRecord | undefined, relative: string, file: string, known: KnownFile, occupied = false): void {
  if (record && reuseLive(record, relative, file, known.hash, occupied)) return;
  placeFile(record, relative, file, known.load(), occupied);
}

/**
 * A new file, never written into an old one: what is at `file` may be a link to a live file (or be
 * gone already, when placeFile comes from placeKnownFile).
 */
function writeAnew(file: string, content: string | Uint8Array, occupied: boolean): void {
  if (occupied) rmSync(file, { force: true });
  writeFileSync(file, content, { flag: 'wx' });
}

/**
 * The hash of bytes in pieces, taken before they are written only when the live output may hold
 * them (the record has the path, of their very length); otherwise openPieces hashes them on the
 * way, if at all. A feed an edit changed is mostly of another length: it is then read back from
 * the aside file once (hashed as written), not twice (6 MB at 1,000 episodes).
 */
export const hashFirst = (record: OutputRecord | undefined, relative: string, content: ByteChunks | AsidePieces): string | undefined =>
  record?.previous.get(relative)?.size === piecesLength(content) ? contentHash(content) : undefined;

/** A file being written piece by piece: `end` once every piece is written. */
export interface Pieces {
  write(piece: Uint8Array): void;
  end(): void;
  /** Closes the file after an error (what was written is let go with the work folder). */
  abandon(): void;
}

/**
 * A file whose bytes come in pieces (ByteChunks, as given, or as the write thread receives them
 * through its ring), never joined: undefined when the live output holds them (`hash` given and
 * recorded there), else the file opened anew (never written into an old one, as writeAnew), its
 * bytes hashed on the way for the record when `hash` is not known.
 */
export function openPieces(record: OutputRecord | undefined, relative: string, file: string, occupied: boolean, hash: string | undefined): Pieces | undefined {
  if (record && hash !== undefined && reuseLive(record, relative, file, hash, occupied)) return undefined;
  if (occupied) rmSync(file, { force: true });
  const fd = openSync(file, 'wx');
  const hashing: Hash | undefined = record && hash === undefined ? createHash('sha256') : undefined;
  let open = true;
  const abandon = () => {
    if (!open) return;
    open = false;
    try {
      closeSync(fd);
    } catch {
      // The error that stopped the writing is the one to report.
    }
  };
  return {
    write(piece) {
      try {
        // A write may take less than asked (a full disk reports only on the next).
        for (let done = 0; done < piece.byteLength; ) done += writeSync(fd, piece, done, piece.byteLength - done);
      } catch (error) {
        abandon();
        throw error;
      }
      hashing?.update(piece);
    },
    end() {
      open = false;
      closeSync(fd);
      if (record) remember(record, relative, hash ?? hashing!.digest('hex'), file);
    },
    abandon,
  };
}

/** Links (or copies) the live output's `relative` to `file` when the record shows it holds content of `hash`. */
export function reuseLive(record: OutputRecord, relative: string, file: string, hash: string, occupied: boolean): boolean {
  const recorded = record.previous.get(relative);
  if (recorded?.hash !== hash) return false;
  if (occupied) {
    // The file the record names, linked here by an earlier build: nothing to do. Its inode number
    // is that file's (the link keeps it from being reused), and its size and time show it unchanged,
    // wherever the live output's path points now; so one look, not one at each.
    const there = lstatSync(file);
    if (matches(recorded, there)) {
      record.next.set(relative, recorded);
      return true;
    }
  }
  const live = path.join(record.target, ...relative.split('/'));
  const stats = lstatSync(live, { throwIfNoEntry: false });
  if (!matches(recorded, stats)) return false;
  if (occupied) rmSync(file, { force: true });
  try {
    linkSync(live, file);
  } catch (error) {
    if (!COPY_INSTEAD.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    // A reflink where the file system offers one, else a plain copy.
    copyFileSync(live, file, constants.COPYFILE_FICLONE);
    remember(record, relative, hash, file);
    return true;
  }
  // A link is the live file itself: the same size, time and inode as recorded.
  record.next.set(relative, recorded);
  return true;
}

export function remember(record: OutputRecord, relative: string, hash: string, file: string): void {
  const { size, mtimeMs, ino } = lstatSync(file);
  record.next.set(relative, { hash, size, mtimeMs, ino });
}

/** Saves what this build wrote, once its folder is the live output; replaced whole by rename. */
export function saveOutputRecord(record: OutputRecord): void {
  // A build that left every file as it was (a rebuild with nothing changed) has the record it read:
  // the file holds this very text already (~0.65 MB of JSON at 1,000 episodes, made and written again).
  if (sameAsRead(record)) return;
  mkdirSync(path.dirname(record.file), { recursive: true });
  const temp = temporaryFor(record.file);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    writeRecordText(fd, record);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, record.file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
}

/** `<record>.<host>-<pid>.tmp`: the record being written, named for the machine and process writing it (as work-area.ts's claims). */
const temporaryFor = (file: string) => `${file}.${HOST}-${process.pid}.tmp`;

/**
 * Removes the temporary files of the record `file` left by a build killed while writing it: those
 * naming a process of this machine that has ended (and, as earlier versions named them, a process
 * alone: judged on this machine). Never one of a build still running, nor one of another machine
 * sharing the disk; a file that cannot be removed is left for the next build.
 */
function removeStaleTemporaries(file: string): void {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(?:([0-9a-f]{8})-)?([1-9][0-9]*)\.tmp$/.exec(name.slice(prefix.length));
    if (!match || (match[1] !== undefined && match[1] !== HOST) || isRunning(Number(match[2]))) continue;
    try {
      rmSync(path.join(folder, name), { force: true });
    } catch {
      // Left for the next build.
    }
  }
}

/** Whether `next` is `previous`, entry for entry in the order the text lists them (writeRecordText's). */
function sameAsRead(record: OutputRecord): boolean {
  if (record.next.size !== record.previous.size || record.next.size === 0) return false;
  const read = record.previous.entries();
  for (const relative of listed(record.next)) {
    const [was, recorded] = read.next().value!;
    const now = record.next.get(relative)!;
    if (was !== relative || recorded.hash !== now.hash || recorded.size !== now.size || recorded.mtimeMs !== now.mtimeMs || recorded.ino !== now.ino) return false;
  }
  return true;
}

/** The record's paths as an object lists its keys: array indexes first, in numeric order, then the rest as set. */
function* listed(files: ReadonlyMap<string, unknown>): Generator<string> {
  yield* [...files.keys()].filter(isArrayIndex).sort((a, b) => Number(a) - Number(b));
  for (const relative of files.keys()) if (!isArrayIndex(relative)) yield relative;
}

/** What the record's text is written by: pieces of about this many characters. */
const RECORD_BATCH = 256 * 1024;

/** An array index (a key a JavaScript object lists first, in numeric order). */
const isArrayIndex = (key: string) => /^(?:0|[1-9][0-9]{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * The record as JSON.stringify({ format, target, files }) writes it, files being an object of
 * relative path → [hash, size, mtimeMs, ino] made in record.next's order, but written a piece at a
 * time: at 10,000 episodes the record has ~40,000 files (6.5 MB of JSON), and the object, its text
 * and that text's bytes came all at once at the end of the build, when the heap is at its highest.
 */
function writeRecordText(fd: number, record: OutputRecord): void {
  let batch = `{"format":${JSON.stringify(RECORD_FORMAT)},"target":${JSON.stringify(record.target)},"files":{`;
  let first = true;
  const entry = (relative: string, { hash, size, mtimeMs, ino }: Recorded) => {
    batch += `${first ? '' : ','}${JSON.stringify(relative)}:${JSON.stringify([hash, size, mtimeMs, ino])}`;
    first = false;
    if (batch.length >= RECORD_BATCH) {
      writeAll(fd, batch);
      batch = '';
    }
  };
  for (const relative of listed(record.next)) entry(relative, record.next.get(relative)!);
  writeAll(fd, `${batch}}}`);
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}
