// The backend when no SMTP server is given: each reader's message as an .eml file, byte for byte
// what would go over SMTP (DKIM signature included), to inspect or to hand to another sender.
// Nothing reaches a reader, so nothing is recorded in the ledger. Each file is written under a
// temporary name and renamed into place, so a message is never left half-written; a disk that
// is full or failing stops the run at once, since every further file would fail alike.
import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { DKIMOptions, SendMailOptions } from 'nodemailer';
import { isErrno, systemError } from '../../errors.ts';
import { makeFolder } from '../folders.ts';
import { messageBuilder } from '../message.ts';
import { Abandoned, messageFailure, type Backend, type Failure } from './backend.ts';
import { SMTP_VARIABLE } from '../defaults.ts';

/** A file name per address: readable when the address allows it, never a path or a hidden file. */
export function emlName(address: string): string {
  const lower = address.toLowerCase();
  if (/^[a-z0-9][a-z0-9._+@-]*$/.test(lower) && lower.length <= 200) return `${lower}.eml`;
  const hash = createHash('sha256').update(lower).digest('hex').slice(0, 12);
  return `${lower.replace(/[^a-z0-9._+@-]/g, '_').replace(/^[._-]+/, '').slice(0, 100)}-${hash}.eml`;
}

/** `.<name>.<8 hex>.partial`: the temporary name of a file being written; `emlName` never starts with a dot. */
const PARTIAL = /^\..+\.[0-9a-f]{8}\.partial$/;

function recipientOf(message: SendMailOptions): string {
  const to = message.to;
  if (typeof to === 'string') return to;
  if (to && !Array.isArray(to) && to.address) return to.address;
  throw new Error('an outbox message has exactly one recipient');
}

/** The parts of a file handle the outbox uses; tests hand in one whose writes fail. */
export type OutboxHandle = Pick<FileHandle, 'writeFile' | 'close'>;

export interface OutboxSettings {
  /** The folder, absolute. */
  folder: string;
  /** The folder as messages show it. */
  shown: string;
  dkim?: DKIMOptions;
  /** Creates a file for writing; fails if it exists. */
  create?(file: string): Promise<OutboxHandle>;
}

/** A file system error met while writing: the disk, not the message, so the run stops. */
class OutboxWriteError extends Error {}

export function outboxBackend(settings: OutboxSettings): Backend {
  const { folder, shown } = settings;
  const create = settings.create ?? ((file: string) => open(file, 'wx'));
  const builder = messageBuilder({ crlf: true, ...(settings.dkim ? { dkim: settings.dkim } : {}) });

  async function write(name: string, raw: Buffer): Promise<void> {
    const partial = path.join(folder, `.${name}.${randomBytes(4).toString('hex')}.partial`);
    try {
      const handle = await create(partial);
      try {
        await handle.writeFile(raw);
      } finally {
        await handle.close();
      }
      await rename(partial, path.join(folder, name));
    } catch (error) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw new OutboxWriteError(systemError(error, 'cannot write', `${shown}/${name}`).message, { cause: error });
    }
  }

  return {
    target: `${shown}/`,
    records: false,
    verb: 'written',
    note: `Nothing was sent: give --smtp <url> or set ${SMTP_VARIABLE} to send.`,

    /**
     * Empties the folder of what an earlier run left: its .eml files (the outbox is this mailing's
     * messages, not readers who have since unsubscribed) and the temporary files of a run that
     * was killed mid-write. Other files stay.
     */
    async open() {
      try {
        await makeFolder(folder);
        for (const entry of await readdir(folder)) {
          if (entry.endsWith('.eml') || PARTIAL.test(entry)) await rm(path.join(folder, entry), { force: true });
        }
      } catch (error) {
        throw systemError(error, 'cannot prepare the outbox', `${shown}/`);
      }
    },

    async deliver(message, { ready } = {}) {
      const name = emlName(recipientOf(message));
      const { raw } = await builder.build(message);
      if (ready && !(await ready)) throw new Abandoned();
      await write(name, raw);
      return `written ${shown}/${name}`;
    },

    classify(error): Failure {
      const built = messageFailure(error);
      if (built) return built;
      if (error instanceof OutboxWriteError) {
        const code = isErrno(error.cause) ? error.cause.code : undefined;
        // Out of file handles passes; a full, failing or read-only disk does not.
        if (code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN') return { kind: 'temporary', reason: error.message };
      }
      return { kind: 'fatal', reason: error instanceof Error ? error.message : String(error) };
    },

    async close() {
      builder.close();
    },
  };
}
