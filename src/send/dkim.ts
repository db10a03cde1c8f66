// DKIM signing from the environment. Mailbox providers require it of bulk senders, and RFC 8058
// one-click unsubscribe only counts when the signature covers both List-Unsubscribe headers.
import { createPrivateKey, createSign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DKIMOptions } from 'nodemailer';
import { SetupError } from './errors.ts';

export const DKIM_VARIABLES = ['DKIM_DOMAIN', 'DKIM_SELECTOR', 'DKIM_KEY_FILE'] as const;

/**
 * Named rather than left to nodemailer's default, which covers List-Unsubscribe-Post only since
 * 10.6.1: an older copy in someone's lockfile must not quietly drop it from the signature.
 */
export const SIGNED_HEADERS = [
  'From',
  'Reply-To',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
].join(':');

/** The signing settings, or undefined when none of the variables is set. */
export async function dkimFromEnv(env: NodeJS.ProcessEnv, cwd: string): Promise<DKIMOptions | undefined> {
  const set = DKIM_VARIABLES.filter((name) => env[name]);
  if (set.length === 0) return undefined;
  const missing = DKIM_VARIABLES.filter((name) => !env[name]);
  if (missing.length > 0) throw new SetupError(`DKIM signing needs ${DKIM_VARIABLES.join(', ')}; ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set`);
  const keyFile = path.resolve(cwd, env.DKIM_KEY_FILE!);
  let pem: string;
  try {
    pem = await readFile(keyFile, 'utf8');
  } catch (error) {
    throw new SetupError(`DKIM_KEY_FILE ${env.DKIM_KEY_FILE}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  // nodemailer signs with rsa-sha256 and, when signing fails, sends the message unsigned without a
  // word: a key it cannot use must stop the send here, before any reader gets an unsigned copy.
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`a ${key.asymmetricKeyType} key; DKIM here signs with RSA (rsa-sha256)`);
    createSign('RSA-SHA256').update('probe').sign(key);
  } catch (error) {
    throw new SetupError(`DKIM_KEY_FILE ${env.DKIM_KEY_FILE}: not a usable RSA private key in PEM form: ${(error as Error).message}`);
  }
  return { domainName: env.DKIM_DOMAIN!, keySelector: env.DKIM_SELECTOR!, privateKey: pem, headerFieldNames: SIGNED_HEADERS };
}

/** DMARC passes on DKIM only when the signing domain is the From domain or one it belongs to (relaxed alignment). */
export function alignmentWarning(dkim: DKIMOptions | undefined, from: string): string | undefined {
  if (!dkim?.domainName) return undefined;
  const fromDomain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  const signing = dkim.domainName.toLowerCase();
  if (fromDomain === signing || fromDomain.endsWith(`.${signing}`) || signing.endsWith(`.${fromDomain}`)) return undefined;
  return `DKIM_DOMAIN ${dkim.domainName} does not match the From domain ${fromDomain}: DMARC will not count this signature`;
}
