// Email addresses as a mailing needs them: one spelling to send to, and one canonical form that
// says who the reader is. Duplicates, suppression, the ledger and the unsubscribe token all compare
// the canonical form, and only `canonicalAddress` makes it.
import { domainToASCII } from 'node:url';

export interface Address {
  /** What goes into the envelope and the To header: the local part as written, the domain in ASCII. */
  address: string;
  /** The canonical form (see `canonicalAddress`): one reader, one key. */
  key: string;
}

// RFC 5322 atext: quoted local parts are legal but so rare in subscriber lists that one is far
// more likely a broken export than a reader.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface Mailbox extends Address {
  /** The display name of `Name <addr>`, as written. */
  name?: string;
}

/** `Ada Lovelace <ada@example.com>` as some exports write it: the name and the address apart. */
function splitMailbox(raw: string): { name?: string; address: string } {
  const named = /^\s*"?([^"<>]*?)"?\s*<([^<>]*)>\s*$/.exec(raw);
  if (!named) return { address: raw };
  const name = named[1]!.trim();
  return name ? { name, address: named[2]! } : { address: named[2]! };
}

function parseAddress(raw: string): Address | undefined {
  const text = raw.trim();
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  const local = text.slice(0, at);
  // SMTP limits: 64 octets of local part, 254 for the whole path.
  if (local.length > 64 || !LOCAL_PART.test(local)) return undefined;
  const written = text.slice(at + 1);
  // The URL parser behind domainToASCII drops tabs and line breaks and decodes %-escapes, which
  // would make another address of a cell that is not one (`ada@example.com<TAB>2024-01-01`): in a
  // suppression list, a reader mailed against their wish. Such a cell is refused instead.
  if (/[\s%\u0000-\u001f\u007f]/u.test(written)) return undefined;
  // Internationalised domains go out as punycode, which every server accepts. domainToASCII also
  // lower-cases; the root's trailing dot names the same domain.
  const domain = domainToASCII(written.replace(/\.$/, ''));
  if (!domain || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels.at(-1)!)) return undefined;
  const address = `${local}@${domain}`;
  if (address.length > 254) return undefined;
  return { address, key: address.toLowerCase() };
}

/** A list cell or an argument, `addr` or `Name <addr>`: the address to send to and its canonical form; undefined when it is not one we can deliver to. */
export function readMailbox(raw: string): Mailbox | undefined {
  const { name, address } = splitMailbox(raw);
  const parsed = parseAddress(address);
  return parsed && (name ? { ...parsed, name } : parsed);
}

/**
 * The canonical form of an address: the display name dropped (`Name <addr>` → `addr`), surrounding
 * white space trimmed, the domain converted to ASCII (IDNA, `bücher.de` → `xn--bcher-kva.de`)
 * without a trailing dot, and the whole in lower case. Undefined when it is not an address.
 * Mailbox providers ignore the case of the local part in practice, so `Ada@Example.com` and
 * `ada@example.com` are one reader. The README states this form for unsubscribe endpoints.
 */
export function canonicalAddress(raw: string): string | undefined {
  return readMailbox(raw)?.key;
}
