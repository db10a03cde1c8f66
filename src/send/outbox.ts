// The default when no SMTP server is given: each reader's message as an .eml file, byte for byte
// what would go over SMTP (DKIM signature included), to inspect or to hand to another sender.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type DKIMOptions, type SendMailOptions } from 'nodemailer';
import type { Transport } from './transport.ts';

/** A file name per address: readable when the address allows it, never a path or a hidden file. */
export function emlName(address: string): string {
  const lower = address.toLowerCase();
  if (/^[a-z0-9][a-z0-9._+@-]*$/.test(lower) && lower.length <= 200) return `${lower}.eml`;
  const hash = createHash('sha256').update(lower).digest('hex').slice(0, 12);
  return `${lower.replace(/[^a-z0-9._+@-]/g, '_').replace(/^[._-]+/, '').slice(0, 100)}-${hash}.eml`;
}

function recipientOf(message: SendMailOptions): string {
  const to = message.to;
  if (typeof to === 'string') return to;
  if (to && !Array.isArray(to) && to.address) return to.address;
  throw new Error('an outbox message has exactly one recipient');
}

/**
 * Writes into `folder`, first removing the .eml files an earlier run left there: the outbox is
 * this mailing's messages, not readers who have since unsubscribed.
 */
export async function outboxTransport(folder: string, shown: string, options: { dkim?: DKIMOptions } = {}): Promise<Transport> {
  await mkdir(folder, { recursive: true });
  for (const entry of await readdir(folder)) if (entry.endsWith('.eml')) await rm(path.join(folder, entry), { force: true });
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    // CRLF, as on the wire and as .eml readers expect.
    newline: 'windows',
    ...(options.dkim ? { dkim: options.dkim } : {}),
  });
  return {
    target: `${shown}/`,
    async deliver(message) {
      const name = emlName(recipientOf(message));
      const { message: raw } = await composer.sendMail(message);
      // Renamed into place so an interrupted run never leaves a truncated message behind.
      const partial = path.join(folder, `.${name}.${randomBytes(4).toString('hex')}.partial`);
      await writeFile(partial, raw);
      await rename(partial, path.join(folder, name));
      return `written ${shown}/${name}`;
    },
    async close() {
      composer.close();
    },
  };
}
