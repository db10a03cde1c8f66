// A folder on this machine (file:///var/www/equity), changed with the same atomic swap as `build`:
// the live folder is mirrored into a sibling with hard links, the changes are made there, and the
// new folder is renamed into place in one step. Where a swap cannot be made (the parent folder is
// not writable, the folder or something in it is a mount point) files are replaced one by one in
// place, each atomically, in the same safe order as a remote target.
import { writeBody, type UploadBody } from '../body.ts';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, link, lstat, mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, rmdir, stat, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RunError, UsageError, isErrno, systemError } from '../../errors.ts';
import { checkOutputFolder, swapIn } from '../../write/atomic.ts';
import type { Upload } from '../plan.ts';
import { RECORD_FILE } from '../record.ts';
import type { TargetSpec } from '../target-url.ts';
import { readLocalFile, underDisplay, type Target, type TargetContext } from '../target.ts';

type FolderSpec = Extract<TargetSpec, { kind: 'folder' }>;

/** Thrown while mirroring when the live folder cannot be swapped as a whole. */
class CannotSwap extends Error {}

/** The live folder as it is meant: a symbolic link is followed, so the link itself stays in place. */
async function resolveRoot(spec: FolderSpec): Promise<string> {
  const info = await lstat(spec.path).catch((error: unknown) => {
    if (isErrno(error) && error.code === 'ENOENT') return undefined;
    throw systemError(error, 'cannot read the target folder', spec.path);
  });
  if (!info?.isSymbolicLink()) return spec.path;
  try {
    return await realpath(spec.path);
  } catch (error) {
    throw systemError(error, 'the target is a symbolic link that leads nowhere usable:', spec.path);
  }
}

async function writeAtomically(file: string, body: UploadBody | string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.castwright-${randomBytes(6).toString('hex')}`);
  try {
    await writeBody(temporary, body);
    // A rename replaces the name, never the old file's content: a hard link to it elsewhere keeps it.
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

export async function openFolder(spec: FolderSpec, context: TargetContext): Promise<Target> {
  const root = await resolveRoot(spec);
  const refusal = await checkOutputFolder(root, context.sources, context.cwd, { name: 'the folder', instead: 'publish somewhere else' });
  if (refusal) throw new UsageError(`${spec.display}: ${refusal}`);

  /** Where changes go: the staging folder during a swap, else the live folder. */
  let staging: string | undefined;
  let begun = false;
  /** Folders already known to be real folders (not links) inside the current base. */
  let checked = new Set<string>();

  const fail = (error: unknown, what: string, file: string): never => {
    if (error instanceof RunError || error instanceof UsageError) throw error;
    throw systemError(error, what, file);
  };

  /** Mirrors the live folder into `into` with hard links; a mount point inside makes a swap impossible. */
  async function mirror(from: string, into: string, device: number): Promise<void> {
    for (const entry of await readdir(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const copy = path.join(into, entry.name);
      if (entry.isDirectory()) {
        const info = await stat(source);
        if (info.dev !== device) throw new CannotSwap(`${source} is a mount point`);
        await mkdir(copy, { mode: info.mode & 0o7777 });
        await mirror(source, copy, device);
      } else if (entry.isFile()) {
        await link(source, copy).catch(async (error: unknown) => {
          if (!isErrno(error) || !['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP'].includes(error.code!)) throw error;
          await copyFile(source, copy);
        });
      } else if (entry.isSymbolicLink()) {
        await symlink(await readlink(source), copy);
      } else {
        throw new RunError(`${spec.display}: ${path.relative(root, source)} is a socket, device or pipe; castwright will not move it`);
      }
    }
  }

  /** Decides, at the first change, between a swap and changes in place. */
  async function begin(): Promise<void> {
    if (begun) return;
    begun = true;
    const parent = path.dirname(root);
    try {
      await mkdir(parent, { recursive: true });
    } catch (error) {
      fail(error, 'cannot create the folder that holds the target', parent);
    }
    const live = await stat(root).catch(() => undefined);
    const parentInfo = await stat(parent);
    const parentWritable = await access(parent, constants.W_OK).then(() => true, () => false);
    if (!parentWritable || (live && live.dev !== parentInfo.dev)) return inPlace();
    let made: string | undefined;
    try {
      made = await mkdtemp(path.join(parent, `.${path.basename(root)}.new-`));
      // mkdtemp makes a private (0700) folder; the site must stay readable by the web server.
      await chmod(made, live ? live.mode & 0o7777 : 0o755);
      if (live && process.getuid?.() === 0) await chown(made, live.uid, live.gid);
      if (live) await mirror(root, made, live.dev);
      staging = made;
      checked = new Set();
    } catch (error) {
      if (made) await rm(made, { recursive: true, force: true });
      if (error instanceof CannotSwap) return inPlace();
      fail(error, 'cannot prepare the new folder beside', root);
    }
  }

  async function inPlace(): Promise<void> {
    try {
      await mkdir(root, { recursive: true });
    } catch (error) {
      fail(error, 'cannot create the target folder', spec.path);
    }
  }

  const base = () => staging ?? root;

  /** The file's path in the base, refusing to write through a symbolic link inside the target. */
  async function place(relative: string): Promise<string> {
    const folder = base();
    const parts = relative.split('/');
    let current = folder;
    for (const part of parts.slice(0, -1)) {
      current = path.join(current, part);
      if (checked.has(current)) continue;
      let info: Awaited<ReturnType<typeof lstat>> | undefined;
      try {
        info = await lstat(current);
      } catch (error) {
        if (!(isErrno(error) && error.code === 'ENOENT')) fail(error, 'cannot read', current);
      }
      if (info?.isSymbolicLink()) {
        throw new RunError(`${spec.display}: ${path.relative(folder, current)} is a symbolic link inside the target; castwright does not write through links`);
      }
      if (!info) await mkdir(current).catch((error: unknown) => fail(error, 'cannot create the folder', current));
      else if (!info.isDirectory()) throw new RunError(`${spec.display}: ${path.relative(folder, current)} is a file where castwright needs a folder`);
      checked.add(current);
    }
    return path.join(folder, ...parts);
  }

  /** Removes folders that the deletions left empty, up to the target itself. */
  async function prune(file: string): Promise<void> {
    for (let folder = path.dirname(file); folder !== base() && folder.startsWith(base()); folder = path.dirname(folder)) {
      try {
        await rmdir(folder);
        checked.delete(folder);
      } catch {
        return;
      }
    }
  }

  return {
    display: spec.display,

    shown: (name) => underDisplay(spec.display, name),

    async readFile(name, max) {
      return readLocalFile(path.join(root, ...name.split('/')), underDisplay(spec.display, name), max);
    },

    async put(files, done) {
      await begin();
      for (const file of files) {
        const target = await place(file.path);
        try {
          await writeAtomically(target, file.body);
        } catch (error) {
          fail(error, 'cannot write', path.join(spec.path, file.path));
        }
        done(file.path);
      }
    },

    async remove(paths, done) {
      await begin();
      for (const relative of paths) {
        const target = await place(relative);
        try {
          await unlink(target);
        } catch (error) {
          if (!(isErrno(error) && error.code === 'ENOENT')) fail(error, 'cannot delete', path.join(spec.path, relative));
        }
        await prune(target);
        done(relative);
      }
    },

    async writeRecord(text) {
      await begin();
      try {
        await writeAtomically(path.join(base(), RECORD_FILE), text);
      } catch (error) {
        fail(error, 'cannot write the record in', spec.path);
      }
    },

    async updateRecord(text) {
      try {
        await mkdir(root, { recursive: true });
        await writeAtomically(path.join(root, RECORD_FILE), text);
      } catch (error) {
        fail(error, 'cannot write the record in', spec.path);
      }
    },

    get changesAreLive() {
      return begun && staging === undefined;
    },

    async commit() {
      if (!staging) return undefined;
      try {
        await swapIn(staging, root);
      } catch (error) {
        fail(error, 'cannot swap the new folder into place at', spec.path);
      }
      staging = undefined;
      checked = new Set();
      return undefined;
    },

    async close() {
      if (staging) await rm(staging, { recursive: true, force: true });
      staging = undefined;
    },
  };
}
