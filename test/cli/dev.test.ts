import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { giveAway, UNPRIVILEGED } from '../helpers/system.ts';

afterEach(cleanUp);

const STACK_TRACE = /^\s+at /m;

async function sampleWorkspace(): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  return root;
}

describe('castwright dev', () => {
  it('prints the preview URL, serves the show with drafts, and stops cleanly on Ctrl+C without touching dist/', async () => {
    const root = await sampleWorkspace();
    const child = spawnCli(['dev', '--port', '0'], { cwd: root });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const found = /castwright preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        // The URL comes first (the server answers during the first build), then the build.
        if (found && stdout.includes('✓ Built 5 episodes in')) resolve(found[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    const page = await fetch(new URL('episodes/2020-10-12-draft-ipo-window/', url));
    expect(page.status).toBe(200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });

  it('exits 2 on a port that is not a number', async () => {
    const result = await runCli(['dev', '--port', 'eighty'], { cwd: await tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('castwright dev: --port eighty: expected a port number from 0 to 65535');
  });

  it('documents its options', async () => {
    const result = await runCli(['dev', '--help'], { cwd: await tempDir() });
    expect(result.code).toBe(0);
    for (const option of ['--content <dir>', '--port <n>', '--host <address>']) expect(result.stdout).toContain(option);
  });
});

describe('castwright dev cannot listen (issue 8, case 11)', () => {
  /** The first line of stderr, after checking that it is the only message and no stack trace. */
  function oneLine(result: { code: number | null; stderr: string }, code: number): string {
    expect(result.stderr).not.toMatch(STACK_TRACE);
    expect(result.code, result.stderr).toBe(code);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(1)).toEqual(code === 2 ? ['Run "castwright dev --help" for its options.'] : []);
    return lines[0]!;
  }

  it('a --host that is no address at all: exit 2 before anything starts', async () => {
    const result = await runCli(['dev', '--host', '999.1.1.1'], { cwd: await sampleWorkspace() });
    expect(oneLine(result, 2)).toBe('castwright dev: --host 999.1.1.1: expected an IP address (127.0.0.1, 0.0.0.0, ::1) or a host name such as localhost');
  });

  it('a --host this machine does not have: exit 2, one line', async () => {
    const result = await runCli(['dev', '--host', '192.0.2.1', '--port', '0'], { cwd: await sampleWorkspace() });
    expect(oneLine(result, 2)).toBe(
      'castwright dev: --host 192.0.2.1: this machine has no such address; expected 127.0.0.1 (this machine only), 0.0.0.0 (every network) or one of its own addresses',
    );
  });

  it.skipIf(!UNPRIVILEGED)('a port below 1024 for a user who may not use it: exit 2, one line', async () => {
    const root = await sampleWorkspace();
    giveAway(root);
    const result = await runCli(['dev', '--port', '80'], { cwd: root, ...UNPRIVILEGED });
    expect(oneLine(result, 2)).toBe('castwright dev: --port 80: not permitted to listen on it (EACCES); ports below 1024 need root: choose one from 1024 to 65535');
  });
});
