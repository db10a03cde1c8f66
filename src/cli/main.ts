// castwright's command line: picks the command, maps failures to exit codes scripts can rely on.
import { helpText, parseCommand } from './args.ts';
import type { Command } from './command.ts';
import { COMMANDS } from './commands.ts';
import { packageInfo } from './package-info.ts';
import { colorsFor, printProblems, type Io } from './terminal.ts';
import { CastwrightError, ContentError, EXIT, UsageError, isErrno, systemError } from '../errors.ts';
import { suggestion } from '../model/suggestion.ts';
import { isWarning, type Problem } from '../problems.ts';

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
    'Run "castwright help <command>" (or "castwright <command> --help") for the options of a command,',
    '"castwright --version" for the version.',
    '',
  ].join('\n');
}

function unknownCommand(name: string, io: Io): number {
  const c = colorsFor(io.stderr, io.env);
  io.stderr.write(`${c.red(`castwright: unknown command "${name}"${suggestion(name, Object.keys(COMMANDS))}`)}\n\n${overview()}`);
  return EXIT.usage;
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** "2 problems", "2 problems and 1 warning", or "1 warning (--strict)" when only warnings stopped it. */
function countProblems(problems: readonly Problem[]): string {
  const warnings = problems.filter(isWarning).length;
  const errors = problems.length - warnings;
  if (errors === 0) return `${plural(warnings, 'warning')} (--strict)`;
  return warnings === 0 ? plural(errors, 'problem') : `${plural(errors, 'problem')} and ${plural(warnings, 'warning')}`;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...others] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout.write(`castwright ${packageInfo().version}\n`);
    return EXIT.ok;
  }
  // `castwright help build` is `castwright build --help`.
  const [name, ...rest] = first === 'help' && others.length > 0 ? [others[0]!, '--help'] : argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const entry = COMMANDS[name];
  const c = colorsFor(io.stderr, io.env);
  if (!entry) return unknownCommand(name, io);
  let command: Command | undefined;
  try {
    const args = parseCommand(entry.spec, rest);
    if (args.help) {
      io.stdout.write(helpText(entry.spec));
      return EXIT.ok;
    }
    command = await entry.load();
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
      // Only a run finds invalid content, so the command is loaded by then.
      io.stderr.write(`${c.red(`castwright ${name}: ${countProblems(error.problems)}`)}; ${command?.stoppedBefore ?? 'nothing was done'}.\n`);
    } else {
      io.stderr.write(`${c.red(`castwright ${name}: ${error.message}`)}\n`);
      if (error instanceof UsageError) io.stderr.write(`Run "castwright ${name} --help" for its options.\n`);
    }
    return error.exitCode;
  }
}
