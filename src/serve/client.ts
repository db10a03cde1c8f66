// Who is asking: the client's address for rate limits, from the connection, or with --trust-proxy
// from the X-Forwarded-For entry the proxy in front added (the last one: the ones before it are
// whatever the client claimed).
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

function unmapped(address: string): string {
  return address.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').at(-1)?.trim() ?? '';
    if (isIP(last)) return unmapped(last);
  }
  return unmapped(req.socket.remoteAddress ?? 'unknown');
}

/** The eight groups of an IPv6 address. */
function groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...middle, ...right];
}

/** The key a client is rate-limited by: an IPv4 address, or the /64 network of an IPv6 one (one subscriber's line). */
export function clientKey(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${groups(address.replace(/%.*$/, ''))
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
