// Writes the import's new files all or nothing: each goes to a hidden temporary file first
// (written and flushed to disk), then every one is linked to its name, which fails rather than
// replace a file that appeared meanwhile. On any failure the files of this run are removed again,
// so the folder is as it was. Existing files are never opened for writing.
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmdirSync, existsSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { systemError } from '../errors.ts';

export interface NewFile {
  /** Absolute path. */
  path: string;
  content: string;
  /** As messages name it. */
  shown: string;
}

function writeDurably(file: string, content: string): void {
  const fd = openSync(file, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Puts `temp` at `target` without ever replacing a file there. */
function claim(temp: string, target: string): void {
  try {
    linkSync(temp, target);
    unlinkSync(temp);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // File systems without hard links: check, then rename (a race here is the user's own second import).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    if (existsSync(target)) throw Object.assign(new Error(`EEXIST: ${target}`), { code: 'EEXIST', path: target });
    renameSync(temp, target);
  }
}

export function writeNewFiles(dir: string, files: readonly NewFile[]): void {
  let createdDir: string | undefined;
  const temps: string[] = [];
  const placed: string[] = [];
  let current: NewFile | undefined;
  try {
    if (!existsSync(dir)) {
      createdDir = mkdirSync(dir, { recursive: true }) ?? undefined;
    }
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    for (const file of files) {
      current = file;
      const temp = path.join(path.dirname(file.path), `.${path.basename(file.path)}.${tag}.tmp`);
      writeDurably(temp, file.content);
      temps.push(temp);
    }
    for (const [index, file] of files.entries()) {
      current = file;
      claim(temps[index]!, file.path);
      placed.push(file.path);
    }
  } catch (error) {
    for (const file of [...temps, ...placed]) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone (a claimed temporary name), or never written.
      }
    }
    if (createdDir) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty: it held something before, or another program wrote there.
      }
    }
    const what = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'cannot create (another program made it meanwhile)' : 'cannot write';
    throw systemError(error, `${what}; nothing was imported:`, current?.shown);
  }
}
