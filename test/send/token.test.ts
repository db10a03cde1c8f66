import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretFrom, unsubscribeToken, unsubscribeUrl } from '../../src/send/token.ts';

const secret = 'a-secret-of-some-length';
const hmac = (text: string) => createHmac('sha256', secret).update(text).digest('base64url');

describe('unsubscribe tokens', () => {
  it('are the base64url HMAC-SHA256 of the canonical address alone, the same for every spelling of it', () => {
    const token = unsubscribeToken('eve@bücher.de', secret);
    expect(token).toBe(hmac('eve@xn--bcher-kva.de'));
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const spelling of ['EVE@Bücher.DE', ' eve@bücher.de. ', 'Eve <eve@BÜCHER.de>', 'eve@xn--bcher-kva.de']) expect(unsubscribeToken(spelling, secret)).toBe(token);
    expect(unsubscribeToken('ADA@Example.COM', secret)).toBe(hmac('ada@example.com'));
  });

  it('differ between readers and secrets, and fit in a URL', () => {
    const token = unsubscribeToken('ada@example.com', secret);
    expect(unsubscribeToken('bob@example.com', secret)).not.toBe(token);
    expect(unsubscribeToken('ada@example.com', `${secret}!`)).not.toBe(token);
    expect(unsubscribeUrl('https://example.com/u/{token}?again={token}', token)).toBe(`https://example.com/u/${token}?again=${token}`);
  });

  it('are never made for something that is not an address', () => {
    expect(() => unsubscribeToken('not an address', secret)).toThrow('not an email address: "not an address"');
  });

  it('need a secret of reasonable length', () => {
    expect(() => secretFrom({})).toThrow(/^CASTWRIGHT_SECRET is not set/);
    expect(() => secretFrom({ CASTWRIGHT_SECRET: 'short' })).toThrow('CASTWRIGHT_SECRET is too short (5 characters); use at least 16 random characters');
    expect(secretFrom({ CASTWRIGHT_SECRET: '0123456789abcdef' })).toBe('0123456789abcdef');
  });
});
