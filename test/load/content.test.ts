import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findEpisodeFiles, loadContent } from '../../src/load/content.ts';
import { ContentError } from '../../src/errors.ts';
import { formatProblem } from '../../src/problems.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';

afterEach(cleanUp);

/** Loads a workspace and returns every problem as `file:line: message`. */
async function problemsOf(root: string): Promise<string[]> {
  try {
    await loadContent(path.join(root, 'episodes'), { cwd: root });
  } catch (error) {
    if (error instanceof ContentError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

async function problemsOfFixture(name: string): Promise<string[]> {
  const root = await workspace({ [path.basename(name)]: await fixture(name) });
  return problemsOf(root);
}

describe('loading the sample show', () => {
  it('reads show.yml and every episode into the model', async () => {
    const { show, episodes } = await loadContent(path.join(PROJECT, 'episodes'), { cwd: PROJECT });
    expect(show.title).toBe('Equity');
    expect(show.feedUrl).toBe('https://equity.example.com/feed.xml');
    expect(show.categories).toEqual([
      { name: 'Business', subcategory: 'Investing' },
      { name: 'Technology' },
      { name: 'News', subcategory: 'Tech News' },
    ]);
    expect(episodes.map((e) => e.slug)).toContain('2020-09-14-disrupt-tiktok');
    expect(episodes.length).toBeGreaterThanOrEqual(5);
  });

  it('gives the seed episode its eleven stories with title, link, source and summary', async () => {
    const { episodes } = await loadContent(path.join(PROJECT, 'episodes'), { cwd: PROJECT });
    const episode = episodes.find((e) => e.slug === '2020-09-14-disrupt-tiktok')!;
    expect(episode.source).toBe('episodes/2020-09-14-disrupt-tiktok.md');
    expect(episode.stories).toHaveLength(11);
    const titles = episode.stories.map((s) => s.title).join(' | ');
    for (const subject of ['Tesla', 'TikTok', 'Carbon Health', 'Cosmose', 'iSpace', 'iQiyi', 'CPPIB', 'UnitedMasters', 'MAC', 'HMD Global']) {
      expect(titles).toContain(subject);
    }
    for (const story of episode.stories) {
      expect(story.url).toMatch(/^https:\/\//);
      expect(story.source).toBe('techcrunch.com');
      expect(story.summary.length).toBeGreaterThan(20);
    }
    expect(episode.audio).toEqual({
      url: 'https://cdn.example.com/equity/2020-09-14-equity-monday.mp3',
      length: 7843200,
      duration: 492,
      type: 'audio/mpeg',
    });
  });
});

describe('an episode file', () => {
  it('becomes an Episode with intro, stories and outro split at the stories heading', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const { episodes } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    const [episode] = episodes;
    expect(episode).toMatchObject({
      slug: 'valid',
      title: 'A valid episode',
      episode: 7,
      type: 'full',
      explicit: false,
      draft: false,
      hosts: [{ name: 'Ada Host' }],
      summary: 'Welcome to the show.',
      storiesHeading: 'On the podcast this morning',
      url: 'https://fixture.example.com/episodes/valid/',
    });
    expect(episode!.date.instant.toISOString()).toBe('2021-03-01T15:00:00.000Z');
    expect(episode!.date.offsetMinutes).toBe(-480);
    expect(episode!.audio.duration).toBe(754);
    expect(episode!.introHtml).toBe('<p>Welcome to the show.</p>\n');
    expect(episode!.outroHtml).toBe('<p>Bye for now.</p>\n');
    expect(episode!.stories).toEqual([
      {
        title: 'First story',
        url: 'https://news.example.com/first',
        source: 'news.example.com',
        summary: 'The first summary.',
        summaryHtml: 'The first summary.',
      },
      {
        title: 'Second story',
        url: 'https://www.other.example.org/second?id=2',
        source: 'other.example.org',
        summary: 'the second summary.',
        summaryHtml: 'the second summary.',
      },
    ]);
  });

  it('gets a guid derived from its slug that stays the same from build to build', async () => {
    const text = await fixture('episodes/valid.md');
    const first = await loadContent(path.join(await workspace({ 'valid.md': text }), 'episodes'));
    const second = await loadContent(path.join(await workspace({ 'valid.md': text }), 'episodes'));
    expect(first.episodes[0]!.guid).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.episodes[0]!.guid).toBe(first.episodes[0]!.guid);
  });
});

describe('bad input is reported as file:line: message', () => {
  it.each([
    ['invalid/yaml-syntax.md', 'episodes/yaml-syntax.md:4: invalid YAML'],
    ['invalid/missing-title.md', 'episodes/missing-title.md:2: title: missing; expected the episode title'],
    ['invalid/wrong-type.md', 'episodes/wrong-type.md:6: audio.length: expected the file size in bytes, a whole number above 0, got "7.8 MB"'],
    ['invalid/bad-date.md', 'episodes/bad-date.md:3: date: "2020-09-31T07:00:00-07:00" is not a usable date: no such day in the calendar; expected one such as 2020-09-14T07:00:00-07:00'],
    ['invalid/date-without-offset.md', 'episodes/date-without-offset.md:3: date: "2020-09-14T07:00:00" is not a usable date: the time has no UTC offset (add Z or one such as -07:00)'],
    ['invalid/story-without-link.md', 'episodes/story-without-link.md:14: story has no link at its start; expected "- [Title](https://…) — summary"'],
    ['invalid/javascript-link.md', 'episodes/javascript-link.md:12: link "javascript:alert(document.cookie)" is not allowed; expected an absolute http(s) or mailto: URL'],
    ['invalid/non-http-story.md', 'episodes/non-http-story.md:11: link "ftp://files.example.com/story.txt" is not allowed'],
    ['invalid/unknown-field.md', 'episodes/unknown-field.md:2: unknown field "titel" (did you mean "title"?)'],
    ['invalid/unknown-field-holding-fields.md', 'episodes/unknown-field-holding-fields.md:4: unknown field "sponsor"'],
    ['invalid/unknown-field-holding-fields-full-yaml.md', 'episodes/unknown-field-holding-fields-full-yaml.md:8: audio: unknown field "chapterz"'],
    ['invalid/bad-duration.md', 'episodes/bad-duration.md:7: audio.duration: "8:75" is not a usable length: minutes and seconds must be below 60'],
  ])('%s', async (name, expected) => {
    const problems = await problemsOfFixture(name);
    expect(problems.some((problem) => problem.startsWith(expected)), problems.join('\n')).toBe(true);
  });

  it('names an unknown Apple category in show.yml at its line, with the nearest real one', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') }, { show: await fixture('invalid/show-unknown-category.yml') });
    expect(await problemsOf(root)).toEqual([
      'episodes/show.yml:10: categories[1]: "Busines" is not an Apple category (did you mean "Business"?)',
    ]);
  });

  it('names an under-indented field in show.yml at its line, with the column expected, once', async () => {
    const show = `${await fixture('show.yml')}note:\n  - a\n b: 1\n`;
    const line = show.split('\n').length - 1;
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') }, { show });
    expect(await problemsOf(root)).toEqual([`episodes/show.yml:${line}: b: starts at column 2, where no field above it starts; expected column 1 (as "note")`]);
  });

  it('names a missing show.yml', async () => {
    const root = await workspace({});
    const { rm } = await import('node:fs/promises');
    await rm(path.join(root, 'episodes', 'show.yml'));
    expect(await problemsOf(root)).toEqual(['episodes/show.yml:1: file not found; expected the show settings (title, url, …) here']);
  });

  it('reports a guid used by two episodes at the second one', async () => {
    const valid = await fixture('episodes/valid.md');
    const withGuid = (audio: string) =>
      valid.replace('episode: 7\n', 'episode: 7\nguid: shared-guid\n').replace('7.mp3', audio);
    const root = await workspace({ 'a.md': withGuid('a.mp3'), 'b.md': withGuid('b.mp3') });
    expect(await problemsOf(root)).toEqual([
      'episodes/b.md:5: guid "shared-guid" is also used by episodes/a.md; expected a guid of its own (apps treat a shared guid as one episode)',
    ]);
  });

  it('reports a shared guid even when one of the files has problems of its own', async () => {
    const valid = await fixture('episodes/valid.md');
    const withGuid = (audio: string) => valid.replace('episode: 7\n', 'episode: 7\nguid: shared-guid\n').replace('7.mp3', audio);
    const root = await workspace({ 'a.md': withGuid('a.mp3').replace('length: 1234567', 'length: "12"'), 'b.md': withGuid('b.mp3') });
    expect(await problemsOf(root)).toEqual([
      'episodes/a.md:8: audio.length: expected the file size in bytes, a whole number above 0, got "12"',
      'episodes/b.md:5: guid "shared-guid" is also used by episodes/a.md; expected a guid of its own (apps treat a shared guid as one episode)',
    ]);
  });

  it('asks a serial show to number every episode', async () => {
    const valid = await fixture('episodes/valid.md');
    const show = (await fixture('show.yml')).replace('explicit: false', 'explicit: false\ntype: serial');
    const root = await workspace({ 'numbered.md': valid, 'unnumbered.md': valid.replace('episode: 7\n', '').replace('7.mp3', 'u.mp3') }, { show });
    expect(await problemsOf(root)).toEqual(['episodes/unnumbered.md:1: episode: missing; a serial show numbers every episode']);
  });

  it('reports two episode files with the same slug in different folders', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ '2020/same.md': valid, '2021/same.md': valid.replace('7.mp3', '8.mp3') });
    const problems = await problemsOf(root);
    expect(problems.some((p) => p.startsWith('episodes/2021/same.md:1: slug "same" is also used by episodes/2020/same.md'))).toBe(true);
  });

  it('reports the same audio file used twice, which Apple would ignore', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'a.md': valid, 'b.md': valid });
    expect(await problemsOf(root)).toContain(
      'episodes/b.md:6: audio.url "https://cdn.fixture.example.com/7.mp3" is also used by episodes/a.md; expected an audio file of its own (Apple ignores repeated ones)',
    );
  });

  it('reports every problem of every file at once, in file order', async () => {
    const root = await workspace({
      'bad-date.md': await fixture('invalid/bad-date.md'),
      'missing-title.md': await fixture('invalid/missing-title.md'),
      'javascript-link.md': await fixture('invalid/javascript-link.md'),
      'valid.md': await fixture('episodes/valid.md'),
    });
    const problems = await problemsOf(root);
    expect(problems.map((p) => p.split(':').slice(0, 2).join(':'))).toEqual([
      'episodes/bad-date.md:3',
      'episodes/javascript-link.md:12',
      'episodes/missing-title.md:2',
    ]);
  });

  it('reports files without front matter or with refused front matter, next to valid ones', async () => {
    const root = await workspace({
      'valid.md': await fixture('episodes/valid.md'),
      'plain.md': 'Just some notes.\n',
      'evil.md': await fixture('hostile/js-front-matter.md'),
      'empty.md': '',
    });
    expect((await problemsOf(root)).map((p) => p.split(';')[0])).toEqual([
      'episodes/empty.md:1: no front matter',
      'episodes/evil.md:1: JavaScript front matter is refused (castwright never runs code from content)',
      'episodes/plain.md:1: no front matter',
    ]);
  });

  it('refuses a file name that is not a slug', async () => {
    const root = await workspace({ 'Bad Name.md': await fixture('episodes/valid.md') });
    expect((await problemsOf(root))[0]).toMatch(/^episodes\/Bad Name\.md:1: file name "Bad Name\.md" is not a slug/);
  });

  it('ignores files whose names start with _ or . (notes, editor backups)', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'valid.md': valid, '_notes.md': 'not an episode', '.draft.md': 'nor this' });
    const { episodes } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(episodes.map((e) => e.slug)).toEqual(['valid']);
  });
});

describe('warnings (issue 8, case 3)', () => {
  it('come back with the content instead of stopping it', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'valid.md': valid.replace('## On the podcast this morning', '## What we covered') });
    const { episodes, warnings } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(episodes[0]!.stories).toEqual([]);
    expect(warnings.map(formatProblem)).toEqual([
      expect.stringMatching(/^episodes\/valid\.md:15: warning: "What we covered" is not a stories heading, so the episode has no stories/),
    ]);
  });

  it('are reported with the errors when there are errors', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'a.md': valid.replace('## On the podcast this morning', '## What we covered'), 'bad.md': await fixture('invalid/bad-date.md') });
    const problems = await problemsOf(root);
    expect(problems.map((p) => p.split(': ').slice(0, 2).join(': '))).toEqual(['episodes/a.md:15: warning', 'episodes/bad.md:3: date']);
  });
});

describe('bounds, at their line (issue 8, case 5)', () => {
  it('reports each value out of bounds as file:line: field: …; expected …', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({
      'bounds.md': valid
        .replace('A valid episode', 'x'.repeat(300))
        .replace('2021-03-01T07:00:00-08:00', '2021-03-01T07:00:00+00:99')
        .replace('"12:34"', '1e300')
        .replace('episode: 7', 'episode: 1000000'),
    });
    expect(await problemsOf(root)).toEqual([
      'episodes/bounds.md:2: title: is 300 characters long; expected the episode title of at most 255 characters',
      'episodes/bounds.md:3: date: "2021-03-01T07:00:00+00:99" is not a usable date: the UTC offset +00:99 has 99 minutes (at most 59); expected one such as 2020-09-14T07:00:00-07:00',
      'episodes/bounds.md:4: episode: the number 1000000 is too large; expected the episode number, a whole number above 0, at most 99,999',
      'episodes/bounds.md:8: audio.duration: the number 1e+300 is not a usable length: longer than 24 hours; expected a length such as "8:12", "1:02:03" or a number of seconds',
    ]);
  });
});

describe('every file of the content folder is read or named (issue 8, case 6)', () => {
  it('reads an episode through a link that stays inside the content folder', async () => {
    const root = await workspace({ '_drafts/published.md': await fixture('episodes/valid.md') });
    await symlink('_drafts/published.md', path.join(root, 'episodes', 'published.md'));
    const { episodes } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(episodes.map((e) => [e.slug, e.source])).toEqual([['published', 'episodes/published.md']]);
  });

  it('refuses an episode link that leads outside the content folder, naming both ends', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const outside = path.join(root, 'elsewhere.md');
    await writeFile(outside, (await fixture('episodes/valid.md')).replace('7.mp3', '8.mp3'));
    await symlink(outside, path.join(root, 'episodes', 'linked.md'));
    await symlink(path.join(root, 'gone.md'), path.join(root, 'episodes', 'broken.md'));
    expect(await problemsOf(root)).toEqual([
      'episodes/broken.md: is a broken link (its target does not exist); expected the file itself, or a link to one inside the content folder',
      `episodes/linked.md: is a link to ${outside}, outside the content folder episodes/; castwright reads nothing outside it: put the file itself in the folder`,
    ]);
  });

  it('does not follow a folder link that leads outside, and says so; loops end', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md'), 'season/one.md': (await fixture('episodes/valid.md')).replace('7.mp3', '1.mp3') });
    await symlink('/usr', path.join(root, 'episodes', 'usr'));
    await symlink('..', path.join(root, 'episodes', 'season', 'up'));
    await symlink('season', path.join(root, 'episodes', 'again'));
    const { episodes, warnings } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(episodes.map((e) => e.source)).toEqual(['episodes/season/one.md', 'episodes/valid.md']);
    expect(warnings.map(formatProblem)).toEqual([
      'episodes/again: warning: is a link to episodes/season/, which is read already; it is not read twice',
      'episodes/season/up: warning: is a link to episodes/, which is read already; it is not read twice',
      expect.stringMatching(/^episodes\/usr: warning: is a link to \/usr, outside the content folder episodes\/; it is not followed/),
    ]);
  });

  it('reads files ending in .MD, warns about other Markdown endings, and passes over assets quietly', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({
      'upper.MD': valid,
      'notes.markdown': valid,
      'cover.jpg': 'not really a picture',
      'unsubscribed.csv': 'email\nx@example.com\n',
      'upper.vtt': 'WEBVTT\n',
      'chapters.json': '{}',
      'upper.md~': 'editor backup',
    });
    const { episodes, warnings } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(episodes.map((e) => e.slug)).toEqual(['upper']);
    expect(warnings.map(formatProblem)).toEqual([
      'episodes/notes.markdown: warning: is not read: episode files end in .md; rename it to notes.md if it is an episode, or start its name with _ to silence this',
    ]);
  });

  it('says which files are not UTF-8 text, at the line of the first bad byte', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({});
    const episodes = path.join(root, 'episodes');
    await writeFile(path.join(episodes, 'utf16.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(valid, 'utf16le')]));
    await writeFile(path.join(episodes, 'binary.md'), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0x01, 0x02]));
    await writeFile(path.join(episodes, 'latin1.md'), Buffer.from(valid.replace('Bye for now.', 'Bye for now, café.'), 'latin1'));
    await writeFile(path.join(episodes, 'show.yml'), Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('title: x\n', 'utf16le').swap16()]));
    expect(await problemsOf(root)).toEqual([
      'episodes/binary.md:2: the file holds NUL bytes: it is binary (or UTF-16 without a byte order mark), not text; expected UTF-8 text: save it as UTF-8 in your editor',
      'episodes/latin1.md:18: not valid UTF-8 (byte 0xE9; the file may be Latin-1 or Windows-1252); expected UTF-8 text: save it as UTF-8 in your editor',
      'episodes/show.yml:1: the file is saved as UTF-16; expected UTF-8 text: save it as UTF-8 in your editor',
      'episodes/utf16.md:1: the file is saved as UTF-16; expected UTF-8 text: save it as UTF-8 in your editor',
    ]);
  });

  it('refuses control characters, naming the first and every line that holds one', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({});
    const episodes = path.join(root, 'episodes');
    const lines = valid.split('\n');
    const body = lines.findIndex((line, i) => i > 0 && line === '---') + 2;
    const withAt = (edits: Record<number, string>) => lines.map((line, i) => (edits[i + 1] === undefined ? line : `${line}${edits[i + 1]}`)).join('\n');
    await writeFile(path.join(episodes, 'escape.md'), withAt({ [body + 1]: '\u001b[31mred\u001b[0m', [body + 3]: '\u0007' }));
    await writeFile(path.join(episodes, 'cp1252.md'), withAt({ [body + 1]: ' it\u0092s' }));
    await writeFile(path.join(episodes, 'tabs.md'), withAt({ [body + 1]: '\tand a tab\r' }));
    const column = lines[body]!.length + 1;
    expect(await problemsOf(root)).toEqual([
      `episodes/cp1252.md:${body + 1}: the file holds the control character U+0092 (likely a Windows-1252 "’" converted wrongly) at column ${column + 3}, which readers never see as text; expected text without control characters: delete it (tabs and line ends are fine)`,
      `episodes/escape.md:${body + 1}: the file holds the control character U+001B (escape, as terminals' colour codes start) at column ${column}, and on line ${body + 3}, which readers never see as text; expected text without control characters: delete it (tabs and line ends are fine)`,
    ]);
  });

  // Counting LF alone, a file saved with CR line ends had every such problem on its line 1.
  it('names the line of a control character, NUL or bad byte as the front matter counts them: CR, LF and CRLF line ends alike', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({});
    const episodes = path.join(root, 'episodes');
    const lines = valid.split('\n');
    const at = lines.length - 2;
    const ended = (end: string, tail: string) => [...lines.slice(0, at - 1), `${lines[at - 1]}${tail}`, ...lines.slice(at)].join(end);
    await writeFile(path.join(episodes, 'cr.md'), ended('\r', '\u0007'));
    await writeFile(path.join(episodes, 'mixed.md'), ended('\r\n', '\u0007').replace('\r\n', '\r').replace('\r\n', '\n'));
    await writeFile(path.join(episodes, 'nul.md'), Buffer.from(ended('\r', '\u0000')));
    await writeFile(path.join(episodes, 'latin1.md'), Buffer.from(ended('\r', 'café'), 'latin1'));
    const problems = await problemsOf(root);
    expect(problems.map((problem) => problem.split(': ')[0])).toEqual([`episodes/cr.md:${at}`, `episodes/latin1.md:${at}`, `episodes/mixed.md:${at}`, `episodes/nul.md:${at}`]);
  });

  // The control characters alone were reported: a bad date in the same file showed only once they were gone.
  it('reports the other problems of a file with control characters too, all at once, show.yml included', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({});
    const episodes = path.join(root, 'episodes');
    const lines = valid.split('\n');
    const date = lines.findIndex((line) => line.startsWith('date:'));
    lines[date] = 'date: 2020-09-31T07:00:00-07:00';
    lines[lines.length - 2] += '\u0007';
    await writeFile(path.join(episodes, 'bell.md'), lines.join('\n'));
    const show = await readFile(path.join(episodes, 'show.yml'), 'utf8');
    await writeFile(path.join(episodes, 'show.yml'), `${show}\nnote: "\u001b"\n  bad: [\n`);
    const problems = (await problemsOf(root)).map((problem) => problem.split(': ').slice(0, 2).join(': '));
    expect(problems).toContain(`episodes/bell.md:${date + 1}: date`);
    expect(problems).toContain(`episodes/bell.md:${lines.length - 1}: the file holds the control character U+0007 at column ${lines[lines.length - 2]!.length}, which readers never see as text; expected text without control characters`);
    expect(problems.filter((problem) => problem.startsWith('episodes/show.yml:')).length).toBe(2);
  });

  // Blanked to spaces, a control character changed what YAML read (to it, one is content): one
  // before a field's name indented it, and every later line was "invalid YAML" too.
  it('reports the other problems of a file with control characters as deleting them leaves it, no more', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({});
    const episodes = path.join(root, 'episodes');
    const lines = valid.split('\n');
    const title = lines.findIndex((line) => line.startsWith('title:'));
    const date = lines.findIndex((line) => line.startsWith('date:'));
    await writeFile(path.join(episodes, 'title.md'), lines.map((line, i) => (i === title ? `\u0001${line}` : line)).join('\n'));
    await writeFile(path.join(episodes, 'date.md'), lines.map((line, i) => (i === date ? `\u0007\u0007${line}` : line)).join('\n'));
    const problems = await problemsOf(root);
    expect(problems, problems.join('\n')).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^episodes/date\\.md:${date + 1}: the file holds the control character U\\+0007 at column 1,`));
    expect(problems[1]).toMatch(new RegExp(`^episodes/title\\.md:${title + 1}: the file holds the control character U\\+0001 at column 1,`));
  });

  // Each control character looked for the line ends again from its line's start: 73 s for this file.
  it('reports a long line full of control characters at once', async () => {
    const root = await workspace({});
    const valid = await fixture('episodes/valid.md');
    await writeFile(path.join(root, 'episodes', 'bells.md'), `${valid}\r\n${'123456789\u0007'.repeat(100_000)}\n`);
    const started = Date.now();
    const [problem] = await problemsOf(root);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(problem).toContain(`episodes/bells.md:${valid.split('\n').length + 1}: the file holds the control character U+0007 at column 10, which readers never see`);
  }, 10_000);

  it('counts the lines past ten that hold control characters rather than naming them', async () => {
    const root = await workspace({});
    const valid = await fixture('episodes/valid.md');
    await writeFile(path.join(root, 'episodes', 'bells.md'), `${valid}${'\u0007\n'.repeat(12)}`);
    const [problem] = await problemsOf(root);
    const first = valid.split('\n').length;
    expect(problem).toContain(`episodes/bells.md:${first}: the file holds the control character U+0007 at column 1, and on 11 more lines (${Array.from({ length: 10 }, (_, i) => first + 1 + i).join(', ')}, …)`);
  });

  it('reports a named pipe instead of waiting forever for a writer', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    execFileSync('mkfifo', [path.join(root, 'episodes', 'pipe.md')]);
    expect(await problemsOf(root)).toEqual(['episodes/pipe.md: is a named pipe, not a text file; expected a Markdown file']);
  });

  it('names a show.yaml that was meant to be show.yml', async () => {
    const root = await workspace({});
    const { rename } = await import('node:fs/promises');
    await rename(path.join(root, 'episodes', 'show.yml'), path.join(root, 'episodes', 'show.yaml'));
    expect(await problemsOf(root)).toEqual([
      'episodes/show.yml:1: file not found; expected the show settings (title, url, …) here (found show.yaml: rename it to show.yml)',
    ]);
  });

  it('stops with one message at a folder far too big to be one show’s, such as --content /', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    for (let i = 0; i < 30; i++) await mkdir(path.join(root, 'episodes', `folder-${i}`));
    const { scanContentFolder } = await import('../../src/load/scan.ts');
    expect(scanContentFolder(path.join(root, 'episodes'), root, 40).problems).toEqual([]);
    expect(scanContentFolder(path.join(root, 'episodes'), root, 20)).toMatchObject({
      episodes: [],
      problems: [{ file: 'episodes', message: 'holds more than 20 files and folders; expected the folder of one show (show.yml and its episodes): is --content right?' }],
    });
  });
});

describe('the episode files of a show, for commands that add to it', () => {
  it('are exactly those a build reads: .MD too and links inside, not skipped names or links out', async () => {
    const valid = await fixture('episodes/valid.md');
    const root = await workspace({ 'a.md': valid, '2021/B.MD': valid, '_draft.md': valid, 'notes.markdown': valid });
    const content = path.join(root, 'episodes');
    await writeFile(path.join(root, 'outside.md'), valid);
    await symlink(path.join(root, 'outside.md'), path.join(content, 'out.md'));
    await symlink(path.join(content, 'a.md'), path.join(content, 'alias.md'));
    expect(await findEpisodeFiles(content)).toEqual(['2021/B.MD', 'a.md', 'alias.md'].map((name) => path.join(content, name)));
  });
});

describe('show.yml with a cache (issue 9)', () => {
  /** The content loaded with the cache in `folder`, saved after. */
  const loadCached = async (content: string, root: string, folder: string) => {
    const { openCache } = await import('../../src/cache/store.ts');
    const cache = openCache(folder, { fingerprint: 'test' });
    try {
      return await loadContent(content, { cwd: root, cache });
    } finally {
      cache.save();
    }
  };

  it('gives the settings validated before from the same data, and validates changed or invalid ones afresh, at their line', async () => {
    const { readFile } = await import('node:fs/promises');
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const content = path.join(root, 'episodes');
    const folder = path.join(root, 'cache');
    const load = () => loadCached(content, root, folder);
    const cold = async () => (await loadContent(content, { cwd: root })).show;
    const first = await cold();
    expect((await load()).show).toEqual(first);
    // Validated once: what the cache holds is what comes back.
    expect((await load()).show).toEqual(first);
    const showFile = path.join(content, 'show.yml');
    const text = await readFile(showFile, 'utf8');
    await writeFile(showFile, text.replace(/^title: .*$/m, 'title: Renamed — “quoted”'));
    const renamed = await load();
    expect(renamed.show.title).toBe('Renamed — “quoted”');
    expect(renamed.show).toEqual(await cold());
    await writeFile(showFile, text.replace(/^explicit: .*$/m, 'explicit: maybe'));
    const failure = await load().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ContentError);
    const line = text.split('\n').findIndex((row) => row.startsWith('explicit:')) + 1;
    expect((failure as ContentError).problems.map(formatProblem)).toContainEqual(expect.stringMatching(new RegExp(`^episodes/show.yml:${line}: explicit: `)));
    await writeFile(showFile, text);
    expect((await load()).show).toEqual(first);
  });

  it("gives back an episode's and the show's extra maps as parsed, keys named like the cache's markers too", async () => {
    const { readFile } = await import('node:fs/promises');
    const extra = 'extra:\n  a: { "\\0shared": "abcdefghijklmnopqrstuvwxyz", b: 1 }\n';
    const root = await workspace({ 'valid.md': (await fixture('episodes/valid.md')).replace('hosts: [Ada Host]', `hosts: [Ada Host]\n${extra}`) });
    const content = path.join(root, 'episodes');
    const showFile = path.join(content, 'show.yml');
    await writeFile(showFile, `${await readFile(showFile, 'utf8')}\n${extra}`);
    const folder = path.join(root, 'cache');
    const load = () => loadCached(content, root, folder);
    const cold = await loadContent(content, { cwd: root });
    expect(cold.episodes[0]!.extra).toEqual({ a: { '\0shared': 'abcdefghijklmnopqrstuvwxyz', b: 1 } });
    await load();
    const warm = await load();
    expect(warm.episodes).toStrictEqual(cold.episodes);
    expect(warm.show).toStrictEqual(cold.show);
  });
});
