import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdir, readFile, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError, STALE_AFTER_MS, acquireLock, processStartTicks, type LockHolder } from '../../src/send/lock.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await cleanUp();
});

async function lockPath(): Promise<string> {
  return path.join(await tempDir(), 'sends', 'ep.lock');
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** A live process that is not a send: the kind a reused pid belongs to. */
async function unrelatedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

async function writeLock(file: string, holder: Partial<LockHolder> & { pid: number }): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ host: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'earlier', ...holder }));
}

const onLinux = existsSync('/proc/self/stat');

describe('the send lock', () => {
  it('lets one holder in at a time and names the holder to the next', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file);
    const refused = await acquireLock(file).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockedError);
    expect((refused as LockedError).holder?.pid).toBe(process.pid);
    expect((refused as Error).message).toMatch(new RegExp(`^another send of this episode is running \\(process ${process.pid} on .*\\); wait for it to finish$`));
    await lock.release();
    expect(existsSync(file)).toBe(false);
    const again = await acquireLock(file);
    expect(again.tookOverFrom).toBeUndefined();
    await again.release();
  });

  // Read blocking, a named pipe by the lock's name held every send, and every sign-up, forever.
  it('refuses, without waiting, a named pipe in place of the lock', async () => {
    const file = await lockPath();
    await mkdir(path.dirname(file), { recursive: true });
    spawnSync('mkfifo', [file]);
    await expect(acquireLock(file, 'sends/ep.lock')).rejects.toThrow(
      'sends/ep.lock: not a regular file (a named pipe, device or folder); expected the lock castwright writes, one line naming its holder; remove it once no send is running',
    );
  });

  it('records the holder: pid, host, start time and boot', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file);
    const holder = JSON.parse(await readFile(file, 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    if (onLinux) {
      expect(holder.startTicks).toMatch(/^\d+$/);
      expect(holder.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    }
    await lock.release();
  });

  it('takes over the lock of a process that died', async () => {
    const file = await lockPath();
    const pid = deadPid();
    await writeLock(file, { pid });
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom?.pid).toBe(pid);
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  // Issue 7 case 4: in a container the sender is PID 1 in every run.
  it('takes over a lock naming its own pid that it does not hold: a killed predecessor with the same pid', async () => {
    const file = await lockPath();
    await writeLock(file, { pid: process.pid, nonce: 'a-killed-run', startTicks: '1' });
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom).toMatchObject({ pid: process.pid, nonce: 'a-killed-run' });
    await lock.release();
  });

  it.runIf(onLinux)('takes over a lock naming a live process with another start time: the pid was reused', async () => {
    const file = await lockPath();
    const pid = await unrelatedProcess();
    const ticks = processStartTicks(pid)!;
    await writeLock(file, { pid, startTicks: String(Number(ticks) - 100) });
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom?.pid).toBe(pid);
    await lock.release();

    // PID 1, alive in every container and machine, named by a lock from a run that started at another time.
    await writeLock(file, { pid: 1, startTicks: String(Number(processStartTicks(1) ?? 0) + 12345) });
    const again = await acquireLock(file);
    expect(again.tookOverFrom?.pid).toBe(1);
    await again.release();
  });

  it.runIf(onLinux)('takes over a lock from another boot of this machine', async () => {
    const file = await lockPath();
    await writeLock(file, { pid: 1, boot: '00000000-0000-0000-0000-000000000000', startTicks: processStartTicks(1)! });
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom?.pid).toBe(1);
    await lock.release();
  });

  it.runIf(onLinux)('keeps a lock whose process is alive with the same start time', async () => {
    const file = await lockPath();
    const pid = await unrelatedProcess();
    await writeLock(file, { pid, startTicks: processStartTicks(pid)! });
    await expect(acquireLock(file)).rejects.toThrow(`another send of this episode is running (process ${pid} on ${hostname()}, started 2026-01-01T00:00:00Z); wait for it to finish`);
  });

  it('when it cannot tell, refuses and says how to remove the lock by hand', async () => {
    const file = await lockPath();
    // A live pid, but no start time to compare (a lock from a system without /proc, or an older castwright).
    const pid = await unrelatedProcess();
    await writeLock(file, { pid });
    await expect(acquireLock(file, 'sends/ep.lock')).rejects.toThrow(
      `another send of this episode is running (process ${pid} on ${hostname()}, started 2026-01-01T00:00:00Z), or a lock left behind: ` +
        "a process with that id is running, and castwright cannot tell whether it is that send. If no send of this episode is running, remove the lock by hand (rm 'sends/ep.lock') and run the command again",
    );
    await writeLock(file, { pid: deadPid(), host: 'elsewhere.example' });
    await expect(acquireLock(file, 'sends/ep.lock')).rejects.toThrow("its process runs on another machine. If no send of this episode is running, remove the lock by hand (rm 'sends/ep.lock')");
    await writeFile(file, 'not json');
    await expect(acquireLock(file, 'sends/ep.lock')).rejects.toThrow("the lock file cannot be read. If no send of this episode is running, remove the lock by hand (rm 'sends/ep.lock')");
  });

  it.runIf(onLinux)('reads the start time from /proc after the command name, which may hold spaces and parentheses', async () => {
    // The command name is the executable's file name: run node under a name made to confuse a parser.
    const odd = path.join(await tempDir(), 'odd ) 1 2 (');
    await symlink(process.execPath, odd);
    const child = spawn(odd, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    expect(stat).toContain('(odd ) 1 2 ()');
    const ticks = processStartTicks(child.pid!);
    expect(ticks).toMatch(/^\d+$/);
    // Started after this process; a parser counting fields from the start would be three fields off.
    expect(Number(ticks)).toBeGreaterThanOrEqual(Number(processStartTicks(process.pid)));
    expect(stat.split(' ')[21]).not.toBe(ticks);
    expect(processStartTicks(deadPid())).toBeUndefined();
  });

  // Two containers sharing the state folder (a volume), each sender PID 1 in its own pid namespace,
  // often with the same host name: the other's pid says nothing here, whatever it equals.
  it('never takes over the lock of a send in another pid namespace while that send keeps it fresh, even one with its own pid', async () => {
    const file = await lockPath();
    const container = { pid: process.pid, nonce: 'another-container', pidns: 'pid:[4026599999]', startTicks: '1' };
    await writeLock(file, container);
    const refused = await acquireLock(file, 'sends/ep.lock').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockedError);
    expect((refused as Error).message).toContain(
      `another send of this episode is running (process ${process.pid} on ${hostname()}, started 2026-01-01T00:00:00Z), or a lock left behind: ` +
        'its process runs in another process namespace (another container sharing this folder), where its id means nothing here, and it refreshed the lock ',
    );
    expect((refused as Error).message).toContain(`a process that was killed stops refreshing its lock, and castwright takes it over ${STALE_AFTER_MS / 1000} s after the last refresh`);
    expect((refused as Error).message).toContain("remove the lock by hand (rm 'sends/ep.lock')");

    // Not refreshed for longer than that: its holder is gone (a container killed and started again).
    const past = new Date(Date.now() - STALE_AFTER_MS - 5_000);
    await utimes(file, past, past);
    const lock = await acquireLock(file);
    expect(lock.tookOverFrom).toMatchObject({ nonce: 'another-container' });
    await lock.release();
  });

  it.runIf(onLinux)('records its pid namespace and keeps the lock fresh while it holds it', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file, file, { refreshMs: 20 });
    expect((JSON.parse(await readFile(file, 'utf8')) as LockHolder).pidns).toBe(readlinkSync('/proc/self/ns/pid'));
    const old = new Date(Date.now() - 3_600_000);
    await utimes(file, old, old);
    await expect.poll(async () => (await stat(file)).mtimeMs, { timeout: 10_000, interval: 20 }).toBeGreaterThan(Date.now() - 60_000);
    await lock.release();
  });

  it('says when the lock it holds is removed or taken by another process: the send must stop', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file, 'sends/ep.lock', { refreshMs: 20 });
    expect(lock.lost.aborted).toBe(false);
    await writeFile(file, JSON.stringify({ pid: 4242, host: 'elsewhere', started: 'later', nonce: 'other' }));
    await expect.poll(() => lock.lost.aborted, { timeout: 10_000, interval: 20 }).toBe(true);
    expect(lock.lost.reason).toMatch(/^the lock sends\/ep\.lock was taken over by process 4242 on elsewhere while this send ran; stopped, so that two sends never mail the same readers/);
    await lock.release();
    await unlink(file);

    const gone = await acquireLock(file, 'sends/ep.lock', { refreshMs: 20 });
    await unlink(file);
    await expect.poll(() => gone.lost.aborted, { timeout: 10_000, interval: 20 }).toBe(true);
    expect(gone.lost.reason).toMatch(/^the lock sends\/ep\.lock was removed while this send ran \(the state folder deleted or moved\?\)/);
    await gone.release();
  });

  it('on release leaves alone a lock that is no longer its own', async () => {
    const file = await lockPath();
    const lock = await acquireLock(file);
    const other = JSON.stringify({ pid: process.pid, host: hostname(), started: 'later', nonce: 'other' });
    await writeFile(file, other);
    await lock.release();
    expect(await readFile(file, 'utf8')).toBe(other);
  });

  it('names the lock and the cause when it cannot be written', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'sends'), 'a file where the folder should be');
    await expect(acquireLock(path.join(dir, 'sends', 'ep.lock'), 'sends/ep.lock')).rejects.toThrow('cannot write the lock sends/ep.lock (EEXIST: it already exists)');
  });

  it('says which folder on the way is a link to nothing (a share not mounted), not only that the lock does not exist', async () => {
    const dir = await tempDir();
    await symlink(path.join(dir, 'share', 'lists'), path.join(dir, 'lists'));
    await expect(acquireLock(path.join(dir, 'lists', '.lock'), 'lists/.lock')).rejects.toThrow(
      `cannot write the lock lists/.lock: lists, on its way, is a symbolic link to ${path.join(dir, 'share', 'lists')}, which does not exist (a share not mounted?)`,
    );
  });
});
