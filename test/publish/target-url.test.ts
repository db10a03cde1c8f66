import { describe, expect, it } from 'vitest';
import { maskUrl, parseTarget } from '../../src/publish/target-url.ts';

const option = { source: 'option' as const, cwd: '/home/ada/show' };

describe('target URLs', () => {
  it.each([
    ['file:///var/www/equity', { kind: 'folder', path: '/var/www/equity' }],
    ['file:///var/www/my%20show', { kind: 'folder', path: '/var/www/my show' }],
    ['public', { kind: 'folder', path: '/home/ada/show/public' }],
    ['./site', { kind: 'folder', path: '/home/ada/show/site' }],
    ['ssh://deploy@example.com/var/www/equity', { kind: 'ssh', user: 'deploy', host: 'example.com', path: '/var/www/equity' }],
    ['ssh://deploy@example.com:2222/~/equity', { kind: 'ssh', user: 'deploy', host: 'example.com', port: 2222, path: '~/equity' }],
    ['deploy@example.com:www/equity', { kind: 'ssh', user: 'deploy', host: 'example.com', path: 'www/equity' }],
    ['rsync://mirror@example.com:8873/sites/equity', { kind: 'rsync', user: 'mirror', host: 'example.com', port: 8873, path: 'sites/equity' }],
    ['s3://equity-site', { kind: 's3', bucket: 'equity-site', prefix: '' }],
    ['s3://equity-site/shows/equity?region=auto&endpoint=https://acct.r2.cloudflarestorage.com', { kind: 's3', bucket: 'equity-site', prefix: 'shows/equity/', region: 'auto', endpoint: 'https://acct.r2.cloudflarestorage.com' }],
    ['git+ssh://git@github.com/tc/equity.git', { kind: 'git', remote: 'ssh://git@github.com/tc/equity.git', branch: 'gh-pages' }],
    ['git+file:///srv/git/site.git#pages', { kind: 'git', remote: 'file:///srv/git/site.git', branch: 'pages' }],
  ])('reads %s', (raw, expected) => {
    expect(parseTarget(raw, option)).toMatchObject(expected);
  });

  it.each([
    ['ftp://example.com/www', 'is not a publish target'],
    ['ssh://example.com', 'names the remote folder "/", which is not usable'],
    ['deploy@example.com:www/../etc', 'which is refused'],
    ['rsync://example.com', 'has no module'],
    ['s3://Not_A_Bucket/x', 'is not a bucket name'],
    ['s3://bucket/?acl=public-read', 'has the unknown option "acl"'],
    ['s3://bucket/?endpoint=ftp://x', 'is not an http(s) URL'],
    ['file://server/share', 'not on this machine'],
    ['git+https://github.com/tc/equity.git#../main', 'names the branch "../main"'],
    ['git+ftp://example.com/x.git', 'is not supported'],
  ])('explains what is wrong with %s', (raw, message) => {
    const result = parseTarget(raw, option);
    expect(typeof result).toBe('string');
    expect(result).toContain(message);
  });

  it('refuses credentials in show.yml and on the command line, naming where they belong, never echoing them', () => {
    const cases: Array<[string, string]> = [
      ['s3://AKIAEXAMPLE:hunter2secret@bucket/', 'AWS_ACCESS_KEY_ID'],
      ['s3://bucket/?endpoint=https://key:hunter2secret@r2.example.com', 'AWS_ACCESS_KEY_ID'],
      ['ssh://deploy:hunter2secret@example.com/var/www', 'keys or agent'],
      ['rsync://mirror:hunter2secret@example.com/sites/x', 'RSYNC_PASSWORD'],
      ['git+https://ada:hunter2secret@github.com/tc/equity.git', 'PUBLISH_URL'],
      ['git+https://hunter2secret@github.com/tc/equity.git', 'PUBLISH_URL'],
    ];
    for (const source of ['show.yml', 'option'] as const) {
      for (const [raw, belongs] of cases) {
        const result = parseTarget(raw, { source });
        expect(result, raw).toEqual(expect.stringContaining(belongs));
        expect(result, raw).not.toContain('hunter2secret');
      }
    }
  });

  it('takes a git token from $PUBLISH_URL, out of the URL git is given', () => {
    const result = parseTarget('git+https://x-access-token:ghs_abcdef123456@github.com/tc/equity.git#gh-pages', { source: 'environment' });
    expect(result).toEqual({
      kind: 'git',
      remote: 'https://github.com/tc/equity.git',
      branch: 'gh-pages',
      username: 'x-access-token',
      password: 'ghs_abcdef123456',
      display: 'git+https://x-access-token:***@github.com/tc/equity.git#gh-pages',
    });
  });

  it('masks passwords, and user names that are tokens over http', () => {
    expect(maskUrl('git+https://x:tok@github.com/a.git')).toBe('git+https://x:***@github.com/a.git');
    expect(maskUrl('https://ghp_token123@github.com/a.git')).toBe('https://***@github.com/a.git');
    expect(maskUrl('ssh://deploy@example.com/var/www')).toBe('ssh://deploy@example.com/var/www');
    expect(maskUrl('s3://bucket/path')).toBe('s3://bucket/path');
  });
});
