// The view's dateText kept in the build cache by the day (DateTexts): the same texts as formatting
// them, and an entry that is damaged or foreign is a miss, never a text shown.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryCache, type BuildCache } from '../../src/cache/store.ts';
import { parsePublishDate, type PublishDate } from '../../src/model/time.ts';
import { cachedDateTexts, formatDate } from '../../src/render/view.ts';

const date = (raw: string) => parsePublishDate(raw) as PublishDate;

/** A memory cache that records what is set. */
function recording(): { cache: BuildCache; sets: Array<[string, unknown]> } {
  const memory = memoryCache();
  const sets: Array<[string, unknown]> = [];
  return { cache: { ...memory, set: (key, value) => (sets.push([key, value]), memory.set(key, value)) }, sets };
}

// Late at night west of UTC and early in the morning east of it: the local day is not UTC's.
const DATES = ['2020-09-14T07:00:00-07:00', '2020-09-14T23:30:00-07:00', '2020-09-15T00:30:00+09:00', '2019-01-07T12:00:00Z', '1999-12-31T23:59:59+14:00'].map(date);

describe('the dateText of each episode, kept by the day in the build cache (issue 9)', () => {
  it('is the date formatted, in each language, whether the days were known or not', () => {
    for (const language of ['en-us', 'de', 'ja', 'ar-eg']) {
      const { cache, sets } = recording();
      const first = cachedDateTexts(cache, language);
      expect(DATES.map((d) => first.text(d))).toEqual(DATES.map((d) => formatDate(d, language)));
      first.save();
      expect(sets).toHaveLength(1);
      const again = cachedDateTexts(cache, language);
      expect(DATES.map((d) => again.text(d))).toEqual(DATES.map((d) => formatDate(d, language)));
      // Every day known: nothing to keep again.
      again.save();
      expect(sets).toHaveLength(1);
    }
  });

  it('reads the kept texts, and keeps another language apart', () => {
    const { cache, sets } = recording();
    const texts = cachedDateTexts(cache, 'en-us');
    texts.text(DATES[0]!);
    texts.save();
    const [[key]] = sets as [[string, unknown]];
    cache.set(key, JSON.stringify({ '18519': 'kept' }));
    expect(cachedDateTexts(cache, 'en-us').text(DATES[0]!)).toBe('kept');
    expect(cachedDateTexts(cache, 'de').text(DATES[0]!)).toBe(formatDate(DATES[0]!, 'de'));
  });

  it('is the same text whatever locale LC_ALL, LC_MESSAGES or LANG set, for a language ICU has no dates for', () => {
    // ICU formatted 'la' in the default locale those set: German under LANG=de_DE.UTF-8, and the
    // texts kept by day (keyed by the language) then showed in a build under LANG=C.
    const view = fileURLToPath(new URL('../../src/render/view.ts', import.meta.url));
    const code = `const { formatDate } = await import(${JSON.stringify(view)});
      const { parsePublishDate } = await import(${JSON.stringify(view.replace(/render[\\/]view\.ts$/, 'model/time.ts'))});
      console.log(['la', 'tlh', 'de', 'en-us'].map((language) => formatDate(parsePublishDate('2020-09-14T07:00:00-07:00'), language)).join('|'));`;
    const texts = ['C', 'de_DE.UTF-8', 'fr_FR.UTF-8'].map((locale) => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, LC_ALL: locale, LC_MESSAGES: locale, LANG: locale } });
      expect(run.stderr).toBe('');
      return run.stdout.trim();
    });
    expect(texts).toEqual(Array(3).fill('September 14, 2020|September 14, 2020|14. September 2020|September 14, 2020'));
  }, 30_000);

  it('formats again when the entry is damaged or foreign, and keeps the texts anew', () => {
    const { cache, sets } = recording();
    const texts = cachedDateTexts(cache, 'en-us');
    texts.text(DATES[0]!);
    texts.save();
    const [[key]] = sets as [[string, unknown]];
    const wanted = formatDate(DATES[0]!, 'en-us');
    for (const value of [
      { '18519': 'kept' },
      Buffer.from(JSON.stringify({ '18519': 'kept' })),
      '{"2020-09-14":',
      '["2020-09-14", "kept"]',
      'null',
      '"kept"',
      JSON.stringify({ '18519': 7 }),
      JSON.stringify({ '18519': 'kept', '2020-09-14': 'kept' }),
    ]) {
      cache.set(key, value);
      sets.length = 0;
      const again = cachedDateTexts(cache, 'en-us');
      expect(again.text(DATES[0]!)).toBe(wanted);
      again.save();
      expect(sets).toEqual([[key, JSON.stringify({ '18519': wanted })]]);
    }
  });
});
