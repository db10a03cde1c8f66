// castwright import: an existing show's feed → show.yml and one Markdown file per episode.
import { importSpec } from '../cli/specs/import.ts';
import { statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems, statusLine } from '../cli/terminal.ts';
import { isWebUrl } from '../model/fields.ts';
import { sortProblems } from '../problems.ts';
import { parseSince } from '../feed-reader/dates.ts';
import { planImport } from '../import/plan.ts';
import { readFeedSource } from '../feed-reader/source.ts';
import { writeNewFiles } from '../import/write.ts';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function webUrlOption(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!isWebUrl(text)) throw new UsageError(`${option} "${text}" is not an absolute http(s) URL`);
  return text;
}

export const importCommand: Command = {
  stoppedBefore: 'nothing was written',
  spec: importSpec,
  async run(args, io) {
    const [feed] = args.positionals as [string];
    const contentDir = String(args.values.content);
    const timeout = Number(args.values.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout "${args.values.timeout}" is not a number of seconds above 0`);
    const url = webUrlOption(args.values.url, '--url');
    const feedUrl = webUrlOption(args.values['feed-url'], '--feed-url');
    let since: Date | undefined;
    if (args.values.since !== undefined) {
      const parsed = parseSince(String(args.values.since));
      if (typeof parsed === 'string') throw new UsageError(`--since "${args.values.since}": ${parsed}; expected a date such as 2020-01-31`);
      since = parsed;
    }
    const contentPath = path.resolve(io.cwd, contentDir);
    if (statSync(contentPath, { throwIfNoEntry: false })?.isDirectory() === false) {
      throw new UsageError(`--content ${contentDir} is a file; expected the content folder (created if missing)`);
    }
    const dryRun = Boolean(args.values['dry-run']);
    const started = performance.now();
    const status = statusLine(io);
    const c = colorsFor(io.stdout, io.env);
    try {
      status.update(`Reading ${feed}…`);
      const source = await readFeedSource(feed, { cwd: io.cwd, timeoutMs: timeout * 1000, timeoutOption: '--timeout' });
      status.update(`Importing ${feed} (${(source.bytes.length / 1024 / 1024).toFixed(1)} MB)…`);
      const plan = await planImport(source, {
        contentDir: contentPath,
        cwd: io.cwd,
        url,
        feedUrl,
        since,
        force: Boolean(args.values.force),
      });
      status.update(`Writing ${plural(plan.files.length, 'file')}…`);
      if (!dryRun && plan.files.length) writeNewFiles(contentPath, plan.files);
      status.done();

      printProblems(io, sortProblems(plan.warnings));
      if (plan.unmapped.length) {
        io.stderr.write(`Kept in extra (castwright has no field for them yet; not rendered): ${plan.unmapped.join(', ')}\n`);
      }
      const verb = dryRun ? 'Would write' : 'Wrote';
      for (const file of plan.files) io.stdout.write(`${dryRun ? '  would write' : '  wrote'} ${file.shown}\n`);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const skipped = [
        plan.alreadyPresent ? `${plural(plan.alreadyPresent, 'episode')} already present` : '',
        plan.beforeSince ? `${plural(plan.beforeSince, 'episode')} before --since` : '',
      ].filter(Boolean);
      io.stdout.write(
        `${c.green(dryRun ? '○' : '✓')} ${verb} ${plural(plan.episodes, 'episode')}${plan.showWritten ? ' and show.yml' : ''} into ${contentDir}/ in ${seconds} s` +
          `${skipped.length ? ` (${skipped.join(', ')})` : ''}${dryRun ? '; nothing was written (--dry-run)' : ''}\n`,
      );
      if (plan.toFill.length) {
        io.stdout.write(`To fill in before "castwright build" accepts the show (${plan.toFill.length}):\n${plan.toFill.map((entry) => `  ${entry}`).join('\n')}\n`);
      }
      return EXIT.ok;
    } finally {
      status.done();
    }
  },
};
