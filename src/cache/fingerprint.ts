// What a cached result depends on besides its inputs: castwright itself. The version alone is not
// enough (a build from source changes without a new version), so the fingerprint also covers the
// name, size and modification time of every file of the running code and the installed packages'
// lock: any change to the code or a dependency makes every earlier entry a miss.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ByteChunks } from '../model/source-file.ts';
import { chunksOf, isPieces, type AsidePieces } from '../model/pieces.ts';

/** Bumped when the layout of cache entries changes. */
export const CACHE_FORMAT = 4;

const CODE = fileURLToPath(new URL('../', import.meta.url));
const PACKAGE = path.dirname(CODE);

let memo: string | undefined;

export function codeFingerprint(): string {
  if (memo !== undefined) return memo;
  const hash = createHash('sha256').update(`castwright-cache-${CACHE_FORMAT}\0${process.versions.node}\0`);
  // Compiled elsewhere, package.json may not sit beside the code: the code's own files still count.
  try {
    hash.update(readFileSync(path.join(PACKAGE, 'package.json')));
  } catch {
    hash.update('no package.json');
  }
  const files = readdirSync(CODE, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of [...files, path.join(PACKAGE, 'node_modules', '.package-lock.json')]) {
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat) hash.update(`${path.relative(PACKAGE, file)}\0${stat.size}\0${stat.mtimeMs}\0`);
  }
  memo = hash.digest('hex');
  return memo;
}

/** A hex SHA-256 of the parts, each length-prefixed so that no two lists of parts hash alike. */
export function hashOf(...parts: Array<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(`${typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength}:`);
    hash.update(part);
  }
  return hash.digest('hex');
}

/**
 * The hex SHA-256 of an output file's content: what the output record compares and the cache keeps
 * texts under. Bytes in pieces are hashed in order, as the bytes they make up (never joined).
 */
export function contentHash(content: string | Uint8Array | ByteChunks | AsidePieces): string {
  const hash = createHash('sha256');
  if (isPieces(content)) for (const chunk of chunksOf(content)) hash.update(chunk);
  else hash.update(content);
  return hash.digest('hex');
}
