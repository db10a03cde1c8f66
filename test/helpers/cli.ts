// Runs the real `castwright` executable in a child process, as a user or a script would.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT } from './content.ts';

const CLI = path.join(PROJECT, 'src', 'cli.ts');
// Tests run the source through tsx, so they test the code as it is, not a compiled lib/ that may
// be older (test/cli/bin.test.ts tests the compiled bin); they run in temporary folders, so they
// name tsx's loader by its full path.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Run as another user (tests running as root). */
  uid?: number;
  gid?: number;
}

export function spawnCli(args: readonly string[], options: CliOptions): ChildProcess {
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  const user = options.uid === undefined ? {} : { uid: options.uid, gid: options.gid ?? options.uid };
  return spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], ...user });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  return outputOf(spawnCli(args, options));
}

/** Waits for a child process to end, with everything it wrote. */
export function outputOf(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
