import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Email } from 'postal-mime';
import { readLedger } from '../../src/send/ledger.ts';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.ts';
import { cleanUp, fixture } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { SECRET, SLUG, readerAddress, sendWorkspace, subscribersCsv } from '../send/mailing.ts';
import { closeSmtpServers, header, parse, startSmtpServer, type TestSmtpServer } from '../send/smtp.ts';

afterEach(async () => {
  await closeSmtpServers();
  await cleanUp();
});

const server = startSmtpServer;

/** The environment of a user who set only the secret: nothing from the test runner's shell leaks in. */
const ENV = { CASTWRIGHT_SECRET: SECRET, SMTP_URL: undefined, DKIM_DOMAIN: undefined, DKIM_SELECTOR: undefined, DKIM_KEY_FILE: undefined };

function send(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['send', ...args], { cwd: root, env: { ...ENV, ...env } });
}

/** The end-of-run counts, by label. */
function tally(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}(\S.*?) {2,}(\d+)\b/gm)].map((m) => [m[1]!, Number(m[2])]));
}

const LEDGER = `.castwright/sends/${SLUG}.jsonl`;
const ledgerOf = async (root: string) => (await readLedger(path.join(root, LEDGER))).state;
const tokenOf = (address: string) => createHmac('sha256', SECRET).update(address.toLowerCase()).digest('base64url');

function expectEachOnce(smtp: TestSmtpServer, addresses: readonly string[]) {
  const counts = new Map<string, number>();
  for (const message of smtp.received) counts.set(message.to, (counts.get(message.to) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual([...addresses].sort());
  expect([...counts.values()].every((count) => count === 1)).toBe(true);
}

const readers = (count: number, first = 0) => Array.from({ length: count }, (_, i) => readerAddress(first + i));

/** What a parsed message says, without what legitimately differs between two renderings (Date, MIME boundaries). */
function content(email: Email) {
  return {
    headers: email.headers.filter((h) => !['date', 'content-type'].includes(h.key)).map((h) => [h.key, h.value]),
    text: email.text,
    html: email.html,
  };
}

describe('castwright send over SMTP', () => {
  it('sends 500 readers one message each: both parts, the right headers, their own unsubscribe link, tagged story links', async () => {
    const root = await sendWorkspace(500);
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.stderr).not.toMatch(/rejected|warning/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^✓ ${SLUG}: 500 messages sent via smtp://127\\.0\\.0\\.1:${smtp.port} in \\d+\\.\\d s, \\d+\\.\\d messages/s\\n`));
    expect(tally(result.stdout)).toEqual({ sent: 500, 'skipped as already sent': 0, suppressed: 0, invalid: 0, failed: 0 });
    expect(result.stderr).toContain('sent: 500/500 (100%)');
    expectEachOnce(smtp, readers(500));
    expect((await ledgerOf(root)).sent.size).toBe(500);

    const messageIds = new Set<string>();
    for (const received of smtp.received) {
      const email = await parse(received);
      const index = Number(/^reader(\d+)@/.exec(received.to)![1]);
      expect(email.to).toEqual([{ name: `Reader ${index}`, address: received.to }]);
      expect(received.from).toBe('news@fixture.example.com');
      expect(email.from).toEqual({ name: 'Fixture Weekly', address: 'news@fixture.example.com' });
      expect(email.subject).toBe('A valid episode');
      messageIds.add(email.messageId!);

      const raw = received.raw.toString();
      expect(raw.indexOf('Content-Type: text/plain')).toBeGreaterThan(raw.indexOf('Content-Type: multipart/alternative'));
      expect(raw.indexOf('Content-Type: text/html')).toBeGreaterThan(raw.indexOf('Content-Type: text/plain'));

      const unsubscribe = `https://fixture.example.com/unsubscribe?token=${tokenOf(received.to)}`;
      expect(header(email, 'List-Unsubscribe')).toBe(`<${unsubscribe}>, <mailto:unsubscribe@fixture.example.com?subject=unsubscribe%20${tokenOf(received.to)}>`);
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(email, 'List-Id')).toBe('"Fixture Weekly" <fixture-weekly.fixture.example.com>');
      expect(email.text).toContain(unsubscribe);
      const page = dom(email.html!);
      expect([...page.querySelectorAll('a')].find((a) => a.textContent === 'Unsubscribe')?.getAttribute('href')).toBe(unsubscribe);

      const stories = [...page.querySelectorAll('a.story-title')].map((a) => new URL(a.getAttribute('href')!));
      expect(stories.map((url) => `${url.origin}${url.pathname}`)).toEqual(['https://news.example.com/first', 'https://www.other.example.org/second']);
      for (const url of stories) {
        expect(url.searchParams.get('utm_source')).toBe('fixture-weekly');
        expect(url.searchParams.get('utm_medium')).toBe('email');
        expect(url.searchParams.get('utm_campaign')).toBe(SLUG);
      }
      expect(stories[1]!.searchParams.get('id')).toBe('2');
    }
    expect(messageIds.size).toBe(500);
  });

  it('resumes a send killed with SIGKILL: every reader gets it, at most --connections of them twice', async () => {
    const root = await sendWorkspace(240);
    // A slow server keeps all four connections busy, so the kill lands with messages in flight.
    const smtp = await server({ delayMs: 15 });
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '4'];
    const child = spawnCli(['send', ...args], { cwd: root, env: ENV });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await expect.poll(() => smtp.received.length, { timeout: 30_000, interval: 5 }).toBeGreaterThanOrEqual(100);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = smtp.received.length;
    expect(atKill).toBeLessThan(240);
    const recorded = (await ledgerOf(root)).sent;
    // Never recorded before the server took it: the classic resume bug would skip readers forever.
    for (const address of recorded) expect(smtp.count(address)).toBe(1);
    expect(atKill - recorded.size).toBeLessThanOrEqual(4);

    const rerun = await send(root, args);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/Took over the lock of an earlier send that is no longer running \(process \d+\)/);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 240 - recorded.size, 'skipped as already sent': recorded.size, failed: 0 });
    for (const address of readers(240)) expect(smtp.count(address)).toBeGreaterThanOrEqual(1);
    expect(smtp.received.length - 240).toBeLessThanOrEqual(4);
    expect((await ledgerOf(root)).sent.size).toBe(240);
  });

  it('never mails suppressed or invalid addresses, and reports each invalid row with its line', async () => {
    const list = `${subscribersCsv(6)}not-an-address,Broken\nreader7@example..com,Dots\nREADER1@example.com,Duplicate\n`;
    const root = await sendWorkspace(0, { 'subscribers.csv': list, 'episodes/unsubscribed.csv': 'email\nreader2@example.com\nReader4@Example.com\n' });
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'subscribers.csv:8: "not-an-address" is not an email address\nsubscribers.csv:9: "reader7@example..com" is not an email address\n2 rows skipped',
    );
    expect(tally(result.stdout)).toEqual({ sent: 4, 'skipped as already sent': 0, suppressed: 2, invalid: 2, 'duplicates (one copy each)': 1, failed: 0 });
    expectEachOnce(smtp, [0, 1, 3, 5].map(readerAddress));
  });

  it('sends one [TEST] copy that no ledger records, honours suppression for it, and allows it for a draft', async () => {
    const draft = (await fixture('episodes/valid.md')).replace('episode: 7', 'episode: 8\ndraft: true').replace('/7.mp3', '/8.mp3');
    const root = await sendWorkspace(3, { 'episodes/2021-03-08-draft.md': draft, 'episodes/unsubscribed.csv': 'gone@example.com\n' });
    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    const ledgerBefore = await readFile(path.join(root, LEDGER));

    const test = await send(root, [SLUG, '--test', 'reader0@example.com', '--smtp', smtp.url]);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^✓ A \[TEST\] copy of 2021-03-01-valid sent to reader0@example\.com via smtp:\/\/127\.0\.0\.1:\d+; nothing was recorded\n/);
    expect(smtp.received).toHaveLength(4);
    expect((await parse(smtp.received[3]!)).subject).toBe('[TEST] A valid episode');
    expect(await readFile(path.join(root, LEDGER))).toEqual(ledgerBefore);

    const suppressed = await send(root, [SLUG, '--test', 'Gone@example.com', '--smtp', smtp.url]);
    expect(suppressed.code).toBe(1);
    expect(suppressed.stderr).toContain('castwright send: Gone@example.com is on the suppression list (episodes/unsubscribed.csv:1); nothing was sent.');

    const refused = await send(root, ['2021-03-08-draft', '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('castwright send: 2021-03-08-draft is a draft (draft: true in episodes/2021-03-08-draft.md); only a --test copy can be sent until it is published');
    expect((await send(root, ['2021-03-08-draft', '--test', 'me@example.com', '--smtp', smtp.url])).code).toBe(0);
    const recipients = smtp.received.map((m) => m.to);
    expect(recipients.slice(0, 3).sort()).toEqual(readers(3));
    expect(recipients.slice(3)).toEqual(['reader0@example.com', 'me@example.com']);
    expect(existsSync(path.join(root, '.castwright/sends/2021-03-08-draft.jsonl'))).toBe(false);
  });

  it('records 550s as failed and exits 1, skips them on a rerun, and tries them again with --retry-failed', async () => {
    const root = await sendWorkspace(8);
    let refusing = true;
    const smtp = await server({ refuseRecipient: (to) => (refusing && ['reader3@example.com', 'reader6@example.com'].includes(to) ? { code: 550, message: '5.1.1 No such user' } : undefined) });
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url];
    const first = await send(root, args);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('rejected reader3@example.com: 550 5.1.1 No such user\n');
    expect(first.stdout).toMatch(/^ {2}failed +2 {2}2 rejected for good \(recorded; --retry-failed tries them again\)$/m);
    expect(tally(first.stdout)).toMatchObject({ sent: 6, failed: 2 });

    refusing = false;
    const rerun = await send(root, args);
    expect(rerun.code).toBe(0);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 6, 'skipped as rejected before': 2, failed: 0 });
    const retried = await send(root, [...args, '--retry-failed']);
    expect(retried.code).toBe(0);
    expect(tally(retried.stdout)).toMatchObject({ sent: 2, 'skipped as already sent': 6, failed: 0 });
    expectEachOnce(smtp, readers(8));
  });

  it('stops after many failures in a row with a clear message and exit 1, keeping what was sent; a rerun finishes', async () => {
    const root = await sendWorkspace(30);
    let outage = true;
    let accepted = 0;
    const smtp = await server({
      answer: () => {
        if (outage && accepted >= 10) return { code: 451, message: '4.4.5 Insufficient system storage' };
        accepted++;
        return 'accept';
      },
    });
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '2', '--max-failures', '5', '--retry-delay', '0.01'];
    const stopped = await send(root, args);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toContain(`✗ ${SLUG}: stopped: 5 deliveries in a row failed; the last: 451 4.4.5 Insufficient system storage\n`);
    expect(stopped.stdout).toContain('Every message the server accepted is in the ledger. Run the same command again to continue where this run stopped.');
    expect(tally(stopped.stdout)).toMatchObject({ sent: 10 });
    expect([...(await ledgerOf(root)).sent].sort()).toEqual(smtp.received.map((m) => m.to).sort());

    outage = false;
    const rerun = await send(root, args);
    expect(rerun.code).toBe(0);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 20, 'skipped as already sent': 10 });
    expectEachOnce(smtp, readers(30));
  });

  it('refuses a second send of the same episode while one is running', async () => {
    const root = await sendWorkspace(12);
    let release = () => {};
    // The first send's first message gets no answer until the second send has been turned away.
    const smtp = await server({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '1'];
    const first = spawnCli(['send', ...args], { cwd: root, env: ENV });
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
    await expect.poll(() => smtp.attempts.size, { timeout: 30_000, interval: 10 }).toBe(1);
    const second = await send(root, args);
    release();
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`castwright send: another send of this episode is running (process ${first.pid} on `);
    expect(second.stderr).toContain('Nothing was sent.');
    expect(await firstDone).toBe(0);
    expectEachOnce(smtp, readers(12));
  });
});

describe('castwright send without an SMTP server', () => {
  it('writes one .eml per reader to the outbox, the same message SMTP delivers, and records nothing', async () => {
    const root = await sendWorkspace(5, { 'episodes/unsubscribed.csv': 'reader4@example.com\n' });
    const result = await send(root, [SLUG, '--to', 'subscribers.csv']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`✓ ${SLUG}: 4 messages written via outbox/${SLUG}/`);
    expect(result.stdout).toContain('Nothing was sent: give --smtp <url> or set SMTP_URL to send.');
    expect(tally(result.stdout)).toMatchObject({ written: 4, suppressed: 1 });
    expect(existsSync(path.join(root, '.castwright'))).toBe(false);
    const folder = path.join(root, 'outbox', SLUG);
    expect((await readdir(folder)).sort()).toEqual(readers(4).map((address) => `${address}.eml`));

    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    for (const address of readers(4)) {
      const written = await parse(await readFile(path.join(folder, `${address}.eml`)));
      const delivered = await parse(smtp.received.find((m) => m.to === address)!);
      expect(content(written)).toEqual(content(delivered));
      expect(written.to).toEqual([{ name: expect.stringMatching(/^Reader \d$/), address }]);
    }
  });
});

describe('castwright send usage', () => {
  it('exits 2 with a clear message for what cannot work, before sending anything', async () => {
    const future = (await fixture('episodes/valid.md')).replace('date: 2021-03-01T07:00:00-08:00', 'date: 2999-01-04T07:00:00Z').replace('episode: 7', 'episode: 9').replace('/7.mp3', '/9.mp3');
    const root = await sendWorkspace(2, { 'episodes/2999-01-04-later.md': future });
    const smtp = await server();
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['2021-03-01-vaild', '--to', 'subscribers.csv'], {}, 'no episode "2021-03-01-vaild" in episodes (did you mean "2021-03-01-valid"?)'],
      [[SLUG], {}, 'say who gets the digest: --to <subscribers.csv>, or --test <address> for one test copy'],
      [[SLUG, '--to', 'subscribers.csv', '--test', 'me@example.com'], {}, '--to and --test: choose one'],
      [[SLUG, '--to', 'missing.csv'], {}, 'cannot read missing.csv: no such file'],
      [[SLUG, '--test', 'me@@example.com'], {}, '--test: "me@@example.com" is not an email address'],
      [[SLUG, '--to', 'subscribers.csv', '--smtp', 'http://user:hunter2@mail.example.com'], {}, '--smtp is not an SMTP server URL ("http://…@mail.example.com")'],
      [[SLUG, '--to', 'subscribers.csv'], { SMTP_URL: 'mail.example.com:25' }, 'SMTP_URL is not an SMTP server URL'],
      [[SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '0'], {}, '--connections "0": expected a whole number from 1 to 100'],
      [[SLUG, '--to', 'subscribers.csv'], { CASTWRIGHT_SECRET: undefined }, 'CASTWRIGHT_SECRET is not set'],
      [['2999-01-04-later', '--to', 'subscribers.csv'], {}, '2999-01-04-later is dated 2999-01-04T07:00:00Z, in the future'],
    ];
    const results = await Promise.all(cases.map(([args, env]) => send(root, args, env)));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![2]).toBe(2);
      expect(result.stderr).toContain(`castwright send: ${cases[i]![2]}`);
      expect(result.stderr).not.toContain('hunter2');
    });
    expect(smtp.received).toHaveLength(0);
    expect(existsSync(path.join(root, 'outbox'))).toBe(false);
  });

  it('exits 1 on invalid content with its file:line problems, sending nothing', async () => {
    const root = await sendWorkspace(2, { 'episodes/bad-date.md': await fixture('invalid/bad-date.md') });
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/bad-date.md:3: date: "2020-09-31T07:00:00-07:00" is not a usable date');
    expect(result.stderr).toContain('castwright send: 1 problem; nothing was sent.');
    expect(smtp.received).toHaveLength(0);
  });

  it('stops before sending when the server cannot be used', async () => {
    const root = await sendWorkspace(2);
    const smtp = await server({ login: { user: 'show', pass: 'right' } });
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url.replace(':right@', ':wrong@')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/castwright send: cannot use smtp:\/\/show@127\.0\.0\.1:\d+: Invalid login: 535 Invalid login\nNothing was sent\.\n/);
    expect(existsSync(path.join(root, LEDGER))).toBe(false);
  });
});
