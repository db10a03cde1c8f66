// castwright's command line: picks the command, maps failures to exit codes scripts can rely on.
import { helpText, parseCommand } from './args.ts';
import type { Command } from './command.ts';
import { colorsFor, printProblems, type Io } from './terminal.ts';
import { build } from '../commands/build.ts';
import { check } from '../commands/check.ts';
import { dev } from '../commands/dev.ts';
import { importCommand } from '../commands/import.ts';
import { publish } from '../commands/publish.ts';
import { send } from '../commands/send.ts';
import { serve } from '../commands/serve.ts';
import { subscribers, unsubscribe } from '../commands/subscribers.ts';
import { CastwrightError, ContentError, EXIT, UsageError, isErrno, systemError } from '../errors.ts';

const COMMANDS: Record<string, Command> = { build, check, dev, send, serve, unsubscribe, subscribers, import: importCommand, publish };

function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'Usage: castwright <command> [options]',
    '',
    "Turns a weekly show's Markdown episodes into its show notes site, podcast feed and email digest.",
    '',
    'Commands:',
    ...Object.values(COMMANDS).map(({ spec }) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    '',
    'Run "castwright <command> --help" for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  const c = colorsFor(io.stderr, io.env);
  if (!command) {
    io.stderr.write(`${c.red(`castwright: unknown command "${name}"`)}\n\n${overview()}`);
    return EXIT.usage;
  }
  try {
    const args = parseCommand(command.spec, rest);
    if (args.help) {
      io.stdout.write(helpText(command.spec));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (caught) {
    // An operating-system error that no stage wrapped still gets one line, never a stack trace.
    const error = isErrno(caught) ? systemError(caught) : caught;
    if (!(error instanceof CastwrightError)) {
      io.stderr.write(`${c.red(`castwright ${name}: unexpected error (a bug in castwright; please report it): ${(error as Error).stack ?? String(error)}`)}\n`);
      return EXIT.failed;
    }
    if (error instanceof ContentError) {
      printProblems(io, error.problems);
      const count = error.problems.length;
      io.stderr.write(`${c.red(`castwright ${name}: ${count} problem${count === 1 ? '' : 's'}`)}; ${command.stoppedBefore}.\n`);
    } else {
      io.stderr.write(`${c.red(`castwright ${name}: ${error.message}`)}\n`);
      if (error instanceof UsageError) io.stderr.write(`Run "castwright ${name} --help" for its options.\n`);
    }
    return error.exitCode;
  }
}
