import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpBackend } from '../../src/send/backends/smtp.ts';
import { Ledger, readLedger, type LedgerOptions } from '../../src/send/ledger.ts';
import { planMailing } from '../../src/send/mailing.ts';
import { runMailing, type FailureEvent, type RunOptions } from '../../src/send/runner.ts';
import { cleanUp } from '../helpers/content.ts';
import { failingHandle } from './disk.ts';
import { SECRET, SLUG, ledgerStateOf, mailingFilesOf, readerAddress, sendWorkspace } from './mailing.ts';
import { closeSmtpServers, startSmtpServer, type TestSmtpServer } from './smtp.ts';

afterEach(async () => {
  await closeSmtpServers();
  await cleanUp();
});

const server = startSmtpServer;

const FAST_RETRY = { retries: 3, delayMs: 10, maxDelayMs: 50 };

interface SendOptions extends Partial<RunOptions> {
  connections?: number;
  ledgerOptions?: LedgerOptions;
}

/** One run of the real pipeline, ledger included, as the command does it. */
async function send(root: string, smtp: TestSmtpServer, options: SendOptions = {}) {
  const mailing = await planMailing({ contentDir: 'episodes', cwd: root, slug: SLUG, to: 'subscribers.csv', secret: SECRET });
  const connections = options.connections ?? 3;
  const backend = smtpBackend({ url: new URL(smtp.url), timeoutMs: 10_000 });
  const files = await mailingFilesOf(root);
  const ledger = await Ledger.open(files.ledger, { show: mailing.show.guid, episode: mailing.episode.guid, list: 'subscribers.csv', slug: SLUG }, options.ledgerOptions);
  const events: FailureEvent[] = [];
  try {
    const result = await runMailing({
      recipients: mailing.recipients,
      compose: mailing.compose,
      backend,
      ledger,
      concurrency: connections,
      retry: FAST_RETRY,
      maxFailures: 20,
      onFailure: (event) => events.push(event),
      ...options,
    });
    return { result, events };
  } finally {
    await backend.close();
    await ledger.close();
  }
}

/** Every reader received exactly once. */
function expectEachOnce(smtp: TestSmtpServer, count: number) {
  for (let i = 0; i < count; i++) expect(smtp.count(readerAddress(i)), readerAddress(i)).toBe(1);
  expect(smtp.received).toHaveLength(count);
}

describe('a mailing run against a real SMTP server', () => {
  it('retries readers the server defers with 451 until it takes them', async () => {
    const root = await sendWorkspace(30);
    const deferred = new Set([3, 4, 5, 17].map(readerAddress));
    const smtp = await server({
      answer: ({ to, attempt }) => (deferred.has(to) && attempt <= 2 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : 'accept'),
    });
    const { result, events } = await send(root, smtp);
    expectEachOnce(smtp, 30);
    expect(result).toMatchObject({ sent: 30, rejected: [], deferred: [], uncertain: [], alreadySent: 0, notAttempted: 0 });
    expect(result.stopped).toBeUndefined();
    for (const address of deferred) expect(smtp.attempts.get(address)).toBe(3);
    expect(events.filter((e) => e.type === 'retrying')).toHaveLength(8);
    expect((await ledgerStateOf(root)).sent.size).toBe(30);
  });

  it('records readers refused with 550 as failed, delivers the rest, and tries them again only when asked', async () => {
    const root = await sendWorkspace(20);
    const unknown = new Set([2, 9, 15].map(readerAddress));
    let refusing = true;
    const smtp = await server({ refuseRecipient: (to) => (refusing && unknown.has(to) ? { code: 550, message: '5.1.1 No such user' } : undefined) });

    const first = await send(root, smtp);
    expect(first.result.sent).toBe(17);
    expect(first.result.rejected.map((r) => r.recipient.address).sort()).toEqual([...unknown].sort());
    expect(first.result.rejected[0]!.reason).toBe('550 5.1.1 No such user');
    expect(smtp.received).toHaveLength(17);
    for (const address of unknown) expect(smtp.count(address)).toBe(0);
    const state = await ledgerStateOf(root);
    expect(state.sent.size).toBe(17);
    expect([...state.failed.keys()].sort()).toEqual([...unknown].sort());

    refusing = false;
    const rerun = await send(root, smtp);
    expect(rerun.result).toMatchObject({ sent: 0, alreadySent: 17, failedBefore: 3 });
    expect(smtp.received).toHaveLength(17);

    const retried = await send(root, smtp, { retrying: { failed: true } });
    expect(retried.result).toMatchObject({ sent: 3, alreadySent: 17, failedBefore: 0 });
    expectEachOnce(smtp, 20);
    expect((await ledgerStateOf(root)).failed.size).toBe(0);
  });

  it('retries readers whose connection dropped before their message was sent', async () => {
    const root = await sendWorkspace(25);
    const dropped = new Set([1, 8, 9, 20].map(readerAddress));
    const tried = new Map<string, number>();
    const smtp = await server({
      refuseRecipient: (to) => {
        tried.set(to, (tried.get(to) ?? 0) + 1);
        return dropped.has(to) && tried.get(to) === 1 ? 'drop' : undefined;
      },
    });
    const { result } = await send(root, smtp);
    expect(result).toMatchObject({ sent: 25, rejected: [], deferred: [], uncertain: [] });
    expectEachOnce(smtp, 25);
    for (const address of dropped) expect(tried.get(address)).toBe(2);
  });

  // Issue 7 case 3: a server that stores the message and drops the connection before its 250.
  it('never sends again a message whose reply was lost after it was sent: recorded as uncertain, resent only when asked', async () => {
    const root = await sendWorkspace(12);
    const lost = new Set([2, 5, 11].map(readerAddress));
    let dropping = true;
    const smtp = await server({ answer: ({ to }) => (dropping && lost.has(to) ? 'store-and-drop' : 'accept') });

    const first = await send(root, smtp);
    expect(first.result).toMatchObject({ sent: 9, rejected: [], deferred: [] });
    expect(first.result.uncertain.map((u) => u.recipient.address).sort()).toEqual([...lost].sort());
    expect(first.result.uncertain[0]!.reason).toMatch(/^the connection was lost after the whole message was sent/);
    expect(first.events.filter((e) => e.type === 'retrying')).toEqual([]);
    // One copy each: the lost replies hid deliveries, and none was repeated.
    expectEachOnce(smtp, 12);
    const state = await ledgerStateOf(root);
    expect([...state.uncertain.keys()].sort()).toEqual([...lost].sort());

    dropping = false;
    const rerun = await send(root, smtp);
    expect(rerun.result).toMatchObject({ sent: 0, alreadySent: 9, uncertainBefore: 3 });
    expectEachOnce(smtp, 12);

    const asked = await send(root, smtp, { retrying: { uncertain: true } });
    expect(asked.result).toMatchObject({ sent: 3, alreadySent: 9, uncertainBefore: 0 });
    for (const address of lost) expect(smtp.count(address)).toBe(2);
    expect((await ledgerStateOf(root)).uncertain.size).toBe(0);
  });

  it('stops after many failures in a row, losing nothing already sent, and a rerun finishes the list', async () => {
    const root = await sendWorkspace(40);
    let outage = false;
    let accepted = 0;
    const smtp = await server({
      answer: () => {
        if (accepted >= 12) outage = true;
        if (outage) return { code: 421, message: '4.3.2 Service shutting down' };
        accepted++;
        return 'accept';
      },
    });
    const { result } = await send(root, smtp, { maxFailures: 6 });
    expect(result.stopped).toBe('6 deliveries in a row failed; the last: 421 4.3.2 Service shutting down');
    expect(result.sent).toBe(12);
    expect(result.sent + result.deferred.length + result.notAttempted + result.rejected.length).toBe(40);
    expect(result.notAttempted).toBeGreaterThan(0);
    const recorded = (await ledgerStateOf(root)).sent;
    expect([...recorded].sort()).toEqual(smtp.received.map((m) => m.to).sort());

    outage = false;
    accepted = -Infinity;
    const rerun = await send(root, smtp);
    expect(rerun.result).toMatchObject({ sent: 28, alreadySent: 12 });
    expectEachOnce(smtp, 40);
  });

  it('stops at once when the server refuses the sender or the login: every message would fail alike', async () => {
    const root = await sendWorkspace(10);
    const smtp = await server({ refuseSender: () => ({ code: 553, message: '5.7.1 Sender address rejected: not owned by user' }) });
    const { result } = await send(root, smtp, { connections: 1 });
    expect(result.stopped).toBe('the server refused the sender: 553 5.7.1 Sender address rejected: not owned by user');
    expect(result).toMatchObject({ sent: 0, rejected: [], notAttempted: 9 });
    expect(result.deferred).toHaveLength(1);
    expect((await ledgerStateOf(root)).failed.size).toBe(0);

    const guarded = await server({ login: { user: 'show', pass: 'right' } });
    const wrongLogin = { ...guarded, url: guarded.url.replace(':right@', ':wrong@') };
    const login = await send(root, wrongLogin, { connections: 1 });
    expect(login.result.stopped).toBe('the login failed: 535 Invalid login');
    expect(login.result.sent).toBe(0);
  });

  it('when interrupted, finishes and records the messages in flight and takes no new reader', async () => {
    const root = await sendWorkspace(30);
    const interrupt = new AbortController();
    let answered = 0;
    const smtp = await server({
      delayMs: 20,
      answer: () => {
        if (++answered === 10) interrupt.abort();
        return 'accept';
      },
    });
    const { result } = await send(root, smtp, { signal: interrupt.signal });
    expect(result.stopped).toBe('interrupted');
    expect(result.sent).toBe(smtp.received.length);
    expect(result.sent).toBeGreaterThanOrEqual(10);
    expect(result.sent).toBeLessThanOrEqual(12);
    expect(result.notAttempted).toBe(30 - result.sent);
    expect((await ledgerStateOf(root)).sent.size).toBe(result.sent);
  });

  it('stops for the reason its signal gives, such as the lock found taken by another send', async () => {
    const root = await sendWorkspace(30);
    const lost = new AbortController();
    let answered = 0;
    const smtp = await server({
      delayMs: 20,
      answer: () => {
        if (++answered === 5) lost.abort('the lock was taken over by process 4242 on elsewhere while this send ran');
        return 'accept';
      },
    });
    const { result } = await send(root, smtp, { signal: lost.signal });
    expect(result.stopped).toBe('the lock was taken over by process 4242 on elsewhere while this send ran');
    expect(result.sent).toBe(smtp.received.length);
    expect(result.notAttempted).toBe(30 - result.sent);
  });

  // The promise behind "at most --connections copies twice after a kill": while one message's
  // record is being written, the next on its connection may be sent but not completed.
  it('never has more messages accepted but unrecorded than connections, while records are slow to reach the disk', async () => {
    const root = await sendWorkspace(60);
    const { ledger } = await mailingFilesOf(root);
    let worst = 0;
    const smtp = await server({
      answer: () => {
        // This message is complete on the server now: count it with those taken before and not on disk yet.
        const recorded = readFileSync(ledger, 'utf8').split('\n').filter((line) => line.includes('"status":"sent"')).length;
        worst = Math.max(worst, smtp.received.length + 1 - recorded);
        return 'accept';
      },
    });
    // Each write waits before it reaches the file, so a record shows in the file just before it counts.
    const slow: LedgerOptions = {
      open: async (file) => {
        const handle = await failingHandle(file, Infinity);
        const write = (async (...args: Parameters<typeof handle.write>) => {
          await new Promise((resolve) => setTimeout(resolve, 15));
          return handle.write(...args);
        }) as typeof handle.write;
        return { ...handle, write };
      },
    };
    const { result } = await send(root, smtp, { connections: 3, ledgerOptions: slow });
    expect(result.sent).toBe(60);
    expectEachOnce(smtp, 60);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(3);
  });

  // Issue 7 case 6, at the runner: the disk fills in the middle of a mailing.
  it('stops at once when a record cannot be written, naming exactly the readers accepted but not recorded', async () => {
    const root = await sendWorkspace(40);
    const smtp = await server({ delayMs: 5 });
    const { ledger } = await mailingFilesOf(root);
    // Room for the header and about ten records, then the disk is full.
    const full: LedgerOptions = { open: (file) => failingHandle(file, 2500, 'ENOSPC') };
    const { result } = await send(root, smtp, { connections: 4, ledgerOptions: full });
    expect(result.stopped).toMatch(/^cannot write the ledger .+\.jsonl \(ENOSPC: the disk is full; free some space and run the command again\)$/);
    const recorded = (await readLedger(ledger)).state.sent;
    const unrecorded = result.unrecorded.map((u) => u.recipient.key);
    expect(unrecorded.length).toBeGreaterThan(0);
    expect(unrecorded.length).toBeLessThanOrEqual(4);
    // What the server took is exactly what was recorded plus what the run names: nothing completed after the failure.
    expect(smtp.received.map((m) => m.to).sort()).toEqual([...recorded, ...unrecorded].sort());
    expect(result.sent).toBe(recorded.size);
    expect(result.sent + result.unrecorded.length + result.notAttempted + result.deferred.length).toBe(40);
  });

  // Read by name, then opened by name: a ledger restored in its place between the two was appended
  // to, while the readers it records as sent were mailed again.
  it('sends nothing when the ledger is replaced between its reading and its opening', async () => {
    const root = await sendWorkspace(4);
    const smtp = await server();
    const { ledger: file } = await mailingFilesOf(root);
    const mailing = await planMailing({ contentDir: 'episodes', cwd: root, slug: SLUG, to: 'subscribers.csv', secret: SECRET });
    const first = await Ledger.open(file, { show: mailing.show.guid, episode: mailing.episode.guid, list: 'subscribers.csv', slug: SLUG });
    await first.record({ status: 'sent', to: readerAddress(0), at: new Date().toISOString(), response: '250 OK' });
    await first.close();
    const restored = readFileSync(file, 'utf8') + [1, 2, 3].map((i) => `${JSON.stringify({ status: 'sent', to: readerAddress(i), at: new Date().toISOString(), response: '250 OK' })}\n`).join('');
    const replacing: LedgerOptions = {
      open: async (name) => {
        await writeFile(`${name}.restored`, restored);
        await rename(`${name}.restored`, name);
        return failingHandle(name, Infinity);
      },
    };
    await expect(send(root, smtp, { ledgerOptions: replacing })).rejects.toThrow(/replaced or written to while castwright opened it/);
    expect(smtp.received).toHaveLength(0);
    expect(readFileSync(file, 'utf8')).toBe(restored);
  });
});
