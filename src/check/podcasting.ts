// Values the Podcasting 2.0 namespace defines: person roles and groups (the Podcast Taxonomy
// Project's list, compared without case) and the mediums.

export const PERSON_ROLES: Readonly<Record<string, readonly string[]>> = {
  'creative direction': [
    'director', 'assistant director', 'executive producer', 'senior producer', 'producer', 'associate producer',
    'development producer', 'creative director',
  ],
  cast: ['host', 'co-host', 'guest host', 'guest', 'voice actor', 'narrator', 'announcer', 'reporter'],
  writing: [
    'author', 'editorial director', 'co-writer', 'writer', 'songwriter', 'guest writer', 'story editor', 'managing editor',
    'script editor', 'script coordinator', 'researcher', 'editor', 'fact checker', 'translator', 'transcriber', 'logger',
  ],
  'audio production': [
    'studio coordinator', 'technical director', 'technical manager', 'audio engineer', 'remote recording engineer',
    'post production engineer',
  ],
  'audio post-production': ['audio editor', 'sound designer', 'foley artist', 'composer', 'theme music', 'music production', 'music contributor'],
  administration: [
    'production coordinator', 'booking coordinator', 'production assistant', 'content manager', 'marketing manager',
    'sales representative', 'sales manager',
  ],
  visuals: ['graphic designer', 'cover art designer'],
  community: ['social media manager'],
  'misc.': ['consultant', 'intern'],
  'video production': ['camera operator', 'lighting designer', 'camera grip', 'assistant camera'],
  'video post-production': ['editor', 'assistant editor'],
};

export const ALL_ROLES: ReadonlySet<string> = new Set(Object.values(PERSON_ROLES).flat());

export const MEDIUMS: ReadonlySet<string> = new Set(
  ['podcast', 'music', 'video', 'film', 'audiobook', 'newsletter', 'blog', 'publisher', 'course'].flatMap((medium) => [medium, `${medium}L`]),
);

/** Podcasting 2.0 caps podcast:txt (podcast:funding is capped in the schema). */
export const TXT_MAX = 4000;
