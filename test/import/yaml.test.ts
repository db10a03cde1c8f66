// What the import writes as YAML must load back through the build's own reader exactly as it was:
// a title, guid or host that YAML 1.1 or 1.2 would read as a number, a boolean or null stays text.
import { describe, expect, it } from 'vitest';
import { readYaml } from '../../src/load/yaml.ts';
import { episodeFile, toYaml } from '../../src/import/yaml.ts';
import { splitFrontMatter } from '../../src/load/front-matter.ts';

/** Texts that some YAML reader takes for something else, or that YAML syntax gives a meaning. */
const TRICKY = [
  'yes', 'No', 'on', 'OFF', 'y', 'n', '~', 'null', 'NULL', 'true', 'False', '0', '-1', '+1', '1.0', '1.', '.5', '1e3', '0x1F', '0o17', '0b101',
  '0777', '1_000', '12:30', '1:02:03', '2024-01-01', '2024-01-01T10:00:00Z', '.inf', '-.inf', '.NaN', '!tag', '!!str x', '&anchor', '*alias',
  '- dash', '? q', '#hash', 'a #b', 'a: b', 'a:b', "'single'", '"double"', '%percent', '@at', '`tick', '---', '...', '< lt', '> gt', '| pipe',
  '[list]', '{map}', 'x, y', '<<', '=', '\\back\\slash', 'trailing space ', '  leading', 'a\u2028b', 'a\u00a0b', 'zero\u200bwidth', 'RTL \u202eevil',
  'emoji 🎙️', 'Ü ß Ø 第1回', '<script>alert(1)</script>',
];

describe('the YAML an import writes', () => {
  it.each(TRICKY)('keeps %j a text through the loader', (value) => {
    const text = toYaml({ title: value, guid: { value, isPermaLink: false }, hosts: [value] });
    const read = readYaml(text, 'show.yml');
    expect(read.problems).toEqual([]);
    expect(read.data).toEqual({ title: value, guid: { value, isPermaLink: false }, hosts: [value] });
  });

  it('keeps the front matter closed and the body apart, whatever the values hold', () => {
    const file = episodeFile({ title: '---\ntitle: hacked\n---' }, [], '\\---\nbody');
    const split = splitFrontMatter(file, 'a.md');
    if (Array.isArray(split)) throw new Error(split[0]!.message);
    expect(split.frontMatter.data).toEqual({ title: '---\ntitle: hacked\n---' });
    expect(split.body).toBe('\\---\nbody\n');
  });
});
