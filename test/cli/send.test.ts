// castwright send as a user runs it, against real SMTP servers. Most runs go through the command
// line's own entry in this process (test/send/cli.ts); the runs that must be processes (killed,
// or holding a lock against another) are spawned.
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, symlink, truncate, writeFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Email } from 'postal-mime';
import { loadContent } from '../../src/load/content.ts';
import { processStartTicks } from '../../src/send/lock.ts';
import { messageId } from '../../src/send/message.ts';
import { unsubscribeToken } from '../../src/send/token.ts';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { ENV, PID1_SKIP, canStartAsPid1, send, spawnSendAsPid1, tally } from '../send/cli.ts';
import { mountSmallDisk } from '../send/disk.ts';
import { SECRET, SLUG, ledgerStateOf, mailingFilesOf, readerAddress, readers, sendWorkspace, showWithMailto, subscribersCsv } from '../send/mailing.ts';
import { closeSmtpServers, header, parse, startSilentServer, startSmtpServer, type TestSmtpServer } from '../send/smtp.ts';

afterEach(async () => {
  await closeSmtpServers();
  await cleanUp();
});

const server = startSmtpServer;

const tokenOf = (canonical: string) => unsubscribeToken(canonical, SECRET);

function expectEachOnce(smtp: TestSmtpServer, addresses: readonly string[]) {
  const counts = new Map<string, number>();
  for (const message of smtp.received) counts.set(message.to, (counts.get(message.to) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual([...addresses].sort());
  expect([...counts.values()].every((count) => count === 1)).toBe(true);
}

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
    expect((await ledgerStateOf(root)).sent.size).toBe(500);

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
    await expect.poll(() => smtp.received.length, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(100);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = smtp.received.length;
    expect(atKill).toBeLessThan(240);
    const recorded = (await ledgerStateOf(root)).sent;
    // Never recorded before the server took it: the classic resume bug would skip readers forever.
    for (const address of recorded) expect(smtp.count(address)).toBe(1);
    expect(atKill - recorded.size).toBeLessThanOrEqual(4);

    const rerun = await send(root, args);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/Took over the lock of an earlier send that is no longer running \(process \d+\)/);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 240 - recorded.size, 'skipped as already sent': recorded.size, failed: 0 });
    for (const address of readers(240)) expect(smtp.count(address)).toBeGreaterThanOrEqual(1);
    expect(smtp.received.length - 240).toBeLessThanOrEqual(4);
    expect((await ledgerStateOf(root)).sent.size).toBe(240);
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
    expect(result.stderr).toContain('2 addresses suppressed from episodes/unsubscribed.csv\n');
    expect(tally(result.stdout)).toEqual({ sent: 4, 'skipped as already sent': 0, suppressed: 2, invalid: 2, 'duplicates (one copy each)': 1, failed: 0 });
    expectEachOnce(smtp, [0, 1, 3, 5].map(readerAddress));
  });

  it('sends one [TEST] copy that no ledger records, honours suppression for it, and allows it for a draft', async () => {
    const draft = (await fixture('episodes/valid.md')).replace('episode: 7', 'episode: 8\ndraft: true').replace('/7.mp3', '/8.mp3');
    const root = await sendWorkspace(3, { 'episodes/2021-03-08-draft.md': draft, 'episodes/unsubscribed.csv': 'gone@example.com\n' });
    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    const { ledger } = await mailingFilesOf(root);
    const ledgerBefore = await readFile(ledger);

    const test = await send(root, [SLUG, '--test', 'reader0@example.com', '--smtp', smtp.url]);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^✓ A \[TEST\] copy of 2021-03-01-valid sent to reader0@example\.com via smtp:\/\/127\.0\.0\.1:\d+; nothing was recorded\n/);
    expect(smtp.received).toHaveLength(4);
    expect((await parse(smtp.received[3]!)).subject).toBe('[TEST] A valid episode');
    expect(await readFile(ledger)).toEqual(ledgerBefore);

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
    expect(existsSync((await mailingFilesOf(root, { slug: '2021-03-08-draft' })).ledger)).toBe(false);
  });

  it('says why a [TEST] copy was not sent, when the server refuses it for every reader', async () => {
    const root = await sendWorkspace(1);
    const smtp = await server({ refuseSender: () => ({ code: 553, message: '5.7.1 Not your domain' }) });
    const test = await send(root, [SLUG, '--test', 'me@example.com', '--smtp', smtp.url]);
    expect(test.code).toBe(1);
    // Once only "was not sent", with no reason anywhere.
    expect(test.stdout).toMatch(/^✗ The \[TEST\] copy of 2021-03-01-valid was not sent: the server refused the sender: 553 5\.7\.1 Not your domain\n/);
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
    expect([...(await ledgerStateOf(root)).sent].sort()).toEqual(smtp.received.map((m) => m.to).sort());

    outage = false;
    const rerun = await send(root, args);
    expect(rerun.code).toBe(0);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 20, 'skipped as already sent': 10 });
    expectEachOnce(smtp, readers(30));
  });

  it('refuses a second send of the same mailing while one is running, from any working folder', async () => {
    const root = await sendWorkspace(12);
    let release = () => {};
    // The first send's first message gets no answer until the second send has been turned away.
    const smtp = await server({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const first = spawnCli(['send', SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '1'], { cwd: root, env: ENV });
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
    await expect.poll(() => smtp.attempts.size, { timeout: 60_000, interval: 10 }).toBe(1);
    // The same mailing, started from inside the content folder.
    const second = await send(path.join(root, 'episodes'), [SLUG, '--content', '.', '--to', '../subscribers.csv', '--smtp', smtp.url]);
    release();
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`castwright send: another send of this episode is running (process ${first.pid} on ${hostname()}, started `);
    expect(second.stderr).toContain('; wait for it to finish\nNothing was sent.');
    expect(await firstDone).toBe(0);
    expectEachOnce(smtp, readers(12));
  });
});

// Issue 7 case 1.
describe('where a mailing is remembered', () => {
  /** Two shows (two content folders, each with an episode of the same file name) and one list of readers. */
  async function twoShows(): Promise<string> {
    const root = await workspace({});
    const episode = await fixture('episodes/valid.md');
    for (const [name, url] of [
      ['show-a', 'https://fixture.example.com/'],
      ['show-b', 'https://other.example.com/'],
    ] as const) {
      await mkdir(path.join(root, name, 'episodes'), { recursive: true });
      await writeFile(path.join(root, name, 'episodes', 'show.yml'), (await showWithMailto()).replace('url: https://fixture.example.com/', `url: ${url}`));
      await writeFile(path.join(root, name, 'episodes', `${SLUG}.md`), episode);
    }
    await writeFile(path.join(root, 'subscribers.csv'), subscribersCsv(10));
    return root;
  }

  it('keeps each show’s mailing apart: a second show’s episode of the same name reaches every reader', async () => {
    const root = await twoShows();
    const smtp = await server();
    const a = await send(root, [SLUG, '--content', 'show-a/episodes', '--to', 'subscribers.csv', '--smtp', smtp.url]);
    const b = await send(root, [SLUG, '--content', 'show-b/episodes', '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(tally(b.stdout)).toMatchObject({ sent: 10, 'skipped as already sent': 0 });
    for (const address of readers(10)) expect(smtp.count(address)).toBe(2);
    // Beside each content folder, keyed by the show's and the episode's guid.
    expect(a.stdout).toMatch(/^Ledger: show-a\/\.castwright\/sends\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.jsonl$/m);
    expect(b.stdout).toMatch(/^Ledger: show-b\/\.castwright\/sends\/[0-9a-f-]{36}\/[0-9a-f-]{36}\.jsonl$/m);
  });

  it('finds the same ledger from any working folder, and sends nobody a second copy', async () => {
    const root = await twoShows();
    const smtp = await server();
    expect((await send(root, [SLUG, '--content', 'show-a/episodes', '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    const again = await send(path.join(root, 'show-a'), [SLUG, '--content', 'episodes', '--to', '../subscribers.csv', '--smtp', smtp.url]);
    expect(again.code).toBe(0);
    expect(tally(again.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 10 });
    expect(again.stdout).toMatch(/^Ledger: \.castwright\/sends\//m);
    expectEachOnce(smtp, readers(10));
  });

  it('finds the same ledger through a symbolic link to the content folder or the list, and sends nobody a second copy', async () => {
    const root = await sendWorkspace(6);
    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    // The same show and list, reached from another folder through links, as a deploy or a home folder shortcut does.
    const elsewhere = path.join(root, 'desk');
    await mkdir(elsewhere);
    await symlink(path.join(root, 'episodes'), path.join(elsewhere, 'show'));
    await symlink(path.join(root, 'subscribers.csv'), path.join(elsewhere, 'readers.csv'));
    const again = await send(elsewhere, [SLUG, '--content', 'show', '--to', 'readers.csv', '--smtp', smtp.url]);
    expect(again.code).toBe(0);
    expect(tally(again.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 6 });
    expect(existsSync(path.join(elsewhere, '.castwright'))).toBe(false);
    expectEachOnce(smtp, readers(6));
  });

  it('keeps state where --state or CASTWRIGHT_STATE says', async () => {
    const root = await sendWorkspace(3);
    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', 'state-one'])).code).toBe(0);
    expect(existsSync((await mailingFilesOf(root, { state: path.join(root, 'state-one') })).ledger)).toBe(true);
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url], { CASTWRIGHT_STATE: path.join(root, 'state-two') })).code).toBe(0);
    expect(existsSync((await mailingFilesOf(root, { state: path.join(root, 'state-two') })).ledger)).toBe(true);
    // The option wins over the variable.
    const both = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', 'state-one'], { CASTWRIGHT_STATE: 'state-two' });
    expect(tally(both.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 3 });
    expect(existsSync(path.join(root, '.castwright'))).toBe(false);
  });

  it('refuses to record the mailing of another list in an episode’s ledger', async () => {
    const root = await sendWorkspace(4, { 'vip.csv': subscribersCsv(2, 100) });
    const smtp = await server();
    expect((await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url])).code).toBe(0);
    const other = await send(root, [SLUG, '--to', 'vip.csv', '--smtp', smtp.url]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/castwright send: \.castwright\/sends\/\S+\.jsonl records the sending of this episode to the list subscribers\.csv, not to vip\.csv; castwright never mixes two mailings in one ledger\./);
    expect(other.stderr).toContain('\nNothing was sent.\n');
    expect(smtp.received).toHaveLength(4);
  });

  it('adopts a ledger an earlier castwright left in the working folder when its records prove it is this mailing’s', async () => {
    const root = await sendWorkspace(8);
    const { show, episodes } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    const episode = episodes.find((candidate) => candidate.slug === SLUG)!;
    const old = path.join(root, '.castwright', 'sends', `${SLUG}.jsonl`);
    await mkdir(path.dirname(old), { recursive: true });
    const records = readers(3).map((to) => JSON.stringify({ status: 'sent', to, at: '2026-01-01T00:00:00Z', messageId: messageId(show, { ...episode, status: 'published' as const }, to), response: '250 OK' }));
    await writeFile(old, `${records.join('\n')}\n`);
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Moved the ledger of an earlier castwright \(3 records\) from \.castwright\/sends\/2021-03-01-valid\.jsonl to \.castwright\/sends\/\S+\.jsonl; the old file is kept as \.castwright\/sends\/2021-03-01-valid\.jsonl\.migrated\./);
    expect(tally(result.stdout)).toMatchObject({ sent: 5, 'skipped as already sent': 3 });
    expectEachOnce(smtp, readers(8, 0).slice(3));
    expect(existsSync(old)).toBe(false);
    expect(existsSync(`${old}.migrated`)).toBe(true);
  });

  it('refuses a ledger an earlier castwright left for another show’s episode of the same name', async () => {
    const root = await sendWorkspace(4);
    const old = path.join(root, '.castwright', 'sends', `${SLUG}.jsonl`);
    await mkdir(path.dirname(old), { recursive: true });
    await writeFile(old, `${JSON.stringify({ status: 'sent', to: 'reader0@example.com', at: '2026-01-01T00:00:00Z', messageId: '<0123456789abcdef0123456789abcdef@other.example.com>', response: '250 OK' })}\n`);
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'castwright send: found .castwright/sends/2021-03-01-valid.jsonl, a ledger of an earlier castwright, which kept ledgers by the episode\'s file name alone; it cannot be this mailing\'s: ' +
        'its record for reader0@example.com has the Message-ID <0123456789abcdef0123456789abcdef@other.example.com>, made for another episode guid or another site than this one\'s.',
    );
    expect(result.stderr).toContain('Nothing was moved\nNothing was sent.');
    expect(smtp.received).toHaveLength(0);
    expect(existsSync(old)).toBe(true);
  });

  // Adopting the old ledger over the link would drop every record the unmounted one holds.
  it('refuses a ledger that is a link to nothing, even with a ledger of an earlier castwright to adopt', async () => {
    const root = await sendWorkspace(4);
    const old = path.join(root, '.castwright', 'sends', `${SLUG}.jsonl`);
    await mkdir(path.dirname(old), { recursive: true });
    await writeFile(old, '');
    const { ledger } = await mailingFilesOf(root);
    await mkdir(path.dirname(ledger), { recursive: true });
    await symlink(path.join(root, 'share-not-mounted', 'ledger.jsonl'), ledger);
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/a symbolic link to \S+share-not-mounted\/ledger\.jsonl, which does not exist; expected a send ledger/);
    expect(result.stderr).toContain('Nothing was sent.');
    expect(smtp.received).toHaveLength(0);
    expect(existsSync(old)).toBe(true);
    expect(existsSync(`${old}.migrated`)).toBe(false);
  });

  it('refuses a ledger of an earlier castwright that is a link to nothing, rather than pass it over', async () => {
    const root = await sendWorkspace(4);
    const old = path.join(root, '.castwright', 'sends', `${SLUG}.jsonl`);
    await mkdir(path.dirname(old), { recursive: true });
    await symlink(path.join(root, 'share-not-mounted', `${SLUG}.jsonl`), old);
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.castwright\/sends\/2021-03-01-valid\.jsonl: a symbolic link to \S+, which does not exist; expected a send ledger/);
    expect(result.stderr).toContain('Nothing was sent.');
    expect(smtp.received).toHaveLength(0);
    expect(existsSync((await mailingFilesOf(root)).ledger)).toBe(false);
  });

  // The same share, linked as the folder an earlier castwright kept its ledgers in: lstat of the
  // ledger said it does not exist, so it was passed over and every reader it lists mailed again.
  it('refuses a ledger of an earlier castwright whose folder is a link to nothing, rather than pass it over', async () => {
    const root = await sendWorkspace(4);
    await symlink(path.join(root, 'share-not-mounted', 'castwright'), path.join(root, '.castwright'));
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', 'state']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.castwright\/sends\/2021-03-01-valid\.jsonl: \.castwright, on its way, is a symbolic link to \S+share-not-mounted\/castwright, which does not exist; expected a send ledger/);
    expect(result.stderr).toContain('Nothing was sent.');
    expect(smtp.received).toHaveLength(0);
    expect(existsSync((await mailingFilesOf(root, { state: path.join(root, 'state') })).ledger)).toBe(false);
  });
});

// Issue 7 case 2.
describe('the suppression list fails closed', () => {
  it.each([
    ['columns swapped', 'email,name\nReader Two,reader2@example.com\nReader Three,reader3@example.com\n', ['2: "Reader Two" is not an email address', '3: "Reader Three" is not an email address']],
    ['a semicolon export', 'email;date\nreader2@example.com;2024-01-01\n', ['1: neither a header row with an "email" column nor an address (found "email;date")', '2: "reader2@example.com;2024-01-01" is not an email address']],
    ['a blank address', 'email,reason\nreader2@example.com,left\n,bounced\n', ['3: no email address']],
    // Once read as reader2@example.com2024-01-01: the tab dropped, not refused, and reader 2 mailed.
    ['a tab-separated row', 'email\nreader2@example.com\t2024-01-01\n', ['2: "reader2@example.com\\t2024-01-01" is not an email address']],
    // Once read from the first column alone: reader 2, in the second, was mailed.
    ['two address columns', 'email,e-mail\nnobody@example.com,reader2@example.com\n', ['1: 2 columns of the header row may hold the address ("email" and "e-mail")']],
  ])('stops before sending anything on %s, naming every row', async (_case, text, rows) => {
    const root = await sendWorkspace(5, { 'episodes/unsubscribed.csv': text });
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(1);
    for (const row of rows) expect(result.stderr).toContain(`episodes/unsubscribed.csv:${row}`);
    expect(result.stderr).toContain(`castwright send: ${rows.length} problem${rows.length === 1 ? '' : 's'}; nothing was sent.`);
    expect(smtp.received).toHaveLength(0);
    expect(existsSync(path.join(root, '.castwright'))).toBe(false);
  });

  it('stops when the default list is a link to a file that is not there (a share not mounted), rather than send without it', async () => {
    const root = await sendWorkspace(3);
    await symlink('/mnt/lists-not-mounted/unsubscribed.csv', path.join(root, 'episodes', 'unsubscribed.csv'));
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'castwright send: cannot read episodes/unsubscribed.csv: it is a symbolic link to /mnt/lists-not-mounted/unsubscribed.csv, which does not exist',
    );
    expect(smtp.received).toHaveLength(0);
  });

  it('allows an empty list, and says it is empty', async () => {
    const root = await sendWorkspace(3, { 'episodes/unsubscribed.csv': 'email\n' });
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('0 addresses suppressed from episodes/unsubscribed.csv\n');
    expectEachOnce(smtp, readers(3));
  });
});

// Issue 7 case 3.
describe('a server that takes a message and drops the connection before its reply', () => {
  it('gets each message once: the reader is recorded as uncertain, listed, and sent again only with --retry-uncertain', async () => {
    const root = await sendWorkspace(6);
    let dropping = true;
    const smtp = await server({ answer: ({ to }) => (dropping && to === 'reader4@example.com' ? 'store-and-drop' : 'accept') });
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--retry-delay', '0.01'];
    const first = await send(root, args);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/uncertain reader4@example\.com: the connection was lost after the whole message was sent, before the server's reply \(.+\); it may have arrived \(recorded; not sent again unless --retry-uncertain\)/);
    expect(tally(first.stdout)).toMatchObject({ sent: 5, failed: 0, uncertain: 1 });
    expect(first.stdout).toContain('Uncertain (they may have it; recorded, and not sent again unless --retry-uncertain): reader4@example.com\n');
    expectEachOnce(smtp, readers(6));

    dropping = false;
    const rerun = await send(root, args);
    expect(tally(rerun.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 5, 'skipped as uncertain before': 1 });
    expectEachOnce(smtp, readers(6));

    const asked = await send(root, [...args, '--retry-uncertain']);
    expect(asked.code).toBe(0);
    expect(tally(asked.stdout)).toMatchObject({ sent: 1, 'skipped as already sent': 5 });
    expect(smtp.count('reader4@example.com')).toBe(2);
  });
});

// Issue 7 case 4.
describe('a lock left by a killed send', () => {
  it('is taken over when it names PID 1 with another start time, as a container restarted after SIGKILL leaves it', async () => {
    const root = await sendWorkspace(3);
    const { lock } = await mailingFilesOf(root);
    await mkdir(path.dirname(lock), { recursive: true });
    const ticks = processStartTicks(1);
    await writeFile(lock, JSON.stringify({ pid: 1, host: hostname(), started: '2026-01-01T00:00:00Z', nonce: 'killed', startTicks: String(Number(ticks ?? 0) + 4242) }));
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    if (ticks === undefined) {
      // Without /proc the start time cannot be compared: the lock stays, and the message says what to do.
      expect(result.stderr).toContain('remove the lock by hand');
      return;
    }
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Took over the lock of an earlier send that is no longer running (process 1).');
    expectEachOnce(smtp, readers(3));
  });
});

// Two containers sharing the state folder, each sender PID 1 of its own pid namespace under one
// host name: the other's pid 1 is not this one's, whatever its start time says.
describe('a lock held by a send in another container', () => {
  it.skipIf(!canStartAsPid1)(`is never taken while that send runs, though it names PID 1 with another start time (${PID1_SKIP})`, async () => {
    const root = await sendWorkspace(8);
    let release = () => {};
    // The first send's first message gets no answer until the second send has been turned away.
    const smtp = await server({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const first = spawnSendAsPid1([SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--connections', '1'], { cwd: root });
    let firstErr = '';
    first.stderr!.on('data', (chunk) => (firstErr += chunk));
    const firstDone = new Promise<number | null>((resolve) => first.on('exit', resolve));
    try {
      await expect.poll(() => smtp.attempts.size, { timeout: 60_000, interval: 10 }).toBe(1);
      const { lock } = await mailingFilesOf(root);
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: 1, host: hostname() });
      const second = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('castwright send: another send of this episode is running (process 1 on ');
      expect(second.stderr).toContain('its process runs in another process namespace (another container sharing this folder)');
      expect(second.stderr).toContain('\nNothing was sent.');
    } finally {
      release();
    }
    expect(await firstDone, firstErr).toBe(0);
    expectEachOnce(smtp, readers(8));
  });
});

// Issue 7 case 5.
describe('a ledger cut short by a crash', () => {
  it('keeps a last record that lost only its newline, and cuts and reports a half-written one', async () => {
    const root = await sendWorkspace(6);
    const smtp = await server();
    const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url];
    expect((await send(root, args)).code).toBe(0);
    const { ledger } = await mailingFilesOf(root);
    // The crash came between a record and its newline: the record is whole and counts.
    await truncate(ledger, readFileSync(ledger).length - 1);
    const kept = await send(root, args);
    expect(kept.stderr).not.toContain('cut');
    expect(tally(kept.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 6 });
    expectEachOnce(smtp, readers(6));

    // The crash came in the middle of a record: it is not one, and the run says what it cut.
    await appendFile(ledger, '{"status":"sent","to":"reader9@exam');
    const torn = await send(root, args);
    expect(torn.code).toBe(0);
    expect(torn.stderr).toMatch(/Ledger \.castwright\/sends\/\S+\.jsonl: cut 35 bytes of a half-written record at its end/);
    expect(tally(torn.stdout)).toMatchObject({ sent: 0, 'skipped as already sent': 6 });
    expect(readFileSync(ledger, 'utf8').endsWith('}\n')).toBe(true);
  });
});

// Issue 7 case 6, on a real full disk (a small tmpfs).
describe('a full disk', () => {
  async function disk(skip: (note: string) => void) {
    const mounted = await mountSmallDisk('1m');
    if ('skip' in mounted) {
      skip(mounted.skip);
      throw new Error('skipped');
    }
    return mounted;
  }

  it('under the state folder: stops at the lock with one clear line, sending nothing', async (context) => {
    const small = await disk((note) => context.skip(note));
    try {
      small.fill();
      const root = await sendWorkspace(3);
      const smtp = await server();
      const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', small.dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^castwright send: cannot write the lock \S+\.lock \(ENOSPC: the disk is full; free some space and run the command again\)\nNothing was sent\.\n$/m);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(smtp.received).toHaveLength(0);
    } finally {
      small.unmount();
    }
  });

  // Node's recursive mkdir says ENOENT ("it does not exist") whatever stopped it; the user must
  // read the real cause.
  it('or read-only under the state folder: stops at the lock saying so, sending nothing', async (context) => {
    const small = await disk((note) => context.skip(note));
    try {
      small.readOnly();
      const root = await sendWorkspace(3);
      const smtp = await server();
      const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', small.dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^castwright send: cannot write the lock \S+\.lock \(EROFS: the file system is read-only; choose a writable folder\)\nNothing was sent\.\n$/m);
      expect(smtp.received).toHaveLength(0);
    } finally {
      small.unmount();
    }
  });

  it('filling up in the middle of a mailing: stops at once, names exactly the readers accepted but not recorded, and a rerun finishes', async (context) => {
    const small = await disk((note) => context.skip(note));
    try {
      const root = await sendWorkspace(80);
      let filled = false;
      const smtp = await server({
        answer: () => {
          if (!filled && smtp.received.length === 5) {
            small.fill();
            filled = true;
          }
          return 'accept';
        },
      });
      const args = [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--state', small.dir, '--connections', '3'];
      const first = await send(root, args);
      expect(first.code).toBe(1);
      expect(first.stdout).toMatch(/^✗ 2021-03-01-valid: stopped: cannot write the ledger \S+\.jsonl \(ENOSPC: the disk is full; free some space and run the command again\)$/m);
      const named = /^Accepted by the server but not in the ledger, so a rerun would send to them again: (.+)$/m.exec(first.stdout)?.[1]?.split(', ') ?? [];
      const recorded = (await ledgerStateOf(root, { state: small.dir })).sent;
      expect(named.length).toBeGreaterThan(0);
      expect(tally(first.stdout)).toMatchObject({ sent: recorded.size, 'not recorded': named.length });
      expect(first.stdout).not.toContain('Every message the server accepted is in the ledger');
      // Nothing was sent after the failure: the server has exactly the recorded readers and the named ones.
      expect(smtp.received.map((m) => m.to).sort()).toEqual([...recorded, ...named].sort());
      expect(smtp.received.length).toBeLessThan(80);

      small.free();
      const rerun = await send(root, args);
      expect(rerun.code).toBe(0);
      for (const address of readers(80)) expect(smtp.count(address), address).toBe(named.includes(address) ? 2 : 1);
    } finally {
      small.unmount();
    }
  });

  it('under the outbox: stops at the first file with one clear line, leaving no half-written file', async (context) => {
    const small = await disk((note) => context.skip(note));
    try {
      const root = await sendWorkspace(20);
      const folder = path.join(small.dir, 'outbox', SLUG);
      await mkdir(folder, { recursive: true });
      small.fill();
      const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--outbox', path.join(small.dir, 'outbox')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^✗ 2021-03-01-valid: stopped: cannot write \S+\/reader\d+@example\.com\.eml \(ENOSPC: the disk is full; free some space and run the command again\)$/m);
      expect(result.stderr).not.toContain('not accepted yet');
      expect(await readdir(folder)).toEqual([]);
    } finally {
      small.unmount();
    }
  });
});

// Issue 7 case 7.
describe('a server that never answers', () => {
  it('fails within --timeout, naming the step, and sends nothing', async () => {
    const root = await sendWorkspace(2);
    const silent = await startSilentServer();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', silent.url, '--timeout', '0.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `castwright send: cannot use smtp://127.0.0.1:${silent.port}: no greeting within 0.5 s: the server took the connection but never answered\nNothing was sent.\n`,
    );
  });

  it('that greets but never answers the login: fails within --timeout, naming the step', async () => {
    const root = await sendWorkspace(2);
    const smtp = await server({ login: { user: 'show', pass: 'right' }, silentLogin: true });
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--timeout', '0.5']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`castwright send: cannot use smtp://show@127.0.0.1:${smtp.port}: no answer to AUTH (the login) within 0.5 s\nNothing was sent.\n`);
  });
});

// Issue 7 case 8.
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('credentials', () => {
  it.runIf(external)('are never sent in clear text to another host, unless the URL says insecure=true (needs a non-loopback interface)', async () => {
    const root = await sendWorkspace(2);
    const smtp = await server({ login: { user: 'show', pass: 'hunter2' }, host: external! });
    const refused = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`castwright send: cannot use smtp://show@${external}:${smtp.port}: refusing to send the password for show unencrypted: ${external} offers no STARTTLS`);
    expect(refused.stderr).not.toContain('hunter2');
    expect(smtp.logins).toEqual([]);
    expect(smtp.received).toHaveLength(0);

    const allowed = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', `${smtp.url}?insecure=true`]);
    expect(allowed.code).toBe(0);
    expectEachOnce(smtp, readers(2));
  });
});

// Issue 7 case 10 (and the usage mistakes that were already caught).
describe('castwright send usage', () => {
  it('checks every option the same way with or without an SMTP server, before reading anything', async () => {
    const root = await sendWorkspace(2);
    const smtp = await server();
    const bad = ['--rate', 'abc', '--connections', '0', '--timeout', '0', '--retries', '1.5'];
    const expected =
      'castwright send: 4 problems with the options:\n' +
      '  --connections "0": expected a whole number from 1 to 100\n' +
      '  --rate "abc": expected a number from 0.001 up\n' +
      '  --timeout "0": expected a number from 0.1 to 3600\n' +
      '  --retries "1.5": expected a whole number from 0 to 20\n';
    // Even a content folder that does not exist is not looked at first.
    for (const mode of [[], ['--smtp', smtp.url]]) {
      const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--content', 'missing', ...bad, ...mode]);
      expect(result.code, mode.join(' ')).toBe(2);
      expect(result.stderr).toBe(`${expected}Run "castwright send --help" for its options.\n`);
    }
    expect(existsSync(path.join(root, 'outbox'))).toBe(false);
    expect(smtp.received).toHaveLength(0);
  });

  it('exits 2 with a clear message for what cannot work, before sending anything', async () => {
    const future = (await fixture('episodes/valid.md')).replace('date: 2021-03-01T07:00:00-08:00', 'date: 2999-01-04T07:00:00Z').replace('episode: 7', 'episode: 9').replace('/7.mp3', '/9.mp3');
    const root = await sendWorkspace(2, { 'episodes/2999-01-04-later.md': future });
    const smtp = await server();
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['2021-03-01-vaild', '--to', 'subscribers.csv'], {}, 'no episode "2021-03-01-vaild" in episodes (did you mean "2021-03-01-valid"?)'],
      [[SLUG], {}, 'say who gets the digest: lists/subscribers.csv does not exist yet (castwright serve adds readers to it as they sign up; castwright subscribers import adds a list); --to <subscribers.csv>, or --test <address> for one test copy'],
      [[SLUG, '--to', 'subscribers.csv', '--test', 'me@example.com'], {}, '--to and --test: choose one'],
      [[SLUG, '--test', 'me@example.com', '--retry-uncertain'], {}, '--retry-uncertain applies to a mailing (--to), not to --test'],
      [[SLUG, '--to', 'missing.csv'], {}, 'cannot read missing.csv: no such file'],
      [[SLUG, '--test', 'me@@example.com'], {}, '--test: "me@@example.com" is not an email address'],
      [[SLUG, '--to', 'subscribers.csv', '--smtp', 'http://user:hunter2@mail.example.com'], {}, '--smtp is not an SMTP server URL ("http://…@mail.example.com")'],
      [[SLUG, '--to', 'subscribers.csv'], { SMTP_URL: 'mail.example.com:25' }, 'SMTP_URL is not an SMTP server URL'],
      [[SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url, '--outbox', 'out'], {}, '--outbox and --smtp: choose one'],
      [[SLUG, '--to', 'subscribers.csv'], { CASTWRIGHT_SECRET: undefined }, 'CASTWRIGHT_SECRET is not set'],
      [['2999-01-04-later', '--to', 'subscribers.csv'], {}, '2999-01-04-later is dated 2999-01-04T07:00:00Z, in the future'],
    ];
    for (const [args, env, message] of cases) {
      const result = await send(root, args, env);
      expect(result.code, message).toBe(2);
      expect(result.stderr).toContain(`castwright send: ${message}`);
      expect(result.stderr).not.toContain('hunter2');
    }
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
    expect(result.stderr).toMatch(/castwright send: cannot use smtp:\/\/show@127\.0\.0\.1:\d+: the login failed: 535 Invalid login\nNothing was sent\.\n/);
    expect(existsSync(path.join(root, '.castwright'))).toBe(false);
  });
});

// Issue 7 case 11.
describe('readers’ addresses and their tokens', () => {
  it('are compared, recorded and signed in their canonical form, whatever the list’s spelling', async () => {
    const list = 'email,name\n"Eve <EVE@Bücher.DE.>",\n" MiXeD@Example.COM ",Mixed\ntrailing@example.com.,Trailing\n';
    const root = await sendWorkspace(0, { 'subscribers.csv': list, 'episodes/unsubscribed.csv': 'Trailing@EXAMPLE.com\n' });
    const smtp = await server();
    const result = await send(root, [SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(0);
    expect(tally(result.stdout)).toMatchObject({ sent: 2, suppressed: 1 });
    // The address goes out as written with its domain in ASCII; smtp-server reports the domain decoded.
    expect(smtp.received.map((m) => m.to).sort()).toEqual(['EVE@bücher.de', 'MiXeD@example.com']);
    for (const [to, sent, canonical] of [
      ['EVE@bücher.de', 'Eve <EVE@xn--bcher-kva.de>', 'eve@xn--bcher-kva.de'],
      ['MiXeD@example.com', 'Mixed <MiXeD@example.com>', 'mixed@example.com'],
    ] as const) {
      const received = smtp.received.find((m) => m.to === to)!;
      expect(received.raw.toString()).toContain(`\r\nTo: ${sent}\r\n`);
      expect(header(await parse(received), 'List-Unsubscribe')).toContain(`token=${tokenOf(canonical)}>`);
    }
    expect([...(await ledgerStateOf(root)).sent].sort()).toEqual(['eve@xn--bcher-kva.de', 'mixed@example.com']);
  });
});

describe('castwright send without an SMTP server', () => {
  it('writes one .eml per reader to the outbox, the same message SMTP delivers, and records nothing (the real executable)', async () => {
    const root = await sendWorkspace(5, { 'episodes/unsubscribed.csv': 'reader4@example.com\n' });
    const result = await runCli(['send', SLUG, '--to', 'subscribers.csv'], { cwd: root, env: ENV });
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
