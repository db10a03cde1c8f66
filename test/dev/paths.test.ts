import { describe, expect, it } from 'vitest';
import { requestedFile } from '../../src/dev/paths.ts';

describe('the file a request asks for', () => {
  it.each([
    ['/', 'index.html'],
    ['/episodes/a/', 'episodes/a/index.html'],
    ['/style.css?v=123', 'style.css'],
    ['/feed.xml#top', 'feed.xml'],
    ['/email/a%20b.html', 'email/a b.html'],
    ['/episodes/a', 'episodes/a'],
  ])('%s is %s', (target, file) => {
    expect(requestedFile(target)).toBe(file);
  });

  it.each([
    ['/../package.json'],
    ['/episodes/../../etc/passwd'],
    ['/%2e%2e/package.json'],
    ['/%2E%2E/%2e%2e/etc/passwd'],
    ['/episodes/%2e%2e/%2e%2e/etc/passwd'],
    ['/./index.html'],
    ['/..%2fpackage.json'],
    ['/..%5cpackage.json'],
    ['/a\\..\\b'],
    ['//etc/passwd'],
    ['/a//b'],
    ['http://example.com/index.html'],
    ['*'],
    ['/%00index.html'],
    ['/%E0%A4%A'],
  ])('%s is refused', (target) => {
    expect(requestedFile(target)).toBeUndefined();
  });
});
