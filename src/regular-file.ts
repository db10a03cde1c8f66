// Reading back a file castwright wrote for itself, which anyone may have replaced since.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * Opens a file castwright wrote for itself (a cache pack, a record, a code cache) for reading;
 * throws when it is anything but a regular file. Opened without blocking, and checked before it is read:
 * a named pipe put in its place held the build forever, and a link to /dev/zero read without end.
 */
export function openRegularFile(file: string): number {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/** The bytes of a file castwright wrote for itself (see openRegularFile). */
export function readRegularFile(file: string): Buffer {
  const fd = openRegularFile(file);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
