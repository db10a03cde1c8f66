// castwright check as a user and CI run it: the sample show passes with no error and no warning,
// exit codes (0 nothing above a warning, 1 an error, 2 bad usage), --json as JSON lines, and dev
// showing the same findings beside the preview without blocking it.
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { titleSimilarity, isRecognisable } from '../../src/check/titles.ts';
import { startSession, type BuildReport, type Session } from '../../src/dev/session.ts';
import { EVENTS_PATH } from '../../src/dev/server.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { castwright, findingsIn, sampleShow } from './helpers.ts';

const sessions: Session[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
  await cleanUp();
});

describe('castwright check', () => {
  it('passes the sample show and its digests with no error and no warning, as a real process', async () => {
    const root = await sampleShow();
    const first = await runCli(['check'], { cwd: root });
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('✓ Checked 4 episodes, the feed and 4 email digests: no problems (guard: no earlier build at dist/feed.xml to compare with).\n');
    expect(first.code).toBe(0);
    expect((await castwright(['build'], root)).code).toBe(0);
    const again = await castwright(['check'], root);
    expect(again.stdout).toBe('✓ Checked 4 episodes, the feed and 4 email digests: no problems (guard: compared with dist/feed.xml).\n');
    expect(again.code).toBe(0);
  });

  it('exits 0 with warnings, 1 with an error, and prints JSON lines with --json', async () => {
    const numbered = (await fixture('episodes/valid.md')).replace(/^title: .*$/m, 'title: "Episode 7: A valid episode"');
    const root = await workspace({ 'valid.md': numbered });
    const warned = await castwright(['check'], root);
    expect(warned.code).toBe(0);
    expect(findingsIn(warned.stderr).map((item) => [item.file, item.line, item.severity, item.code])).toEqual([['episodes/valid.md', 2, 'warning', 'feed/title-episode-number']]);
    expect(warned.stdout).toMatch(/^✓ Checked 1 episode, the feed and 1 email digest: 1 warning \(guard: /);

    expect((await castwright(['build'], root)).code).toBe(0);
    await rename(path.join(root, 'episodes', 'valid.md'), path.join(root, 'episodes', 'renamed.md'));
    const failed = await castwright(['check', '--json'], root);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe('');
    const lines = failed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => Object.keys(line))).toEqual([
      ['severity', 'code', 'file', 'line', 'message'],
      ['severity', 'code', 'file', 'line', 'message'],
    ]);
    expect(lines.map((line) => [line.severity, line.code, line.file, line.line])).toEqual([
      ['error', 'guard/guid-changed', 'episodes/renamed.md', 2],
      ['warning', 'feed/title-episode-number', 'episodes/renamed.md', 2],
    ]);
    const accepted = await castwright(['check', '--accept', 'renamed'], root);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain('accepted (--accept renamed): episodes/renamed.md:2 [guard/guid-changed]\n');
  });

  it('gives invalid content as JSON lines too, so CI reads one format', async () => {
    const root = await workspace({ 'bad-date.md': await fixture('invalid/bad-date.md') });
    const result = await castwright(['check', '--json'], root);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      severity: 'error',
      code: 'content/invalid',
      file: 'episodes/bad-date.md',
      line: 3,
      message: 'date: "2020-09-31T07:00:00-07:00" is not a usable date: no such day in the calendar; expected one such as 2020-09-14T07:00:00-07:00',
    });
  });

  it('reports the content\'s own warnings, as build prints them, as content/warning findings', async () => {
    const heading = (await fixture('episodes/valid.md')).replace('## On the podcast this morning', '## What we covered');
    const root = await workspace({ 'valid.md': heading });
    const result = await castwright(['check'], root);
    expect(result.code).toBe(0);
    expect(findingsIn(result.stderr).map((item) => [item.file, item.line, item.severity, item.code])).toEqual([['episodes/valid.md', 15, 'warning', 'content/warning']]);
    expect(result.stdout).toMatch(/^✓ Checked 1 episode, the feed and 1 email digest: 1 warning \(guard: /);
    const json = await castwright(['check', '--json'], root);
    expect(JSON.parse(json.stdout.trim())).toEqual({
      severity: 'warning',
      code: 'content/warning',
      file: 'episodes/valid.md',
      line: 15,
      message: expect.stringMatching(/^"What we covered" is not a stories heading/),
    });
  });

  it('exits 2 on bad usage, and documents its options', async () => {
    const root = await sampleShow();
    for (const args of [['--timeout', 'soon'], ['--concurrency', '0'], ['--concurrency', '1.5'], ['--verbose'], ['--content', 'nowhere'], ['--accept']]) {
      expect((await castwright(['check', ...args], root)).code, args.join(' ')).toBe(2);
    }
    const help = await castwright(['check', '--help'], root);
    expect(help.code).toBe(0);
    for (const option of ['--against <feed>', '--accept <guid|file>', '(may be repeated)', '--no-guard', '--links', '--json', '--timeout <seconds>', '--concurrency <n>', '--drafts']) {
      expect(help.stdout).toContain(option);
    }
    expect((await castwright(['--help'], root)).stdout).toMatch(/\n {2}check {2,}Check what the next build would publish/);
  });
});

describe('dev shows check\'s findings', () => {
  it('beside a good preview, without blocking it', async () => {
    const numbered = (await fixture('episodes/valid.md')).replace(/^title: .*$/m, 'title: "Episode 7: A valid episode"');
    const root = await workspace({ 'valid.md': numbered });
    const reports: BuildReport[] = [];
    const session = await startSession({ contentDir: path.join(root, 'episodes'), host: '127.0.0.1', port: 0, cwd: root }, (report) => reports.push(report));
    sessions.push(session);
    const report = await session.rebuild();
    expect(report.ok).toBe(true);
    expect(report.ok && report.findings.map((item) => [item.file, item.line, item.code])).toEqual([['episodes/valid.md', 2, 'feed/title-episode-number']]);
    // The page is served, and the event stream carries the finding as text with its severity, in
    // the list shown beside the page with the build's own warnings.
    expect((await fetch(new URL('episodes/valid/', session.url))).status).toBe(200);
    const controller = new AbortController();
    const response = await fetch(new URL(EVENTS_PATH, session.url), { signal: controller.signal });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const state = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as { problems: string[]; warnings: Array<{ text: string; severity: string }> };
    expect(state.problems).toEqual([]);
    expect(state.warnings).toEqual([{ severity: 'warning', text: expect.stringMatching(/^episodes\/valid\.md:2: warning: the title "Episode 7: A valid episode" has an episode or season number in it; .* \[feed\/title-episode-number\]$/) }]);
  });
});

describe('a title rewritten beyond recognition', () => {
  it('is told from a typo fixed, a word added or the words reordered', () => {
    const title = "Venture capital's Q3 was better than anyone expected";
    for (const same of [title, "Venture Capital's Q3 Was Better Than Anyone Expected!", "Venture capital's Q3 was better than everyone expected", "Q3 was better than anyone expected, for venture capital", "Venture capitals Q3 was beter than anyone expected"]) {
      expect(isRecognisable(title, same), same).toBe(true);
    }
    for (const other of ['Zoom earnings, and a new unicorn in Lagos', 'The IPO window stays open', '']) {
      expect(isRecognisable(title, other), other).toBe(false);
    }
    expect(titleSimilarity('x'.repeat(100_000), 'y'.repeat(100_000))).toBe(0);
  });
});
