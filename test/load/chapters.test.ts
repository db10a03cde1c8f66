// Story timestamps as hosts write them, and the problems that keep a wrong chapter list from apps.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/load/content.ts';
import { readBody } from '../../src/load/markdown.ts';
import { ContentError } from '../../src/errors.ts';
import { formatProblem } from '../../src/problems.ts';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';

afterEach(cleanUp);

const context = { file: 'ep.md', lineOffset: 10 };

function read(list: string, duration?: number) {
  return readBody(`Intro.\n\n## Stories\n\n${list}\n`, { ...context, duration });
}

async function loaded(episode: string) {
  const root = await workspace({ 'ep.md': episode });
  try {
    return { episodes: (await loadContent(path.join(root, 'episodes'), { cwd: root })).episodes, problems: [] as string[] };
  } catch (error) {
    if (error instanceof ContentError) return { episodes: [], problems: error.problems.map(formatProblem) };
    throw error;
  }
}

describe('story timestamps', () => {
  it('are read as 12:34, [12:34], (12:34) and 1:02:03 before the link, with a dash or not', () => {
    const { body, problems } = read(
      ['- 0:00 [A](https://a.example/)', '- [2:05] [B](https://b.example/) — two', '- (12:34) - [C](https://c.example/)', '- 1:02:03 — [D](https://d.example/): four'].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(body.stories.map((s) => [s.start, s.title, s.summary])).toEqual([
      [0, 'A', ''],
      [125, 'B', 'two'],
      [754, 'C', ''],
      [3723, 'D', 'four'],
    ]);
  });

  it('are optional per story: a story without one has no start', () => {
    const { body, problems } = read('- 1:00 [A](https://a.example/)\n- [B](https://b.example/)\n- 3:00 [C](https://c.example/)');
    expect(problems).toEqual([]);
    expect(body.stories.map((s) => s.start)).toEqual([60, undefined, 180]);
  });

  it('leave a list of links without times as it was, numbers in titles included', () => {
    const { body, problems } = read('- [12:34 is a title](https://a.example/)\n- 2020 [B](https://b.example/)');
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual(['16: story has no link at its start; expected "- [Title](https://…) — summary"']);
    expect(body.stories.map((s) => s.start)).toEqual([undefined]);
  });

  it('must increase: a timestamp not after the one before is a problem at its line', () => {
    const { problems } = read('- 2:00 [A](https://a.example/)\n- [B](https://b.example/)\n- 1:59 [C](https://c.example/)\n- 1:59 [D](https://d.example/)');
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '17: story timestamp 1:59 is not after the one before it (2:00); expected timestamps in increasing order',
      '18: story timestamp 1:59 is not after the one before it (1:59); expected timestamps in increasing order',
    ]);
  });

  it('must fall within the duration', () => {
    const { problems } = read('- 1:00 [A](https://a.example/)\n- 8:12 [B](https://b.example/)', 492);
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '16: story timestamp 8:12 is not within the episode (8:12 long); expected a time before the end of the audio',
    ]);
  });

  it('must be a time: 12:75 and 1:75:00 are problems that say why', () => {
    const { problems } = read('- 12:75 [A](https://a.example/)\n- 1:75:00 [B](https://b.example/)\n- [9:99] [C](https://c.example/)');
    expect(problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '15: story timestamp "12:75" is seconds must be below 60; expected one such as "- 12:34 [Title](https://…)"',
      '16: story timestamp "1:75:00" is minutes must be below 60 after an hour; expected one such as "- 12:34 [Title](https://…)"',
      '17: story timestamp "9:99" is seconds must be below 60; expected one such as "- 12:34 [Title](https://…)"',
    ]);
  });

  it('are checked against the front matter duration, every problem of the file at once', async () => {
    const valid = await fixture('episodes/valid.md');
    const episode = valid
      .replace('- [First story]', '- 13:00 [First story]')
      .replace('- [Second story]', '- 12:00 [Second story]');
    expect((await loaded(episode)).problems).toEqual([
      'episodes/ep.md:15: story timestamp 13:00 is not within the episode (12:34 long); expected a time before the end of the audio',
      'episodes/ep.md:16: story timestamp 12:00 is not after the one before it (13:00); expected timestamps in increasing order',
    ]);
  });

  it('make the chapter list, with the intro as chapter 0, in the model', async () => {
    const valid = await fixture('episodes/valid.md');
    const { episodes } = await loaded(valid.replace('- [Second story]', '- 5:00 [Second story]'));
    expect(episodes[0]!.chapterList).toEqual([
      { start: 0, title: 'Intro' },
      { start: 300, title: 'Second story', url: 'https://www.other.example.org/second?id=2' },
    ]);
    expect((await loaded(valid)).episodes[0]!.chapterList).toEqual([]);
  });

  it('cannot be combined with a chapters: file in the front matter', async () => {
    const valid = await fixture('episodes/valid.md');
    const episode = valid.replace('hosts: [Ada Host]\n', 'hosts: [Ada Host]\nchapters: https://cdn.fixture.example.com/7.json\n').replace('- [First story]', '- 1:00 [First story]');
    expect((await loaded(episode)).problems).toEqual([
      'episodes/ep.md:10: chapters: names a chapters file, and the stories have timestamps too; expected one of them (remove chapters: to publish the timestamps)',
    ]);
  });
});
