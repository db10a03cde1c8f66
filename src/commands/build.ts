// castwright build: sources → dist/, all or nothing.
import { buildSpec } from '../cli/specs/build.ts';
import path from 'node:path';
import { ContentError, UsageError } from '../errors.ts';
import { requireFolder } from '../cli/options.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems, statusLine } from '../cli/terminal.ts';
import { isError } from '../check/finding.ts';
import { guardArgs, reportGuard, runGuard } from '../check/run-guard.ts';
import { hasEmail } from '../model/types.ts';
import { generate } from '../pipeline.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { checkOutputFolder, writeFolder } from '../write/atomic.ts';

export const build: Command = {
  stoppedBefore: 'nothing was written',
  spec: buildSpec,
  async run(args, io) {
    const contentDir = String(args.values.content);
    const outDir = String(args.values.out);
    await requireFolder(contentDir, '--content', io.cwd);
    const refusal = await checkOutputFolder(outDir, [contentDir, DEFAULT_TEMPLATES_DIR], io.cwd);
    if (refusal) throw new UsageError(`--out ${refusal}`);

    const started = performance.now();
    const status = statusLine(io);
    try {
      const { publication, content, files, leftOut, warnings } = await generate({
        contentDir: path.resolve(io.cwd, contentDir),
        drafts: Boolean(args.values.drafts),
        cwd: io.cwd,
        onStep: (step) => status.update(step),
      });
      status.update('Comparing with the live feed…');
      const guard = await runGuard({ publication, episodes: content.episodes, cwd: io.cwd, contentDir, out: outDir, ...guardArgs(args) });
      // Everything that stops the build is reported at once: the guard's errors, or with --strict
      // any warning, the content's or the guard's.
      const noted = [...warnings, ...guard.findings];
      if (guard.findings.some(isError) || (args.values.strict && noted.length > 0)) throw new ContentError(noted);
      status.done();
      printProblems(io, warnings);
      reportGuard(io, guard);
      status.update(`Writing ${files.size} files…`);
      await writeFolder(path.resolve(io.cwd, outDir), files, { cwd: io.cwd });
      status.done();
      const c = colorsFor(io.stdout, io.env);
      const count = publication.episodes.length;
      const skipped = leftOut ? ` (${leftOut} draft or future episode${leftOut === 1 ? '' : 's'} left out; --drafts includes them)` : '';
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const warned = noted.length ? `, ${noted.length} warning${noted.length === 1 ? '' : 's'}` : '';
      io.stdout.write(`${c.green('✓')} Built ${count} episode${count === 1 ? '' : 's'} into ${outDir}/ in ${seconds} s${skipped}${warned}\n`);
      if (!hasEmail(publication.show)) {
        io.stdout.write(`No email digests: ${contentDir}/show.yml has no email settings (add email: { from, address, unsubscribe } to render them).\n`);
      }
      return EXIT.ok;
    } finally {
      status.done();
    }
  },
};
