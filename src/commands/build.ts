// castwright build: sources → dist/, all or nothing.
import { buildSpec } from '../cli/specs/build.ts';
import path from 'node:path';
import { ContentError, UsageError } from '../errors.ts';
import { requireFolder } from '../cli/options.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems, statusLine } from '../cli/terminal.ts';
import { isError } from '../check/finding.ts';
import { guardArgs, keepingFeeds, recordFeedMemos, reportGuard, runGuard } from '../check/run-guard.ts';
import type { ReadFeed } from '../check/live.ts';
import type { ByteChunks } from '../model/source-file.ts';
import type { AsidePieces } from '../model/pieces.ts';
import { hasEmail } from '../model/types.ts';
import { generateForWriting } from '../pipeline.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { checkOutputFolder, openOutput } from '../write/atomic.ts';
import { NO_CACHE, openCache } from '../cache/store.ts';
import { hashOf } from '../cache/fingerprint.ts';
import { displayPath, type Problem } from '../problems.ts';
import { stateFolder } from '../state.ts';

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
    // What the cache cannot do is a warning, printed after the build: it never stops one.
    const cacheWarnings: Problem[] = [];
    const cacheFolder = path.join(stateFolder(contentDir, { env: io.env, cwd: io.cwd }), 'cache');
    const onWarning = (message: string) => cacheWarnings.push({ file: displayPath(cacheFolder, io.cwd), message, severity: 'warning' });
    const cache = args.values['no-cache'] ? NO_CACHE : openCache(cacheFolder, { onWarning });
    const output = path.resolve(io.cwd, outDir);
    // Files unchanged since the previous build are linked from it (write/reuse.ts), unless --no-cache.
    const record = cache === NO_CACHE ? undefined : path.join(cacheFolder, `output-${hashOf(output).slice(0, 16)}.json`);
    // Files are written as they are rendered, into a work folder that takes the output's place only
    // once everything, the guard included, has passed (write/atomic.ts); anything that stops the
    // build removes it.
    const writer = openOutput(output, { cwd: io.cwd, record, onWarning, removeDetached: true });
    // The feeds written and the ones the guard read, for the next build's guard (recordFeedMemos).
    const feeds = new Map<string, ByteChunks | AsidePieces>();
    const read = new Map<string, ReadFeed>();
    try {
      const { publication, content, leftOut, warnings } = await generateForWriting(
        {
          contentDir: path.resolve(io.cwd, contentDir),
          drafts: Boolean(args.values.drafts),
          cwd: io.cwd,
          onStep: (step) => status.update(step),
          cache,
        },
        cache === NO_CACHE ? writer : keepingFeeds(writer, feeds),
      );
      status.update('Comparing with the live feed…');
      const guard = await runGuard({ publication, episodes: content.episodes, cwd: io.cwd, contentDir, out: outDir, cache, read, ...guardArgs(args) });
      // Everything that stops the build is reported at once: the guard's errors, or with --strict
      // any warning, the content's or the guard's.
      const noted = [...warnings, ...guard.findings];
      if (guard.findings.some(isError) || (args.values.strict && noted.length > 0)) throw new ContentError(noted);
      status.done();
      printProblems(io, warnings);
      reportGuard(io, guard);
      if (cache !== NO_CACHE) recordFeedMemos({ cache, cwd: io.cwd, out: outDir, feeds, read });
      status.update(`Writing ${writer.count} files…`);
      await writer.commit();
      // After the output: a cache that cannot be written costs the next build time, never this one.
      cache.save();
      status.done();
      printProblems(io, cacheWarnings);
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
      writer.abort();
      cache.discard?.();
      status.done();
    }
  },
};
