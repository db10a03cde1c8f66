import { describe, expect, it } from 'vitest';
import { episodeSchema, podcastGuid, showSchema } from '../../src/model/schema.ts';

const show = {
  title: 'T',
  description: 'D',
  url: 'https://t.example.com',
  language: 'en-us',
  author: 'A',
  owner: { name: 'O', email: 'o@t.example.com' },
  image: 'https://t.example.com/a.jpg',
  categories: ['Technology'],
  explicit: false,
  email: { from: 'T <t@t.example.com>', address: 'Somewhere 1', unsubscribe: 'https://t.example.com/u?t={token}' },
};

function messages(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) {
  return (result.error?.issues ?? []).map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
}

describe('podcast:guid', () => {
  it('is the UUIDv5 of the feed URL without scheme and trailing slash (Podcasting 2.0 example)', () => {
    expect(podcastGuid('https://podnews.net/rss')).toBe('9b024349-ccf0-5f69-a609-6b82873eab3c');
    expect(podcastGuid('http://podnews.net/rss/')).toBe('9b024349-ccf0-5f69-a609-6b82873eab3c');
  });
});

describe('show.yml', () => {
  it('derives the feed URL, the podcast guid and the utm_source, and defaults the rest', () => {
    const parsed = showSchema.parse(show);
    expect(parsed.url).toBe('https://t.example.com/');
    expect(parsed.feedUrl).toBe('https://t.example.com/feed.xml');
    expect(parsed.guid).toBe(podcastGuid('https://t.example.com/feed.xml'));
    expect(parsed.type).toBe('episodic');
    expect(parsed.locked).toBe(true);
    expect(parsed.links).toEqual([]);
    expect(parsed.email!.from).toEqual({ name: 'T', address: 't@t.example.com' });
    expect(parsed.email!.utmSource).toBe('t');
  });

  it('keeps a pinned guid, so a moved feed keeps its identity', () => {
    const guid = '9b024349-ccf0-5f69-a609-6b82873eab3c';
    expect(showSchema.parse({ ...show, guid }).guid).toBe(guid);
  });

  it('names a wrong subcategory and lists the right ones', () => {
    expect(messages(showSchema.safeParse({ ...show, categories: ['Business > Investin'] }))).toEqual([
      'categories.0: "Investin" is not a subcategory of "Business" (did you mean "Investing"?); expected one of Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit',
    ]);
  });

  it('refuses an unsubscribe URL that is not https or lacks the {token} placeholder', () => {
    for (const unsubscribe of ['http://t.example.com/u?t={token}', 'https://t.example.com/u']) {
      expect(messages(showSchema.safeParse({ ...show, email: { ...show.email, unsubscribe } }))[0]).toMatch(/^email\.unsubscribe: expected an https URL with a \{token\} placeholder/);
    }
  });

  it('refuses an unsubscribe URL that would inject a header or break out of its <…> brackets', () => {
    for (const unsubscribe of [
      'https://t.example.com/u?t={token}\r\nBcc: victim@example.com',
      'https://t.example.com/u?t={token}>, <https://evil.example/',
      'https://t.example.com/u?t={token} "quoted"',
    ]) {
      expect(messages(showSchema.safeParse({ ...show, email: { ...show.email, unsubscribe } }))[0], unsubscribe).toMatch(/^email\.unsubscribe: expected an https URL/);
    }
  });

  it('refuses line breaks in a title or a sender name, which would end up in email headers', () => {
    expect(messages(showSchema.safeParse({ ...show, title: 'Equity\nBcc: x@example.com' }))).toEqual([
      'title: expected the show title on one line, without control characters',
    ]);
    expect(messages(showSchema.safeParse({ ...show, email: { ...show.email, from: 'T\r\nBcc: x@y.z <t@t.example.com>' } }))[0]).toMatch(/^email\.from: expected a sender/);
  });

  it('refuses a language code Intl cannot use', () => {
    expect(messages(showSchema.safeParse({ ...show, language: 'en-x1' }))).toEqual(['language: expected a language code such as en-us, got "en-x1"']);
    expect(showSchema.parse({ ...show, language: 'pt-br' }).language).toBe('pt-br');
  });

  it('suggests a field name only when it is close to a real one', () => {
    expect(messages(showSchema.safeParse({ ...show, titel: 'x' }))).toEqual(['unknown field "titel" (did you mean "title"?)']);
    expect(messages(showSchema.safeParse({ ...show, email: { ...show.email, utm: 'x' } }))).toEqual(['email: unknown field "utm"']);
    expect(messages(showSchema.safeParse({ ...show, banana: 'x' }))).toEqual(['unknown field "banana"']);
  });

  it('refuses a description over Apple’s 4000 bytes', () => {
    expect(messages(showSchema.safeParse({ ...show, description: 'é'.repeat(2001) }))).toEqual([
      'description: is 4002 bytes long; expected a description of the show of at most 4000 bytes (Apple cuts what is longer)',
    ]);
  });
});

describe('episode front matter', () => {
  const episode = { title: 'E', date: '2020-09-14', audio: { url: 'https://c.example/e.m4a', length: 10, duration: '1:00' } };

  it('takes the media type from the audio file extension', () => {
    expect(episodeSchema.parse(episode).audio.type).toBe('audio/x-m4a');
  });

  it('asks for the media type when the extension does not tell it', () => {
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, url: 'https://c.example/stream' } }))[0]).toMatch(/^audio\.type: missing/);
  });

  it('refuses audio/mp3, which is not a registered type', () => {
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, type: 'audio/mp3' } }))[0]).toMatch(/^audio\.type: expected one of audio\/mpeg/);
  });

  it('refuses a zero length, since apps treat length="0" as unknown', () => {
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, length: 0 } }))[0]).toBe(
      'audio.length: expected the file size in bytes, a whole number above 0, got the number 0',
    );
  });
});

describe('bounds on what reaches an output (issue 8, case 5)', () => {
  const episode = { title: 'E', date: '2020-09-14', audio: { url: 'https://c.example/e.mp3', length: 10, duration: '1:00' } };

  it('refuse a title, a subject or a show title over 255 characters, which become email Subject headers', () => {
    const long = 'x'.repeat(3000);
    expect(messages(episodeSchema.safeParse({ ...episode, title: long }))).toEqual([
      'title: is 3000 characters long; expected the episode title of at most 255 characters',
    ]);
    expect(messages(episodeSchema.safeParse({ ...episode, subject: long }))).toEqual([
      'subject: is 3000 characters long; expected the email subject line of at most 255 characters',
    ]);
    expect(messages(showSchema.safeParse({ ...show, title: long }))).toEqual(['title: is 3000 characters long; expected the show title of at most 255 characters']);
    // Characters, not UTF-16 units or bytes: 255 emoji are fine.
    expect(episodeSchema.safeParse({ ...episode, title: '🎙'.repeat(255) }).success).toBe(true);
  });

  it('refuse a summary over Apple’s 4000 bytes', () => {
    expect(messages(episodeSchema.safeParse({ ...episode, summary: 'é'.repeat(2001) }))).toEqual([
      'summary: is 4002 bytes long; expected a one-paragraph summary in plain text of at most 4000 bytes (Apple cuts what is longer)',
    ]);
  });

  it('refuse numbers beyond what an app reads as a number', () => {
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, duration: 1e300 } }))).toEqual([
      'audio.duration: the number 1e+300 is not a usable length: longer than 24 hours; expected a length such as "8:12", "1:02:03" or a number of seconds',
    ]);
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, length: 1e300 } }))[0]).toBe(
      'audio.length: expected the file size in bytes, a whole number above 0, got the number 1e+300',
    );
    expect(messages(episodeSchema.safeParse({ ...episode, audio: { ...episode.audio, length: 2e12 } }))[0]).toBe(
      'audio.length: the number 2000000000000 is too large; expected the file size in bytes, a whole number above 0, at most 1,000,000,000,000',
    );
    expect(messages(episodeSchema.safeParse({ ...episode, episode: 1_000_000 }))).toEqual([
      'episode: the number 1000000 is too large; expected the episode number, a whole number above 0, at most 99,999',
    ]);
    expect(messages(episodeSchema.safeParse({ ...episode, season: 20_200 }))[0]).toMatch(/^season: the number 20200 is too large; .* at most 9,999$/);
    expect(episodeSchema.safeParse({ ...episode, episode: 99_999, season: 2020 }).success).toBe(true);
  });
});
