import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { splitFrontMatter } from '../../src/load/front-matter.ts';
import { readYaml } from '../../src/load/yaml.ts';
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

  it('refuses escapes that make a control character or half a surrogate pair, at their line, and takes a whole pair', () => {
    const read = readYaml('title: "Esc \\e[31m red"\nhosts:\n  - Alex\n  - "B\\ud800"\nsummary: "two\\nlines\\tand a tab"\nnote: "mic \\ud83c\\udf99"\n', 'x.md');
    expect(read.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '1: title: the value holds the control character U+001B; expected text without control characters (tabs and line breaks are fine)',
      '4: hosts[1]: the value holds half of a UTF-16 surrogate pair (an escape such as "\\ud800" alone), which is no character; expected the character itself, or both halves of its pair',
    ]);
    expect(readYaml('note: "mic \\ud83c\\udf99"\n', 'x.md')).toMatchObject({ problems: [], data: { note: 'mic \u{1F399}' } });
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

describe('YAML mistakes a producer makes every week (issue 8, case 12)', () => {
  const problemsOf = (text: string) => {
    const split = splitFrontMatter(text, 'x.md');
    if (Array.isArray(split)) throw new Error('unexpected problems');
    return split.frontMatter.problems.map((p) => `${p.line}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`);
  };

  it('an unquoted colon in a title: one line, at that line, with the quoted title', () => {
    expect(problemsOf('---\ntitle: Equity: the week\ndate: 2020-09-14\n---\n')).toEqual([
      '2: title: the value holds ": ", which YAML reads as the start of another field; quote the value: title: "Equity: the week"',
    ]);
  });

  it('a tab indent: one line for the whole block, at its first line', () => {
    expect(problemsOf('---\ntitle: x\naudio:\n\turl: https://a.example/a.mp3\n\tlength: 3\n\tduration: "1:00"\nhosts:\n\t- Ada\n---\n')).toEqual([
      '4: indented with a tab (so are lines 5, 6, 8); expected spaces: YAML does not allow tabs for indentation, so replace each with two spaces',
    ]);
  });

  it('an over-indented key: named at its own line, not at the line above', () => {
    expect(problemsOf('---\ntitle: Equity\n  date: 2020-09-14\nepisode: 3\n---\n')).toEqual([
      '3: date: is indented more than "title" above it, so YAML reads it as part of that value; expected it at the same column as title',
    ]);
    expect(problemsOf('---\naudio:\n  url: https://a.example/a.mp3\n    length: 3\n---\n')).toEqual([
      '4: length: is indented more than "url" above it, so YAML reads it as part of that value; expected it at the same column as url',
    ]);
  });

  it('an under-indented key: the columns of the fields around it', () => {
    expect(problemsOf('---\naudio:\n    url: https://a.example/a.mp3\n  length: 3\n---\n')).toEqual([
      '4: length: starts at column 3, where no field above it starts; expected column 5 (as "url") or column 1 (as "audio")',
    ]);
  });

  // The field above it and the one it is under may be one line: it was named twice.
  it('an under-indented key below a list: the one field it could line up with, named once', () => {
    expect(problemsOf('---\nnote:\n  - a\n b: 1\n---\n')).toEqual(['4: b: starts at column 2, where no field above it starts; expected column 1 (as "note")']);
  });

  it('a value YAML reads as something else than text: the quoted value as the fix', () => {
    expect(problemsOf('---\ntitle: [Live] from Disrupt\n---\n')).toEqual([
      '2: invalid YAML: Unexpected scalar at node end; if the value is text, quote it: title: "[Live] from Disrupt"',
    ]);
    expect(problemsOf('---\ntitle: *NSYNC\n---\n')).toEqual([
      '2: invalid YAML: "*NSYNC" refers to an anchor that is not there; if the value is text, quote it: title: "*NSYNC"',
    ]);
  });

  it('an alias inside the value its anchor names: a problem at the alias, not a value that holds itself (every walk of it overflowed the stack)', () => {
    expect(problemsOf('---\ntitle: Hi\nextra: &loop\n  self: [1, *loop]\n---\n')).toEqual([
      '4: invalid YAML: "*loop" is inside the value it refers to, which would then contain itself; write the value out instead',
    ]);
    // An alias to a value it is not part of stays fine.
    expect(problemsOf('---\ntitle: Hi\nextra: { a: &x [1], b: *x }\n---\n')).toEqual([]);
    expect(readYaml('a: &x [1]\nb: { c: *x }\n', 'show.yml').data).toEqual({ a: [1], b: { c: [1] } });
  });

  it('a # that cuts a title short: a warning with the quoted title, while "# note" comments pass', () => {
    expect(problemsOf('---\ntitle: Episode #12: the week\ndate: 2020-09-14 # moved from Friday\n---\n')).toEqual([
      '2: warning: title: "Episode" is followed by "#12: the week", which YAML reads as a comment and leaves out; if the # belongs to the value, quote it: title: "Episode #12: the week"',
    ]);
  });
});

describe('the split, as gray-matter 4.0.3 made it (issue 9: gray-matter is no longer loaded by a build)', () => {
  // gray-matter stays a development dependency for this comparison only.
  it('gives the same block and body as gray-matter for every shape of opening, block and closing line', async () => {
    const matter = (await import('gray-matter')).default;
    const openings = ['---\n', '--- \n', '---yaml\n', '--- YAML \n', '---Yml\n', '---json\n', '---JSON\n', '---\t\n'];
    const blocks = ['', 'title: A\n', '# only a comment\n', '  # indented comment\n#x\n', 'title: A\n---x: 1\n', 'a: 1\n\n', 'title: "--- no"\n'];
    const closings = ['---\n', '---', '--- \n', '----\n', '---\n\n', '---\nBody\n---\nmore\n', '---  \ntext', ''];
    for (const opening of openings) {
      for (const block of blocks) {
        for (const closing of closings) {
          const text = `${opening}${block}${closing}`;
          let expected: { block?: string; body?: string; error?: string };
          try {
            let seen: string | undefined;
            const read = (yaml: string) => ((seen = yaml), {});
            const parsed = matter(text, { language: 'yaml', engines: { yaml: read, json: read } });
            expected = { block: seen, body: parsed.content };
          } catch (error) {
            expected = { error: `unreadable front matter: ${(error as Error).message}` };
          }
          const split = splitFrontMatter(text, 'x.md');
          if (Array.isArray(split)) {
            const message = split[0]!.message;
            // Problems castwright finds itself (a block never closed) come before or instead of gray-matter's.
            if (expected.error) expect(message, JSON.stringify(text)).toBe(expected.error);
            else expect(message, JSON.stringify(text)).toMatch(/^front matter is not closed/);
            continue;
          }
          expect(expected.error, JSON.stringify(text)).toBeUndefined();
          expect(split.body, JSON.stringify(text)).toBe(expected.body);
          const read = readYaml(expected.block ?? '', 'x.md');
          expect(split.frontMatter.data, JSON.stringify(text)).toEqual(read.data);
          expect(split.frontMatter.problems, JSON.stringify(text)).toEqual(read.problems);
        }
      }
    }
  });
});
