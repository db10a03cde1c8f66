// Disks that fail, for the tests of what a send does when it cannot write: a real small tmpfs that
// a test fills up (needs root, as in CI; elsewhere the tests say why they skip), and a real file
// handle whose writes fail on cue, which runs everywhere.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LedgerHandle } from '../../src/send/ledger.ts';

export interface SmallDisk {
  /** The mount point. */
  dir: string;
  /** Fills every free page; returns the bytes written. */
  fill(): number;
  /** Frees what fill() took. */
  free(): void;
  /** Remounts it read-only, as the kernel does with a disk it found failing. */
  readOnly(): void;
  unmount(): void;
}

/** A tmpfs of `size` (e.g. "1m"), or why there cannot be one here. */
export async function mountSmallDisk(size = '1m'): Promise<SmallDisk | { skip: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'castwright-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const why = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim();
    return { skip: `a full disk is tested on a small tmpfs, and mounting one is not permitted here (it needs root): ${why}` };
  }
  const filler = path.join(dir, '.filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      let written = 0;
      try {
        for (const chunk of [65536, 4096, 512, 1]) {
          const buffer = Buffer.alloc(chunk, 0x78);
          for (;;) {
            try {
              written += writeSync(fd, buffer);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
      return written;
    },
    free() {
      try {
        unlinkSync(filler);
      } catch {
        // not filled
      }
    },
    readOnly() {
      execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real file handle for appending whose writes fail with `code` once `bytes` more bytes have been written. */
export async function failingHandle(file: string, bytes: number, code = 'ENOSPC'): Promise<LedgerHandle> {
  const handle = await open(file, 'a');
  let left = bytes;
  return {
    write: (async (buffer: Buffer, offset = 0) => {
      const length = Math.min(buffer.length - offset, left);
      if (length === 0) throw Object.assign(new Error(`${code}: simulated, write`), { code, syscall: 'write' });
      left -= length;
      return handle.write(buffer, offset, length);
    }) as LedgerHandle['write'],
    datasync: () => handle.datasync(),
    truncate: (length?: number) => handle.truncate(length),
    stat: (() => handle.stat()) as LedgerHandle['stat'],
    close: () => handle.close(),
  };
}
