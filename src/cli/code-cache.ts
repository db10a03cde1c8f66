// Runs a command from its code-cached program (issue 9): `prepare` bundles the whole command line
// with that one command into lib/cached/<command>.cjs (CommonJS: V8 caches code for a script, and
// Node.js 20 has no code cache for ES modules) and, after a run of it, saves what V8 compiled
// (scripts/code-cache.ts). Loading the code from that cache spares the parsing and compiling of
// every function the run uses, ~60 ms of a one-edit build of a 1,000-episode show.
//
// The cache is only ever read here; nothing is written at run time (lib/ may be read-only, and its
// files are part of the build cache's fingerprint). V8 itself checks only the cache's V8 version,
// flags and the source's length, and crashes the process on corrupt data, so the file is sealed
// with SHA-256 hashes of the source and of the data: anything that does not match is compiled from
// the source as if there were no cache. No program for the command (a lib/ without it) leaves the
// command to the ES modules, as does running from source (cli.ts).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { readRegularFile } from '../regular-file.ts';
import type { main } from './main.ts';
import type { processIo } from './terminal.ts';

/** What a code-cached program exports: the command line, as cli/main.ts and cli/terminal.ts. */
export interface Program {
  main: typeof main;
  processIo: typeof processIo;
}

/** Where the programs are: lib/cached/ (this file is lib/cli/code-cache.js in the bundle). */
export const CACHED_FOLDER = fileURLToPath(new URL('../cached/', import.meta.url));

const SEAL = 'castwright-code-cache-1\n';
const HASH_BYTES = 32;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** The cache file for a program's `source`: the seal, the source's and the data's hashes, the data. */
export function sealedCache(source: Uint8Array, data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(SEAL), sha256(source), sha256(data), data]);
}

/** The V8 data in a cache file, or undefined unless it was sealed for exactly this `source`. */
export function openedCache(source: Uint8Array, sealed: Buffer): Buffer | undefined {
  const start = SEAL.length + 2 * HASH_BYTES;
  if (sealed.length <= start || sealed.toString('latin1', 0, SEAL.length) !== SEAL) return undefined;
  const data = sealed.subarray(start);
  if (!sha256(source).equals(sealed.subarray(SEAL.length, SEAL.length + HASH_BYTES))) return undefined;
  if (!sha256(data).equals(sealed.subarray(SEAL.length + HASH_BYTES, start))) return undefined;
  return data;
}

// import() inside a vm.Script needs --experimental-vm-modules on Node.js 20; the bundle calls this
// instead (scripts/bundle.ts), so the packages left external are imported as the ES modules do.
const importModule = (specifier: string): Promise<unknown> => import(specifier);

export interface LoadedProgram {
  program: Program;
  script: vm.Script;
  /** Whether V8 took the cache (false: none, not sealed for this source, or refused by V8). */
  cached: boolean;
}

/** Compiles and runs lib/cached/<command>.cjs, from its code cache when that holds. */
export function loadProgram(command: string, folder = CACHED_FOLDER): LoadedProgram | undefined {
  const file = path.join(folder, `${command}.cjs`);
  let source: Buffer;
  try {
    // Not a regular file (a named pipe there held the command forever): no program.
    source = readRegularFile(file);
  } catch {
    return undefined;
  }
  let cachedData: Buffer | undefined;
  try {
    cachedData = openedCache(source, readRegularFile(`${file}.cache`));
  } catch {
    cachedData = undefined;
  }
  // The CommonJS wrapper, with one more parameter: the import() of the packages left external;
  // strict, as the ES modules the code was written as.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __castwrightImport) {'use strict';${source.toString('utf8')}\n})`;
  const module = { exports: {} as Program };
  let script: vm.Script;
  try {
    script = new vm.Script(wrapped, { filename: file, cachedData });
    (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, path.dirname(file), importModule);
  } catch {
    // A program cut short or garbled (a disk that filled during prepare, an edit) failed the command
    // with a SyntaxError: the command runs from the ES modules instead, as without a program.
    return undefined;
  }
  if (typeof module.exports.main !== 'function' || typeof module.exports.processIo !== 'function') return undefined;
  return { program: module.exports, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}
