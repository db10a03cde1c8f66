#!/usr/bin/env node
// The `castwright` executable. Everything testable lives in cli/main.ts, loaded only once this
// Node.js is known to be new enough for it and its dependencies. Compiled (lib/cli.js), a command
// with a code-cached program (cli/code-cache.ts) runs from it, main and all; from source, or
// without one, main is imported as ES modules.
import { CODE_CACHED_COMMANDS } from './cli/cached-commands.ts';
import { nodeTooOld, packageInfo } from './cli/package-info.ts';

const tooOld = nodeTooOld(process.versions.node, packageInfo().engines.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 1;
} else {
  const argv = process.argv.slice(2);
  // A command's --help needs none of its code: the ES modules print it without loading the program.
  const run = import.meta.url.endsWith('.js') && CODE_CACHED_COMMANDS.includes(argv[0]!) && !argv.includes('--help') && !argv.includes('-h');
  const loaded = run ? (await import('./cli/code-cache.ts')).loadProgram(argv[0]!) : undefined;
  const [{ main }, { processIo }] = loaded ? [loaded.program, loaded.program] : await Promise.all([import('./cli/main.ts'), import('./cli/terminal.ts')]);
  process.exitCode = await main(argv, processIo());
}
