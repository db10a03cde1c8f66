import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Abandoned } from '../../../src/send/backends/backend.ts';
import { emlName, outboxBackend, type OutboxHandle } from '../../../src/send/backends/outbox.ts';
import { cleanUp, tempDir } from '../../helpers/content.ts';
import { parse } from '../smtp.ts';

afterEach(cleanUp);

const message = (address: string) => ({ from: 'news@fixture.example.com', to: { name: 'Ada', address }, subject: 'Hi', text: 'Hello\nagain' });

async function outboxFolder(): Promise<string> {
  return path.join(await tempDir(), 'outbox', 'ep');
}

describe('the outbox', () => {
  it('names each file after its address, safely', () => {
    expect(emlName('Ada@Example.com')).toBe('ada@example.com.eml');
    expect(emlName("o'brien/../x@example.com")).toMatch(/^o_brien_.._x@example\.com-[0-9a-f]{12}\.eml$/);
    expect(emlName('.hidden@example.com')).toMatch(/^hidden@example\.com-[0-9a-f]{12}\.eml$/);
    expect(emlName(`${'a'.repeat(64)}@${'b'.repeat(180)}.com`).length).toBeLessThanOrEqual(120);
  });

  it('replaces the messages of an earlier run and its half-written files, keeps other files, and records nothing', async () => {
    const folder = await outboxFolder();
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'gone@example.com.eml'), 'old');
    // A file a run killed mid-write left behind, by the outbox's own naming; and files that only look alike.
    await writeFile(path.join(folder, '.bob@example.com.eml.0123abcd.partial'), 'half a mess');
    await writeFile(path.join(folder, 'notes.txt'), 'mine');
    await writeFile(path.join(folder, 'draft.partial'), 'mine too');
    const outbox = outboxBackend({ folder, shown: 'outbox/ep' });
    expect(outbox).toMatchObject({ target: 'outbox/ep/', records: false, verb: 'written' });
    await outbox.open();
    const reply = await outbox.deliver(message('ada@example.com'));
    await outbox.close();
    expect(reply).toBe('written outbox/ep/ada@example.com.eml');
    expect((await readdir(folder)).sort()).toEqual(['ada@example.com.eml', 'draft.partial', 'notes.txt']);
    const raw = await readFile(path.join(folder, 'ada@example.com.eml'));
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    expect((await parse(raw)).to).toEqual([{ name: 'Ada', address: 'ada@example.com' }]);
  });

  it('writes nothing for a message given up before its turn', async () => {
    const folder = await outboxFolder();
    const outbox = outboxBackend({ folder, shown: 'outbox/ep' });
    await outbox.open();
    await expect(outbox.deliver(message('ada@example.com'), { ready: Promise.resolve(false) })).rejects.toBeInstanceOf(Abandoned);
    expect(await readdir(folder)).toEqual([]);
  });

  // Issue 7 case 6, at the file handle: a full disk stops the run instead of being retried, and leaves nothing half-written.
  it.each([
    ['ENOSPC', 'the disk is full; free some space and run the command again'],
    ['EIO', 'the disk reported an input/output error; check the device'],
  ])('stops the run on %s, naming the file, with no file left behind', async (code, advice) => {
    const folder = await outboxFolder();
    const create = async (file: string): Promise<OutboxHandle> => {
      const handle = await open(file, 'wx');
      return {
        writeFile: async (data) => {
          await handle.writeFile(String(data).slice(0, 100));
          throw Object.assign(new Error(`${code}: simulated, write`), { code, syscall: 'write' });
        },
        close: () => handle.close(),
      };
    };
    const outbox = outboxBackend({ folder, shown: 'outbox/ep', create });
    await outbox.open();
    const error = await outbox.deliver(message('ada@example.com')).catch((caught: unknown) => caught);
    expect(outbox.classify(error)).toEqual({ kind: 'fatal', reason: `cannot write outbox/ep/ada@example.com.eml (${code}: ${advice})` });
    expect(await readdir(folder)).toEqual([]);
    expect(existsSync(path.join(folder, 'ada@example.com.eml'))).toBe(false);
  });

  it('says why when the folder cannot be made', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'outbox'), 'a file where the folder should be');
    const outbox = outboxBackend({ folder: path.join(dir, 'outbox', 'ep'), shown: 'outbox/ep' });
    await expect(outbox.open()).rejects.toThrow(/^cannot prepare the outbox outbox\/ep\/ \((EEXIST|ENOTDIR): /);
  });
});
