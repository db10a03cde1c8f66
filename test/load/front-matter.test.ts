import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../src/load/front-matter.ts';
import { cleanUp, fixture, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

describe('front matter', () => {
  it('splits YAML front matter from the body and counts the lines before the body', () => {
    const split = splitFrontMatter('---\ntitle: Hi\nepisode: 3\n---\nBody line\n', 'x.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    expect(split.frontMatter.data).toEqual({ title: 'Hi', episode: 3 });
    expect(split.body).toBe('Body line\n');
    expect(split.bodyLineOffset).toBe(4);
    expect(split.frontMatter.lineOf(['episode'])).toBe(3);
  });

  it('reads durations like 1:02:03 as text (YAML 1.2), not as the sexagesimal number 3723', () => {
    const split = splitFrontMatter('---\nduration: 1:02:03\n---\n', 'x.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    expect(split.frontMatter.data).toEqual({ duration: '1:02:03' });
  });

  it('refuses ---js front matter without running it, in every spelling', async () => {
    const marker = path.join(await tempDir(), 'pwned');
    process.env.CASTWRIGHT_PWNED_FILE = marker;
    const hostile = await fixture('hostile/js-front-matter.md');
    for (const language of ['js', 'javascript', 'JS', 'JavaScript', ' js']) {
      const problems = splitFrontMatter(hostile.replace('---js', `---${language}`), 'evil.md');
      expect(problems).toEqual([
        {
          file: 'evil.md',
          line: 1,
          message: 'JavaScript front matter is refused (castwright never runs code from content); expected YAML between --- lines',
        },
      ]);
    }
    expect(existsSync(marker)).toBe(false);
    delete process.env.CASTWRIGHT_PWNED_FILE;
  });

  it('refuses other front matter languages by name, names of object properties included', () => {
    for (const language of ['coffee', 'toml', 'constructor', 'valueOf', '__proto__']) {
      expect(splitFrontMatter(`---${language}\ntitle: "x"\n---\n`, 'x.md')).toEqual([
        { file: 'x.md', line: 1, message: `front matter language "${language}" is not supported; expected YAML between --- lines` },
      ]);
    }
  });

  it('reads ---yaml, ---yml and ---json front matter', () => {
    for (const [language, fields] of [['yaml', 'title: x'], ['YML', 'title: x'], ['json', '{"title": "x"}']]) {
      const split = splitFrontMatter(`---${language}\n${fields}\n---\n`, 'x.md');
      if (Array.isArray(split)) throw new Error(`unexpected problems for ${language}`);
      expect(split.frontMatter.data).toEqual({ title: 'x' });
    }
  });

  it('reports a file without front matter, and one whose front matter is never closed', () => {
    expect(splitFrontMatter('Just text\n', 'x.md')).toEqual([
      { file: 'x.md', line: 1, message: 'no front matter; expected the episode fields between two --- lines at the top' },
    ]);
    expect(splitFrontMatter('---\ntitle: x\nBody\n', 'x.md')).toEqual([
      { file: 'x.md', line: 1, message: 'front matter is not closed; expected a line with --- after the fields' },
    ]);
  });

  it('caps YAML alias expansion, so a "billion laughs" file fails instead of exhausting memory', () => {
    const bomb = ['---', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      bomb.push(`${next}: &${next} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    bomb.push('---', '');
    const split = splitFrontMatter(bomb.join('\n'), 'bomb.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    expect(split.frontMatter.problems[0]?.message).toMatch(/^invalid YAML: .*alias/i);
  });

  it('strips a byte order mark and accepts Windows line endings', () => {
    const split = splitFrontMatter('\uFEFF---\r\ntitle: Hi\r\n---\r\nBody\r\n', 'x.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    expect(split.frontMatter.data).toEqual({ title: 'Hi' });
    expect(split.body).toBe('Body\n');
    expect(split.bodyLineOffset).toBe(3);
  });
});

describe('YAML syntax errors', () => {
  it.each([
    ['an unclosed list', '---\ntitle: x\nepisode: [312\nseason: 4\n---\n', 3],
    ['an unclosed quote', '---\ntitle: "abc\n\nnext: 1\n---\n', 2],
    ['a repeated key', '---\ntitle: x\ntitle: y\n---\n', 3],
    ['a bad indent', '---\n  title: x\n bad: 1\n---\n', 3],
  ])('name the line of %s', (_, text, line) => {
    const split = splitFrontMatter(text, 'x.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    expect(split.frontMatter.problems[0]).toMatchObject({ file: 'x.md', line, message: expect.stringMatching(/^invalid YAML: /) });
  });
});
