// The one schema of castwright's content: `show.yml` and each episode's front matter.
// The types of the domain model are inferred from it and its phrases are the error messages.
import * as z from 'zod';
import { v5 as uuidv5 } from 'uuid';
import { APPLE_CATEGORIES } from './apple-categories.ts';
import {
  APPLE_TEXT_BYTES,
  describeValue,
  email,
  expecting,
  flag,
  line,
  mailbox,
  oneOf,
  optionalLine,
  optionalText,
  positiveWhole,
  record,
  text,
  webUrl,
} from './fields.ts';
import { suggestion } from './suggestion.ts';
import { parseDuration, parsePublishDate, parseTimestamp } from './time.ts';
import { TARGET_EXAMPLES, maskUrl, parseTarget } from '../publish/target-url.ts';

/** Podcasting 2.0's namespace for `podcast:guid`, a UUIDv5 of the feed URL without its scheme. */
const PODCAST_GUID_NAMESPACE = 'ead4c236-bf58-58c6-a2c6-a6b28d128cb6';

export function podcastGuid(feedUrl: string): string {
  return uuidv5(feedUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, ''), PODCAST_GUID_NAMESPACE);
}

export interface Category {
  name: string;
  subcategory?: string;
}

const CATEGORY_EXPECTED = 'an Apple category such as "Business > Investing" or "Technology"';

const category = z.string(expecting(CATEGORY_EXPECTED)).transform((raw, ctx): Category => {
  const [name = '', subcategory, ...rest] = raw.split('>').map((part) => part.trim());
  const parents = Object.keys(APPLE_CATEGORIES);
  const children = APPLE_CATEGORIES[name];
  let problem: string | undefined;
  if (rest.length > 0) problem = `"${raw}" nests too deep; Apple has one level of subcategory`;
  else if (!children) problem = `"${name}" is not an Apple category${suggestion(name, parents)}`;
  else if (subcategory !== undefined && !children.includes(subcategory)) {
    problem =
      children.length === 0
        ? `"${name}" has no subcategories`
        : `"${subcategory}" is not a subcategory of "${name}"${suggestion(subcategory, children)}; ` +
          `expected one of ${children.join(', ')}`;
  }
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return subcategory === undefined ? { name } : { name, subcategory };
});

const UNSUBSCRIBE_EXPECTED = 'an https URL with a {token} placeholder, such as https://example.com/unsubscribe?token={token}';

// Only characters a URL may hold as written: the URL parser would quietly drop a line break or
// encode a quote, but this one is kept as written (normalising would encode the {token}
// placeholder) and goes into an email header.
const URL_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

const unsubscribeUrl = z.string(expecting(UNSUBSCRIBE_EXPECTED)).trim().refine(
  (raw) => {
    const filled = raw.replaceAll('{token}', 'token');
    if (filled === raw || !URL_CHARACTERS.test(filled)) return false;
    try {
      return new URL(filled).protocol === 'https:';
    } catch {
      return false;
    }
  },
  { error: (issue) => expecting(UNSUBSCRIBE_EXPECTED).error(issue) },
);

// Where `castwright publish` puts the site. Never with credentials: those come from the environment.
const publishTarget = z.string(expecting(`where to publish the site: ${TARGET_EXAMPLES}`)).trim().superRefine((raw, ctx) => {
  const parsed = parseTarget(raw, { source: 'show.yml' });
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `"${maskUrl(raw)}" ${parsed}` });
});

const WEBSUB_EXPECTED = 'a WebSub hub URL such as https://pubsubhubbub.appspot.com/, or a list of them';

/** One hub or several; the feed names each in an <atom:link rel="hub">. */
const websubHubs = z
  .union([webUrl(WEBSUB_EXPECTED), z.array(webUrl(WEBSUB_EXPECTED))], expecting(WEBSUB_EXPECTED))
  .transform((hubs) => [...new Set(Array.isArray(hubs) ? hubs : [hubs])]);

/** An audio file of a terabyte or more is a typo. */
export const MAX_AUDIO_BYTES = 1_000_000_000_000;
/** Larger numbers are typos (apps read them as text of at most a few digits). */
export const MAX_EPISODE_NUMBER = 99_999;
/** A season may be numbered by its year. */
export const MAX_SEASON_NUMBER = 9_999;

/** Apple cuts a show's or an episode's description at 4000 bytes. */
export const APPLE_DESCRIPTION_BYTES = APPLE_TEXT_BYTES;
const APPLE_LIMIT = `at most ${APPLE_DESCRIPTION_BYTES} bytes (Apple cuts what is longer)`;

/** A language code Intl can format dates in, e.g. en-us: the feed's <language> and the pages' lang. */
function isLanguage(code: string): boolean {
  try {
    Intl.getCanonicalLocales(code);
    new Intl.DateTimeFormat(code);
    return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(code);
  } catch {
    return false;
  }
}

const GUID_EXPECTED = 'a permanent unique id for the episode';

const guidText = z
  .union([z.string(), z.number()], expecting(GUID_EXPECTED))
  .transform(String)
  .pipe(line(GUID_EXPECTED));

/**
 * Episodes deliberately taken out of the feed, each with why: the publish guard lets their guids
 * go (every app drops them from its list) and the note stays as the record of it.
 */
const removed = z
  .array(
    record({ guid: guidText, reason: line('why the episode was removed, such as "published by mistake"') }, 'a removed episode as { guid, reason }'),
    expecting('a list of removed episodes as { guid, reason }'),
  )
  .default([]);

/** Podcasting 2.0 caps the text of a podcast:funding link. */
export const FUNDING_TEXT_LENGTH = 128;

const funding = record(
  {
    url: webUrl('the absolute http(s) URL of the page where listeners support the show'),
    text: line('the text of the funding link, such as "Support the show"').refine((value) => value.length <= FUNDING_TEXT_LENGTH, {
      error: (issue) => `is ${String(issue.input).length} characters long; Podcasting 2.0 takes at most ${FUNDING_TEXT_LENGTH}`,
    }),
  },
  'a funding link as { url, text }',
);

const person = record(
  {
    name: line("the person's name"),
    role: optionalLine('a Podcasting 2.0 role such as host, guest or producer'),
    group: optionalLine('a Podcasting 2.0 group such as cast or writing'),
    img: webUrl("the URL of the person's picture").optional(),
    href: webUrl("the URL of the person's page").optional(),
  },
  'a person as { name, role, group, img, href }',
);

const host = z.union([line("a host's name").transform((name): z.output<typeof person> => ({ name })), person], expecting("a host's name, or { name, role, img, href }"));

/** More items than this in one feed page is no limit at all. */
export const MAX_FEED_LIMIT = 100_000;

/** Podcasting 2.0's podcast:medium values; the "L" forms are lists of feeds of that medium. */
export const MEDIUMS = ['podcast', 'music', 'video', 'film', 'audiobook', 'newsletter', 'blog', 'publisher', 'course', 'mixed'] as const;
const mediums = [...MEDIUMS, ...MEDIUMS.filter((medium) => medium !== 'mixed' && medium !== 'publisher').map((medium) => `${medium}L`)] as [string, ...string[]];

/** Podcasting 2.0 caps podcast:txt at 4000 characters and its purpose at 128. */
export const TXT_LENGTH = 4000;
export const TXT_PURPOSE_LENGTH = 128;


const txtText = z
  .string(expecting('the text of a podcast:txt, such as the token Apple gives to verify ownership'))
  .trim()
  .min(1, expecting('the text of a podcast:txt'))
  .refine((value) => [...value].length <= TXT_LENGTH, {
    error: (issue) => `is ${[...String(issue.input).trim()].length} characters long; Podcasting 2.0 takes at most ${TXT_LENGTH}`,
  });

// A bare text is { text } without a purpose; a single entry is a list of one. Preprocessed rather
// than a union, so a too-long text is reported as such and not as "expected a text or …".
const txtEntry = z.preprocess(
  (value) => (typeof value === 'string' ? { text: value } : value),
  record(
    {
      text: txtText,
      purpose: line('what the text is for, such as applepodcastsverify')
        .refine((value) => [...value].length <= TXT_PURPOSE_LENGTH, { error: `expected a purpose of at most ${TXT_PURPOSE_LENGTH} characters` })
        .optional(),
    },
    'a text, or { text, purpose } such as { text: "…", purpose: applepodcastsverify }',
  ),
);

const txt = z.preprocess((value) => (value === undefined || Array.isArray(value) ? value : [value]), z.array(txtEntry, expecting('a text, { text, purpose }, or a list of them')));

const PREFIX_EXPECTED = 'a tracking prefix URL such as https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/';

/**
 * A measurement prefix (OP3, Podtrac, Chartable…): the feed's enclosure URLs become the prefix
 * followed by the audio URL without its scheme. It must end in `/` and carry no query or fragment,
 * or the joined URL would not reach the file.
 */
const audioPrefix = webUrl(PREFIX_EXPECTED).superRefine((href, ctx) => {
  const url = new URL(href);
  let problem: string | undefined;
  if (url.search || url.hash || href.includes('?') || href.includes('#')) problem = 'has a query or fragment';
  else if (!url.pathname.endsWith('/')) problem = 'does not end in "/"';
  if (problem) ctx.addIssue({ code: 'custom', message: `"${href}" ${problem}, so the audio URL cannot follow it; expected ${PREFIX_EXPECTED}` });
});

/**
 * Whatever an import found that has no field yet, by its feed element name. Kept as written and
 * never rendered, so a later import or feature can use it.
 */
const extra = z.record(z.string(), z.unknown(), expecting('a map of values kept from an imported feed')).optional();

export const showSchema = record(
  {
    title: line('the show title'),
    description: text('a description of the show', APPLE_DESCRIPTION_BYTES, APPLE_LIMIT),
    url: webUrl('the address where dist/ is served, such as https://equity.example.com/'),
    language: text('a language code such as en-us').refine(isLanguage, { error: (issue) => expecting('a language code such as en-us').error(issue) }),
    author: line('the name shown as the show author'),
    owner: record(
      { name: line("the owner's name"), email: email() },
      'the owner as { name: …, email: … }',
    ),
    // A file of the content folder is checked and replaced by its published address (load/image-file.ts).
    image: webUrl('the square cover art (JPEG or PNG, 1400 to 3000 px): its URL, or a file of the content folder such as art/cover.jpg'),
    categories: z
      .array(category, expecting('a list of Apple categories such as [Business > Investing, Technology]'))
      .min(1, expecting('at least one Apple category')),
    explicit: flag(),
    type: oneOf(['episodic', 'serial']).default('episodic'),
    copyright: optionalLine('a copyright line such as © 2020 TechCrunch'),
    links: z
      .array(
        record({ name: line('the name of the app or site'), url: webUrl() }, 'a link as { name: …, url: … }'),
        expecting('a list of subscribe links as { name: …, url: … }'),
      )
      .default([]),
    email: record(
      {
        from: mailbox(),
        replyTo: mailbox().optional(),
        address: text('the postal address printed in every email (anti-spam laws require it)'),
        unsubscribe: unsubscribeUrl,
        unsubscribeMailto: email().optional(),
        utmSource: optionalLine('the utm_source value for links in the email, such as equity'),
        // Hosts the digest may load fonts or pixels from; by default none, as each load tells
        // the host a reader's IP address (castwright check flags the others).
        allowRemote: z
          .array(
            z.string(expecting('a host name such as fonts.example.com')).trim().toLowerCase().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, expecting('a host name such as fonts.example.com')),
            expecting('a list of host names such as [fonts.example.com]'),
          )
          .default([]),
        subscribe: flag('true or false: whether every page carries a sign-up form (castwright serve takes the sign-ups)').default(false),
      },
      'the email settings as { from, address, unsubscribe }',
    ).optional(),
    storiesHeading: optionalLine('the heading above the list of covered stories'),
    chaptersIntro: optionalLine('the title of the first chapter, before the first timestamped story, such as "Intro"'),
    locked: flag().default(true),
    guid: z.uuid(expecting('a UUID (podcast:guid); set it only to keep the one a moved feed already had')).optional(),
    funding: z
      .union([funding, z.array(funding)], expecting('a funding link as { url, text }, or a list of them'))
      .transform((value) => (Array.isArray(value) ? value : [value]))
      .default([]),
    newFeedUrl: webUrl('the absolute http(s) URL of the feed apps should move to (itunes:new-feed-url)').optional(),
    audioBaseUrl: webUrl('the address the audio files are uploaded to, such as https://cdn.example.com/equity/ (audio.file names the file)')
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .optional(),
    feed: record(
      { limit: positiveWhole('the number of newest episodes feed.xml holds, such as 100', MAX_FEED_LIMIT).optional() },
      'the feed settings as { limit }',
    ).optional(),
    medium: oneOf(mediums).default('podcast'),
    txt: txt.default([]),
    people: z.array(host, expecting("a list of the show's people: names, or { name, role, group, img, href }")).default([]),
    audioPrefix: z
      .union([audioPrefix, z.array(audioPrefix)], expecting(`${PREFIX_EXPECTED}, or a list of them (applied in order)`))
      .transform((value) => (Array.isArray(value) ? value : [value]))
      .default([]),
    removed,
    extra,
    publish: publishTarget.optional(),
    websub: websubHubs.default([]),
    podping: webUrl('the podping HTTP endpoint, such as https://podping.cloud/ (its token goes in PODPING_TOKEN)').optional(),
  },
  'the show settings',
).transform((show) => {
  const url = show.url.endsWith('/') ? show.url : `${show.url}/`;
  const feedUrl = new URL('feed.xml', url).href;
  const slugOfTitle = show.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'podcast';
  return {
    ...show,
    url,
    feedUrl,
    guid: show.guid ?? podcastGuid(feedUrl),
    email: show.email && { ...show.email, utmSource: show.email.utmSource ?? slugOfTitle },
  };
});

/** Enclosure types Apple accepts, by file extension. `audio/mp3` is a common mistake. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/x-m4a',
  mp4: 'video/mp4',
  m4v: 'video/x-m4v',
  mov: 'video/quicktime',
};

/** Open formats Podcasting 2.0 apps play and Apple Podcasts does not (castwright warns), by extension. */
export const OPEN_MEDIA_TYPES: Readonly<Record<string, string>> = {
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

const mediaTypes = [...new Set([...Object.values(MEDIA_TYPES), ...Object.values(OPEN_MEDIA_TYPES)])] as [string, ...string[]];

const publishDate = z.string(expecting('a date such as 2020-09-14T07:00:00-07:00')).transform((raw, ctx) => {
  const parsed = parsePublishDate(raw);
  if (typeof parsed === 'string') {
    ctx.addIssue({
      code: 'custom',
      message: `${describeValue(raw)} is not a usable date: ${parsed}; expected one such as 2020-09-14T07:00:00-07:00`,
    });
    return z.NEVER;
  }
  return parsed;
});

const DURATION_EXPECTED = 'a length such as "8:12", "1:02:03" or a number of seconds';

const duration = z
  .union([z.string(), z.number()], expecting(DURATION_EXPECTED))
  .transform((raw, ctx) => {
    const seconds = parseDuration(raw);
    if (typeof seconds === 'string') {
      ctx.addIssue({ code: 'custom', message: `${describeValue(raw)} is not a usable length: ${seconds}; expected ${DURATION_EXPECTED}` });
      return z.NEVER;
    }
    return seconds;
  });

const audio = record(
  {
    url: webUrl('the absolute http(s) URL of the audio file'),
    // Read by the load stage, which fills url, length, duration and type from the file.
    file: optionalLine('an audio file of the content folder, such as audio/2020-09-14.mp3'),
    // With file: published in the output beside the episode's page (the load stage sets url).
    copy: flag('true or false: whether audio.file is copied into the output').optional(),
    length: positiveWhole('the file size in bytes, a whole number above 0', MAX_AUDIO_BYTES),
    // Optional: many published feeds give no length, and an imported episode must not get a made-up one.
    duration: duration.optional(),
    type: oneOf(mediaTypes).optional(),
  },
  'the audio file as { url, length, duration }',
).transform((file, ctx) => {
  const extension = new URL(file.url).pathname.split('.').pop()?.toLowerCase() ?? '';
  const type = file.type ?? MEDIA_TYPES[extension] ?? OPEN_MEDIA_TYPES[extension];
  if (!type) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      message: `missing, and ".${extension}" does not tell the media type; expected one of ${mediaTypes.join(', ')}`,
    });
    return z.NEVER;
  }
  return { ...file, type };
});

/**
 * As published: a text (written with isPermaLink="false"), or `{ value, isPermaLink }` to keep a
 * feed's permalink guid exactly as apps know it.
 */
const guid = z.union(
  [
    guidText.transform((value) => ({ value, isPermaLink: false })),
    record({ value: guidText, isPermaLink: flag() }, 'the guid as { value, isPermaLink }'),
  ],
  expecting(`${GUID_EXPECTED}, or { value, isPermaLink }`),
);

/** Transcript formats by file extension, for a transcript given as a bare URL. */
export const TRANSCRIPT_TYPES: Readonly<Record<string, string>> = {
  vtt: 'text/vtt',
  srt: 'application/x-subrip',
  json: 'application/json',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
};

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i;

const transcriptFile = record(
  {
    url: webUrl('the absolute http(s) URL of the transcript'),
    type: z
      .string(expecting('the transcript format, such as text/vtt or application/x-subrip'))
      .trim()
      .refine((value) => MIME_TYPE.test(value), { error: (issue) => expecting('a media type such as text/vtt').error(issue) }),
    language: optionalLine('the language of the transcript, such as en'),
    rel: optionalLine('"captions" for timed captions'),
  },
  'a transcript as { url, type, language, rel }',
);

const TRANSCRIPT_EXPECTED = 'a transcript URL, a .vtt or .srt file beside the episode, or a list of { url, type, language, rel }';

/**
 * A transcript file in the content folder, named relative to the episode file: castwright reads
 * it, checks its cues and publishes it beside the page (`file` is resolved by the load stage).
 */
const localTranscript = z
  .string()
  .trim()
  .regex(/^(?![a-z][a-z0-9+.-]*:)[^\0]+\.(?:vtt|srt)$/i)
  .transform((file): Transcript => ({ url: '', type: TRANSCRIPT_TYPES[file.split('.').pop()!.toLowerCase()]!, file }));

const transcript = z
  .union([webUrl(), localTranscript, z.array(transcriptFile)], expecting(TRANSCRIPT_EXPECTED))
  .transform((value, ctx): Transcript[] => {
    if (Array.isArray(value)) return value;
    if (typeof value !== 'string') return [value];
    const extension = new URL(value).pathname.split('.').pop()?.toLowerCase() ?? '';
    const type = TRANSCRIPT_TYPES[extension];
    if (!type) {
      ctx.addIssue({
        code: 'custom',
        message: `".${extension}" does not tell the transcript format; expected a list such as [{ url: …, type: text/vtt }]`,
      });
      return z.NEVER;
    }
    return [{ url: value, type }];
  });

/** Podcasting 2.0's limits for podcast:episode display, podcast:season name and a soundbite title. */
export const EPISODE_DISPLAY_LENGTH = 32;
export const SEASON_NAME_LENGTH = 128;
export const SOUNDBITE_TITLE_LENGTH = 128;

const shortLine = (expected: string, limit: number) =>
  line(expected).refine((value) => [...value].length <= limit, {
    error: (issue) => `is ${[...String(issue.input).trim()].length} characters long; Podcasting 2.0 takes at most ${limit}`,
  });

const TIMESTAMP_EXPECTED = 'a time in the audio such as "12:34" or "1:02:03"';

/** A position in the audio: `12:34`, `1:02:03` or a number of seconds (0 allowed). */
const position = z.union([z.string(), z.number()], expecting(TIMESTAMP_EXPECTED)).transform((raw, ctx) => {
  const seconds = typeof raw === 'number' ? (Number.isFinite(raw) && raw >= 0 ? raw : 'not a time') : parseTimestamp(raw);
  if (typeof seconds === 'string') {
    ctx.addIssue({ code: 'custom', message: `${describeValue(raw)} is ${seconds}; expected ${TIMESTAMP_EXPECTED}` });
    return z.NEVER;
  }
  return seconds;
});

const soundbite = record(
  {
    start: position,
    duration: z.union([z.string(), z.number()], expecting('a length such as 30 (seconds) or "0:45"')).transform((raw, ctx) => {
      const seconds = parseDuration(raw);
      if (typeof seconds === 'string') {
        ctx.addIssue({ code: 'custom', message: `${describeValue(raw)} is not a usable length: ${seconds}; expected a length such as 30 (seconds) or "0:45"` });
        return z.NEVER;
      }
      return seconds;
    }),
    title: shortLine('the title of the soundbite', SOUNDBITE_TITLE_LENGTH).optional(),
  },
  'a soundbite as { start, duration, title }',
);

export const episodeSchema = record(
  {
    title: line('the episode title'),
    date: publishDate,
    guid: guid.optional(),
    episode: positiveWhole('the episode number, a whole number above 0', MAX_EPISODE_NUMBER).optional(),
    season: positiveWhole('the season number (or year), a whole number above 0', MAX_SEASON_NUMBER).optional(),
    episodeDisplay: shortLine('how apps show the episode number, such as "Ch. 3" (podcast:episode display)', EPISODE_DISPLAY_LENGTH).optional(),
    seasonName: shortLine('the name of the season, such as "Race for the White House" (podcast:season name)', SEASON_NAME_LENGTH).optional(),
    soundbites: z.array(soundbite, expecting('a list of soundbites as { start, duration, title }')).default([]),
    type: oneOf(['full', 'trailer', 'bonus']).default('full'),
    summary: optionalText('a one-paragraph summary in plain text', APPLE_DESCRIPTION_BYTES, APPLE_LIMIT),
    audio,
    hosts: z.array(host, expecting("a list of hosts' names")).default([]),
    explicit: flag().optional(),
    image: webUrl('the episode art: its URL, or a file of the content folder such as art/2020-09-14.jpg').optional(),
    transcript: transcript.optional(),
    chapters: webUrl('the absolute http(s) URL of a Podcasting 2.0 chapters file (JSON)').optional(),
    draft: flag().default(false),
    subject: optionalLine('the email subject line'),
    preheader: optionalLine('the preview line email apps show after the subject'),
    // The guid(s) this episode was published under before: the publish guard takes the change as meant.
    replaces: z
      .union([guidText.transform((value) => [value]), z.array(guidText)], expecting('the guid this episode was published under before, or a list of them'))
      .default([]),
    extra,
  },
  'the episode fields',
);

export type ShowSettings = z.output<typeof showSchema>;
export type EpisodeFields = z.output<typeof episodeSchema>;
export type Person = z.output<typeof person>;
/** A transcript as the feed names it; `file` when it is a file of the content folder castwright publishes. */
export type Transcript = z.output<typeof transcriptFile> & { file?: string };
export type Soundbite = z.output<typeof soundbite>;
