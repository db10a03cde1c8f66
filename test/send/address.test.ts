import { describe, expect, it } from 'vitest';
import { canonicalAddress, readMailbox } from '../../src/send/address.ts';

describe('addresses', () => {
  it('keep the local part as written for sending and the domain in ASCII', () => {
    expect(readMailbox('  Ada.Lovelace+news@Example.COM ')).toEqual({ address: 'Ada.Lovelace+news@example.com', key: 'ada.lovelace+news@example.com' });
    expect(readMailbox('erin@example.com.')).toEqual({ address: 'erin@example.com', key: 'erin@example.com' });
    expect(readMailbox('Dan <dan@Bücher.example>')).toEqual({ address: 'dan@xn--bcher-kva.example', key: 'dan@xn--bcher-kva.example', name: 'Dan' });
  });

  // The form an unsubscribe endpoint hashes, as the README states it: display name dropped,
  // trimmed, domain to ASCII (IDNA) without its trailing dot, all in lower case.
  it.each([
    ['eve@bücher.de', 'eve@xn--bcher-kva.de'],
    ['EVE@BÜCHER.DE', 'eve@xn--bcher-kva.de'],
    ['  Eve@Bücher.De.  ', 'eve@xn--bcher-kva.de'],
    ['Eve Example <Eve@Bücher.de.>', 'eve@xn--bcher-kva.de'],
    ['"Example, Eve" <EVE@bücher.de>', 'eve@xn--bcher-kva.de'],
    ['MiXeD.Case+Tag@Example.COM', 'mixed.case+tag@example.com'],
    ['trailing@example.com.', 'trailing@example.com'],
    ['<bare@example.com>', 'bare@example.com'],
    ['ada@xn--bcher-kva.de', 'ada@xn--bcher-kva.de'],
  ])('the canonical form of %j is %s', (raw, canonical) => {
    expect(canonicalAddress(raw)).toBe(canonical);
    expect(canonicalAddress(canonical)).toBe(canonical);
  });

  it.each([
    'plainaddress',
    '@example.com',
    'ada@',
    'ada@@example.com',
    'ada@example',
    'ada@-example.com',
    'ada@example.123',
    'a..b@example.com',
    '.ada@example.com',
    'ada.@example.com',
    'ada lovelace@example.com',
    '"quoted"@example.com',
    'josé@example.com',
    `${'a'.repeat(65)}@example.com`,
    'ada@[192.0.2.1]',
    'Name <>',
    // What the URL parser behind IDNA would silently drop or decode, making another address of a
    // cell that is not one: a tab-separated row, a line break inside a quoted cell, %-escapes.
    'ada@example.com\tAda',
    'ada@exa\nmple.com',
    'ada@exa\rmple.com',
    'ada@ex%61mple.com',
    'ada@example.com\u0000',
    'ada@exa\u00a0mple.com',
  ])('refuses %j', (raw) => {
    expect(readMailbox(raw)).toBeUndefined();
    expect(canonicalAddress(raw)).toBeUndefined();
  });
});
