// The feed lint, finding by finding: each fixture in test/fixtures/check/feed/ is a valid feed
// with one defect, named for the code it must raise (at its line, with its message). For the
// show's own feed, a finding points at the show.yml or episode line that produced it.
import { textOf } from '../../src/model/source-file.ts';
import { readFileSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lintFeed } from '../../src/check/feed-lint.ts';
import { checkGenerated } from '../../src/check/run.ts';
import { readFeedDocument } from '../../src/feed-reader/document.ts';
import { cleanUp, FIXTURES, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { generateSample } from '../helpers/generate.ts';
import { generate } from '../../src/pipeline.ts';

afterEach(cleanUp);

function lint(name: string) {
  const file = `${name}.xml`;
  const bytes = readFileSync(path.join(FIXTURES, 'check', 'feed', file));
  return lintFeed(readFeedDocument({ bytes, name: file }));
}

/** Fixture (and code), severity, line, message. */
const CASES: Array<[string, 'error' | 'warning', number, string]> = [
  ['category-unknown', 'error', 11, 'itunes:category "Podcasting" is not one of Apple\'s subcategories of "Technology"'],
  ['channel-author', 'warning', 16, 'the channel has an <author> element, which RSS 2.0 does not define and the W3C validator rejects; use itunes:author'],
  ['channel-missing', 'error', 3, 'the channel has no itunes:image; Apple requires it'],
  ['channel-recommended', 'warning', 3, 'the channel has no itunes:author; Apple and feed validators expect it'],
  ['chapters-type', 'warning', 24, 'podcast:chapters type "application/json" is not application/json+chapters, the one apps read'],
  ['description-tags', 'warning', 18, 'the description of item "A first look" uses <h2>, <strong>; Apple shows only <p>, <ol>, <ul>, <li> and <a>'],
  ['description-too-long', 'error', 6, 'the description of the channel is 4159 bytes long; Apple takes at most 4000 and cuts the rest'],
  ['duplicate-enclosure', 'error', 30, 'the enclosure "https://cdn.example.com/1.mp3" is also the audio of item "A first look"; Apple ignores an episode whose audio another one has'],
  ['duplicate-guid', 'error', 28, 'guid "lint-1" is also the guid of item "A first look" (line 16); apps treat both as one episode'],
  ['duration-format', 'warning', 31, 'itunes:duration "492.5" is not whole seconds or [h:]mm:ss; write 493'],
  ['duration-invalid', 'error', 31, 'itunes:duration "eight minutes" is not a duration; expected seconds, mm:ss or hh:mm:ss'],
  ['enclosure-length', 'error', 30, 'the enclosure length "0" is not the file\'s size in bytes (a whole number above 0)'],
  ['enclosure-type', 'error', 30, 'the enclosure type "audio/mp3" is not one Apple plays; expected audio/mpeg'],
  ['enclosure-url', 'error', 30, 'the enclosure url "ftp://cdn.example.com/2.mp3" is not an absolute http(s) URL'],
  ['episode-type-invalid', 'error', 24, 'itunes:episodeType "special" is not full, trailer or bonus'],
  ['explicit-not-boolean', 'error', 12, 'itunes:explicit of the channel is "yes"; Apple expects true or false'],
  ['funding-too-long', 'error', 16, 'podcast:funding text is 135 characters long; Podcasting 2.0 allows at most 128'],
  ['funding-url', 'error', 16, 'podcast:funding has no http(s) url'],
  ['item-missing', 'error', 25, 'item "A second look" has no guid; Apple requires it'],
  ['item-recommended', 'warning', 25, 'item "A second look" has no itunes:duration; Apple uses it'],
  ['language-invalid', 'error', 7, 'language "English" is not an ISO 639 code such as en or en-us'],
  ['locked-invalid', 'error', 15, 'podcast:locked "true" is neither yes nor no'],
  ['medium-unknown', 'warning', 16, 'podcast:medium "radio" is not one Podcasting 2.0 defines (podcast, music, video, film, audiobook, newsletter, blog, publisher, course)'],
  ['number-invalid', 'error', 24, 'itunes:episode "0" is not a whole number above 0'],
  ['person-group', 'warning', 24, 'podcast:person "Ringo" has the group "band", which is not in the Podcasting 2.0 taxonomy (such as cast, writing, audio production)'],
  ['person-role', 'warning', 24, 'podcast:person "Robin" has the role "sidekick", which is not in the Podcasting 2.0 taxonomy (such as host, co-host, guest, producer)'],
  ['podcast-guid-invalid', 'error', 14, 'podcast:guid "lint.example.com/feed.xml" is not a UUID; expected the UUIDv5 of the feed\'s address'],
  ['podcast-guid-not-v5', 'warning', 14, 'podcast:guid 3f2b6a4e-8c1d-4e5f-9a7b-2c3d4e5f6a7b is a version 4 UUID; Podcasting 2.0 asks for version 5, made from the feed\'s address'],
  ['pubdate-format', 'warning', 29, 'pubDate "Tue, 21 Sep 2020 14:00:00 GMT" names the wrong day of the week (it was a Mon)'],
  ['pubdate-invalid', 'error', 29, 'pubDate "last Monday" is not a date apps can read: not an RFC 822 date such as "Mon, 14 Sep 2020 14:00:00 GMT"'],
  ['serial-without-number', 'error', 26, 'item "A second look" has no itunes:episode, which a serial show (itunes:type serial) needs on every episode'],
  ['title-episode-number', 'warning', 26, 'the title "Episode 2: A second look" has an episode or season number in it; Apple asks for them in itunes:episode and itunes:season only, and shows them itself'],
  ['title-html', 'warning', 26, 'the title "A <em>second</em> look" has HTML in it; titles are plain text (the W3C validator rejects markup)'],
  ['transcript-invalid', 'error', 24, 'podcast:transcript needs an http(s) url and a type'],
  ['transcript-type', 'warning', 24, 'podcast:transcript type "text/markdown" is not one apps read (text/vtt, application/x-subrip, application/json, text/html, text/plain)'],
  ['txt-too-long', 'error', 16, 'podcast:txt is 4001 characters long; Podcasting 2.0 allows at most 4000'],
  ['type-invalid', 'error', 13, 'itunes:type "weekly" is neither episodic nor serial'],
];

describe('feed lint', () => {
  it('finds nothing in a feed that meets Apple\'s and Podcasting 2.0\'s rules', () => {
    expect(lint('valid')).toEqual([]);
  });

  it.each(CASES)('feed/%s: %s at its line', (name, severity, line, message) => {
    expect(lint(name)).toEqual([{ file: `${name}.xml`, line, message, severity, code: `feed/${name}` }]);
  });

  it('finds nothing in the sample show\'s feed', async () => {
    const generated = await generateSample();
    expect(lintFeed(readFeedDocument({ bytes: Buffer.from(textOf(generated.files.get('feed.xml'))), name: 'dist/feed.xml' }))).toEqual([]);
  });
});

describe('feed lint on the show\'s own feed', () => {
  it('points at the title line of the episode file whose title carries its number', async () => {
    const root = await workspace({ 'numbered.md': (await fixture('episodes/valid.md')).replace(/^title: .*$/m, 'title: "Ep. 12: Oracle wins TikTok"') });
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root, now: new Date('2026-01-01T00:00:00Z') });
    const report = await checkGenerated(generated, { cwd: root, contentDir: 'episodes', guard: { skip: true } });
    expect(report.findings.filter((finding) => finding.code.startsWith('feed/'))).toEqual([
      {
        file: 'episodes/numbered.md',
        line: 2,
        severity: 'warning',
        code: 'feed/title-episode-number',
        message:
          'the title "Ep. 12: Oracle wins TikTok" has an episode or season number in it; Apple asks for them in itunes:episode and itunes:season only (episode: and season: in the front matter), and shows them itself',
      },
    ]);
  });

  it('points at the episode and names the template when a custom description template uses tags Apple does not show', async () => {
    const root = await workspace({ 'valid.md': await fixture('episodes/valid.md') });
    const templates = path.join(await tempDir(), 'templates');
    await cp(path.join(PROJECT, 'templates'), templates, { recursive: true });
    await writeFile(path.join(templates, 'feed', 'description.hbs'), '<h3>{{summary}}</h3>\n');
    const generated = await generate({ contentDir: path.join(root, 'episodes'), templatesDir: templates, cwd: root, now: new Date('2026-01-01T00:00:00Z') });
    const report = await checkGenerated(generated, { cwd: root, contentDir: 'episodes', templatesDir: templates, guard: { skip: true } });
    const found = report.findings.filter((finding) => finding.code === 'feed/description-tags');
    expect(found).toHaveLength(1);
    expect(found[0]!.file).toBe('episodes/valid.md');
    expect(found[0]!.message).toMatch(/uses <h3>; Apple shows only <p>, <ol>, <ul>, <li> and <a> \(templates\/feed\/description\.hbs renders it\)$/);
  });
});
