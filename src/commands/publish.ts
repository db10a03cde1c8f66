// castwright publish: build → lock → open the target → guard against its live feed → plan → upload
// (feed last, deletions after) → notify.
import { publishSpec } from '../cli/specs/publish.ts';
import path from 'node:path';
import type { ParsedArgs } from '../cli/args.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { requireFolder } from '../cli/options.ts';
import { colorsFor, printProblems, statusLine, type Io, type Output } from '../cli/terminal.ts';
import { ContentError, RunError, UsageError } from '../errors.ts';
import { parsePublishDate } from '../model/time.ts';
import { generate } from '../pipeline.ts';
import { isError } from '../check/finding.ts';
import { guardArgs, reportGuard, runGuard } from '../check/run-guard.ts';
import { liveFeedOn } from '../publish/guard.ts';
import { stateFolder } from '../state.ts';
import { notifiersFor } from '../publish/notify/services.ts';
import { uploadsOf } from '../publish/plan.ts';
import { summaryLine } from '../publish/report.ts';
import { runPublish, type PublishEvent, type PublishOutcome } from '../publish/run.ts';
import { redactError, redactor, urlSecrets, type Redact } from '../publish/secrets.ts';
import { openTarget } from '../publish/target.ts';
import { PUBLISH_URL_VARIABLE, TARGET_EXAMPLES, parseTarget, type TargetSource, type TargetSpec } from '../publish/target-url.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { LockedError, acquireLock, type Lock } from '../send/lock.ts';

function nowOf(args: ParsedArgs): Date {
  const raw = args.values.now;
  if (typeof raw !== 'string') return new Date();
  const parsed = parsePublishDate(raw);
  if (typeof parsed === 'string') throw new UsageError(`--now "${raw}" is not a usable date (${parsed}); expected one such as 2020-10-05T14:00:00Z`);
  return parsed.instant;
}

function targetFrom(raw: string, source: TargetSource, cwd: string, shown: string): TargetSpec {
  const parsed = parseTarget(raw, { source, cwd });
  if (typeof parsed === 'string') throw new UsageError(`${shown} ${parsed}`);
  return parsed;
}

/** Every line goes through the redactor: no secret reaches the terminal or a CI log. */
function redacting(stream: Output, redact: Redact): Output {
  return { write: (text) => stream.write(redact(text)), isTTY: stream.isTTY };
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export const publish: Command = {
  stoppedBefore: 'nothing was uploaded',
  spec: publishSpec,

  async run(args, rawIo) {
    const given = typeof args.values.to === 'string' ? args.values.to : undefined;
    const fromEnvironment = given === undefined ? rawIo.env[PUBLISH_URL_VARIABLE]?.trim() || undefined : undefined;
    const redact = redactor(rawIo.env, [...urlSecrets(given), ...urlSecrets(fromEnvironment)]);
    const io: Io = { ...rawIo, stdout: redacting(rawIo.stdout, redact), stderr: redacting(rawIo.stderr, redact) };
    try {
      return await publishShow(args, io, { given, fromEnvironment });
    } catch (error) {
      throw redactError(error, redact);
    }
  },
};

async function publishShow(args: ParsedArgs, io: Io, url: { given?: string; fromEnvironment?: string }): Promise<number> {
  const now = nowOf(args);
  const dryRun = Boolean(args.values['dry-run']);
  const contentDir = String(args.values.content);
  // A target given on the command line or in the environment is checked before any work.
  let spec = url.given !== undefined ? targetFrom(url.given, 'option', io.cwd, '--to') : undefined;
  if (!spec && url.fromEnvironment) spec = targetFrom(url.fromEnvironment, 'environment', io.cwd, `$${PUBLISH_URL_VARIABLE}`);
  await requireFolder(contentDir, '--content', io.cwd);
  const contentPath = path.resolve(io.cwd, contentDir);

  const status = statusLine(io);
  const build = await generate({ contentDir: contentPath, now, cwd: io.cwd, onStep: (step) => status.update(step) }).finally(() => status.done());
  const { show } = build.publication;
  // A folder named in show.yml is relative to show.yml, wherever publish runs from.
  spec ??= show.publish !== undefined ? targetFrom(show.publish, 'show.yml', contentPath, 'show.yml publish:') : undefined;
  if (!spec) throw new UsageError(`no target: give --to <target>, set $${PUBLISH_URL_VARIABLE}, or add publish: to show.yml (${TARGET_EXAMPLES})`);
  const notifiers = notifiersFor(show, io.env);
  printProblems(io, build.warnings);

  const lock = dryRun ? undefined : await lockShow(stateFolder(contentDir, { env: io.env, cwd: io.cwd }));
  const interrupt = new AbortController();
  const onSignal = () => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
    io.stderr.write('Stopping after the files in flight (press Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const target = await openTarget(spec, { env: io.env, cwd: io.cwd, sources: [contentDir, DEFAULT_TEMPLATES_DIR] });
    try {
      io.stdout.write(`${dryRun ? 'Dry run: ' : ''}Publishing ${show.title} to ${target.display}\n`);
      // Under the lock, so the feed compared with is the one this run replaces.
      const guard = await runGuard({
        publication: build.publication,
        episodes: build.content.episodes,
        cwd: io.cwd,
        contentDir,
        ...guardArgs(args),
        live: liveFeedOn(target),
      });
      if (guard.findings.some(isError)) throw new ContentError(guard.findings);
      reportGuard(io, guard);
      io.stdout.write(`Publish guard: ${guard.skipped ?? `compared with ${guard.against}`}\n`);
      const outcome = await runPublish({
        files: build.files,
        feedUrl: show.feedUrl,
        titles: new Map(build.publication.episodes.map((e) => [e.slug, e.title])),
        target,
        notifiers,
        force: Boolean(args.values.force),
        dryRun,
        signal: interrupt.signal,
        onEvent: (event) => io.stdout.write(eventLine(event)),
      });
      const waiting = build.leftOut ? ` (${plural(build.leftOut, 'draft or future episode')} not published yet)` : '';
      return report(io, outcome, { dryRun, notifiers: notifiers.length, waiting, display: target.display });
    } finally {
      await target.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock?.release();
  }
}

function eventLine(event: PublishEvent): string {
  switch (event.type) {
    case 'uploaded':
      return `  uploaded ${event.path}\n`;
    case 'deleted':
      return `  deleted  ${event.path}\n`;
    case 'committed':
      return event.detail ? `  ${event.detail}\n` : '';
    case 'pinged':
      return `  pinged   ${event.notifier.label}\n`;
    case 'ping-failed':
      return `  not reached: ${event.error.message}\n`;
  }
}

async function lockShow(folder: string): Promise<Lock> {
  try {
    return await acquireLock(path.join(folder, 'publish.lock'), undefined, { activity: 'publish of this show' });
  } catch (error) {
    if (!(error instanceof LockedError)) throw error;
    throw new RunError(`${error.message}. This run changed nothing`);
  }
}

function report(io: Io, outcome: PublishOutcome, context: { dryRun: boolean; notifiers: number; waiting: string; display: string }): number {
  const out = colorsFor(io.stdout, io.env);
  const { dryRun, waiting } = context;
  if (dryRun) {
    for (const upload of uploadsOf(outcome.plan)) io.stdout.write(`  would upload ${upload.path}\n`);
    for (const file of outcome.plan.deletions) io.stdout.write(`  would delete ${file}\n`);
    for (const notifier of outcome.owed) io.stdout.write(`  would ping   ${notifier.label}\n`);
    io.stdout.write(`Dry run: ${summaryLine(outcome, context)}. Nothing was changed${waiting}.\n`);
    return EXIT.ok;
  }
  if (outcome.uploaded.length === 0 && outcome.deleted.length === 0 && outcome.owed.length === 0) {
    io.stdout.write(`${out.green('✓')} Nothing to publish: ${context.display} already holds this build${waiting}\n`);
    return EXIT.ok;
  }
  const line = summaryLine(outcome, context);
  if (outcome.pingFailures.length === 0) {
    io.stdout.write(`${out.green('✓')} ${line}${waiting}\n`);
    return EXIT.ok;
  }
  io.stdout.write(`${out.red('✗')} ${line}\n`);
  const c = colorsFor(io.stderr, io.env);
  io.stderr.write(`${c.red('castwright publish: the site is published, but not every service heard of the new feed; the next publish tells them again.')}\n`);
  return EXIT.failed;
}
