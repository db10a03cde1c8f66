// Email addresses as a mailing needs them: one spelling to send to, one key to compare by.
import { domainToASCII } from 'node:url';

export interface Address {
  /** What goes into the envelope and the To header: the local part as written, the domain in ASCII. */
  address: string;
  /**
   * The whole address in lower case. Mailbox providers ignore the case of the local part in
   * practice, so `Ada@Example.com` and `ada@example.com` are one reader: one copy, one ledger
   * entry, one unsubscribe token.
   */
  key: string;
}

// RFC 5322 atext: quoted local parts are legal but so rare in subscriber lists that one is far
// more likely a broken export than a reader.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The normalised address, or undefined when the text is not one we can deliver to. */
export function parseAddress(raw: string): Address | undefined {
  const text = raw.trim();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  const local = text.slice(0, at);
  // SMTP limits: 64 octets of local part, 254 for the whole path.
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  // Internationalised domains go out as punycode, which every server accepts.
  const domain = domainToASCII(text.slice(at + 1).replace(/\.$/, ''));
  if (!domain || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels.at(-1)!)) return undefined;
  const address = `${local}@${domain}`;
  if (address.length > 254) return undefined;
  return { address, key: address.toLowerCase() };
}

/** `Ada Lovelace <ada@example.com>` as some exports write it: the name and the address apart. */
export function splitMailbox(raw: string): { name?: string; address: string } {
  const named = /^\s*"?([^"<>]*?)"?\s*<([^<>]*)>\s*$/.exec(raw);
  if (!named) return { address: raw };
  const name = named[1]!.trim();
  return name ? { name, address: named[2]! } : { address: named[2]! };
}
