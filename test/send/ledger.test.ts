import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger, LedgerError, readLedger, type LedgerMailing, type LedgerRecord } from '../../src/send/ledger.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { failingHandle } from './disk.ts';

afterEach(cleanUp);

const at = '2026-01-01T00:00:00.000Z';
const sent = (to: string): LedgerRecord => ({ status: 'sent', to, at, response: '250 OK' });
const failed = (to: string): LedgerRecord => ({ status: 'failed', to, at, response: '550 5.1.1 no such user' });
const uncertain = (to: string): LedgerRecord => ({ status: 'uncertain', to, at, response: 'connection lost after the message' });

const MAILING: LedgerMailing = { show: 'a0e1c2d3-0000-5000-8000-000000000001', episode: 'https://show.example/ep/1', list: 'subscribers.csv', slug: 'ep-1' };

async function ledgerPath(): Promise<string> {
  return path.join(await tempDir(), '.castwright', 'sends', 'show', 'ep.jsonl');
}

/** A ledger file holding Ada, as a finished earlier run left it. */
async function ledgerWithAda(): Promise<string> {
  const file = await ledgerPath();
  const ledger = await Ledger.open(file, MAILING);
  await ledger.record(sent('ada@example.com'));
  await ledger.close();
  return file;
}

describe('the send ledger', () => {
  it('starts with a header naming the mailing, durable before any record', async () => {
    const file = await ledgerPath();
    const ledger = await Ledger.open(file, MAILING);
    await ledger.close();
    const [header, ...rest] = (await readFile(file, 'utf8')).split('\n');
    expect(JSON.parse(header!)).toMatchObject({ ledger: 'castwright send ledger', version: 1, show: MAILING.show, episode: MAILING.episode, list: 'subscribers.csv', slug: 'ep-1' });
    expect(rest).toEqual(['']);
    expect((await readLedger(file)).header).toMatchObject({ show: MAILING.show });
  });

  it('reads back what was recorded: sent is final, otherwise the latest outcome counts', async () => {
    const file = await ledgerPath();
    const ledger = await Ledger.open(file, MAILING);
    expect(ledger.state.sent.size).toBe(0);
    for (const record of [sent('ada@example.com'), failed('bob@example.com'), failed('carol@example.com'), sent('carol@example.com'), uncertain('dan@example.com'), uncertain('erin@example.com'), failed('erin@example.com'), sent('ada@example.com'), uncertain('ada@example.com')]) {
      await ledger.record(record);
    }
    await ledger.close();
    const { state, torn } = await readLedger(file);
    expect([...state.sent]).toEqual(['ada@example.com', 'carol@example.com']);
    expect([...state.failed.keys()]).toEqual(['bob@example.com', 'erin@example.com']);
    expect([...state.uncertain]).toEqual([['dan@example.com', 'connection lost after the message']]);
    expect(torn).toBe(0);
  });

  it('has a record on disk by the time record() resolves, also when many arrive at once', async () => {
    const file = await ledgerPath();
    const ledger = await Ledger.open(file, MAILING);
    const addresses = Array.from({ length: 200 }, (_, i) => `reader${i}@example.com`);
    await Promise.all(
      addresses.map(async (address) => {
        await ledger.record(sent(address));
        expect((await readFile(file, 'utf8')).includes(`"to":"${address}"`)).toBe(true);
      }),
    );
    await ledger.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.slice(1).map((line) => (JSON.parse(line) as LedgerRecord).to).sort()).toEqual([...addresses].sort());
  });

  // Issue 7 case 1: a ledger is never reused for another mailing.
  it('refuses a ledger whose header names another show, episode or list', async () => {
    const file = await ledgerWithAda();
    await expect(Ledger.open(file, { ...MAILING, list: 'lists/vip.csv' }, { shown: 'the.jsonl' })).rejects.toThrow(
      'the.jsonl records the sending of this episode to the list subscribers.csv, not to lists/vip.csv; castwright never mixes two mailings in one ledger. ' +
        'If lists/vip.csv is the same list moved or renamed, give it back its name',
    );
    await expect(Ledger.open(file, { ...MAILING, episode: 'other' }, { shown: 'the.jsonl' })).rejects.toThrow(
      `the.jsonl is the ledger of the episode with guid ${MAILING.episode} (this is other), not of this mailing`,
    );
    await expect(Ledger.open(file, { ...MAILING, show: 'b' }, { shown: 'the.jsonl' })).rejects.toThrow(`the.jsonl is the ledger of the show with guid ${MAILING.show} (this is b)`);
    // The slug is for people reading the file: a renamed episode file keeps its ledger.
    const renamed = await Ledger.open(file, { ...MAILING, slug: 'renamed' });
    expect([...renamed.state.sent]).toEqual(['ada@example.com']);
    await renamed.close();
  });

  it('refuses records without a header rather than guess whose they are', async () => {
    const file = await ledgerPath();
    await Ledger.open(file, MAILING).then((ledger) => ledger.close());
    await writeFile(file, `${JSON.stringify(sent('ada@example.com'))}\n`);
    await expect(Ledger.open(file, MAILING, { shown: 'x.jsonl' })).rejects.toThrow('x.jsonl:1: no ledger header naming the show, episode and list');
  });

  // Issue 7 case 5.
  it('keeps a last record that is whole but lacks its newline, and adds the newline before appending', async () => {
    const file = await ledgerWithAda();
    await appendFile(file, JSON.stringify(sent('bob@example.com')));
    const read = await readLedger(file);
    expect([...read.state.sent]).toEqual(['ada@example.com', 'bob@example.com']);
    expect(read).toMatchObject({ torn: 0, unterminated: true });

    const reopened = await Ledger.open(file, MAILING);
    expect(reopened.tornBytes).toBe(0);
    expect([...reopened.state.sent]).toEqual(['ada@example.com', 'bob@example.com']);
    await reopened.record(sent('carol@example.com'));
    await reopened.close();
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines.map((line) => (line ? (JSON.parse(line) as LedgerRecord).to : line))).toEqual([undefined, 'ada@example.com', 'bob@example.com', 'carol@example.com', '']);
  });

  it('cuts off a record torn by a crash mid-write, saying how many bytes, before appending', async () => {
    const file = await ledgerWithAda();
    await appendFile(file, '{"status":"sent","to":"bob@exa');
    expect((await readLedger(file)).state.sent).toEqual(new Set(['ada@example.com']));

    const reopened = await Ledger.open(file, MAILING);
    expect(reopened.tornBytes).toBe(30);
    expect(reopened.state.sent).toEqual(new Set(['ada@example.com']));
    await reopened.record(sent('carol@example.com'));
    await reopened.close();
    const { state, torn, unterminated } = await readLedger(file);
    expect([...state.sent]).toEqual(['ada@example.com', 'carol@example.com']);
    expect({ torn, unterminated }).toEqual({ torn: 0, unterminated: false });
  });

  it('refuses a ledger with a damaged line in the middle rather than guess who was sent to', async () => {
    const file = await ledgerWithAda();
    await appendFile(file, 'garbage\n{"status":"sent","to":"bob@example.com","at":"x","response":"250"}\n');
    await expect(Ledger.open(file, MAILING)).rejects.toThrow(LedgerError);
    await expect(readLedger(file)).rejects.toThrow(`${file}:3: not a ledger record`);
  });

  // A 600 MB garbled file was read whole (and, all NULs without a newline, taken for one torn record).
  it('refuses, unread, a ledger larger than castwright writes, or a named pipe in its place, rather than guess who was sent to', async () => {
    const file = await ledgerWithAda();
    await truncate(file, 300 * 1024 * 1024);
    const tooLarge = /: 300 MB, more than castwright writes there \(256 MB at most\); expected a send ledger, one line a reader\. castwright will not guess who was already sent to: restore the file$/;
    await expect(readLedger(file, 'the.jsonl')).rejects.toThrow(new RegExp(`^the\\.jsonl${tooLarge.source}`));
    await expect(Ledger.open(file, MAILING)).rejects.toThrow(LedgerError);
    await rm(file);
    execFileSync('mkfifo', [file]);
    await expect(readLedger(file, 'the.jsonl')).rejects.toThrow(
      'the.jsonl: not a regular file (a named pipe, device or folder); expected a send ledger, one line a reader. castwright will not guess who was already sent to: restore the file',
    );
  });

  // A ledger linked to a share that is not mounted read as no ledger at all: Ledger.open then made a
  // new one through the link (in the empty mount point) and every reader was mailed again.
  it('refuses a ledger that is a link to nothing, rather than start a new one through it', async () => {
    const file = await ledgerPath();
    const share = path.join(path.dirname(path.dirname(path.dirname(file))), 'share');
    await mkdir(share, { recursive: true });
    await mkdir(path.dirname(file), { recursive: true });
    await symlink(path.join(share, 'ep.jsonl'), file);
    const refused = `the.jsonl: a symbolic link to ${path.join(share, 'ep.jsonl')}, which does not exist; expected a send ledger, one line a reader. castwright will not guess who was already sent to: restore the file`;
    await expect(readLedger(file, 'the.jsonl')).rejects.toThrow(refused);
    await expect(Ledger.open(file, MAILING, { shown: 'the.jsonl' })).rejects.toThrow(refused);
    await expect(readFile(path.join(share, 'ep.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // Read by name, then opened by name: a ledger put in its place between the two (a restore, a
  // copy from another machine) was appended to, while the readers it records as sent were not
  // skipped and were mailed again.
  it('refuses a ledger replaced between its reading and its opening, rather than send by the one read', async () => {
    for (const replace of ['longer', 'same length']) {
      const file = await ledgerWithAda();
      const text = await readFile(file, 'utf8');
      const other = replace === 'longer' ? text + `${JSON.stringify(sent('bob@example.com'))}\n` : text.replace('ada@', 'bob@');
      const open = async (name: string) => {
        await writeFile(`${name}.restored`, other);
        await rename(`${name}.restored`, name);
        return failingHandle(name, Infinity);
      };
      await expect(Ledger.open(file, MAILING, { shown: 'the.jsonl', open })).rejects.toThrow(
        /^the\.jsonl: replaced or written to while castwright opened it; expected the ledger as read, unchanged while the mailing's lock is held\. castwright will not guess who was already sent to: run the command again/,
      );
      expect(await readFile(file, 'utf8')).toBe(other);
    }
  });

  it('reads a missing ledger as empty', async () => {
    const { state, kept, header } = await readLedger(path.join(await tempDir(), 'none.jsonl'));
    expect(state.sent.size + state.failed.size + state.uncertain.size + kept).toBe(0);
    expect(header).toBeUndefined();
  });

  // Issue 7 case 6, at the file handle: the disk fills in the middle of a record.
  it('fails every record from the first one it cannot write, with a message naming the ledger and the cause', async () => {
    const file = await ledgerWithAda();
    const ledger = await Ledger.open(file, MAILING, { shown: 'sends/ep.jsonl', open: (name) => failingHandle(name, 100, 'ENOSPC') });
    const first = ledger.record(sent('bob@example.com'));
    await expect(first).resolves.toBeUndefined();
    const torn = ledger.record(sent('carol@example.com'));
    const after = ledger.record(sent('dan@example.com'));
    const message = 'cannot write the ledger sends/ep.jsonl (ENOSPC: the disk is full; free some space and run the command again)';
    await expect(torn).rejects.toThrow(message);
    await expect(after).rejects.toThrow(message);
    await expect(ledger.record(sent('erin@example.com'))).rejects.toThrow(LedgerError);
    await ledger.close();
    // Bob is recorded; the part of Carol's and Dan's records that reached the file was cut off again.
    const reopened = await Ledger.open(file, MAILING);
    expect([...reopened.state.sent]).toEqual(['ada@example.com', 'bob@example.com']);
    expect(reopened.tornBytes).toBe(0);
    await reopened.close();
  });

  it('names the ledger and the cause when it cannot even be created', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sends'), 'a file where the folder should be');
    await expect(Ledger.open(path.join(dir, 'sends', 'ep.jsonl'), MAILING, { shown: 'sends/ep.jsonl' })).rejects.toThrow(
      'cannot create the folder of the ledger sends/ep.jsonl (EEXIST: it already exists)',
    );
  });
});
