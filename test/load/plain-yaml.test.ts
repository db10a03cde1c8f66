import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { readPlainYaml } from '../../src/load/plain-yaml.ts';
import { readYaml } from '../../src/load/yaml.ts';

/** The yaml package's reading, even of plain YAML: what readYaml did before plain YAML was read apart. */
const readFullYaml = (text: string) => readYaml(`${text}# read by the yaml package\n`, 'e.md');

/** What the `yaml` package reads, as readYaml reads with it; undefined when it finds an error. */
function byYamlPackage(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  return doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
}

/** Every path into `data`, and beside each a key that is not there. */
function pathsOf(data: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const paths: PropertyKey[][] = [path, [...path, 'missing'], [...path, 7]];
  if (Array.isArray(data)) data.forEach((item, index) => paths.push(...pathsOf(item, [...path, index])));
  else if (data !== null && typeof data === 'object') for (const [key, value] of Object.entries(data)) paths.push(...pathsOf(value, [...path, key]));
  return paths;
}

describe('plain YAML read without the yaml package', () => {
  it('reads the front matter of a typical episode as the yaml package does', () => {
    const text = [
      '',
      'title: "Episode 12: Disrupt kicks off"',
      'date: 2020-09-14T07:00:00-07:00',
      'episode: 312',
      'explicit: false',
      'summary: >-',
      '  Disrupt starts today, and a busy weekend',
      '  of rounds.',
      'audio:',
      '  url: https://cdn.example.com/e/312.mp3',
      '  length: 7843200',
      "  duration: '8:12'",
      'hosts: [Alex Wilhelm, Natasha Mascarenhas]',
      'people:',
      '- name: Alex',
      '  role: host',
      '- name: Mary Ann',
      'keywords:',
      '  - venture',
      '  - 2020',
      'notes: |',
      '  one',
      '  two',
      'empty:',
      '',
    ].join('\n');
    const plain = readPlainYaml(text)?.data;
    expect(plain).toEqual({
      title: 'Episode 12: Disrupt kicks off',
      date: '2020-09-14T07:00:00-07:00',
      episode: 312,
      explicit: false,
      summary: 'Disrupt starts today, and a busy weekend of rounds.',
      audio: { url: 'https://cdn.example.com/e/312.mp3', length: 7843200, duration: '8:12' },
      hosts: ['Alex Wilhelm', 'Natasha Mascarenhas'],
      people: [{ name: 'Alex', role: 'host' }, { name: 'Mary Ann' }],
      keywords: ['venture', 2020],
      notes: 'one\ntwo\n',
      empty: null,
    });
    expect(isDeepStrictEqual(plain, byYamlPackage(text))).toBe(true);
  });

  it.each([
    ['a comment', 'title: x # note'],
    ['an anchor and an alias', 'a: &x 1\nb: *x'],
    ['a tag', 'a: !!str 1'],
    ['an escape in double quotes', 'a: "x\\ty"'],
    ['a quote left open', 'a: "x'],
    ['a value continued on the next line', 'a: one\n  two'],
    ['a number other than a plain integer', 'a: 1.5'],
    ['an octal-looking integer', 'a: 0o17'],
    ['an integer with a leading zero', 'a: 007'],
    ['a signed integer', 'a: -3'],
    ['a duplicated key', 'a: 1\na: 2'],
    ['a quoted key', '"a": 1'],
    ['a flow map', 'a: {b: 1}'],
    ['a tab', 'a:\n\tb: 1'],
    ['a blank line inside a block', 'a: >\n  one\n\n  two'],
    ['a more indented line in a block', 'a: |\n  one\n    two'],
    ['trailing spaces', 'a: |\n  one  \n  two'],
    ['a document marker', 'a: 1\n...\n'],
    ['a directive', '%YAML 1.2\na: 1'],
    ['a key starting the document indented', '  a: 1'],
    ['a __proto__ key', '__proto__: 1'],
    ['a mapping value after a dash on its own line', 'a:\n  -\n    b: 1'],
    ['a nested sequence', 'a:\n  - - 1'],
    ['a value with ": " inside', 'a: b: c'],
    ['a colon in a flow item', 'a: [b:c]'],
    ['an empty flow item', 'a: [b, , c]'],
    ['a line separator', 'a: b\u2028c'],
  ])('leaves %s to the yaml package', (_case, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  it.each([
    ['a key YAML reads as null', 'null: 1'],
    ['a key YAML reads as null, capitalised', 'Null: 1\nNULL: 2'],
    ['keys YAML reads as the same boolean', 'true: 1\nTrue: 2'],
    ['a key YAML reads as false', 'FALSE: x'],
    ['a no-break space ending a flow item', 'a: [x, 9\u00a0]'],
    ['a no-break space starting a flow item', 'a: [\u00a0x]'],
    ['an ideographic space in a flow item', 'a: [b\u3000, c]'],
    ['a flow sequence of one em space', 'a: [\u2003]'],
  ])('reads %s as the yaml package does, or leaves it to it', (_case, text) => {
    const read = readPlainYaml(text);
    if (read !== undefined) expect(read.data).toEqual(byYamlPackage(text));
  });

  it('leaves a document nested deeper than front matter goes to the yaml package, which reports it', () => {
    const nested = (depth: number) => `${Array.from({ length: depth }, (_, level) => `${' '.repeat(level)}a:`).join('\n')}\n`;
    // 4,000 levels (8 MB, a file the build still reads) ran this reader out of stack.
    expect(readPlainYaml(nested(4000))).toBeUndefined();
    expect(readPlainYaml(nested(40))).toBeUndefined();
    expect(readPlainYaml(nested(30))?.data).toEqual(byYamlPackage(nested(30)));
  });

  it('reads random documents as the yaml package does, or leaves them to it', () => {
    // A fixed seed: the same documents every run, and a failure names the one to look at.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    // Mostly what front matter holds, with the tricky in between.
    const usual = [
      'plain text', 'Episode 12: colon', 'a:b', 'x - y', 'http://x.example/a?b=1&c=2', '2020-09-14T07:00:00-07:00', '8:12', '12', '0',
      'true', 'false', 'null', '~', 'yes', '"quoted: text"', "'single ''quoted'''", '""', '[a, b]', '[]', '[ 1, two ]', 'Q&A',
      'text [live]', 'a ? b', 'café', 'emoji 🎙️', '>-', '|', '>', '|-',
    ];
    const tricky = [
      '007', '1.5', '-3', '+4', '1e3', '.inf', '.NaN', '0x1F', '0o17', '123456789012345678', 'True', 'FALSE', 'no', 'Null', 'on',
      '"with \\" escape"', "'open", '"open', '[a, [b]]', '{a: 1}', '&anchor v', '*alias', '!!str 5', '- dash', '? q', ': colon',
      'value # comment', 'ends with colon:', '>+', '@at', '`tick`', '%pc', '\u00a0nbsp', 'tail\u00a0', '[a:b]', '[a, , b]',
    ];
    const scalar = () => (random() < 0.85 ? pick(usual) : pick(tricky));
    const keys = ['title', 'date', 'episode', 'audio', 'url', 'length', 'x_y', 'a-b', 'Title', 'constructor', 'summary', 'hosts', 'name', 'role', 'people', 'notes', 'guid', 'season', 'explicit', 'link'];
    const key = () => (random() < 0.98 ? pick(keys) : pick(['__proto__', '"q"', '1', 'a.b', '? k']));
    const spaces = (n: number) => ' '.repeat(n);

    function block(depth: number, indent: number, lines: string[]): void {
      const count = 1 + Math.floor(random() * 4);
      for (let i = 0; i < count; i++) {
        const name = key();
        const shape = random();
        const pad = random() < 0.03 ? spaces(indent + 1) : spaces(indent);
        if (shape < 0.55 || depth > 2) {
          lines.push(`${pad}${name}:${random() < 0.05 ? '  ' : ' '}${scalar()}`);
          const value = lines.at(-1)!;
          if (/[>|][-+]?$/.test(value)) {
            const inner = indent + 2 + (random() < 0.1 ? 1 : 0);
            for (let j = 0, n = 1 + Math.floor(random() * 3); j < n; j++) {
              lines.push(random() < 0.05 ? '' : `${spaces(random() < 0.08 ? inner + 2 : inner)}${scalar()}${random() < 0.03 ? ' ' : ''}`);
            }
          }
          if (random() < 0.03) lines.push(`${spaces(indent + 2)}continued`);
        } else if (shape < 0.75) {
          lines.push(`${pad}${name}:`);
          block(depth + 1, indent + 2, lines);
        } else {
          lines.push(`${pad}${name}:`);
          const dash = random() < 0.5 ? indent : indent + 2;
          for (let j = 0, n = 1 + Math.floor(random() * 3); j < n; j++) {
            if (random() < 0.5) {
              lines.push(`${spaces(dash)}- ${scalar()}`);
            } else {
              const nested: string[] = [];
              block(depth + 1, dash + 2, nested);
              nested[0] = `${spaces(dash)}- ${nested[0]!.slice(dash + 2)}`;
              lines.push(...nested);
            }
          }
        }
        if (random() < 0.1) lines.push('');
      }
    }

    let plain = 0;
    let left = 0;
    for (let n = 0; n < 6000; n++) {
      const lines: string[] = [''];
      block(0, 0, lines);
      const text = `${lines.join('\n')}\n`;
      const read = readPlainYaml(text);
      if (read === undefined) {
        left++;
        continue;
      }
      plain++;
      const expected = byYamlPackage(text);
      if (!isDeepStrictEqual(read.data, expected)) expect({ text, read: read.data }).toEqual({ text, read: expected });
      // Lines as the yaml package's nodes give them: a problem names the same line either way.
      const full = readFullYaml(text);
      for (const path of pathsOf(read.data)) {
        if (read.lineOf(path) !== full.lineOf(path)) expect({ text, path, line: read.lineOf(path) }).toEqual({ text, path, line: full.lineOf(path) });
      }
    }
    if (process.env.SHOW_COUNTS) console.log({ plain, left });
    // Both kinds occur in numbers: the comparison above is not vacuous.
    expect(plain).toBeGreaterThan(1200);
    expect(left).toBeGreaterThan(1200);
  });

  it('still names the line of a field the schema asks about', () => {
    const source = readYaml('\ntitle: x\naudio:\n  url: https://a.example/x.mp3\n  length: 12\n', 'e.md');
    expect(source.data).toEqual({ title: 'x', audio: { url: 'https://a.example/x.mp3', length: 12 } });
    expect(source.problems).toEqual([]);
    expect(source.lineOf(['audio', 'length'])).toBe(5);
    expect(source.lineOf(['missing'])).toBe(2);
  });
});
