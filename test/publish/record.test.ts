import { describe, expect, it } from 'vitest';
import { RecordError, isSitePath, parseRecord, serializeRecord } from '../../src/publish/record.ts';

const HASH = 'a'.repeat(64);

describe('the record a target keeps', () => {
  it('is the empty record when the target has none', () => {
    expect(parseRecord(undefined, 'target')).toEqual({ files: {}, pending: [], notified: {} });
  });

  it('reads back what it writes, in a stable order', () => {
    const record = { files: { 'index.html': HASH, 'feed.xml': HASH }, pending: ['index.html'], notified: { podping: HASH } };
    const text = serializeRecord(record);
    expect(parseRecord(text, 'target')).toEqual(record);
    expect(serializeRecord({ ...record, files: { 'feed.xml': HASH, 'index.html': HASH } })).toBe(text);
    expect(text.indexOf('"feed.xml"')).toBeLessThan(text.indexOf('"index.html"'));
  });

  it.each(['../outside.txt', '/etc/passwd', 'a/../../b', 'a//b', 'a\\..\\b', 'a/./b', 'ok\u0000', 'line\nbreak', '.castwright-published.json', ''])(
    'refuses the path %j: a record is untrusted input',
    (bad) => {
      expect(isSitePath(bad)).toBe(false);
      const files = JSON.stringify({ castwright: 1, files: { [bad]: HASH } });
      expect(() => parseRecord(files, 'target')).toThrow(RecordError);
      const pending = JSON.stringify({ castwright: 1, files: {}, pending: [bad] });
      expect(() => parseRecord(pending, 'target')).toThrow(/would never write/);
    },
  );

  it.each([
    ['not JSON', '{', 'it is not JSON'],
    ['a hash that is not SHA-256', JSON.stringify({ castwright: 1, files: { 'a.html': 'abc' } }), 'files.a.html is not as castwright writes it'],
    ['another format', JSON.stringify({ files: {} }), 'castwright is not as castwright writes it'],
    ['a newer format', JSON.stringify({ castwright: 2, files: {} }), 'written by a newer castwright'],
  ])('says it cannot trust %s, and how to recover', (_, text, message) => {
    expect(() => parseRecord(text, 's3://bucket/')).toThrow(message);
  });
});
