// Personal unsubscribe links. The token is an HMAC of the reader's address under a secret only the
// show holds, so nobody can forge the link that unsubscribes someone else, and the URL carries no
// readable address for logs and link scanners to collect. An unsubscribe endpoint recognises the
// reader by computing `unsubscribeToken` for the addresses on its list (or a table made from them).
import { createHmac } from 'node:crypto';
import { canonicalAddress } from './address.ts';
import { SetupError } from './errors.ts';

export const SECRET_VARIABLE = 'CASTWRIGHT_SECRET';

/** Short secrets can be guessed offline from a single token; 16 characters is the floor we accept. */
const MIN_SECRET_LENGTH = 16;

/**
 * base64url HMAC-SHA256, under the secret, of the address's canonical form (`canonicalAddress`)
 * and of nothing else, so every spelling of one reader's address gives the same token.
 */
export function unsubscribeToken(address: string, secret: string): string {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) throw new Error(`not an email address: ${JSON.stringify(address)}`);
  return createHmac('sha256', secret).update(canonical).digest('base64url');
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
