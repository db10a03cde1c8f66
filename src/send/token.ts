// Personal links: the unsubscribe link in every digest and the confirmation link of a sign-up.
// A token is the reader's canonical address encrypted and authenticated (AES-256-GCM) under a key
// only the show holds, so nobody can forge or alter one, the URL carries no readable address for
// logs and link scanners to collect, and `castwright serve` learns the reader from the token itself,
// without a table of the list.
//
//   token = base64url( version 0x01 | nonce (12 bytes) | ciphertext | tag (16 bytes) )
//
// Each purpose has its own keys, derived from CASTWRIGHT_SECRET with HKDF-SHA256, so a token made
// for one purpose never opens as another (an unsubscribe link cannot confirm a sign-up). The nonce
// is not random: it is an HMAC, under a key of its own, of what is encrypted (a synthetic IV, as in
// SIV). The same reader therefore always gets the same unsubscribe link, and a copy sent again
// after a crash is byte for byte the first; two different plaintexts get different nonces, which is
// what GCM needs. A confirmation token also carries its expiry, inside the encryption.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { canonicalAddress, readMailbox } from './address.ts';
import { SECRET_VARIABLE } from './defaults.ts';
import { SetupError } from './errors.ts';

// Named in defaults.ts, so --help can state it without loading node:crypto.
export { SECRET_VARIABLE };

/** Short secrets can be guessed offline from a single token; 16 characters is the floor we accept. */
const MIN_SECRET_LENGTH = 16;

export type TokenPurpose = 'unsubscribe' | 'confirm';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const EXPIRY_BYTES = 4;
/** SMTP's limit on a whole address. */
const MAX_ADDRESS_BYTES = 254;

/** Confirmation links work this long after the sign-up. */
export const CONFIRMATION_HOURS = 48;

interface Keys {
  cipher: Buffer;
  nonce: Buffer;
}

const derived = new Map<string, Buffer>();

/** A 256-bit key for one use, derived from the secret once and kept (a server holds one secret). */
function derive(secret: string, use: string): Buffer {
  const id = `${use}\n${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'castwright tokens', `castwright/${use}`, 32));
    if (derived.size > 64) derived.clear();
    derived.set(id, key);
  }
  return key;
}

function keysFor(secret: string, purpose: TokenPurpose): Keys {
  return { cipher: derive(secret, `${purpose}/v${VERSION}/aes-256-gcm`), nonce: derive(secret, `${purpose}/v${VERSION}/nonce`) };
}

const AAD = Buffer.from([VERSION]);

function seal(plaintext: Buffer, secret: string, purpose: TokenPurpose): string {
  const keys = keysFor(secret, purpose);
  const nonce = createHmac('sha256', keys.nonce).update(plaintext).digest().subarray(0, NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.cipher, nonce);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([AAD, nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** base64url length of a token holding `plaintext` bytes. */
function tokenLength(plaintext: number): number {
  return Math.ceil(((1 + NONCE_BYTES + plaintext + TAG_BYTES) * 4) / 3);
}

/** The longest unsubscribe token (a 254-character address): what a URL template must leave room for. */
export const MAX_UNSUBSCRIBE_TOKEN_LENGTH = tokenLength(MAX_ADDRESS_BYTES);
const MAX_TOKEN_LENGTH = tokenLength(EXPIRY_BYTES + MAX_ADDRESS_BYTES);
const MIN_TOKEN_LENGTH = tokenLength(3);

/**
 * The plaintext of a token, or undefined for anything this secret did not make for this purpose:
 * malformed, truncated, altered, made for the other purpose or under another secret. The tag check
 * is GCM's own, in constant time; the nonce is then checked, also in constant time, to be the one
 * this plaintext gets, so each reader has exactly one valid token.
 */
function open(token: string, secret: string, purpose: TokenPurpose): Buffer | undefined {
  if (token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  // Decoding ignores stray bits of the last character: only the one spelling of the bytes counts.
  if (bytes.toString('base64url') !== token || bytes[0] !== VERSION) return undefined;
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const body = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
  const keys = keysFor(secret, purpose);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.cipher, nonce);
    decipher.setAAD(AAD);
    decipher.setAuthTag(tag);
    plaintext = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
  const expected = createHmac('sha256', keys.nonce).update(plaintext).digest().subarray(0, NONCE_BYTES);
  return timingSafeEqual(expected, nonce) ? plaintext : undefined;
}

function canonicalOrThrow(address: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) throw new Error(`not an email address: ${JSON.stringify(address)}`);
  return canonical;
}

/**
 * The reader's unsubscribe token: their canonical address (`canonicalAddress`) sealed, so every
 * spelling of one address gives the same token, the same in every mailing. It never expires.
 */
export function unsubscribeToken(address: string, secret: string): string {
  return seal(Buffer.from(canonicalOrThrow(address)), secret, 'unsubscribe');
}

/** The canonical address an unsubscribe token names, or undefined when it is not a valid one. */
export function readUnsubscribeToken(token: string, secret: string): string | undefined {
  const plaintext = open(token, secret, 'unsubscribe');
  if (!plaintext) return undefined;
  const address = plaintext.toString('utf8');
  return canonicalAddress(address) === address ? address : undefined;
}

/**
 * A sign-up's confirmation token: the address as the reader typed it (its domain in ASCII), and
 * when the link stops working, to the second.
 */
export function confirmationToken(address: string, secret: string, expires: Date): string {
  const mailbox = readMailbox(address);
  if (!mailbox || mailbox.name) throw new Error(`not an email address: ${JSON.stringify(address)}`);
  const expiry = Buffer.alloc(EXPIRY_BYTES);
  expiry.writeUInt32BE(Math.ceil(expires.getTime() / 1000));
  return seal(Buffer.concat([expiry, Buffer.from(mailbox.address)]), secret, 'confirm');
}

export interface Confirmation {
  /** The address to subscribe, as typed. */
  address: string;
  /** Its canonical form. */
  key: string;
  expires: Date;
  /** The link is genuine but too old. */
  expired: boolean;
}

/** What a confirmation token says, expired or not; undefined when it is not a valid one. */
export function readConfirmationToken(token: string, secret: string, now: Date): Confirmation | undefined {
  const plaintext = open(token, secret, 'confirm');
  if (!plaintext || plaintext.length <= EXPIRY_BYTES) return undefined;
  const expires = new Date(plaintext.readUInt32BE(0) * 1000);
  const mailbox = readMailbox(plaintext.subarray(EXPIRY_BYTES).toString('utf8'));
  if (!mailbox || mailbox.name) return undefined;
  return { address: mailbox.address, key: mailbox.key, expires, expired: now.getTime() >= expires.getTime() };
}

/**
 * A short keyed hash of a reader's canonical address, for logs: the same reader gives the same
 * id in every line, and nobody without the secret can tell whose it is (`castwright subscribers id`
 * makes one from an address, to find a reader's lines).
 */
export function readerId(address: string, secret: string): string {
  return createHmac('sha256', derive(secret, `log/v${VERSION}`)).update(canonicalAddress(address) ?? address).digest('hex').slice(0, 12);
}

/** The show's `email.unsubscribe` URL with `{token}` filled in. */
export function unsubscribeUrl(template: string, token: string): string {
  return template.replaceAll('{token}', encodeURIComponent(token));
}

/** The secret from the environment; without one no link could be made, so nothing is sent. */
export function secretFrom(env: NodeJS.ProcessEnv): string {
  const secret = env[SECRET_VARIABLE];
  if (secret === undefined || secret === '') {
    throw new SetupError(
      `${SECRET_VARIABLE} is not set; it signs every reader's unsubscribe link. Set it to a long random value kept ` +
        'for the life of the list (e.g. the output of "openssl rand -hex 32"): changing it breaks the links already sent',
    );
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new SetupError(`${SECRET_VARIABLE} is too short (${secret.length} characters); use at least ${MIN_SECRET_LENGTH} random characters`);
  }
  return secret;
}
