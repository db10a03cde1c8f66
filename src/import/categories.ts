// Apple's categories in a feed → castwright's `Parent > Subcategory`, with the names Apple retired
// in its 2019 remapping moved to their successors.
import { APPLE_CATEGORIES } from '../model/apple-categories.ts';

/**
 * Apple's 2019 remapping of the old category list: old `Parent` or `Parent > Sub` → current. A
 * retired subcategory with no successor moves to its new parent alone.
 */
export const RETIRED_CATEGORIES: Readonly<Record<string, string>> = {
  'Arts > Literature': 'Arts > Books',
  'Business > Business News': 'News > Business News',
  'Business > Management & Marketing': 'Business > Management',
  'Business > Shopping': 'Leisure',
  'Education > Educational Technology': 'Education',
  'Education > Higher Education': 'Education',
  'Education > K-12': 'Education',
  'Education > Language Courses': 'Education > Language Learning',
  'Education > Training': 'Education > How To',
  'Games & Hobbies': 'Leisure',
  'Games & Hobbies > Automotive': 'Leisure > Automotive',
  'Games & Hobbies > Aviation': 'Leisure > Aviation',
  'Games & Hobbies > Hobbies': 'Leisure > Hobbies',
  'Games & Hobbies > Other Games': 'Leisure > Games',
  'Games & Hobbies > Video Games': 'Leisure > Video Games',
  'Government & Organizations': 'Government',
  'Government & Organizations > Local': 'Government',
  'Government & Organizations > National': 'Government',
  'Government & Organizations > Non-Profit': 'Business > Non-Profit',
  'Government & Organizations > Regional': 'Government',
  Health: 'Health & Fitness',
  'Health > Alternative Health': 'Health & Fitness > Alternative Health',
  'Health > Fitness & Nutrition': 'Health & Fitness > Fitness',
  'Health > Self-Help': 'Education > Self-Improvement',
  'Health > Sexuality': 'Health & Fitness > Sexuality',
  'News & Politics': 'News',
  'Religion & Spirituality > Other': 'Religion & Spirituality > Religion',
  'Science & Medicine': 'Science',
  'Science & Medicine > Medicine': 'Health & Fitness > Medicine',
  'Science & Medicine > Natural Sciences': 'Science > Natural Sciences',
  'Science & Medicine > Social Sciences': 'Science > Social Sciences',
  'Society & Culture > History': 'History',
  'Sports & Recreation': 'Sports',
  'Sports & Recreation > Amateur': 'Sports',
  'Sports & Recreation > College & High School': 'Sports',
  'Sports & Recreation > Outdoor': 'Sports > Wilderness',
  'Sports & Recreation > Professional': 'Sports',
  'Technology > Gadgets': 'Technology',
  'Technology > Podcasting': 'Technology',
  'Technology > Software How-To': 'Technology',
  'Technology > Tech News': 'News > Tech News',
};

export type CategoryResult =
  | { kind: 'current'; category: string }
  | { kind: 'renamed'; category: string; from: string }
  | { kind: 'unknown'; from: string };

const lower = (text: string) => text.toLowerCase();

/** Apple's name for `raw`, ignoring case and spacing slips ("technology", "Tv & Film"). */
function currentName(parent: string, sub: string | undefined): string | undefined {
  const name = Object.keys(APPLE_CATEGORIES).find((p) => lower(p) === lower(parent));
  if (!name) return undefined;
  if (sub === undefined) return name;
  const child = APPLE_CATEGORIES[name]!.find((s) => lower(s) === lower(sub));
  return child ? `${name} > ${child}` : undefined;
}

export function mapCategory(parent: string, sub?: string): CategoryResult {
  const from = sub ? `${parent} > ${sub}` : parent;
  const current = currentName(parent, sub);
  if (current) return current === from ? { kind: 'current', category: current } : { kind: 'renamed', category: current, from };
  const retired = Object.keys(RETIRED_CATEGORIES).find((old) => lower(old) === lower(from));
  if (retired) return { kind: 'renamed', category: RETIRED_CATEGORIES[retired]!, from };
  // A current parent with an unknown subcategory keeps the parent.
  const parentOnly = sub ? mapCategory(parent) : undefined;
  if (parentOnly && parentOnly.kind !== 'unknown') return { kind: 'renamed', category: parentOnly.category, from };
  return { kind: 'unknown', from };
}
