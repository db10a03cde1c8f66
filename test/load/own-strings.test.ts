import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { ownStrings } from '../../src/load/own-strings.ts';

describe('ownStrings', () => {
  it('gives the same data: strings short and long, through arrays and plain objects, in the same objects', () => {
    const file = `---\ntitle: "Episode 12: Raises \u2014 and \ud83d\ude80 launches"\n---\n${'body '.repeat(1000)}`;
    const title = file.slice(file.indexOf('"') + 1, file.indexOf('"\n'));
    const list = [title, 'short', 42, null, { deep: [title] }];
    const data = { title, list, when: new Date(0), yes: true };
    const owned = ownStrings(data);
    expect(owned).toBe(data);
    expect(owned.list).toBe(list);
    expect(owned).toEqual({ title: 'Episode 12: Raises \u2014 and \ud83d\ude80 launches', list: [title, 'short', 42, null, { deep: [title] }], when: new Date(0), yes: true });
  });

  it('gives a copy, not the slice: a Latin-1 piece of a text with one dash in it is kept at one byte a character', () => {
    const text = `${'story summary '.repeat(20)}\u2014 the dash makes the whole text two bytes a character`;
    const piece = text.slice(0, 200);
    expect(serialize(ownStrings({ piece }).piece).length).toBeLessThan(serialize(piece).length * 0.6);
  });

  it('keeps a lone surrogate as it is (no replacement character)', () => {
    const lone = `a lone half \ud800 of a pair, long enough`;
    expect(ownStrings({ lone }).lone).toBe(lone);
  });
});

describe('ownStrings on any text', () => {
  it('gives every character back as it was: quotes, backslashes, control characters, line separators, lone surrogates', () => {
    const texts = ['"quoted" and \\back\\slashed text', 'tab\there, line\nbreak, nul \u0000 and \u001f end', 'separators \u2028 \u2029 and \u007f\u0080\u00ff', 'halves \udfff\ud800 reversed, long enough', 'emoji \ud83d\ude80 and \u2014 dash, plain'];
    for (const text of texts) expect(ownStrings({ text: `${text}` }).text).toBe(text);
    const all = Array.from({ length: 0x10000 }, (_, code) => String.fromCharCode(code)).join('');
    expect(ownStrings([all])[0]).toBe(all);
    const unescaped = all.replace(/["\\\u0000-\u001f]/g, '');
    expect(ownStrings([unescaped])[0]).toBe(unescaped);
  });
});
