// castwright dev: a live preview of the site, the emails and the feed. Writes nothing to disk.
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor, printProblems } from '../cli/terminal.ts';
import { startSession, type BuildReport } from '../dev/session.ts';
import { contentOption, requireFolder } from '../cli/options.ts';

export const DEFAULT_PORT = 4321;

export const dev: Command = {
  stoppedBefore: 'nothing is served',
  spec: {
    name: 'dev',
    summary: 'Preview the show notes, emails and feed locally, rebuilding on every save.',
    options: {
      content: contentOption,
      port: { type: 'string', value: '<n>', default: String(DEFAULT_PORT), description: 'port to serve on; the next free one if taken (0: any)' },
      host: { type: 'string', value: '<address>', default: '127.0.0.1', description: 'address to bind; 0.0.0.0 shares the preview on your network' },
    },
    examples: ['castwright dev', 'castwright dev --port 8080 --content shows/equity'],
    notes: [
      'Drafts and future-dated episodes are included and marked. The preview is held in memory: dist/ is never touched.',
      'Press Ctrl+C to stop. Exit codes: 0 stopped, 1 the server could not start, 2 bad usage.',
    ],
  },
  async run(args, io) {
    const contentDir = String(args.values.content);
    const port = Number(args.values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${args.values.port}: expected a port number from 0 to 65535`);
    await requireFolder(contentDir, '--content', io.cwd);

    const c = colorsFor(io.stdout, io.env);
    const report = (build: BuildReport) => {
      const ms = Math.round(build.ms);
      if (build.ok) {
        io.stdout.write(`${c.green('✓')} Built ${build.episodes} episode${build.episodes === 1 ? '' : 's'} in ${ms} ms\n`);
        printProblems(io, build.findings);
      } else {
        printProblems(io, build.problems);
        const count = build.problems.length;
        io.stderr.write(`${c.red('✗')} ${count} problem${count === 1 ? '' : 's'}: still serving the last good build\n`);
      }
    };
    const session = await startSession(
      { contentDir: path.resolve(io.cwd, contentDir), host: String(args.values.host), port, cwd: io.cwd },
      report,
    );
    io.stdout.write(`\n  castwright preview: ${c.bold(c.cyan(session.url))}\n  Watching ${contentDir}/ and templates/; press Ctrl+C to stop.\n\n`);

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await session.close();
    return EXIT.ok;
  },
};
