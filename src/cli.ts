#!/usr/bin/env -S node --import tsx
// The `castwright` executable. Everything testable lives in cli/main.ts.
import { main } from './cli/main.ts';
import { processIo } from './cli/terminal.ts';

process.exitCode = await main(process.argv.slice(2), processIo());
