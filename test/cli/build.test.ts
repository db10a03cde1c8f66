import { cp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';

afterEach(cleanUp);

/** A copy of the sample show in a fresh folder. */
async function sampleWorkspace(): Promise<string> {
  const root = await tempDir();
  await cp(path.join(PROJECT, 'episodes'), path.join(root, 'episodes'), { recursive: true });
  return root;
}

describe('castwright build', () => {
  it('builds the sample show into dist/: pages, feed and emails', async () => {
    const root = await sampleWorkspace();
    const result = await runCli(['build'], { cwd: root });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^✓ Built 4 episodes into dist\/ in \d+\.\d\d s \(1 draft or future episode left out; --drafts includes them\)\n$/);
    const files = Object.keys(await snapshot(path.join(root, 'dist')));
    expect(files).toEqual(
      expect.arrayContaining([
        'index.html',
        'feed.xml',
        'style.css',
        '404.html',
        'episodes/2020-09-14-disrupt-tiktok/index.html',
        'email/2020-09-14-disrupt-tiktok.html',
        'email/2020-09-14-disrupt-tiktok.txt',
      ]),
    );
    expect(files.some((f) => f.includes('draft-ipo-window'))).toBe(false);
  });

  it('includes drafts with --drafts and writes where --content and --out say', async () => {
    const root = await sampleWorkspace();
    const result = await runCli(['build', '--content', 'episodes', '--out', 'public', '--drafts'], { cwd: root });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(root, 'public', 'episodes', '2020-10-12-draft-ipo-window', 'index.html'))).toBe(true);
  });

  it('gives byte-identical output for the same sources', async () => {
    const root = await sampleWorkspace();
    await runCli(['build', '--out', 'one'], { cwd: root });
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a different second on the clock
    await runCli(['build', '--out', 'two'], { cwd: root });
    const [one, two] = await Promise.all([snapshot(path.join(root, 'one')), snapshot(path.join(root, 'two'))]);
    expect(Object.keys(one).length).toBeGreaterThan(10);
    expect(two).toEqual(one);
  });

  it('reports invalid content as file:line: message, exits 1 and leaves the previous dist/ untouched', async () => {
    const root = await sampleWorkspace();
    expect((await runCli(['build'], { cwd: root })).code).toBe(0);
    const before = await snapshot(path.join(root, 'dist'));
    await writeFile(path.join(root, 'episodes', 'bad-date.md'), await fixture('invalid/bad-date.md'));
    await writeFile(path.join(root, 'episodes', 'story-without-link.md'), await fixture('invalid/story-without-link.md'));
    const result = await runCli(['build'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toEqual([
      'episodes/bad-date.md:3: date: "2020-09-31T07:00:00-07:00" is not a usable date: no such day in the calendar; expected one such as 2020-09-14T07:00:00-07:00',
      'episodes/story-without-link.md:14: story has no link at its start; expected "- [Title](https://…) — summary"',
      'castwright build: 2 problems; nothing was written.',
      '',
    ]);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(before);
  });

  it('refuses ---js front matter and never runs its code', async () => {
    const root = await workspace({ 'evil.md': await fixture('hostile/js-front-matter.md') });
    const marker = path.join(root, 'pwned');
    const result = await runCli(['build'], { cwd: root, env: { CASTWRIGHT_PWNED_FILE: marker } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('episodes/evil.md:1: JavaScript front matter is refused');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(root, 'dist'))).toBe(false);
  });

  it('escapes a hostile title in every output', async () => {
    const root = await workspace({ 'hostile.md': await fixture('hostile/script-title.md') });
    expect((await runCli(['build'], { cwd: root })).code).toBe(0);
    for (const name of ['index.html', 'episodes/hostile/index.html', 'email/hostile.html']) {
      const output = await readFile(path.join(root, 'dist', name), 'utf8');
      expect(output, name).not.toMatch(/<script>alert|<iframe/);
      expect(output, name).toMatch(/&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; (&quot;|")Q&amp;A(&quot;|")/);
    }
    // In XML a CDATA section is text, never markup: outside of them no tag of the title may appear.
    const feed = await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8');
    expect(feed).toContain('<title><![CDATA[<script>alert(1)</script> & "Q&A"]]></title>');
    expect(feed.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')).not.toMatch(/<script|<iframe/);
  });

  it('colours nothing when its output is not a terminal', async () => {
    const root = await workspace({ 'bad.md': await fixture('invalid/bad-date.md') });
    const result = await runCli(['build'], { cwd: root });
    expect(result.stderr).not.toContain('\x1b[');
  });
});

describe('warnings (issue 8, case 3)', () => {
  async function warnedWorkspace(): Promise<string> {
    const valid = await fixture('episodes/valid.md');
    return workspace({ 'valid.md': valid.replace('## On the podcast this morning', '## What we covered') });
  }

  it('are printed with file:line, and the build goes on with exit 0', async () => {
    const root = await warnedWorkspace();
    const result = await runCli(['build'], { cwd: root });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'episodes/valid.md:15: warning: "What we covered" is not a stories heading, so the episode has no stories in the feed, the page or the email; ' +
        'expected a heading starting with "On the podcast", or "Stories" right above the list, or storiesHeading: "What we covered" in show.yml\n',
    );
    expect(result.stdout).toMatch(/^✓ Built 1 episode into dist\/ in \d+\.\d\d s, 1 warning\n$/);
  });

  it('stop the build under --strict: exit 1 and the previous output untouched', async () => {
    const root = await warnedWorkspace();
    await writeFile(path.join(root, 'episodes', 'valid.md'), await fixture('episodes/valid.md'));
    expect((await runCli(['build'], { cwd: root })).code).toBe(0);
    const before = await snapshot(path.join(root, 'dist'));
    const warned = (await fixture('episodes/valid.md')).replace('## On the podcast this morning', '## What we covered');
    await writeFile(path.join(root, 'episodes', 'valid.md'), warned);
    const result = await runCli(['build', '--strict'], { cwd: root });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').slice(-2)).toEqual(['castwright build: 1 warning (--strict); nothing was written.', '']);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(before);
  });
});

describe('castwright usage', () => {
  it('shows help for the tool and for each command, exit 0', async () => {
    const cwd = await tempDir();
    const top = await runCli(['--help'], { cwd });
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: castwright <command> [options]');
    const help = await runCli(['build', '--help'], { cwd });
    expect(help.code).toBe(0);
    for (const option of ['--content <dir>', '--out <dir>', '--drafts', '--help']) expect(help.stdout).toContain(option);
  });

  it.each([
    [['build', '--bogus'], 'castwright build: unknown option --bogus'],
    [['build', '--content', 'nowhere'], 'castwright build: --content nowhere: no such folder'],
    [['build', 'extra'], 'castwright build: unexpected argument "extra"'],
    [['frobnicate'], 'castwright: unknown command "frobnicate"'],
    [[], 'Usage: castwright <command> [options]'],
  ])('exits 2 on bad usage: %j', async (args, message) => {
    const result = await runCli(args, { cwd: await tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('refuses to replace the working folder or a folder it did not build', async () => {
    const root = await sampleWorkspace();
    const here = await runCli(['build', '--out', '.'], { cwd: root });
    expect(here.code).toBe(2);
    expect(here.stderr).toContain('--out . is the working folder or one of its parents');
    await writeFile(path.join(root, 'notes.txt'), 'mine');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'mine'));
    await writeFile(path.join(root, 'mine', 'notes.txt'), 'mine');
    const other = await runCli(['build', '--out', 'mine'], { cwd: root });
    expect(other.code).toBe(2);
    expect(await readFile(path.join(root, 'mine', 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('the castwright executable', () => {
  it('runs as `npx castwright` inside the project, through the bin declared in package.json', async () => {
    const { spawn } = await import('node:child_process');
    const npmCache = await tempDir();
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      // npx keeps the bin link it made for a project in its cache and never remakes it: an own cache
      // makes it read the bin that package.json declares now, not the one an earlier run found.
      const env = { ...process.env, npm_config_cache: npmCache };
      const child = spawn('npx', ['--no-install', 'castwright', '--help'], { cwd: PROJECT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: castwright <command> [options]');
  });
});
