import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger, LedgerError, readLedger, type LedgerRecord } from '../../src/send/ledger.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const at = '2026-01-01T00:00:00.000Z';
const sent = (to: string): LedgerRecord => ({ status: 'sent', to, at, response: '250 OK' });
const failed = (to: string): LedgerRecord => ({ status: 'failed', to, at, response: '550 5.1.1 no such user' });

async function ledgerPath(): Promise<string> {
  return path.join(await tempDir(), '.castwright', 'sends', 'ep.jsonl');
}

/** A ledger file holding Ada, as a finished earlier run left it. */
async function ledgerWithAda(): Promise<string> {
  const file = await ledgerPath();
  const ledger = await Ledger.open(file);
  await ledger.record(sent('ada@example.com'));
  await ledger.close();
  return file;
}

describe('the send ledger', () => {
  it('creates its folders and reads back what was recorded: sent wins over an earlier failure', async () => {
    const file = await ledgerPath();
    const ledger = await Ledger.open(file);
    expect(ledger.state.sent.size).toBe(0);
    await ledger.record(sent('ada@example.com'));
    await ledger.record(failed('bob@example.com'));
    await ledger.record(failed('carol@example.com'));
    await ledger.record(sent('carol@example.com'));
    await ledger.close();
    const { state, torn } = await readLedger(file);
    expect([...state.sent]).toEqual(['ada@example.com', 'carol@example.com']);
    expect([...state.failed]).toEqual([['bob@example.com', '550 5.1.1 no such user']]);
    expect(torn).toBe(0);
  });

  it('has a record on disk by the time record() resolves, also when many arrive at once', async () => {
    const file = await ledgerPath();
    const ledger = await Ledger.open(file);
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
    expect(lines.map((line) => (JSON.parse(line) as LedgerRecord).to).sort()).toEqual([...addresses].sort());
  });

  it('ignores a record torn by a crash mid-write and cuts it off before appending', async () => {
    const file = await ledgerWithAda();
    await appendFile(file, '{"status":"sent","to":"bob@exa');
    expect((await readLedger(file)).state.sent).toEqual(new Set(['ada@example.com']));

    const reopened = await Ledger.open(file);
    expect(reopened.tornBytes).toBe(30);
    expect(reopened.state.sent).toEqual(new Set(['ada@example.com']));
    await reopened.record(sent('carol@example.com'));
    await reopened.close();
    const { state, torn } = await readLedger(file);
    expect([...state.sent]).toEqual(['ada@example.com', 'carol@example.com']);
    expect(torn).toBe(0);
  });

  it('refuses a ledger with a damaged line in the middle rather than guess who was sent to', async () => {
    const file = await ledgerWithAda();
    await appendFile(file, 'garbage\n{"status":"sent","to":"bob@example.com","at":"x","response":"250"}\n');
    await expect(Ledger.open(file)).rejects.toThrow(LedgerError);
    await expect(readLedger(file)).rejects.toThrow(`${file}:2: not a ledger record`);
  });

  it('reads a missing ledger as empty', async () => {
    const { state, complete } = await readLedger(path.join(await tempDir(), 'none.jsonl'));
    expect(state.sent.size + state.failed.size + complete).toBe(0);
  });
});
