import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listsPlace } from '../../src/lists/place.ts';
import { isSubscribed, isSuppressed, listsSuppression } from '../../src/lists/state.ts';
import { readLists } from '../../src/lists/store.ts';
import { readUnsubscribeToken, readerId, unsubscribeToken } from '../../src/send/token.ts';
import { cleanUp, fixture } from '../helpers/content.ts';
import { ENV, tally } from '../send/cli.ts';
import { runCli } from '../helpers/cli.ts';
import { readerAddress, readers } from '../send/mailing.ts';
import { closeSmtpServers, header, parse, startSmtpServer } from '../send/smtp.ts';
import { SECRET, SLUG, castwright, oneClick, servedWorkspace, spawnServe, type ServeProcess } from '../serve/site.ts';

const SECOND = '2021-03-08-second';

const started: ServeProcess[] = [];
async function serve(root: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const process = await spawnServe(root, args, env);
  started.push(process);
  return process;
}

afterEach(async () => {
  for (const process of started.splice(0)) {
    if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
    await process.exited;
  }
  await closeSmtpServers();
  await cleanUp();
});

/** A workspace with two published episodes, dist/ built, and subscribers.csv of `count` readers. */
async function showWithTwoEpisodes(count: number): Promise<string> {
  const root = await servedWorkspace({ readers: count });
  const second = (await fixture('episodes/valid.md')).replace('date: 2021-03-01T07:00:00-08:00', 'date: 2021-03-08T07:00:00-08:00').replace('episode: 7', 'episode: 8').replace('/7.mp3', '/8.mp3');
  await writeFile(path.join(root, 'episodes', `${SECOND}.md`), second);
  return root;
}

describe('castwright serve with send', () => {
  it('unsubscribes the reader whose message send delivered, by the one-click POST of its List-Unsubscribe, and the next send skips them', async () => {
    const root = await showWithTwoEpisodes(5);
    const imported = await castwright(root, ['subscribers', 'import', 'subscribers.csv']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('✓ 5 readers added to lists/subscribers.csv');
    const server = await serve(root);
    const smtp = await startSmtpServer();

    // No --to: the lists folder is the subscriber list.
    const first = await castwright(root, ['send', SLUG, '--smtp', smtp.url]);
    expect(first.code).toBe(0);
    expect(tally(first.stdout)).toMatchObject({ sent: 5, suppressed: 0 });
    const message = smtp.received.find((received) => received.to === readerAddress(2))!;
    const email = await parse(message);
    const listUnsubscribe = header(email, 'List-Unsubscribe')!;
    expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const https = /<(https:[^>]+)>/.exec(listUnsubscribe)![1]!;
    const token = new URL(https).searchParams.get('token')!;
    expect(readUnsubscribeToken(token, SECRET)).toBe(readerAddress(2));
    expect(listUnsubscribe).toContain(`subject=unsubscribe%20${token}>`);
    // What Gmail does with it: a POST to that URL (here on the server standing in for the show's host).
    const posted = await oneClick(new URL(`${new URL(https).pathname}${new URL(https).search}`, server.url).href);
    expect(posted.status).toBe(200);

    const next = await castwright(root, ['send', SECOND, '--smtp', smtp.url]);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('1 address suppressed from lists/unsubscribed.csv');
    expect(tally(next.stdout)).toMatchObject({ sent: 4, suppressed: 1 });
    const secondMailing = smtp.received.slice(5).map((received) => received.to).sort();
    expect(secondMailing).toEqual(readers(5).filter((address) => address !== readerAddress(2)));

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toContain(`unsubscribed reader ${readerId(readerAddress(2), SECRET)} (one-click)`);
    expect(server.stdout()).not.toContain(readerAddress(2));
  });

  it('applies the lists folder’s unsubscriptions to a send with --to as well, and mails a reader who signed up again', async () => {
    const root = await showWithTwoEpisodes(4);
    const smtp = await startSmtpServer();
    expect((await castwright(root, ['unsubscribe', readerAddress(1), readerAddress(3)])).code).toBe(0);
    const lists = listsPlace('episodes', { cwd: root });
    await writeFile(lists.subscribers, `email,name,subscribed,source\n${readerAddress(3)},,2999-01-01T00:00:00.000Z,sign-up\n`);
    const result = await castwright(root, ['send', SLUG, '--to', 'subscribers.csv', '--smtp', smtp.url]);
    expect(result.code).toBe(0);
    expect(tally(result.stdout)).toMatchObject({ sent: 3, suppressed: 1 });
    expect(smtp.received.map((received) => received.to).sort()).toEqual([0, 2, 3].map(readerAddress));
  });
});

describe('castwright serve killed and restarted', () => {
  it('after SIGKILL at random points while one-click POSTs stream in, every POST that got a 200 is in the list', async () => {
    const root = await servedWorkspace();
    const seed = Number(process.env.SERVE_KILL_SEED ?? Date.now() % 100_000);
    let state = seed;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    console.log(`SIGKILL points from seed ${seed} (SERVE_KILL_SEED=${seed} repeats them)`);
    const confirmed = new Set<string>();
    let next = 0;
    for (let round = 0; round < 3; round++) {
      const server = await serve(root);
      const killAfter = 5 + Math.floor(random() * 60);
      let answered = 0;
      const exited = server.exited;
      const stream = async () => {
        while (server.child.exitCode === null && server.child.signalCode === null) {
          const reader = `reader${next++}@example.com`;
          try {
            const response = await oneClick(new URL(`unsubscribe?token=${unsubscribeToken(reader, SECRET)}`, server.url).href);
            if (response.status === 200) {
              confirmed.add(reader);
              if (++answered === killAfter) server.child.kill('SIGKILL');
            }
          } catch {
            // The server died under this request: it never said 200.
          }
        }
      };
      await Promise.all([stream(), stream(), stream(), stream(), stream(), stream()]);
      expect((await exited).signal).toBe('SIGKILL');
    }
    // A fresh start reads (and, if need be, mends) the lists; nothing answered 200 is missing.
    const server = await serve(root);
    const lists = await readLists(listsPlace('episodes', { cwd: root }));
    for (const reader of confirmed) expect(isSuppressed(lists, reader), reader).toBe(true);
    expect(listsSuppression(lists).keys.size).toBeGreaterThanOrEqual(confirmed.size);
    expect(confirmed.size).toBeGreaterThanOrEqual(15);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });

  it('on SIGTERM, lets a request in progress finish and record its reader, takes no new ones, and exits 0', async () => {
    const root = await servedWorkspace();
    const server = await serve(root);
    const { hostname, port } = new URL(server.url);
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const body = 'List-Unsubscribe=One-Click';
    socket.write(`POST /unsubscribe?token=${unsubscribeToken('ada@example.com', SECRET)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
    // 100 Continue: the server has the request in hand.
    await expect.poll(() => answer, { timeout: 20_000 }).toContain('100 Continue');
    server.child.kill('SIGTERM');
    await expect.poll(() => server.stdout(), { timeout: 20_000 }).toContain('stopping: finishing the requests in progress');
    await expect(fetch(server.url)).rejects.toThrow();
    socket.write(body);
    await closed;
    expect(answer).toMatch(/HTTP\/1\.1 200 OK[\s\S]*Connection: close/);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(isSuppressed(await readLists(listsPlace('episodes', { cwd: root })), 'ada@example.com')).toBe(true);
  });
});

describe('castwright unsubscribe and subscribers', () => {
  it('unsubscribe records each address once, and refuses the whole command when one argument is not an address', async () => {
    const root = await servedWorkspace();
    const lists = listsPlace('episodes', { cwd: root });
    const bad = await castwright(root, ['unsubscribe', 'ada@example.com', 'not-an-address']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('castwright unsubscribe: not an email address: "not-an-address"; nothing was written');
    expect(existsSync(lists.unsubscribed)).toBe(false);
    const done = await castwright(root, ['unsubscribe', 'Ada <ADA@example.com>', 'bob@bücher.de', 'ada@example.com']);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('✓ 2 addresses unsubscribed in lists/unsubscribed.csv\n');
    expect((await castwright(root, ['unsubscribe', 'bob@BÜCHER.de'])).stdout).toBe('✓ 0 addresses unsubscribed in lists/unsubscribed.csv (1 already was)\n');
    const rows = (await readFile(lists.unsubscribed, 'utf8')).split('\n').slice(1, -1).map((row) => row.split(','));
    expect(rows.map(([email, , source]) => [email, source])).toEqual([
      ['ada@example.com', 'castwright unsubscribe'],
      ['bob@xn--bcher-kva.de', 'castwright unsubscribe'],
    ]);
    expect((await castwright(root, ['unsubscribe'])).code).toBe(2);
  });

  it('subscribers counts, imports (never an unsubscribed reader), exports and names a reader’s log id', async () => {
    const root = await servedWorkspace();
    await writeFile(path.join(root, 'old.csv'), 'email,name\nada@example.com,Ada\nbob@example.com,"Bob, Jr."\nnot-an-address,Broken\ncarol@example.com,Carol\nADA@example.com,Again\n');
    await writeFile(path.join(root, 'episodes', 'unsubscribed.csv'), 'carol@example.com\n');
    expect((await castwright(root, ['unsubscribe', 'bob@example.com'])).code).toBe(0);

    const imported = await castwright(root, ['subscribers', 'import', 'old.csv']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('old.csv:4: "not-an-address" is not an email address');
    expect(imported.stdout).toBe(
      '✓ 1 reader added to lists/subscribers.csv\n  2 left out: they unsubscribed (an import never subscribes them again; they can sign up)\n  1 row skipped: not an email address\n  1 duplicate row\n',
    );
    expect((await castwright(root, ['subscribers', 'import', 'old.csv'])).stdout).toMatch(/^✓ 0 readers added to lists\/subscribers\.csv\n {2}1 already subscribed\n/);

    const legacy = await castwright(root, ['subscribers', 'import', 'episodes/unsubscribed.csv', '--unsubscribed']);
    expect(legacy.stdout).toBe('✓ 1 address recorded as unsubscribed in lists/unsubscribed.csv\n');
    expect((await castwright(root, ['subscribers'])).stdout).toBe('lists/: 1 reader subscribed, 2 unsubscribed\n');

    const exported = await castwright(root, ['subscribers', 'export']);
    expect(exported.stdout).toMatch(/^email,name,subscribed\nada@example\.com,Ada,\d{4}-[\d-]+T[\d:.]+Z\n$/);
    expect((await castwright(root, ['subscribers', 'export', '--out', 'backup.csv'])).stderr).toContain('✓ 1 reader written to backup.csv');
    expect(await readFile(path.join(root, 'backup.csv'), 'utf8')).toBe(exported.stdout);

    expect((await castwright(root, ['subscribers', 'id', 'ADA@example.com'])).stdout).toBe(`${readerId('ada@example.com', SECRET)}\n`);
    for (const args of [['subscribers', 'frobnicate'], ['subscribers', 'import'], ['subscribers', 'count', 'extra'], ['subscribers', 'count', '--unsubscribed']]) {
      expect((await castwright(root, args)).code, args.join(' ')).toBe(2);
    }
    const lists = await readLists(listsPlace('episodes', { cwd: root }));
    expect(isSubscribed(lists, 'ada@example.com')).toBe(true);
    expect(isSubscribed(lists, 'carol@example.com')).toBe(false);
  });

  it('write to the lists while serve writes to them, without a row lost, doubled or torn', async () => {
    const root = await servedWorkspace();
    const server = await serve(root);
    const posts = readers(60).map((reader) => oneClick(new URL(`unsubscribe?token=${unsubscribeToken(reader, SECRET)}`, server.url).href));
    // Two in this process, two as processes of their own, alongside serve's.
    const commands = [0, 1, 2, 3].map((i) =>
      i < 2 ? castwright(root, ['unsubscribe', ...readers(20, 50 + i * 5)]) : runCli(['unsubscribe', ...readers(20, 50 + i * 5)], { cwd: root, env: ENV }),
    );
    expect((await Promise.all(posts)).every((response) => response.status === 200)).toBe(true);
    expect((await Promise.all(commands)).map((result) => result.code)).toEqual([0, 0, 0, 0]);
    const rows = (await readFile(listsPlace('episodes', { cwd: root }).unsubscribed, 'utf8')).split('\n').slice(1, -1);
    expect(rows).toHaveLength(85);
    expect(new Set(rows.map((row) => row.split(',')[0]))).toEqual(new Set(readers(85)));
  });
});

describe('castwright serve usage', () => {
  it('documents its options', async () => {
    const result = await castwright(process.cwd(), ['serve', '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--out <dir>', '--content <dir>', '--port <n>', '--host <address>', '--trust-proxy', '--lists <dir>', '--smtp <url>']) expect(result.stdout).toContain(option);
  });

  it('exits 2 before serving anything when it cannot work as asked', async () => {
    const root = await servedWorkspace();
    const subscribing = await servedWorkspace({ subscribe: true });
    const cases: Array<[string, string[], NodeJS.ProcessEnv, string]> = [
      [root, ['serve', '--out', 'public'], {}, '--out public: no such folder; build the site first (castwright build --out public)'],
      [root, ['serve', '--port', 'eighty'], {}, '--port eighty: expected a port number from 0 to 65535'],
      [root, ['serve', '--port', '70000'], {}, '--port 70000: expected a port number'],
      [root, ['serve'], { CASTWRIGHT_SECRET: undefined }, 'CASTWRIGHT_SECRET is not set'],
      [root, ['serve', '--lists', 'nowhere'], {}, '--lists nowhere: no such folder'],
      [root, ['serve', '--smtp', 'http://user:hunter2@mail.example.com'], {}, '--smtp is not an SMTP server URL'],
      [subscribing, ['serve'], {}, 'episodes/show.yml has email.subscribe: true, and sign-ups need an SMTP server for their confirmation messages: set SMTP_URL or --smtp'],
    ];
    for (const [cwd, args, env, message] of cases) {
      const result = await castwright(cwd, args, env);
      expect(result.code, message).toBe(2);
      expect(result.stderr).toContain(`castwright serve: ${message}`);
      expect(result.stderr).not.toContain('hunter2');
    }
  });

  it('exits 1 with one line when the port is taken, and warns of an old episodes/unsubscribed.csv', async () => {
    const root = await servedWorkspace();
    await writeFile(path.join(root, 'episodes', 'unsubscribed.csv'), 'gone@example.com\n');
    const first = await serve(root);
    expect(first.stderr()).toContain('warning: episodes/unsubscribed.csv still lists unsubscribed readers, and send keeps applying it');
    const taken = await castwright(root, ['serve', '--port', new URL(first.url).port]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/castwright serve: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE: the address is already in use; choose another port\)/);
  });
});
