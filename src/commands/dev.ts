// castwright dev: a live preview of the site, the emails and the feed. Writes nothing to disk.
import { devSpec } from '../cli/specs/dev.ts';
import { isIP } from 'node:net';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems } from '../cli/terminal.ts';
import { startSession, type BuildReport } from '../dev/session.ts';
import { requireFolder } from '../cli/options.ts';
import { isWarning } from '../problems.ts';

/** A host name as RFC 1123 allows it; digits and dots alone must be an IP address instead. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function checkHost(host: string): void {
  if (isIP(host) || (HOST_NAME.test(host) && !/^[\d.]+$/.test(host))) return;
  throw new UsageError(`--host ${host}: expected an IP address (127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost`);
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export const dev: Command = {
  stoppedBefore: 'nothing is served',
  spec: devSpec,
  async run(args, io) {
    const contentDir = String(args.values.content);
    const port = Number(args.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${args.values.port}: expected a port number from 0 to 65535`);
    const host = String(args.values.host);
    checkHost(host);
    await requireFolder(contentDir, '--content', io.cwd);

    const c = colorsFor(io.stdout, io.env);
    const report = (build: BuildReport) => {
      const ms = Math.round(build.ms);
      if (build.ok) {
        // The content's warnings and check's findings: printed, counted, never stopping the preview.
        const noted = [...build.warnings, ...build.findings];
        printProblems(io, noted);
        const errors = noted.filter((problem) => !isWarning(problem)).length;
        const counts = [errors ? plural(errors, 'error') : '', noted.length > errors ? plural(noted.length - errors, 'warning') : ''].filter(Boolean);
        const unchecked = build.checked ? '' : ' (check left to the build of a newer save)';
        io.stdout.write(`${c.green('✓')} Built ${plural(build.episodes, 'episode')} in ${ms} ms${counts.length ? `, ${counts.join(' and ')}` : ''}${unchecked}\n`);
      } else {
        printProblems(io, build.problems);
        io.stderr.write(`${c.red('✗')} ${plural(build.problems.length, 'problem')}: still serving the last good build\n`);
      }
    };
    const session = await startSession({ contentDir: path.resolve(io.cwd, contentDir), host, port, cwd: io.cwd, noCache: Boolean(args.values['no-cache']) }, report);
    const served = Number(new URL(session.url).port);
    const moved = port !== 0 && served !== port ? `  Port ${port} is in use, so the preview is on ${served}.\n` : '';
    io.stdout.write(`\n  castwright preview: ${c.bold(c.cyan(session.url))}\n${moved}  Watching ${contentDir}/ and templates/; press Ctrl+C to stop.\n\n`);

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    // Ends a build in progress too: its thread is stopped, not waited for.
    await session.close();
    return EXIT.ok;
  },
};
