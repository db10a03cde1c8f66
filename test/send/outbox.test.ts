import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emlName, outboxTransport } from '../../src/send/outbox.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { parse } from './smtp.ts';

afterEach(cleanUp);

describe('the outbox', () => {
  it('names each file after its address, safely', () => {
    expect(emlName('Ada@Example.com')).toBe('ada@example.com.eml');
    expect(emlName("o'brien/../x@example.com")).toMatch(/^o_brien_.._x@example\.com-[0-9a-f]{12}\.eml$/);
    expect(emlName('.hidden@example.com')).toMatch(/^hidden@example\.com-[0-9a-f]{12}\.eml$/);
    expect(emlName(`${'a'.repeat(64)}@${'b'.repeat(180)}.com`).length).toBeLessThanOrEqual(120);
  });

  it('replaces the messages of an earlier run, keeps other files, and leaves no partial files', async () => {
    const folder = path.join(await tempDir(), 'outbox', 'ep');
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, 'gone@example.com.eml'), 'old');
    await writeFile(path.join(folder, 'notes.txt'), 'mine');
    const outbox = await outboxTransport(folder, 'outbox/ep');
    expect(outbox.target).toBe('outbox/ep/');
    const reply = await outbox.deliver({ from: 'news@fixture.example.com', to: { name: 'Ada', address: 'ada@example.com' }, subject: 'Hi', text: 'Hello' });
    await outbox.close();
    expect(reply).toBe('written outbox/ep/ada@example.com.eml');
    expect((await readdir(folder)).sort()).toEqual(['ada@example.com.eml', 'notes.txt']);
    const raw = await readFile(path.join(folder, 'ada@example.com.eml'));
    expect(raw.includes('\r\n')).toBe(true);
    expect((await parse(raw)).to).toEqual([{ name: 'Ada', address: 'ada@example.com' }]);
    expect(existsSync(path.join(folder, 'gone@example.com.eml'))).toBe(false);
  });
});
