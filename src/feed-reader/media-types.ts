// Enclosure types as feeds write them: the common wrong or old names, each with the one Apple reads.

/** Common wrong or old enclosure types, and what Apple reads instead. */
export const TYPE_ALIASES: Record<string, string> = {
  'audio/mp3': 'audio/mpeg',
  'audio/x-mp3': 'audio/mpeg',
  'audio/mpeg3': 'audio/mpeg',
  'audio/x-mpeg': 'audio/mpeg',
  'audio/x-mpeg-3': 'audio/mpeg',
  'audio/mpg': 'audio/mpeg',
  'audio/mp4': 'audio/x-m4a',
  'audio/m4a': 'audio/x-m4a',
  'audio/aac': 'audio/x-m4a',
  'video/m4v': 'video/x-m4v',
};

/** The type Apple reads for a type as written (lower-cased); unknown types are returned as given. */
export function canonicalMediaType(raw: string): string {
  const type = raw.trim().toLowerCase();
  return TYPE_ALIASES[type] ?? type;
}
