// npm run bench:send [-- --messages 10000 --connections 5 --slices 10]
//
// How much the exactly-once machinery costs: the same digest to the same readers over the same
// number of SMTP connections, once with castwright's sender (lock, ledger with fsync before each
// reader is counted, its SMTP backend that knows when a message has gone out, one worker per
// connection) and once with a bare nodemailer pool fed the way nodemailer's documentation feeds one
// (on 'idle'), nothing recorded. The SMTP server is smtp-server on 127.0.0.1 in a child process,
// so it has its own core and does not queue behind the sender.
import { fork } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { smtpBackend } from '../src/send/backends/smtp.ts';
import { Ledger } from '../src/send/ledger.ts';
import { acquireLock } from '../src/send/lock.ts';
import { planMailing, type Mailing } from '../src/send/mailing.ts';
import type { Recipient } from '../src/send/recipients.ts';
import { runMailing } from '../src/send/runner.ts';
import { mailingFiles } from '../src/send/sends.ts';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const EPISODE = '2020-09-14-disrupt-tiktok';

/** The SMTP sink: accepts everything, reads every byte, keeps nothing. */
async function sink(): Promise<void> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback(null, 'OK'));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  process.send!(typeof address === 'object' && address ? address.port : 0);
  process.on('disconnect', () => process.exit(0));
}

async function startSink(): Promise<{ url: URL; stop(): void }> {
  // This same file runs as the sink.
  const child = fork(fileURLToPath(import.meta.url), ['--sink'], { execArgv: ['--import', import.meta.resolve('tsx')] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(Number(message)));
    child.once('error', reject);
  });
  return { url: new URL(`smtp://127.0.0.1:${port}`), stop: () => child.disconnect() };
}

interface Setup {
  mailing: Mailing;
  url: URL;
  connections: number;
  work: string;
}

/** castwright's default: 30 s for connecting, the greeting and silence; the bare pool gets the same. */
const TIMEOUT_MS = 30_000;

/** A bare nodemailer pool over as many connections, fed on 'idle' so its queue never runs dry; nothing recorded. */
function barePool(setup: Setup): Sender {
  const pool = nodemailer.createTransport({
    pool: true,
    url: setup.url.href,
    maxConnections: setup.connections,
    maxRequeues: 0,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  return {
    send: (recipients) =>
      new Promise<void>((resolve, reject) => {
        let next = 0;
        let done = 0;
        const feed = () => {
          while (pool.isIdle() && next < recipients.length) {
            pool.sendMail(setup.mailing.compose(recipients[next++]!)).then(() => {
              if (++done === recipients.length) {
                pool.off('idle', feed);
                resolve();
              }
            }, reject);
          }
        };
        pool.on('idle', feed);
        feed();
      }),
    async close() {
      pool.close();
    },
  };
}

interface Sender {
  send(recipients: readonly Recipient[]): Promise<void>;
  close(): Promise<void>;
}

/** castwright's sender as `castwright send` runs it: the mailing's lock, its ledger, the SMTP backend, the runner. */
async function castwright(setup: Setup, name: string): Promise<Sender> {
  const { show, episode } = setup.mailing;
  const files = mailingFiles(path.join(setup.work, name), show.guid, episode.guid);
  const lock = await acquireLock(files.lock);
  const ledger = await Ledger.open(files.ledger, { show: show.guid, episode: episode.guid, list: 'subscribers.csv', slug: episode.slug });
  const backend = smtpBackend({ url: setup.url, timeoutMs: TIMEOUT_MS });
  await backend.open();
  return {
    async send(recipients) {
      const result = await runMailing({ recipients, compose: setup.mailing.compose, backend, ledger, concurrency: setup.connections, maxFailures: 20 });
      if (result.sent !== recipients.length) throw new Error(`castwright sent ${result.sent} of ${recipients.length}: ${result.stopped ?? ''}`);
    },
    async close() {
      await backend.close();
      await ledger.close();
      await lock.release();
    },
  };
}

interface Measure {
  seconds: number;
  cpuSeconds: number;
  messages: number;
}

async function measure(into: Measure, run: () => Promise<void>, messages: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  into.seconds += (performance.now() - started) / 1000;
  into.cpuSeconds += (used.user + used.system) / 1e6;
  into.messages += messages;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { messages: { type: 'string', default: '10000' }, connections: { type: 'string', default: '5' }, slices: { type: 'string', default: '10' } },
  });
  const count = Number(values.messages);
  const slices = Number(values.slices);
  // Ledgers go where `castwright send` keeps them (.castwright/, git-ignored), so fsync costs what it costs there.
  const work = path.join(process.cwd(), '.castwright', `bench-${process.pid}`);
  const sinkServer = await startSink();
  try {
    await mkdir(work, { recursive: true });
    const list = path.join(work, 'subscribers.csv');
    await writeFile(list, `email,name\n${Array.from({ length: count }, (_, i) => `reader${i}@example.com,Reader ${i}`).join('\n')}\n`);
    const mailing = await planMailing({ contentDir: path.join(PROJECT, 'episodes'), cwd: work, slug: EPISODE, to: list, secret: 'bench-secret-0123456789abcdef' });
    const setup: Setup = { mailing, url: sinkServer.url, connections: Number(values.connections), work };
    const size = Buffer.byteLength(String(mailing.compose(mailing.recipients[0]!).html));

    console.log(`castwright send benchmark: ${count} messages per side in ${slices} alternating slices, ${setup.connections} connections, no rate limit`);
    console.log(`digest "${EPISODE}" (HTML ${Math.round(size / 1024)} KB + text), smtp-server on 127.0.0.1 in a child process`);
    console.log(`node ${process.version}, ${availableParallelism()} CPUs; ledgers in ${path.relative(process.cwd(), work) || '.'}/`);

    // Each side sends the whole list through one sender (one pool; for castwright one lock and one
    // ledger that grows to the full list), in slices taken in turns so that whatever else the
    // machine does in the meantime falls on both sides alike.
    const sides = { bare: barePool(setup), castwright: await castwright(setup, 'run') };
    const warm = { bare: barePool(setup), castwright: await castwright(setup, 'warm-up') };
    const warmup = mailing.recipients.slice(0, 500);
    for (const sender of Object.values(warm)) {
      await sender.send(warmup);
      await sender.close();
    }
    const results = { bare: { seconds: 0, cpuSeconds: 0, messages: 0 }, castwright: { seconds: 0, cpuSeconds: 0, messages: 0 } };
    const sliceSize = Math.ceil(count / slices);
    for (let slice = 0; slice < slices; slice++) {
      const recipients = mailing.recipients.slice(slice * sliceSize, (slice + 1) * sliceSize);
      const order = slice % 2 === 0 ? (['bare', 'castwright'] as const) : (['castwright', 'bare'] as const);
      for (const side of order) await measure(results[side], () => sides[side].send(recipients), recipients.length);
    }
    for (const sender of Object.values(sides)) await sender.close();

    const rate = (m: Measure) => m.messages / m.seconds;
    const rows = [
      ['', 'messages', 'seconds', 'messages/s', 'CPU ms/message'],
      ...(['bare', 'castwright'] as const).map((side) => [
        side === 'bare' ? 'bare nodemailer pool' : 'castwright (ledger)',
        String(results[side].messages),
        results[side].seconds.toFixed(1),
        rate(results[side]).toFixed(0),
        ((results[side].cpuSeconds * 1000) / results[side].messages).toFixed(2),
      ]),
    ];
    const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
    console.log('');
    for (const row of rows) console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('   '));
    const cost = (1 - rate(results.castwright) / rate(results.bare)) * 100;
    console.log(`\ncastwright: ${(rate(results.castwright) / rate(results.bare)).toFixed(2)} × the bare pool's throughput (ledger cost ${cost.toFixed(1)}%; target: at least 0.90 ×)`);
  } finally {
    sinkServer.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--sink') await sink();
else await main();
