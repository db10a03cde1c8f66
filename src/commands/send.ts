// castwright send: an episode's digest to every reader once, over SMTP; or to an outbox of .eml files.
import path from 'node:path';
import type { DKIMOptions } from 'nodemailer';
import type { ParsedArgs } from '../cli/args.ts';
import { UsageError } from '../errors.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems, statusLine, type Io } from '../cli/terminal.ts';
import { formatProblem } from '../problems.ts';
import { GMAIL_CLIP_BYTES } from '../render/email.ts';
import { alignmentWarning, dkimFromEnv } from '../send/dkim.ts';
import { SetupError } from '../send/errors.ts';
import { Ledger, LedgerError } from '../send/ledger.ts';
import { LockedError, acquireLock, type Lock } from '../send/lock.ts';
import { ledgerFile, lockFile, planMailing, type Mailing } from '../send/mailing.ts';
import { outboxTransport } from '../send/outbox.ts';
import { progressBar, progressLine, rateText, tallyLines } from '../send/report.ts';
import { DEFAULT_RETRY, pendingOf, runMailing, type FailureEvent, type Progress, type RunResult } from '../send/runner.ts';
import { SECRET_VARIABLE, secretFrom } from '../send/token.ts';
import { SMTP_VARIABLE, parseSmtpUrl, smtpTransport, type SmtpSettings, type Transport } from '../send/transport.ts';
import { contentOption, requireFolder } from '../cli/options.ts';

const DEFAULT_CONNECTIONS = 5;
const DEFAULT_MAX_FAILURES = 20;
const DEFAULT_OUTBOX = 'outbox';
/** Writing files needs no pacing; a few at once keeps the disk busy. */
const OUTBOX_CONCURRENCY = 8;

function numberOption(args: ParsedArgs, name: string, rule: { integer?: boolean; min: number; max?: number }): number | undefined {
  const raw = args.values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const valid = String(raw).trim() !== '' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && value >= rule.min && value <= (rule.max ?? Infinity);
  if (!valid) {
    const kind = rule.integer ? 'a whole number' : 'a number';
    throw new UsageError(`--${name} "${String(raw)}": expected ${kind} from ${rule.min}${rule.max === undefined ? ' up' : ` to ${rule.max}`}`);
  }
  return value;
}

/** Problems with what was given are usage mistakes: exit 2, nothing sent. */
async function setup<T>(step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SetupError) throw new UsageError(error.message);
    throw error;
  }
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Progress on stderr: a bar rewritten in place on a terminal, a line per tenth elsewhere. */
function progressReporter(io: Io, verb: string) {
  const status = statusLine(io);
  const tty = Boolean(io.stderr.isTTY);
  const started = performance.now();
  let lastStep = 0;
  let lastDrawn = 0;
  let last: Progress | undefined;
  const seconds = () => (performance.now() - started) / 1000;
  return {
    progress(progress: Progress, force = false) {
      last = progress;
      if (tty) {
        // A redraw per message would be hundreds of terminal writes a second; ten is plenty for the eye.
        if (!force && progress.done < progress.total && performance.now() - lastDrawn < 100) return;
        lastDrawn = performance.now();
        status.update(`${verb[0]!.toUpperCase()}${verb.slice(1)} ${progressBar(progress, seconds())}`);
        return;
      }
      const step = progress.total === 0 ? 10 : Math.floor((progress.done / progress.total) * 10);
      if (step > lastStep) {
        lastStep = step;
        io.stderr.write(`${verb}: ${progressLine(progress, seconds())}\n`);
      }
    },
    /** A line of its own, above the bar. */
    note(text: string) {
      status.done();
      io.stderr.write(`${text}\n`);
      if (tty && last) this.progress(last, true);
    },
    seconds,
    done: () => status.done(),
  };
}

function describeFailure(event: FailureEvent): string | undefined {
  if (event.type === 'rejected') return `rejected ${event.recipient.address}: ${event.reason}`;
  if (event.type === 'deferred') return `not accepted yet ${event.recipient.address}: ${event.reason} (${plural(event.attempts, 'attempt')}; a rerun tries again)`;
  return undefined;
}

interface Destination {
  transport: Transport;
  mode: 'smtp' | 'outbox';
  connections: number;
  /** Connects and logs in before anything is sent. */
  verify?(): Promise<void>;
}

type Choice = { mode: 'smtp'; settings: SmtpSettings } | { mode: 'outbox'; folder: string; dkim?: DKIMOptions };

/** Where messages go, decided (and checked) from the options and environment before any work. */
async function chooseDestination(args: ParsedArgs, io: Io): Promise<Choice> {
  const dkim = await setup(() => dkimFromEnv(io.env, io.cwd));
  const given = typeof args.values.smtp === 'string' ? { raw: args.values.smtp, source: '--smtp' } : io.env[SMTP_VARIABLE] ? { raw: io.env[SMTP_VARIABLE]!, source: SMTP_VARIABLE } : undefined;
  if (!given) return { mode: 'outbox', folder: typeof args.values.outbox === 'string' ? args.values.outbox : DEFAULT_OUTBOX, ...(dkim ? { dkim } : {}) };
  if (typeof args.values.outbox === 'string') throw new UsageError(`--outbox and ${given.source}: choose one (the outbox is for when nothing is sent)`);
  const url = await setup(() => parseSmtpUrl(given.raw, given.source));
  const connections = numberOption(args, 'connections', { integer: true, min: 1, max: 100 }) ?? DEFAULT_CONNECTIONS;
  const rate = numberOption(args, 'rate', { min: 0.001 });
  return { mode: 'smtp', settings: { url, connections, ...(rate ? { rate } : {}), ...(dkim ? { dkim } : {}) } };
}

async function openDestination(choice: Choice, mailing: Mailing, testing: boolean, cwd: string): Promise<Destination> {
  if (choice.mode === 'smtp') {
    const transport = smtpTransport(choice.settings);
    return { transport, mode: 'smtp', connections: choice.settings.connections, verify: () => transport.verify() };
  }
  // A test copy goes beside the mailing's folder, never into it: `.` cannot occur in a slug.
  const folder = path.join(choice.folder, testing ? `${mailing.episode.slug}.test` : mailing.episode.slug);
  const transport = await outboxTransport(path.resolve(cwd, folder), folder.split(path.sep).join('/'), choice.dkim ? { dkim: choice.dkim } : {});
  return { transport, mode: 'outbox', connections: OUTBOX_CONCURRENCY };
}

export const send: Command = {
  stoppedBefore: 'nothing was sent',
  spec: {
    name: 'send',
    summary: "Send an episode's email digest to a subscriber list, once per reader (without an SMTP server: write .eml files).",
    positionals: [{ name: '<episode>', description: "the episode's slug, e.g. 2020-09-14-disrupt-tiktok", required: true }],
    options: {
      to: { type: 'string', value: '<file.csv>', description: 'subscriber list: CSV with a header row, an "email" column and optionally "name"' },
      test: { type: 'string', value: '<address>', description: 'send one [TEST] copy to this address instead; nothing is recorded' },
      smtp: {
        type: 'string',
        value: '<url>',
        description: `SMTP server to send through, smtp://user:pass@host:587 or smtps://user:pass@host:465 (default: $${SMTP_VARIABLE}; with neither, messages go to the outbox)`,
      },
      outbox: { type: 'string', value: '<dir>', description: `folder for .eml files when no SMTP server is given (default: ${DEFAULT_OUTBOX})` },
      suppress: { type: 'string', value: '<file.csv>', description: 'addresses never to mail, even with --test (default: <content>/unsubscribed.csv if present)' },
      rate: { type: 'string', value: '<n>', description: 'send at most n messages per second (default: no limit)' },
      connections: { type: 'string', value: '<n>', description: `SMTP connections at once (default: ${DEFAULT_CONNECTIONS})` },
      retries: { type: 'string', value: '<n>', description: `retries of a temporary failure (4xx, dropped connection) per message (default: ${DEFAULT_RETRY.retries})` },
      'retry-delay': { type: 'string', value: '<seconds>', description: `wait before the first retry, doubled for each next one (default: ${DEFAULT_RETRY.delayMs / 1000})` },
      'max-failures': { type: 'string', value: '<n>', description: `stop after this many failed attempts in a row (default: ${DEFAULT_MAX_FAILURES})` },
      'retry-failed': { type: 'boolean', description: 'also try the readers an earlier run recorded as rejected (5xx)' },
      content: contentOption,
    },
    examples: [
      'castwright send 2020-09-14-disrupt-tiktok --to subscribers.csv                      # writes outbox/…/*.eml',
      'castwright send 2020-09-14-disrupt-tiktok --test me@example.com --smtp "$SMTP_URL"',
      'castwright send 2020-09-14-disrupt-tiktok --to subscribers.csv --smtp "$SMTP_URL" --rate 10',
    ],
    notes: [
      'Each reader the server accepts is recorded in .castwright/sends/<episode>.jsonl before it is counted; run the same command again ' +
        'after a crash or a stop and it sends only to the readers not recorded. At most the messages in flight when the process died ' +
        '(no more than --connections) can reach their reader twice. Rejected readers (5xx) are recorded and skipped unless --retry-failed.',
      'Drafts and episodes dated in the future are refused, except for --test.',
      `Environment: ${SECRET_VARIABLE} (required) signs the unsubscribe links; ${SMTP_VARIABLE} is the default for --smtp; ` +
        'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_FILE (an RSA private key in PEM) turn on DKIM signing.',
      'Exit codes: 0 every message delivered (or written), 1 something failed or the run stopped (run it again to continue), 2 bad usage.',
    ],
  },

  async run(args, io) {
    const slug = args.positionals[0]!;
    const to = typeof args.values.to === 'string' ? args.values.to : undefined;
    const test = typeof args.values.test === 'string' ? args.values.test : undefined;
    if (to !== undefined && test !== undefined) throw new UsageError('--to and --test: choose one (--test sends a single copy and records nothing)');
    if (test !== undefined && args.values['retry-failed']) throw new UsageError('--retry-failed applies to a mailing (--to), not to --test');
    const retries = numberOption(args, 'retries', { integer: true, min: 0, max: 20 }) ?? DEFAULT_RETRY.retries;
    const retryDelay = numberOption(args, 'retry-delay', { min: 0.001, max: 3600 });
    const maxFailures = numberOption(args, 'max-failures', { integer: true, min: 1 }) ?? DEFAULT_MAX_FAILURES;
    const secret = await setup(() => secretFrom(io.env));
    const choice = await chooseDestination(args, io);
    const contentDir = String(args.values.content);
    await requireFolder(contentDir, '--content', io.cwd);

    const c = colorsFor(io.stderr, io.env);
    const mailing = await setup(() =>
      planMailing({
        contentDir,
        cwd: io.cwd,
        slug,
        secret,
        ...(to !== undefined ? { to } : {}),
        ...(test !== undefined ? { test } : {}),
        ...(typeof args.values.suppress === 'string' ? { suppress: args.values.suppress } : {}),
      }),
    );
    if (mailing.invalid.length) {
      printProblems(io, mailing.invalid);
      io.stderr.write(`${c.yellow(`${plural(mailing.invalid.length, 'row')} skipped: not an email address.`)}\n`);
    }
    for (const problem of mailing.suppression?.problems ?? []) io.stderr.write(`${c.yellow('warning:')} ${formatProblem(problem)}\n`);

    if (test !== undefined && mailing.recipients.length === 0) {
      const line = mailing.suppression?.lines.get(mailing.suppressed[0]!.key);
      io.stderr.write(`${c.red(`castwright send: ${test} is on the suppression list (${mailing.suppression!.file}:${line}); nothing was sent.`)}\n`);
      return EXIT.failed;
    }

    const dkim = choice.mode === 'smtp' ? choice.settings.dkim : choice.dkim;
    const warning = alignmentWarning(dkim, mailing.show.email.from.address);
    if (warning) io.stderr.write(`${c.yellow('warning:')} ${warning}\n`);
    const target = await openDestination(choice, mailing, test !== undefined, io.cwd);
    let lock: Lock | undefined;
    let ledger: Ledger | undefined;
    try {
      if (target.verify) {
        try {
          await target.verify();
        } catch (error) {
          io.stderr.write(`${c.red(`castwright send: cannot use ${target.transport.target}: ${(error as Error).message}`)}\nNothing was sent.\n`);
          return EXIT.failed;
        }
      }
      // Only a real mailing has a ledger: a test copy is not a delivery, and an outbox is not sent.
      if (target.mode === 'smtp' && test === undefined) {
        try {
          lock = await acquireLock(path.resolve(io.cwd, lockFile(slug)));
          ledger = await Ledger.open(path.resolve(io.cwd, ledgerFile(slug)));
        } catch (error) {
          if (!(error instanceof LockedError || error instanceof LedgerError)) throw error;
          io.stderr.write(`${c.red(`castwright send: ${error.message}`)}\nNothing was sent.\n`);
          return EXIT.failed;
        }
        if (lock.tookOverFrom) io.stderr.write(`Took over the lock of an earlier send that is no longer running (process ${lock.tookOverFrom.pid}).\n`);
      }
      return await deliver(io, mailing, target, { ledger, test, retries, retryDelay, maxFailures, retryFailed: Boolean(args.values['retry-failed']) });
    } finally {
      await target.transport.close();
      await ledger?.close();
      await lock?.release();
    }
  },
};

interface DeliverOptions {
  ledger: Ledger | undefined;
  test: string | undefined;
  retries: number;
  retryDelay: number | undefined;
  maxFailures: number;
  retryFailed: boolean;
}

async function deliver(io: Io, mailing: Mailing, target: Destination, options: DeliverOptions): Promise<number> {
  const { episode } = mailing;
  const c = colorsFor(io.stderr, io.env);
  const verb = target.mode === 'outbox' ? 'written' : 'sent';
  const first = mailing.recipients[0];
  if (first) {
    const size = Buffer.byteLength(String(mailing.compose(first).html));
    if (size > GMAIL_CLIP_BYTES) {
      io.stderr.write(`${c.yellow('warning:')} the HTML is ${Math.round(size / 1024)} KB; Gmail clips messages above ${GMAIL_CLIP_BYTES / 1024} KB and hides the rest, unsubscribe link included\n`);
    }
  }
  const { pending, alreadySent } = pendingOf(mailing.recipients, options.ledger, options.retryFailed);
  const skipped = alreadySent ? ` (${alreadySent} already sent, skipped)` : '';
  const action = target.mode === 'outbox' ? 'Writing' : 'Sending';
  io.stderr.write(`${action} "${episode.subject ?? episode.title}" to ${plural(pending.length, 'reader')} via ${target.transport.target}${skipped}\n`);

  const reporter = progressReporter(io, verb);
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
    reporter.note('Stopping: finishing and recording the messages in flight (press Ctrl-C again to quit at once)…');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let run: RunResult;
  try {
    run = await runMailing({
      recipients: mailing.recipients,
      compose: mailing.compose,
      transport: target.transport,
      ...(options.ledger ? { ledger: options.ledger } : {}),
      retryFailed: options.retryFailed,
      concurrency: target.connections,
      retry: { ...DEFAULT_RETRY, retries: options.retries, ...(options.retryDelay !== undefined ? { delayMs: options.retryDelay * 1000 } : {}) },
      maxFailures: options.maxFailures,
      signal: interrupt.signal,
      onProgress: (progress) => reporter.progress(progress),
      onFailure: (event) => {
        const text = describeFailure(event);
        if (text) reporter.note(c.red(text));
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    reporter.done();
  }
  return summarise(io, mailing, target, run, options, reporter.seconds());
}

function summarise(io: Io, mailing: Mailing, target: Destination, run: RunResult, options: DeliverOptions, seconds: number): number {
  const out = colorsFor(io.stdout, io.env);
  const verb = target.mode === 'outbox' ? 'written' : 'sent';
  const slug = mailing.episode.slug;
  const failed = run.rejected.length + run.deferred.length + run.unrecorded.length;
  const ok = failed === 0 && !run.stopped;
  const pace = rateText(run.sent, seconds);
  const timing = `in ${seconds.toFixed(1)} s${pace ? `, ${pace}` : ''}`;
  let headline: string;
  if (options.test !== undefined) {
    headline = ok ? `${out.green('✓')} A [TEST] copy of ${slug} ${verb} to ${options.test} via ${target.transport.target}; nothing was recorded` : `${out.red('✗')} The [TEST] copy of ${slug} was not ${verb}`;
  } else if (run.stopped) {
    headline = `${out.red('✗')} ${slug}: stopped: ${run.stopped}`;
  } else {
    headline = `${ok ? out.green('✓') : out.red('✗')} ${slug}: ${plural(run.sent, 'message')} ${verb} via ${target.transport.target} ${timing}`;
  }
  const lines = [headline, ...tallyLines({ verb, run, suppressed: mailing.suppressed.length, invalid: mailing.invalid.length, duplicates: mailing.duplicates })];
  if (options.ledger) lines.push(`Ledger: ${ledgerFile(slug)}`);
  if (target.mode === 'outbox' && options.test === undefined) lines.push(`Nothing was sent: give --smtp <url> or set ${SMTP_VARIABLE} to send.`);
  if (run.unrecorded.length) {
    lines.push(
      out.red(`These readers were accepted by the server but could not be recorded, so a rerun would send to them again: ${run.unrecorded.map((r) => r.address).join(', ')}`),
    );
  }
  if (run.stopped && options.ledger) {
    lines.push('Every message the server accepted is in the ledger. Run the same command again to continue where this run stopped.');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return ok ? EXIT.ok : EXIT.failed;
}
