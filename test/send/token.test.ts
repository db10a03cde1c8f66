import { describe, expect, it } from 'vitest';
import { secretFrom, unsubscribeToken, unsubscribeUrl } from '../../src/send/token.ts';

describe('unsubscribe tokens', () => {
  it('are the same for an address in any case, differ between readers and secrets, and fit in a URL', () => {
    const secret = 'a-secret-of-some-length';
    const token = unsubscribeToken('ada@example.com', secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(unsubscribeToken('ADA@Example.COM', secret)).toBe(token);
    expect(unsubscribeToken('bob@example.com', secret)).not.toBe(token);
    expect(unsubscribeToken('ada@example.com', `${secret}!`)).not.toBe(token);
    expect(unsubscribeUrl('https://example.com/u/{token}?again={token}', token)).toBe(`https://example.com/u/${token}?again=${token}`);
  });

  it('need a secret of reasonable length', () => {
    expect(() => secretFrom({})).toThrow(/^CASTWRIGHT_SECRET is not set/);
    expect(() => secretFrom({ CASTWRIGHT_SECRET: 'short' })).toThrow('CASTWRIGHT_SECRET is too short (5 characters); use at least 16 random characters');
    expect(secretFrom({ CASTWRIGHT_SECRET: '0123456789abcdef' })).toBe('0123456789abcdef');
  });
});
