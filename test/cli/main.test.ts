// Command-line conventions (issue 8, case 13), through main() itself: version, help for a command,
// a suggestion for a mistyped command or option, values that start with a dash.
import { spawnSync } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { nodeTooOld } from '../../src/cli/package-info.ts';
import type { Io } from '../../src/cli/terminal.ts';
import { SLUG_RULE } from '../../src/load/episode.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (text) => void (stdout += text) }, stderr: { write: (text) => void (stderr += text) }, env: {}, cwd: PROJECT };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe('command-line conventions (issue 8, case 13)', () => {
  it('--version prints the version of package.json, exit 0', async () => {
    const { version } = JSON.parse(await readFile(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await run([flag])).toEqual({ code: 0, stdout: `castwright ${version}\n`, stderr: '' });
  });

  it('`help <command>` is `<command> --help`; `help` alone is the overview', async () => {
    for (const name of ['build', 'dev', 'send']) {
      const viaHelp = await run(['help', name]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp).toEqual(await run([name, '--help']));
    }
    const overview = await run(['help']);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toContain('castwright help <command>');
    expect(overview.stdout).toContain('castwright --version');
  });

  it('an unknown command suggests the nearest, exit 2', async () => {
    const typo = await run(['biuld']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.split('\n')[0]).toBe('castwright: unknown command "biuld" (did you mean "build"?)');
    expect((await run(['help', 'dve'])).stderr.split('\n')[0]).toBe('castwright: unknown command "dve" (did you mean "dev"?)');
    // Nothing near enough: no guess.
    expect((await run(['frobnicate'])).stderr.split('\n')[0]).toBe('castwright: unknown command "frobnicate"');
  });

  it.each([
    [['build', '--stirct'], 'unknown option --stirct (did you mean "--strict"?)'],
    [['build', '--bogus'], 'unknown option --bogus'],
    [['build', '--drafts=yes'], '--drafts takes no value (got "yes")'],
    [['build', '--out'], '--out needs a value: --out <dir>'],
    [['build', '--out', '--drafts'], '--out needs a value, but "--drafts" looks like an option; write --out=--drafts if it is the value'],
    // A negative number is read as the value, so the command says what it expects of it.
    [['dev', '--port', '-3'], '--port -3: expected a port number from 0 to 65535'],
  ])('options: %j says what it expects, exit 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`castwright ${argv[0]}: ${message}`);
    expect(result.stderr).not.toMatch(/ambiguous|place it at the end/);
  });

  it('the README states the file-name rule that the messages state', async () => {
    const readme = (await readFile(path.join(PROJECT, 'README.md'), 'utf8')).replace(/\s+/g, ' ');
    expect(readme).toContain(SLUG_RULE);
  });
});

describe('the Node.js castwright needs (issue 8, case 16)', () => {
  afterAll(cleanUp);

  it('is stated once, in package.json, and the README says the same', async () => {
    const { engines } = JSON.parse(await readFile(path.join(PROJECT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe('>=20.19');
    expect(await readFile(path.join(PROJECT, 'README.md'), 'utf8')).toContain('Node.js 20.19 or later');
    expect(nodeTooOld(process.versions.node, engines.node)).toBeUndefined();
  });

  it('an older one is refused in one line before anything else loads', () => {
    expect(nodeTooOld('20.18.3', '>=20.19')).toBe(
      'castwright needs Node.js 20.19 or later; this is Node.js 20.18.3. Install a newer Node.js (https://nodejs.org) and run the command again.',
    );
    expect(nodeTooOld('v18.20.0', '>=20.19')).toMatch(/^castwright needs Node.js 20.19 or later; this is Node.js 18.20.0\./);
    for (const version of ['20.19.0', '20.20.2', '22.1.0', '24.0.0']) expect(nodeTooOld(version, '>=20.19'), version).toBeUndefined();
  });

  it('installs without engine warnings on this Node: mjml\'s js-beautify gets a nopt that supports Node 20', async () => {
    // npm's own check, on a copy of the manifest and lock file: refused packages fail the dry run.
    const dir = await tempDir();
    for (const file of ['package.json', 'package-lock.json']) await copyFile(path.join(PROJECT, file), path.join(dir, file));
    const result = spawnSync('npm', ['install', '--dry-run', '--engine-strict', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(result.stderr).not.toContain('EBADENGINE');
    expect(result.status, result.stderr).toBe(0);
  });
});
