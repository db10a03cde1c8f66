// Which listening app a subscribe link leads to, so the page can show that app's mark (drawn inline
// in templates/site/partials/mark.hbs: no request to the app's servers).
export type Mark = 'apple' | 'spotify' | 'overcast' | 'pocketcasts' | 'youtube' | 'castbox' | 'rss' | 'podcast';

const BY_HOST: Array<[RegExp, Mark]> = [
  [/(^|\.)podcasts\.apple\.com$|(^|\.)itunes\.apple\.com$/, 'apple'],
  [/(^|\.)spotify\.com$/, 'spotify'],
  [/(^|\.)overcast\.fm$/, 'overcast'],
  [/(^|\.)pocketcasts\.com$|(^|\.)pca\.st$/, 'pocketcasts'],
  [/(^|\.)youtube\.com$|(^|\.)youtu\.be$/, 'youtube'],
  [/(^|\.)castbox\.fm$/, 'castbox'],
];

const BY_NAME: Array<[RegExp, Mark]> = [
  [/apple/i, 'apple'],
  [/spotify/i, 'spotify'],
  [/overcast/i, 'overcast'],
  [/pocket ?casts/i, 'pocketcasts'],
  [/youtube/i, 'youtube'],
  [/castbox/i, 'castbox'],
  [/\brss\b|\bfeed\b/i, 'rss'],
];

/** The mark for a link: by its host first (names vary: "Apple", "Apple Podcasts", "iTunes"), then by its name. */
export function markOf(link: { name: string; url: string }): Mark {
  let host = '';
  try {
    host = new URL(link.url).hostname.toLowerCase();
  } catch {
    // The schema only lets web URLs through; a name still decides.
  }
  return BY_HOST.find(([pattern]) => pattern.test(host))?.[1] ?? BY_NAME.find(([pattern]) => pattern.test(link.name))?.[1] ?? 'podcast';
}
