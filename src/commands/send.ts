// castwright send: an episode's digest to every reader once, over SMTP; or to an outbox of .eml files.
// The command composes: options, the mailing, a backend, the lock and ledger, the runner, the summary.
import { sendSpec } from '../cli/specs/send.ts';
import type { Command } from '../cli/command.ts';
import { requireFolder } from '../cli/options.ts';
import { colorsFor, printProblems, statusLine, type Io } from '../cli/terminal.ts';
import { EXIT, RunError } from '../errors.ts';
import { GMAIL_CLIP_BYTES } from '../render/email.ts';
import { stateFolder } from '../state.ts';
import type { Backend } from '../send/backends/backend.ts';
import { createBackend } from '../send/backends/index.ts';
import { alignmentWarning, dkimFromEnv } from '../send/dkim.ts';
import type { Ledger } from '../send/ledger.ts';
import { MIGRATED_SUFFIX } from '../send/legacy.ts';
import type { Lock } from '../send/lock.ts';
import { planMailing, type Mailing } from '../send/mailing.ts';
import { messageId } from '../send/message.ts';
import { readSendOptions, type SendOptions } from '../send/options.ts';
import { addressList, progressBar, progressLine, rateText, tallyLines } from '../send/report.ts';
import { openMailingState } from '../send/resume.ts';
import { pendingOf, runMailing, type FailureEvent, type Progress, type RunResult } from '../send/runner.ts';
import { listName } from '../send/sends.ts';
import { secretFrom } from '../send/token.ts';
import { listsPlace } from '../lists/place.ts';

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
  if (event.type === 'uncertain') return `uncertain ${event.recipient.address}: ${event.reason} (recorded; not sent again unless --retry-uncertain)`;
  if (event.type === 'deferred') return `not accepted yet ${event.recipient.address}: ${event.reason} (${plural(event.attempts, 'attempt')}; a rerun tries again)`;
  return undefined;
}

export const send: Command = {
  stoppedBefore: 'nothing was sent',
  spec: sendSpec,

  async run(args, io) {
    // Every option first, whatever the backend, before anything is read or sent.
    const options = readSendOptions(args, io.env);
    const secret = secretFrom(io.env);
    await requireFolder(options.contentDir, '--content', io.cwd);
    const dkim = await dkimFromEnv(io.env, io.cwd);
    const mailing = await planMailing({
      contentDir: options.contentDir,
      cwd: io.cwd,
      slug: options.slug,
      secret,
      ...(options.to !== undefined ? { to: options.to } : {}),
      ...(options.test !== undefined ? { test: options.test } : {}),
      ...(options.suppress !== undefined ? { suppress: options.suppress } : {}),
      lists: listsPlace(options.contentDir, { ...(options.lists !== undefined ? { lists: options.lists } : {}), cwd: io.cwd }),
      listsChosen: options.lists !== undefined,
    });
    const c = colorsFor(io.stderr, io.env);
    if (mailing.invalid.length) {
      printProblems(io, mailing.invalid);
      io.stderr.write(`${c.yellow(`${plural(mailing.invalid.length, 'row')} skipped: not an email address.`)}\n`);
    }
    printProblems(io, mailing.warnings);
    for (const note of mailing.notes) io.stderr.write(`${c.yellow('note:')} ${note}\n`);
    for (const suppression of mailing.suppressions) io.stderr.write(`${plural(suppression.keys.size, 'address', 'addresses')} suppressed from ${suppression.file}\n`);

    if (options.test !== undefined && mailing.recipients.length === 0) {
      const key = mailing.suppressed[0]!.key;
      const suppression = mailing.suppressions.find((candidate) => candidate.keys.has(key))!;
      io.stderr.write(`${c.red(`castwright send: ${options.test} is on the suppression list (${suppression.file}:${suppression.lines.get(key)}); nothing was sent.`)}\n`);
      return EXIT.failed;
    }
    const warning = alignmentWarning(dkim, mailing.show.email.from.address);
    if (warning) io.stderr.write(`${c.yellow('warning:')} ${warning}\n`);

    const backend = createBackend({ destination: options.destination, timeoutMs: options.timeoutMs, ...(dkim ? { dkim } : {}), slug: options.slug, test: options.test !== undefined, cwd: io.cwd });
    let lock: Lock | undefined;
    let ledger: Ledger | undefined;
    try {
      try {
        await backend.open();
        // A test copy is not a delivery, and a backend that reaches nobody records nothing.
        if (backend.records && mailing.listFile !== undefined) ({ lock, ledger } = await openLedger(io, mailing, options));
      } catch (error) {
        if (error instanceof RunError) throw new RunError(`${error.message}\nNothing was sent.`, { cause: error });
        throw error;
      }
      return await deliver(io, mailing, backend, ledger, options, lock?.lost);
    } finally {
      await backend.close();
      await ledger?.close();
      await lock?.release();
    }
  },
};

async function openLedger(io: Io, mailing: Mailing, options: SendOptions): Promise<{ lock: Lock; ledger: Ledger }> {
  const state = stateFolder(options.contentDir, { ...(options.state !== undefined ? { state: options.state } : {}), env: io.env, cwd: io.cwd });
  const { show, episode } = mailing;
  const opened = await openMailingState({
    state,
    mailing: { show: show.guid, episode: episode.guid, list: listName(mailing.listFile!, options.contentDir, io.cwd), slug: episode.slug },
    cwd: io.cwd,
    contentDir: options.contentDir,
    messageId: (key) => messageId(show, episode, key),
  });
  const { lock, ledger, adopted } = opened;
  if (lock.tookOverFrom) io.stderr.write(`Took over the lock of an earlier send that is no longer running (process ${lock.tookOverFrom.pid}).\n`);
  if (adopted) {
    io.stderr.write(
      `Moved the ledger of an earlier castwright (${plural(adopted.records, 'record')}) from ${adopted.from.join(' and ')} to ${ledger.shown}; ` +
        `the old file is kept as ${adopted.from.map((file) => `${file}${MIGRATED_SUFFIX}`).join(' and ')}.\n`,
    );
  }
  if (ledger.tornBytes) io.stderr.write(`Ledger ${ledger.shown}: cut ${plural(ledger.tornBytes, 'byte')} of a half-written record at its end (a crash while it was written; that reader was never counted).\n`);
  return { lock, ledger };
}

/** `lockLost`: aborted when the mailing's lock is found removed or taken over; the run then stops. */
async function deliver(io: Io, mailing: Mailing, backend: Backend, ledger: Ledger | undefined, options: SendOptions, lockLost?: AbortSignal): Promise<number> {
  const { episode } = mailing;
  const c = colorsFor(io.stderr, io.env);
  const first = mailing.recipients[0];
  if (first) {
    const size = Buffer.byteLength(String(mailing.compose(first).html));
    if (size > GMAIL_CLIP_BYTES) {
      io.stderr.write(`${c.yellow('warning:')} the HTML is ${Math.round(size / 1024)} KB; Gmail clips messages above ${GMAIL_CLIP_BYTES / 1024} KB and hides the rest, unsubscribe link included\n`);
    }
  }
  const { pending, alreadySent } = pendingOf(mailing.recipients, ledger, options.retrying);
  const skipped = alreadySent ? ` (${alreadySent} already sent, skipped)` : '';
  const action = backend.verb === 'written' ? 'Writing' : 'Sending';
  io.stderr.write(`${action} "${episode.subject ?? episode.title}" to ${plural(pending.length, 'reader')} via ${backend.target}${skipped}\n`);

  const reporter = progressReporter(io, backend.verb);
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
      backend,
      ...(ledger ? { ledger } : {}),
      retrying: options.retrying,
      concurrency: options.connections,
      ...(options.rate !== undefined ? { rate: options.rate } : {}),
      retry: options.retry,
      maxFailures: options.maxFailures,
      signal: lockLost ? AbortSignal.any([interrupt.signal, lockLost]) : interrupt.signal,
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
  return summarise(io, mailing, backend, ledger, run, options, reporter.seconds(), Boolean(lockLost?.aborted));
}

function summarise(io: Io, mailing: Mailing, backend: Backend, ledger: Ledger | undefined, run: RunResult, options: SendOptions, seconds: number, lockLost: boolean): number {
  const out = colorsFor(io.stdout, io.env);
  const { verb, target } = backend;
  const slug = mailing.episode.slug;
  const ok = run.rejected.length + run.deferred.length + run.uncertain.length + run.unrecorded.length === 0 && !run.stopped;
  const pace = rateText(run.sent, seconds);
  const timing = `in ${seconds.toFixed(1)} s${pace ? `, ${pace}` : ''}`;
  let headline: string;
  if (options.test !== undefined) {
    // A failure that stopped the run (a refused sender, say) is said nowhere else.
    headline = ok
      ? `${out.green('✓')} A [TEST] copy of ${slug} ${verb} to ${options.test} via ${target}; nothing was recorded`
      : `${out.red('✗')} The [TEST] copy of ${slug} was not ${verb}${run.stopped ? `: ${run.stopped}` : ''}`;
  } else if (run.stopped) {
    headline = `${out.red('✗')} ${slug}: stopped: ${run.stopped}`;
  } else {
    headline = `${ok ? out.green('✓') : out.red('✗')} ${slug}: ${plural(run.sent, 'message')} ${verb} via ${target} ${timing}`;
  }
  const lines = [headline, ...tallyLines({ verb, run, suppressed: mailing.suppressed.length, invalid: mailing.invalid.length, duplicates: mailing.duplicates })];
  if (run.uncertain.length) {
    lines.push(`Uncertain (they may have it; recorded, and not sent again unless --retry-uncertain): ${addressList(run.uncertain.map((u) => u.recipient.address))}`);
  }
  if (ledger) lines.push(`Ledger: ${ledger.shown}`);
  if (backend.note && options.test === undefined) lines.push(backend.note);
  if (run.unrecorded.length) {
    // Named in full, whatever their number: they are nowhere else.
    const accepted = run.unrecorded.filter((u) => u.status === 'sent').map((u) => u.recipient.address);
    const maybe = run.unrecorded.filter((u) => u.status === 'uncertain').map((u) => u.recipient.address);
    if (accepted.length) lines.push(out.red(`Accepted by the server but not in the ledger, so a rerun would send to them again: ${accepted.join(', ')}`));
    if (maybe.length) lines.push(out.red(`Sent with the reply lost, and not in the ledger, so a rerun would send to them again: ${maybe.join(', ')}`));
  } else if (run.stopped && ledger && !lockLost) {
    // After a lost lock the stop reason says what to check first.
    lines.push('Every message the server accepted is in the ledger. Run the same command again to continue where this run stopped.');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return ok ? EXIT.ok : EXIT.failed;
}
