import { cp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

describe('castwright dev', () => {
  it('prints the preview URL, serves the show with drafts, and stops cleanly on Ctrl+C without touching dist/', async () => {
    const root = await tempDir();
    await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
    const child = spawnCli(['dev', '--port', '0'], { cwd: root });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk) => {
        stdout += chunk;
        const found = /castwright preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
        if (found) resolve(found[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    expect(stdout).toContain('✓ Built 5 episodes in');
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
