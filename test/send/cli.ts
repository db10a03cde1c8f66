// `castwright send` run in this process through the command line's own entry (cli/main.ts): the same
// parsing, exit codes and output as the executable, without starting a process per run, so a test
// can make dozens of runs and stay quick on a loaded machine. The tests that need a real process
// (killed, or holding a lock against another) spawn one instead.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.ts';
import type { CliResult } from '../helpers/cli.ts';
import { PROJECT } from '../helpers/content.ts';
import { SECRET } from './mailing.ts';

/** The environment of a user who set only the secret: nothing from the test runner's shell leaks in. */
export const ENV: NodeJS.ProcessEnv = {
  CASTWRIGHT_SECRET: SECRET,
  SMTP_URL: undefined,
  CASTWRIGHT_STATE: undefined,
  DKIM_DOMAIN: undefined,
  DKIM_SELECTOR: undefined,
  DKIM_KEY_FILE: undefined,
  NO_COLOR: '1',
};

export async function send(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['send', ...args], {
    stdout: { write: (text: string) => void (stdout += text) },
    stderr: { write: (text: string) => void (stderr += text) },
    env: { PATH: process.env.PATH, ...ENV, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

/** The end-of-run counts, by label. */
export function tally(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}(\S.*?) {2,}(\d+)\b/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** Whether a process can be started here as PID 1 of a pid namespace of its own, as in a container (root on Linux, as in CI). */
export const canStartAsPid1 = process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' }).status === 0;

/** Why a test needing canStartAsPid1 is skipped elsewhere. */
export const PID1_SKIP = 'needs unshare --pid, as root on Linux';

/**
 * `castwright send` as PID 1 of a new pid namespace, the way a container runs it; the namespace
 * (and the send) dies with the returned process.
 */
export function spawnSendAsPid1(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const cli = path.join(PROJECT, 'src', 'cli.ts');
  const command = ['--pid', '--fork', '--mount-proc', '--kill-child', process.execPath, '--import', tsx, cli, 'send', ...args];
  return spawn('unshare', command, { cwd: options.cwd, env: { ...process.env, ...ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
