import { describe, expect, it } from 'vitest';
import {
  CONFIRMATION_HOURS,
  MAX_UNSUBSCRIBE_TOKEN_LENGTH,
  confirmationToken,
  readConfirmationToken,
  readUnsubscribeToken,
  readerId,
  secretFrom,
  unsubscribeToken,
  unsubscribeUrl,
} from '../../src/send/token.ts';

const secret = 'a-secret-of-some-length';
const hours = (count: number) => count * 3600 * 1000;

/** Every way a token can be cut or altered: truncated, a character changed, bytes flipped, re-padded. */
function tampered(token: string): string[] {
  const bytes = Buffer.from(token, 'base64url');
  const flipped = (index: number) => {
    const copy = Buffer.from(bytes);
    copy[index]! ^= 0x01;
    return copy.toString('base64url');
  };
  const swapChar = (index: number) => token.slice(0, index) + (token[index] === 'A' ? 'B' : 'A') + token.slice(index + 1);
  return [
    '',
    token.slice(0, -1),
    token.slice(0, 40),
    token.slice(1),
    `${token}A`,
    `${token}=`,
    swapChar(0),
    swapChar(Math.floor(token.length / 2)),
    swapChar(token.length - 1),
    flipped(0),
    flipped(1),
    flipped(14),
    flipped(bytes.length - 1),
    token.toUpperCase(),
    token.replace(/-/g, '+').replace(/_/g, '/'),
    `${token}%00`,
    'x'.repeat(10_000),
  ].filter((candidate) => candidate !== token);
}

describe('unsubscribe tokens', () => {
  it('name the reader by their canonical address, the same token for every spelling and every send', () => {
    const token = unsubscribeToken('eve@bücher.de', secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(readUnsubscribeToken(token, secret)).toBe('eve@xn--bcher-kva.de');
    for (const spelling of ['EVE@Bücher.DE', ' eve@bücher.de. ', 'Eve <eve@BÜCHER.de>', 'eve@xn--bcher-kva.de']) expect(unsubscribeToken(spelling, secret)).toBe(token);
    expect(unsubscribeToken('eve@bücher.de', secret)).toBe(token);
  });

  it('carry no readable address and differ between readers and secrets', () => {
    const token = unsubscribeToken('ada@example.com', secret);
    for (const part of ['ada', 'example', 'YWRh', 'ZXhhbXBsZ']) expect(token).not.toContain(part);
    expect(unsubscribeToken('bob@example.com', secret)).not.toBe(token);
    expect(unsubscribeToken('ada@example.com', `${secret}!`)).not.toBe(token);
    expect(readUnsubscribeToken(token, `${secret}!`)).toBeUndefined();
  });

  it('refuse every truncated, altered or swapped token', () => {
    const token = unsubscribeToken('ada@example.com', secret);
    for (const bad of tampered(token)) expect(readUnsubscribeToken(bad, secret), bad.slice(0, 60)).toBeUndefined();
  });

  it('never open as confirmation tokens, nor confirmation tokens as unsubscribe tokens', () => {
    const unsubscribe = unsubscribeToken('ada@example.com', secret);
    const confirm = confirmationToken('ada@example.com', secret, new Date(Date.now() + hours(1)));
    expect(readConfirmationToken(unsubscribe, secret, new Date())).toBeUndefined();
    expect(readUnsubscribeToken(confirm, secret)).toBeUndefined();
  });

  it('fit a URL, and the longest address gives the longest token', () => {
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(longest).toHaveLength(254);
    expect(unsubscribeToken(longest, secret)).toHaveLength(MAX_UNSUBSCRIBE_TOKEN_LENGTH);
    expect(unsubscribeToken('a@b.co', secret).length).toBeLessThan(MAX_UNSUBSCRIBE_TOKEN_LENGTH);
    const token = unsubscribeToken('ada@example.com', secret);
    expect(unsubscribeUrl('https://example.com/u/{token}?again={token}', token)).toBe(`https://example.com/u/${token}?again=${token}`);
  });

  it('are never made for something that is not an address', () => {
    expect(() => unsubscribeToken('not an address', secret)).toThrow('not an email address: "not an address"');
  });
});

describe('confirmation tokens', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const expires = new Date(now.getTime() + hours(CONFIRMATION_HOURS));

  it('carry the address as typed and when they expire, and work until then', () => {
    const token = confirmationToken('Ada@Bücher.de', secret, expires);
    expect(readConfirmationToken(token, secret, now)).toEqual({ address: 'Ada@xn--bcher-kva.de', key: 'ada@xn--bcher-kva.de', expires, expired: false });
    expect(readConfirmationToken(token, secret, new Date(expires.getTime() - 1000))?.expired).toBe(false);
  });

  it('say so once they have expired, still naming the reader', () => {
    const token = confirmationToken('ada@example.com', secret, expires);
    expect(readConfirmationToken(token, secret, expires)).toMatchObject({ key: 'ada@example.com', expired: true });
    expect(readConfirmationToken(token, secret, new Date(expires.getTime() + hours(100)))?.expired).toBe(true);
  });

  it('cannot have their expiry moved: any change to the token makes it invalid', () => {
    const token = confirmationToken('ada@example.com', secret, expires);
    for (const bad of tampered(token)) expect(readConfirmationToken(bad, secret, now), bad.slice(0, 60)).toBeUndefined();
  });

  it('refuse a display name, which has no place in a sign-up', () => {
    expect(() => confirmationToken('Ada <ada@example.com>', secret, expires)).toThrow('not an email address');
  });
});

describe('reader ids for logs', () => {
  it('are short, stable, the same for every spelling, and depend on the secret', () => {
    const id = readerId('ada@example.com', secret);
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    expect(readerId('ADA@Example.com', secret)).toBe(id);
    expect(readerId('ada@example.com', `${secret}!`)).not.toBe(id);
    expect(readerId('bob@example.com', secret)).not.toBe(id);
  });
});

describe('the secret', () => {
  it('is needed, of reasonable length', () => {
    expect(() => secretFrom({})).toThrow(/^CASTWRIGHT_SECRET is not set/);
    expect(() => secretFrom({ CASTWRIGHT_SECRET: 'short' })).toThrow('CASTWRIGHT_SECRET is too short (5 characters); use at least 16 random characters');
    expect(secretFrom({ CASTWRIGHT_SECRET: '0123456789abcdef' })).toBe('0123456789abcdef');
  });
});
