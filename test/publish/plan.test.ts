import { describe, expect, it } from 'vitest';
import { contentTypeOf } from '../../src/model/content-types.ts';
import { cacheControlOf, kindOf, rankOf } from '../../src/publish/kinds.ts';
import { episodeChanges, planPublish, sha256Of, uploadsOf } from '../../src/publish/plan.ts';
import { EMPTY_RECORD, type PublishRecord } from '../../src/publish/record.ts';

const site = (entries: Record<string, string>) => new Map(Object.entries(entries));
const recordOf = (files: Map<string, string>, extra: Partial<PublishRecord> = {}): PublishRecord => ({
  files: Object.fromEntries([...files].map(([p, c]) => [p, sha256Of(Buffer.from(c))])),
  pending: [],
  notified: {},
  ...extra,
});

const BUILD = site({
  'index.html': 'index',
  '404.html': 'not found',
  'feed.xml': '<rss/>',
  'feed-2.xml': '<rss page="2"/>',
  'style.css': 'body{}',
  'feed.xsl': '<xsl/>',
  'episodes/ep-1/index.html': 'one',
  'email/ep-1.html': 'mail one',
  'email/ep-1.txt': 'mail one',
});

describe('the publish plan', () => {
  it('uploads assets, then pages from the deepest folder up, then feed archives, then the feed', () => {
    const plan = planPublish(BUILD, EMPTY_RECORD);
    expect(plan.ranks.map((rank) => rank.map((u) => u.path))).toEqual([
      ['email/ep-1.txt', 'feed.xsl', 'style.css'],
      ['episodes/ep-1/index.html'],
      ['email/ep-1.html'],
      ['404.html', 'index.html'],
      ['feed-2.xml'],
      ['feed.xml'],
    ]);
    expect(plan.deletions).toEqual([]);
  });

  it('finds changes by content hash alone: same bytes, nothing to do', () => {
    const plan = planPublish(BUILD, recordOf(BUILD));
    expect(uploadsOf(plan)).toEqual([]);
    expect(plan.unchanged).toBe(BUILD.size);
  });

  it('uploads a changed file and deletes a gone one, deepest first, never the record itself', () => {
    const before = recordOf(new Map([...BUILD, ['episodes/ep-0/index.html', 'zero'], ['email/ep-0.html', 'z']]));
    const next = new Map(BUILD).set('index.html', 'index with ep-2');
    const plan = planPublish(next, before);
    expect(uploadsOf(plan).map((u) => u.path)).toEqual(['index.html']);
    expect(plan.deletions).toEqual(['episodes/ep-0/index.html', 'email/ep-0.html']);
    expect(episodeChanges(plan, before)).toEqual({ added: [], removed: ['ep-0'] });
  });

  it('uploads again what an interrupted run left pending, and deletes pending files the build dropped', () => {
    const before = recordOf(BUILD, { pending: ['feed.xml', 'episodes/ep-9/index.html'] });
    const plan = planPublish(BUILD, before);
    expect(uploadsOf(plan).map((u) => u.path)).toEqual(['feed.xml']);
    expect(plan.deletions).toEqual(['episodes/ep-9/index.html']);
  });

  it('with --force uploads everything, and still deletes only what the record names', () => {
    const plan = planPublish(BUILD, recordOf(BUILD), { force: true });
    expect(uploadsOf(plan)).toHaveLength(BUILD.size);
    expect(plan.deletions).toEqual([]);
  });

  it('refuses a build path that could leave the target', () => {
    expect(() => planPublish(new Map([...BUILD, ['../x.html', 'x']]), EMPTY_RECORD)).toThrow('cannot publish safely: "../x.html"');
  });

  it.each([
    ['feed.xml', 'application/xml; charset=utf-8', 'public, max-age=300'],
    ['feed-2.xml', 'application/xml; charset=utf-8', 'public, max-age=300'],
    ['index.html', 'text/html; charset=utf-8', 'public, max-age=300'],
    ['email/ep-1.txt', 'text/plain; charset=utf-8', 'public, max-age=300'],
    ['style.css', 'text/css; charset=utf-8', 'public, max-age=3600'],
    ['feed.xsl', 'application/xslt+xml; charset=utf-8', 'public, max-age=3600'],
    ['assets/app.3f2a9c1b7e.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
    ['cover.unknown', 'application/octet-stream', 'public, max-age=3600'],
  ])('serves %s as %s, cached %s', (path, type, cache) => {
    expect(contentTypeOf(path)).toBe(type);
    expect(cacheControlOf(path)).toBe(cache);
  });
});

describe('the lists of pages: feed.json and sitemap.xml (issue 14)', () => {
  it('go up after every page and before the feed, with JSON Feed’s media type and a short cache', () => {
    for (const listing of ['feed.json', 'sitemap.xml']) {
      expect(kindOf(listing)).toBe('listing');
      expect(rankOf(listing)).toBeGreaterThan(rankOf('index.html'));
      expect(rankOf(listing)).toBeLessThan(rankOf('feed.xml'));
      expect(cacheControlOf(listing)).toBe('public, max-age=300');
    }
    expect(contentTypeOf('feed.json')).toBe('application/feed+json; charset=utf-8');
    expect(kindOf('robots.txt')).toBe('asset');
  });
});
