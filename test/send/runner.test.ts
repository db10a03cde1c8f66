import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger, readLedger } from '../../src/send/ledger.ts';
import { ledgerFile, planMailing } from '../../src/send/mailing.ts';
import { runMailing, type FailureEvent, type RunOptions } from '../../src/send/runner.ts';
import { smtpTransport } from '../../src/send/transport.ts';
import { cleanUp } from '../helpers/content.ts';
import { SECRET, SLUG, readerAddress, sendWorkspace } from './mailing.ts';
import { closeSmtpServers, startSmtpServer, type TestSmtpServer } from './smtp.ts';

afterEach(async () => {
  await closeSmtpServers();
  await cleanUp();
});

const server = startSmtpServer;

const FAST_RETRY = { retries: 3, delayMs: 10, maxDelayMs: 50 };

/** One run of the real pipeline, ledger included, as the command does it. */
async function send(root: string, smtp: TestSmtpServer, options: Partial<RunOptions> & { connections?: number } = {}) {
  const mailing = await planMailing({ contentDir: 'episodes', cwd: root, slug: SLUG, to: 'subscribers.csv', secret: SECRET });
  const connections = options.connections ?? 3;
  const transport = smtpTransport({ url: new URL(smtp.url), connections });
  const ledger = await Ledger.open(path.join(root, ledgerFile(SLUG)));
  const events: FailureEvent[] = [];
  try {
    const result = await runMailing({
      recipients: mailing.recipients,
      compose: mailing.compose,
      transport,
      ledger,
      concurrency: connections,
      retry: FAST_RETRY,
      maxFailures: 20,
      onFailure: (event) => events.push(event),
      ...options,
    });
    return { result, events };
  } finally {
    await transport.close();
    await ledger.close();
  }
}

const ledgerOf = async (root: string) => (await readLedger(path.join(root, ledgerFile(SLUG)))).state;

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
    expect(result).toMatchObject({ sent: 30, rejected: [], deferred: [], alreadySent: 0, notAttempted: 0 });
    expect(result.stopped).toBeUndefined();
    for (const address of deferred) expect(smtp.attempts.get(address)).toBe(3);
    expect(events.filter((e) => e.type === 'retrying')).toHaveLength(8);
    expect((await ledgerOf(root)).sent.size).toBe(30);
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
    const state = await ledgerOf(root);
    expect(state.sent.size).toBe(17);
    expect([...state.failed.keys()].sort()).toEqual([...unknown].sort());

    refusing = false;
    const rerun = await send(root, smtp);
    expect(rerun.result).toMatchObject({ sent: 0, alreadySent: 17, failedBefore: 3 });
    expect(smtp.received).toHaveLength(17);

    const retried = await send(root, smtp, { retryFailed: true });
    expect(retried.result).toMatchObject({ sent: 3, alreadySent: 17, failedBefore: 0 });
    expectEachOnce(smtp, 20);
    expect((await ledgerOf(root)).failed.size).toBe(0);
  });

  it('recovers from connections dropped in the middle of a message', async () => {
    const root = await sendWorkspace(25);
    const dropped = new Set([1, 8, 9, 20].map(readerAddress));
    const smtp = await server({ answer: ({ to, attempt }) => (dropped.has(to) && attempt === 1 ? 'drop' : 'accept') });
    const { result } = await send(root, smtp);
    expect(result).toMatchObject({ sent: 25, rejected: [], deferred: [] });
    expectEachOnce(smtp, 25);
    for (const address of dropped) expect(smtp.attempts.get(address)).toBe(2);
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
    const recorded = (await ledgerOf(root)).sent;
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
    expect((await ledgerOf(root)).failed.size).toBe(0);

    const guarded = await server({ login: { user: 'show', pass: 'right' } });
    const wrongLogin = { ...guarded, url: guarded.url.replace(':right@', ':wrong@') };
    const login = await send(root, wrongLogin, { connections: 1 });
    expect(login.result.stopped).toMatch(/535 Invalid login/);
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
    expect((await ledgerOf(root)).sent.size).toBe(result.sent);
  });
});
