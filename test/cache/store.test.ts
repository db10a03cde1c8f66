// How the build cache stores a value: what comes back is what was stored.
import { afterEach, describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/store.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';

afterEach(cleanUp);

const KEY = 'ab'.repeat(32);
const OPTIONS = { fingerprint: 'test' };

describe('an entry set in this build (issue 9)', () => {
  it('is read back before save, also one large enough to be written out at once, and kept by save', async () => {
    const folder = await tempDir();
    const cache = openCache(folder, OPTIONS);
    const small = { text: 'small' };
    const large = { text: 'large '.repeat(1000) };
    cache.set(KEY, small);
    cache.set('cd'.repeat(32), large);
    expect(cache.get(KEY)).toEqual(small);
    expect(cache.get('cd'.repeat(32))).toEqual(large);
    cache.save();
    const again = openCache(folder, OPTIONS);
    expect(again.get(KEY)).toEqual(small);
    expect(again.get('cd'.repeat(32))).toEqual(large);
  });
});
