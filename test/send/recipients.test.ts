import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/send/address.ts';
import { SetupError } from '../../src/send/errors.ts';
import { applySuppression, readRecipients, readSuppression } from '../../src/send/recipients.ts';
import { FIXTURES, cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const cwd = path.join(FIXTURES, 'send');

describe('addresses', () => {
  it('normalises the domain (case, trailing dot, internationalised) and keeps the local part as written', () => {
    expect(parseAddress('  Ada.Lovelace+news@Example.COM ')).toEqual({ address: 'Ada.Lovelace+news@example.com', key: 'ada.lovelace+news@example.com' });
    expect(parseAddress('erin@example.com.')).toEqual({ address: 'erin@example.com', key: 'erin@example.com' });
    expect(parseAddress('dan@bücher.example')?.address).toBe('dan@xn--bcher-kva.example');
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
  ])('refuses %s', (raw) => {
    expect(parseAddress(raw)).toBeUndefined();
  });
});

describe('the subscriber list', () => {
  it('reads every valid row once, reports each unusable row with its line, and skips blank rows', async () => {
    const list = await readRecipients('subscribers.csv', { cwd });
    expect(list.recipients).toEqual([
      { address: 'ada@example.com', key: 'ada@example.com', name: 'Ada Lovelace', line: 2 },
      { address: 'bob@example.com', key: 'bob@example.com', name: 'Bob "The Builder" Jones', line: 3 },
      { address: 'carol@example.com', key: 'carol@example.com', name: 'Carol Carter', line: 7 },
      { address: 'dan@xn--bcher-kva.example', key: 'dan@xn--bcher-kva.example', name: 'Dan', line: 10 },
      { address: 'erin@example.com', key: 'erin@example.com', name: 'Erin', line: 11 },
    ]);
    expect(list.duplicates).toBe(1);
    expect(list.invalid).toEqual([
      { file: 'subscribers.csv', line: 5, message: '"not an address" is not an email address' },
      { file: 'subscribers.csv', line: 9, message: 'no email address' },
      { file: 'subscribers.csv', line: 12, message: '"frank@@example.com" is not an email address' },
    ]);
  });

  it('counts lines the same with Windows line endings', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.csv'), 'email\r\n\r\nada@example.com\r\n"multi\r\nline"\r\nbad\r\nbob@example.com\r\n');
    const list = await readRecipients('list.csv', { cwd: dir });
    expect(list.recipients.map((r) => [r.address, r.line])).toEqual([
      ['ada@example.com', 3],
      ['bob@example.com', 7],
    ]);
    expect(list.invalid.map((p) => p.line)).toEqual([4, 6]);
  });

  it('stops on a file it cannot read as a list, naming the line', async () => {
    const dir = await tempDir();
    const write = (text: string) => writeFile(path.join(dir, 'list.csv'), text);
    const read = () => readRecipients('list.csv', { cwd: dir });

    await write('address;name\nada@example.com;Ada\n');
    await expect(read()).rejects.toThrow(new SetupError('list.csv:1: no "email" column in the header row (found "address;name"); castwright reads comma-separated values; expected a header such as email,name'));
    await write('email,name\nada@example.com,Ada\n\n"bob@example.com,Bob\ncarol@example.com,Carol\n');
    await expect(read()).rejects.toThrow(new SetupError('list.csv:4: a quoted value starts here and is never closed'));
    await write('');
    await expect(read()).rejects.toThrow(/list\.csv: the file is empty/);
    await expect(readRecipients('missing.csv', { cwd: dir })).rejects.toThrow(new SetupError('cannot read missing.csv: no such file'));
  });
});

describe('the suppression list', () => {
  it('takes a bare list of addresses, compared without regard to case, and warns about rows that match nobody', async () => {
    const suppression = await readSuppression('unsubscribed.csv', { cwd });
    expect([...suppression.keys]).toEqual(['ada@example.com', 'carol@example.com']);
    expect(suppression.problems).toEqual([{ file: 'unsubscribed.csv', line: 3, message: '"junk line" is not an email address; the row cannot match a reader' }]);
    const { recipients } = await readRecipients('subscribers.csv', { cwd });
    const { keep, suppressed } = applySuppression(recipients, suppression);
    expect(suppressed.map((r) => r.address)).toEqual(['ada@example.com', 'carol@example.com']);
    expect(keep.map((r) => r.address)).toEqual(['bob@example.com', 'dan@xn--bcher-kva.example', 'erin@example.com']);
  });

  it('also takes a CSV with an email column', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'suppress.csv'), 'reason,Email\nbounced,Bob@Example.com\n');
    expect([...(await readSuppression('suppress.csv', { cwd: dir })).keys]).toEqual(['bob@example.com']);
  });
});
