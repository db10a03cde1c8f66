import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError, acquireLock } from '../../src/send/lock.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

async function lockPath(): Promise<string> {
  return path.join(await tempDir(), 'sends', 'ep.lock');
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the send lock', () => {
  it('lets one holder in at a time and names the holder to the next', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file);
    const refused = await acquireLock(file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockedError);
    expect((refused as LockedError).holder?.pid).toBe(process.pid);
    expect((refused as Error).message).toMatch(new RegExp(`^another send of this episode is running \\(process ${process.pid} on `));
    await lock.release();
    expect(existsSync(file)).toBe(false);
    const again = await acquireLock(file);
    expect(again.tookOverFrom).toBeUndefined();
    await again.release();
  });

  it('takes over the lock of a process that died', async () => {
    const file = await lockPath();
    await mkdir(path.dirname(file), { recursive: true });
    const pid = deadPid();
    await writeFile(file, JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'x' }));
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('never takes over a lock held from another machine, whose processes it cannot see', async () => {
    const file = await lockPath();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', started: '2026-01-01T00:00:00Z', nonce: 'x' }));
    await expect(acquireLock(file)).rejects.toThrow(`, or if no send is running there, delete ${file}`);
  });

  it('on release leaves alone a lock that is no longer its own', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file);
    const other = JSON.stringify({ pid: process.pid, host: hostname(), started: 'later', nonce: 'other' });
    await writeFile(file, other);
    await lock.release();
    expect(await readFile(file, 'utf8')).toBe(other);
  });
});
