// castwright check: what the next build would publish, checked before anyone sees it. Writes
// nothing (but the link cache in the show's state folder).
import { checkSpec } from '../cli/specs/check.ts';
import path from 'node:path';
import { stateFolder } from '../state.ts';
import { ContentError, UsageError } from '../errors.ts';
import { requireFolder } from '../cli/options.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems, statusLine } from '../cli/terminal.ts';
import { contentFinding, countFindings, findingJson, isError, tidyFindings, type Finding } from '../check/finding.ts';
import { acceptedChange, guardArgs } from '../check/run-guard.ts';
import { checkGenerated } from '../check/run.ts';
import { generate } from '../pipeline.ts';

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

function positive(value: unknown, option: string, expected: string, whole = false): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (whole && !Number.isInteger(number))) throw new UsageError(`--${option} "${value}": expected ${expected}`);
  return number;
}

export const check: Command = {
  stoppedBefore: 'nothing was checked further',
  spec: checkSpec,
  async run(args, io) {
    const contentDir = String(args.values.content);
    const json = Boolean(args.values.json);
    const timeoutMs = positive(args.values.timeout, 'timeout', 'a number of seconds above 0') * 1000;
    const concurrency = positive(args.values.concurrency, 'concurrency', 'a whole number above 0', true);
    await requireFolder(contentDir, '--content', io.cwd);
    const status = statusLine(io);
    let findings: Finding[];
    try {
      const generated = await generate({
        contentDir: path.resolve(io.cwd, contentDir),
        drafts: Boolean(args.values.drafts),
        cwd: io.cwd,
        onStep: (step) => status.update(step),
      });
      const report = await checkGenerated(generated, {
        cwd: io.cwd,
        contentDir,
        guard: { ...guardArgs(args), out: String(args.values.out), timeoutMs, timeoutOption: '--timeout' },
        ...(args.values.links
          ? { links: { timeoutMs, concurrency, cacheFile: path.join(stateFolder(contentDir, { env: io.env, cwd: io.cwd }), 'links.json'), onProgress: (done: number, total: number) => status.update(`Checking links: ${done} of ${total}…`) } }
          : {}),
        onStep: (step) => status.update(step),
      });
      status.done();
      // The content's own warnings first, as `build` prints them.
      findings = tidyFindings([...generated.warnings.map(contentFinding), ...report.findings]);
      if (json) {
        for (const item of findings) io.stdout.write(`${findingJson(item)}\n`);
      } else {
        printProblems(io, findings);
        for (const { finding, by } of report.guard.accepted) io.stderr.write(`accepted (${by}): ${acceptedChange(finding)}\n`);
        const c = colorsFor(io.stdout, io.env);
        const { errors, warnings } = countFindings(findings);
        const checked = [
          plural(generated.publication.episodes.length, 'episode'),
          'the feed',
          ...(report.digests ? [plural(report.digests, 'email digest')] : []),
          ...(report.links !== undefined ? [plural(report.links, 'link')] : []),
        ];
        const list = `${checked.slice(0, -1).join(', ')} and ${checked[checked.length - 1]}`;
        const guard = `guard: ${report.guard.against ? `compared with ${report.guard.against}` : report.guard.skipped}`;
        if (errors) io.stderr.write(`${c.red(`castwright check: ${plural(errors, 'error')}${warnings ? ` and ${plural(warnings, 'warning')}` : ''}`)} in ${list} (${guard}).\n`);
        else io.stdout.write(`${c.green('✓')} Checked ${list}: ${warnings ? plural(warnings, 'warning') : 'no problems'} (${guard}).\n`);
      }
    } catch (error) {
      // In CI the content's own problems come as findings too, so one parser reads everything.
      if (!json || !(error instanceof ContentError)) throw error;
      for (const problem of error.problems) io.stdout.write(`${findingJson(contentFinding(problem))}\n`);
      return EXIT.failed;
    } finally {
      status.done();
    }
    return findings.some(isError) ? EXIT.failed : EXIT.ok;
  },
};
