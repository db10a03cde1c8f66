import { describe, expect, it } from 'vitest';
import { RETIRED_CATEGORIES, mapCategory } from '../../src/import/categories.ts';
import { APPLE_CATEGORIES } from '../../src/model/apple-categories.ts';

describe("Apple's categories in an imported feed", () => {
  it('keeps current names, fixing their case', () => {
    expect(mapCategory('Technology')).toEqual({ kind: 'current', category: 'Technology' });
    expect(mapCategory('Business', 'Marketing')).toEqual({ kind: 'current', category: 'Business > Marketing' });
    expect(mapCategory('tv & film')).toEqual({ kind: 'renamed', category: 'TV & Film', from: 'tv & film' });
  });

  it("moves names retired in Apple's 2019 remapping to their successors", () => {
    expect(mapCategory('Games & Hobbies', 'Video Games')).toMatchObject({ category: 'Leisure > Video Games' });
    expect(mapCategory('Games & Hobbies', 'Other Games')).toMatchObject({ category: 'Leisure > Games' });
    expect(mapCategory('Technology', 'Podcasting')).toMatchObject({ category: 'Technology' });
    expect(mapCategory('Technology', 'Tech News')).toMatchObject({ category: 'News > Tech News' });
    expect(mapCategory('News & Politics')).toMatchObject({ category: 'News' });
    expect(mapCategory('Science & Medicine', 'Medicine')).toMatchObject({ category: 'Health & Fitness > Medicine' });
  });

  it('maps every retired name to a category castwright accepts', () => {
    for (const [old, current] of Object.entries(RETIRED_CATEGORIES)) {
      const [parent, sub] = current.split(' > ');
      expect(APPLE_CATEGORIES[parent!], old).toBeDefined();
      if (sub) expect(APPLE_CATEGORIES[parent!], old).toContain(sub);
    }
  });

  it('keeps the parent of an unknown subcategory, and reports an unknown name', () => {
    expect(mapCategory('Comedy', 'Puns')).toEqual({ kind: 'renamed', category: 'Comedy', from: 'Comedy > Puns' });
    expect(mapCategory('Basket Weaving')).toEqual({ kind: 'unknown', from: 'Basket Weaving' });
  });
});
