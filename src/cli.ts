#!/usr/bin/env node
// The `castwright` executable. Everything testable lives in cli/main.ts, loaded only once this
// Node.js is known to be new enough for it and its dependencies.
import { nodeTooOld, packageInfo } from './cli/package-info.ts';

const tooOld = nodeTooOld(process.versions.node, packageInfo().engines.node);
if (tooOld) {
  process.stderr.write(`${tooOld}\n`);
  process.exitCode = 1;
} else {
  const [{ main }, { processIo }] = await Promise.all([import('./cli/main.ts'), import('./cli/terminal.ts')]);
  process.exitCode = await main(process.argv.slice(2), processIo());
}
