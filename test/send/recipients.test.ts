import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, rmSync } from 'node:fs';
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ContentError } from '../../src/errors.ts';
import { SetupError } from '../../src/send/errors.ts';
import { MAX_LIST_BYTES, MAX_NAME_LENGTH, applySuppression, readRecipients, readSuppression } from '../../src/send/recipients.ts';
import { FIXTURES, cleanUp, tempDir } from '../helpers/content.ts';

// What happens to a list between the look at it (stat) and its reading: set by a test, once.
const between = vi.hoisted(() => ({ then: undefined as ((file: string) => void) | undefined }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const stat: typeof actual.stat = (async (...args: Parameters<typeof actual.stat>) => {
    const info = await actual.stat(...args);
    const then = between.then;
    between.then = undefined;
    then?.(String(args[0]));
    return info;
  }) as typeof actual.stat;
  return { ...actual, stat };
});

afterEach(cleanUp);

describe('a list replaced between its look and its reading', () => {
  // Looked at by name, then read by name: a named pipe put there meanwhile held the send for ever
  // (and a file grown meanwhile was read whole, past MAX_LIST_BYTES).
  it('is refused, without waiting, when a named pipe took its place', async () => {
    const folder = await tempDir();
    const file = path.join(folder, 'unsubscribed.csv');
    await writeFile(file, 'email\nada@example.com\n');
    between.then = (looked) => {
      if (looked !== file) return;
      rmSync(file);
      execFileSync('mkfifo', [file]);
    };
    let stuck: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      readSuppression(file, { cwd: folder }).then(
        () => 'read',
        (error: Error) => error.message,
      ),
      // Only bounds the wait of a reading that blocks: the outcome is the message.
      new Promise<string>((resolve) => (stuck = setTimeout(() => resolve('still waiting on the pipe'), 15_000))),
    ]);
    clearTimeout(stuck);
    // A reader stuck opening the pipe (the code before) is let go.
    try {
      closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting.
    }
    expect(outcome).toBe('cannot read unsubscribed.csv: it is a named pipe, not a file; expected a CSV file');
  }, 30_000);
});

const cwd = path.join(FIXTURES, 'send');

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
    expect(list.warnings).toEqual([]);
    expect(list.invalid).toEqual([
      { file: 'subscribers.csv', line: 5, message: '"not an address" is not an email address' },
      { file: 'subscribers.csv', line: 9, message: 'no email address' },
      { file: 'subscribers.csv', line: 12, message: '"frank@@example.com" is not an email address' },
    ]);
  });

  it('sends to an address whose name is too long for a header without the name, and says so', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'list.csv'), `email,name\nada@example.com,${'A'.repeat(MAX_NAME_LENGTH + 1)}\nbob@example.com,${'B'.repeat(MAX_NAME_LENGTH)}\n`);
    const list = await readRecipients('list.csv', { cwd: dir });
    expect(list.recipients.map((r) => [r.address, r.name?.length])).toEqual([
      ['ada@example.com', undefined],
      ['bob@example.com', MAX_NAME_LENGTH],
    ]);
    expect(list.warnings).toEqual([
      { file: 'list.csv', line: 2, severity: 'warning', message: `the name is ${MAX_NAME_LENGTH + 1} characters long (at most ${MAX_NAME_LENGTH}); the message goes to ada@example.com without it` },
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
    // Which address is the reader's? Not guessed.
    await write('Email,Name,E-mail Address\nold@example.com,Ada,ada@example.com\n');
    await expect(read()).rejects.toThrow(
      new SetupError('list.csv:1: 2 columns of the header row may hold the address ("Email" and "E-mail Address"); castwright will not guess which; expected one column named email'),
    );
    await expect(readRecipients('missing.csv', { cwd: dir })).rejects.toThrow(new SetupError('cannot read missing.csv: no such file'));
  });

  // A suppression list that is not a file must stop the send at once, never hang it or run it out of memory.
  it.each([
    ['subscriber', readRecipients],
    ['suppression', readSuppression],
  ] as const)('a %s list that is not a list file is refused at once: a folder, a named pipe, a device, a link to nothing, a file too large', async (_kind, read) => {
    const dir = await tempDir();
    const refused = (name: string) => read(name, { cwd: dir }).then(
      () => 'read',
      (error: unknown) => (error instanceof SetupError ? error.message : `not a SetupError: ${String(error)}`),
    );
    await mkdir(path.join(dir, 'folder.csv'));
    expect(await refused('folder.csv')).toBe('cannot read folder.csv: it is a folder, not a file; expected a CSV file');
    await symlink(path.join(dir, 'gone.csv'), path.join(dir, 'dangling.csv'));
    expect(await refused('dangling.csv')).toBe(`cannot read dangling.csv: it is a symbolic link to ${path.join(dir, 'gone.csv')}, which does not exist`);
    if (process.platform !== 'win32') {
      // Once read until a writer came (for ever), and from /dev/zero until memory ran out.
      execFileSync('mkfifo', [path.join(dir, 'pipe.csv')]);
      expect(await refused('pipe.csv')).toBe('cannot read pipe.csv: it is a named pipe, not a file; expected a CSV file');
      await symlink('/dev/zero', path.join(dir, 'zero.csv'));
      expect(await refused('zero.csv')).toBe('cannot read zero.csv: it is a device, not a file; expected a CSV file');
    }
    // Sparse: as large as it says, without taking the disk.
    await writeFile(path.join(dir, 'huge.csv'), 'email\n');
    await truncate(path.join(dir, 'huge.csv'), MAX_LIST_BYTES + 1);
    expect(await refused('huge.csv')).toBe(`cannot read huge.csv: it is ${Math.round((MAX_LIST_BYTES + 1) / 1024 ** 2)} MB, more than the ${MAX_LIST_BYTES / 1024 ** 2} MB castwright reads as a list`);
  });
});

describe('the suppression list', () => {
  it('takes a bare list of addresses, or a CSV with an email column, compared by canonical form', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'bare.csv'), 'ADA@example.com\nCarol@Example.COM.\neve@Bücher.de\n');
    const suppression = await readSuppression('bare.csv', { cwd: dir });
    expect([...suppression.keys]).toEqual(['ada@example.com', 'carol@example.com', 'eve@xn--bcher-kva.de']);
    expect(suppression.lines.get('carol@example.com')).toBe(2);
    const { recipients } = await readRecipients('subscribers.csv', { cwd });
    const { keep, suppressed } = applySuppression(recipients, [suppression]);
    expect(suppressed.map((r) => r.address)).toEqual(['ada@example.com', 'carol@example.com']);
    expect(keep.map((r) => r.address)).toEqual(['bob@example.com', 'dan@xn--bcher-kva.example', 'erin@example.com']);

    await writeFile(path.join(dir, 'suppress.csv'), 'reason,Email\nbounced,Bob@Example.com\n');
    expect([...(await readSuppression('suppress.csv', { cwd: dir })).keys]).toEqual(['bob@example.com']);
  });

  it('may be empty: no rows, or a header alone', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'empty.csv'), '');
    await writeFile(path.join(dir, 'header.csv'), 'email,reason\n');
    expect((await readSuppression('empty.csv', { cwd: dir })).keys.size).toBe(0);
    expect((await readSuppression('header.csv', { cwd: dir })).keys.size).toBe(0);
  });

  // Issue 7 case 2: a suppression list fails closed.
  it('refuses every row it cannot read, each with its line, all at once', async () => {
    const problems = await readSuppression('unsubscribed.csv', { cwd }).catch((error: unknown) => error);
    expect(problems).toBeInstanceOf(ContentError);
    expect((problems as ContentError).problems).toEqual([
      { file: 'unsubscribed.csv', line: 3, message: '"junk line" is not an email address; a suppression list holds one address per row, and castwright will not guess whom this row protects' },
    ]);

    const dir = await tempDir();
    const refused = async (name: string, text: string) => {
      await writeFile(path.join(dir, name), text);
      const error = await readSuppression(name, { cwd: dir }).catch((caught: unknown) => caught);
      expect(error, name).toBeInstanceOf(ContentError);
      return (error as ContentError).problems.map((p) => `${p.line}: ${p.message.slice(0, p.message.indexOf('; a suppression list'))}`);
    };
    // Columns swapped: the email column holds names.
    expect(await refused('swapped.csv', 'email,name\nAda Lovelace,ada@example.com\nBob,bob@example.com\n')).toEqual([
      '2: "Ada Lovelace" is not an email address',
      '3: "Bob" is not an email address',
    ]);
    // Semicolons: neither a header with an email column nor addresses.
    expect(await refused('semicolons.csv', 'email;date\nada@example.com;2024-01-01\n')).toEqual([
      '1: neither a header row with an "email" column nor an address (found "email;date"); castwright reads comma-separated values',
      '2: "ada@example.com;2024-01-01" is not an email address',
    ]);
    expect(await refused('blank-cell.csv', 'email,reason\n,bounced\nada@example.com,left\n')).toEqual(['2: no email address']);
  });
});
