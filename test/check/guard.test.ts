// The publish guard on the sample show against its own earlier build: every change podcast apps
// never forgive stops `build` (exit 1, dist/ untouched) at the line to edit, with the fix; --accept,
// replaces: and removed: let a meant change through; a feed the guard cannot read stops it too.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { afterEach, describe, expect, it } from 'vitest';
import { podcastGuid } from '../../src/model/schema.ts';
import { cleanUp } from '../helpers/content.ts';
import { snapshot } from '../helpers/files.ts';
import { castwright, edit, feedLines, findingsIn, sampleShow } from './helpers.ts';
import { startTestServer } from '../helpers/http.ts';

afterEach(cleanUp);

const SHOW_GUID = podcastGuid('https://equity.example.com/feed.xml');
const guidOf = (slug: string) => uuidv5(slug, SHOW_GUID);
const DISRUPT = '2020-09-14-disrupt-tiktok';
const ORACLE = '2020-09-21-oracle-tiktok';
const LISTINGS = '2020-09-28-direct-listings';
const VENTURE = '2020-10-05-q3-venture-data';

/** Builds again after `change`, expecting the guard to stop it with nothing written. */
async function refused(root: string, args: string[] = []) {
  const before = await snapshot(path.join(root, 'dist'));
  const result = await castwright(['build', ...args], root);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/castwright build: \d+ problems?; nothing was written\.\n$/);
  expect(await snapshot(path.join(root, 'dist'))).toEqual(before);
  return findingsIn(result.stderr);
}

describe('the publish guard, on the sample show against its earlier build', () => {
  it('lets the same sources build again, and has nothing to compare on a first build', async () => {
    const root = await sampleShow();
    expect((await castwright(['build'], root)).code).toBe(0);
    const again = await castwright(['build'], root);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });

  it('stops a renamed episode file, whose guid comes from its name, at the new file', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await rename(path.join(root, 'episodes', `${DISRUPT}.md`), path.join(root, 'episodes', '2020-09-14-disrupt.md'));
    const old = guidOf(DISRUPT);
    expect(await refused(root)).toEqual([
      {
        file: 'episodes/2020-09-14-disrupt.md',
        line: 2,
        severity: 'error',
        code: 'guard/guid-changed',
        message:
          `guid changes from "${old}" (dist/feed.xml:${feed.item(guidOf(DISRUPT))}) to "${guidOf('2020-09-14-disrupt')}" for the episode with the same audio file: ` +
          `apps take it for a new episode, download it again and list it twice; its guid comes from the file name, which was ${DISRUPT}.md: ` +
          `keep the old one with guid: "${old}" in its front matter, or if the new guid is meant, add replaces: "${old}"`,
      },
    ]);
    // The fix it names: pinning the old guid builds, and nothing changes for apps.
    await edit(root, 'episodes/2020-09-14-disrupt.md', (text) => text.replace('episode: 312', `episode: 312\nguid: "${old}"`));
    expect((await castwright(['build'], root)).code).toBe(0);
  });

  it('stops a changed guid at its line', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${ORACLE}.md`, (text) => text.replace('episode: 315', 'episode: 315\nguid: equity-315'));
    const [found] = await refused(root);
    expect(found).toEqual({
      file: `episodes/${ORACLE}.md`,
      line: 5,
      severity: 'error',
      code: 'guard/guid-changed',
      message:
        `guid changes from "${guidOf(ORACLE)}" (dist/feed.xml:${feed.item(guidOf(ORACLE))}) to "equity-315" for the episode with the same audio file: ` +
        `apps take it for a new episode, download it again and list it twice; it came from the file name: remove the guid: line (or write guid: "${guidOf(ORACLE)}"), ` +
        `or if the new guid is meant, add replaces: "${guidOf(ORACLE)}"`,
    });
  });

  it('stops a changed guid on a later page of a feed that feed.limit pages (issue 12), at that page\'s line', async () => {
    const root = await sampleShow();
    await edit(root, 'episodes/show.yml', (text) => `${text}feed: { limit: 2 }\n`);
    expect((await castwright(['build'], root)).code).toBe(0);
    const page = (await readFile(path.join(root, 'dist', 'feed-2.xml'), 'utf8')).split('\n');
    const line = page.findIndex((text) => text.includes(`<guid isPermaLink="false">${guidOf(DISRUPT)}</guid>`));
    expect(line).toBeGreaterThan(0);
    await edit(root, `episodes/${DISRUPT}.md`, (text) => text.replace('episode: 312', 'episode: 312\nguid: equity-312'));
    const [found] = await refused(root);
    expect(found?.code).toBe('guard/guid-changed');
    expect(found?.message).toContain(`guid changes from "${guidOf(DISRUPT)}" (dist/feed-2.xml:`);
  });

  it('follows a relative next link of a paged feed --against a URL, fetching the page from beside the feed (issue 12)', async () => {
    const root = await sampleShow();
    await edit(root, 'episodes/show.yml', (text) => `${text}feed: { limit: 2 }\n`);
    expect((await castwright(['build'], root)).code).toBe(0);
    const server = await startTestServer();
    try {
      const first = (await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8')).replace('href="https://equity.example.com/feed-2.xml" rel="next"', 'href="feed-2.xml" rel="next"');
      expect(first).toContain('href="feed-2.xml" rel="next"');
      const second = await readFile(path.join(root, 'dist', 'feed-2.xml'), 'utf8');
      for (const [route, body] of [['/live/feed.xml', first], ['/live/feed-2.xml', second]] as const) {
        server.routes.set(route, (_, response) => response.writeHead(200, { 'content-type': 'application/xml' }).end(body));
      }
      await edit(root, `episodes/${DISRUPT}.md`, (text) => text.replace('episode: 312', 'episode: 312\nguid: equity-312'));
      const [found] = await refused(root, ['--against', `${server.base}/live/feed.xml`]);
      expect(found?.code).toBe('guard/guid-changed');
      expect(found?.message).toContain(`(${server.base}/live/feed-2.xml:`);
      expect(server.requests).toEqual(['GET /live/feed.xml', 'GET /live/feed-2.xml']);
    } finally {
      await server.close();
    }
  });

  it('stops a changed enclosure: its URL, its length and its type, each at its line', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${ORACLE}.md`, (text) =>
      text.replace('2020-09-21-equity-monday.mp3', '2020-09-21-equity-monday-v2.mp3').replace('length: 8467520', 'length: 8467999\n  type: audio/x-m4a'),
    );
    const enclosureLine = feed.line('2020-09-21-equity-monday.mp3');
    expect(await refused(root)).toEqual([
      {
        file: `episodes/${ORACLE}.md`,
        line: 7,
        severity: 'error',
        code: 'guard/enclosure-url-changed',
        message:
          `audio.url changes from "https://cdn.example.com/equity/2020-09-21-equity-monday.mp3" (dist/feed.xml:${enclosureLine}) to https://cdn.example.com/equity/2020-09-21-equity-monday-v2.mp3: ` +
          `downloads already made and download counts break, and apps may fetch the episode again; put the old URL back, or if the file really moved, --accept episodes/${ORACLE}.md`,
      },
      {
        file: `episodes/${ORACLE}.md`,
        line: 8,
        severity: 'error',
        code: 'guard/enclosure-length-changed',
        message: `audio.length changes from 8467520 (dist/feed.xml:${enclosureLine}) to 8467999 bytes: apps may take the audio for a new file and download it again; put the old length back, or if the audio file was replaced, --accept episodes/${ORACLE}.md`,
      },
      {
        file: `episodes/${ORACLE}.md`,
        line: 9,
        severity: 'error',
        code: 'guard/enclosure-type-changed',
        message: `audio.type changes from "audio/mpeg" (dist/feed.xml:${enclosureLine}) to audio/x-m4a: apps may no longer play the downloads they have; put the old type back, or if the file changed format, --accept episodes/${ORACLE}.md`,
      },
    ]);
  });

  it('matches a guid with odd characters exactly, through the feed\'s escaping, and shows it quoted', async () => {
    const root = await sampleShow();
    const odd = `<b>tag</b> & "quotes" 'single' ]]> ünïcödé ✓ 🎙 \\ end`;
    await edit(root, `episodes/${ORACLE}.md`, (text) => text.replace('episode: 315', `episode: 315\nguid: ${JSON.stringify(odd)}`));
    expect((await castwright(['build'], root)).code).toBe(0);
    expect((await castwright(['build'], root)).code).toBe(0);
    await edit(root, `episodes/${ORACLE}.md`, (text) => text.replace('length: 8467520', 'length: 8467521'));
    const [found] = await refused(root);
    expect(found).toMatchObject({ file: `episodes/${ORACLE}.md`, line: 9, code: 'guard/enclosure-length-changed' });
    const accepted = await castwright(['build', '--accept', odd], root);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toBe(`accepted (--accept ${odd}): episodes/${ORACLE}.md:9 [guard/enclosure-length-changed]\n`);
  });

  it('stops a deleted episode, pointing at show.yml where removed: would record it', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await rm(path.join(root, 'episodes', `${LISTINGS}.md`));
    expect(await refused(root)).toEqual([
      {
        file: 'episodes/show.yml',
        line: 2,
        severity: 'error',
        code: 'guard/episode-removed',
        message:
          `"Palantir and Asana list directly, and a $100M week for fintech", guid "${guidOf(LISTINGS)}" (dist/feed.xml:${feed.item(guidOf(LISTINGS))}), leaves the feed: ` +
          `no episode has its guid any more (its file was episodes/${LISTINGS}.md), so apps drop it from every subscriber's list; restore its file, ` +
          `or if removing it is meant, record it in show.yml: removed: [{ guid: "${guidOf(LISTINGS)}", reason: … }]`,
      },
    ]);
  });

  it('stops an episode turned back into a draft at its draft: line', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${ORACLE}.md`, (text) => text.replace('season: 4', 'season: 4\ndraft: true'));
    expect(await refused(root)).toEqual([
      {
        file: `episodes/${ORACLE}.md`,
        line: 6,
        severity: 'error',
        code: 'guard/episode-removed',
        message:
          `"Oracle and Walmart's TikTok deal, Nikola's founder steps aside" (dist/feed.xml:${feed.item(guidOf(ORACLE))}) leaves the feed: it is a draft now (draft: true), ` +
          `so apps drop it from every subscriber's list; publish it again, or if that is meant, --accept episodes/${ORACLE}.md (after a --drafts preview build that was never published, --accept it too)`,
      },
    ]);
  });

  it('stops a publish date moved by more than a day, and lets a time fixed within the day through', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${VENTURE}.md`, (text) => text.replace('date: 2020-10-05T07:00:00-07:00', 'date: 2020-10-05T09:30:00-07:00'));
    expect((await castwright(['build'], root)).code).toBe(0);
    await edit(root, `episodes/${VENTURE}.md`, (text) => text.replace('date: 2020-10-05T09:30:00-07:00', 'date: 2020-10-08T09:30:00-07:00'));
    expect(await refused(root)).toEqual([
      {
        file: `episodes/${VENTURE}.md`,
        line: 3,
        severity: 'error',
        code: 'guard/date-moved',
        message:
          `the publish date moves by 3 days, from "Mon, 05 Oct 2020 16:30:00 GMT" (dist/feed.xml:${feed.item(guidOf(VENTURE))}) to 2020-10-08T09:30:00-07:00: ` +
          `apps re-sort the episode and may announce it as new again; put the date back, or if that is meant, --accept episodes/${VENTURE}.md`,
      },
    ]);
  });

  it('stops a title rewritten beyond recognition, and lets a fixed typo through', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${VENTURE}.md`, (text) => text.replace("Venture capital's Q3 was better", "Venture capital's third quarter was better"));
    expect((await castwright(['build'], root)).code).toBe(0);
    await edit(root, `episodes/${VENTURE}.md`, (text) => text.replace(/^title: .*$/m, 'title: Zoom earnings, and a new unicorn in Lagos'));
    expect(await refused(root)).toEqual([
      {
        file: `episodes/${VENTURE}.md`,
        line: 2,
        severity: 'error',
        code: 'guard/title-rewritten',
        message:
          `the title is rewritten beyond recognition, from "Venture capital's third quarter was better than anyone expected" (dist/feed.xml:${feed.item(guidOf(VENTURE))}): ` +
          `listeners who have the episode will not recognise it; if this is still the same episode, --accept episodes/${VENTURE}.md, else give the new one a file of its own`,
      },
    ]);
  });

  it('stops an episode file reused for another episode: new audio and title under the old guid', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, `episodes/${VENTURE}.md`, (text) =>
      text.replace(/^title: .*$/m, 'title: The IPO window stays open').replace('2020-10-05-equity-monday.mp3', '2020-10-05-equity-monday-rerun.mp3'),
    );
    expect(await refused(root)).toEqual([
      {
        file: `episodes/${VENTURE}.md`,
        line: 2,
        severity: 'error',
        code: 'guard/guid-reused',
        message:
          `the guid "${guidOf(VENTURE)}" now names another episode: its audio file and its title change (live: "Venture capital's Q3 was better than anyone expected", dist/feed.xml:${feed.item(guidOf(VENTURE))}); ` +
          'apps would replace the episode they have with this one. Give the new episode a file of its own and restore this one',
      },
    ]);
  });

  it("says a changed url once: the show's podcast:guid, every guid derived from it, and the feed's address", async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, 'episodes/show.yml', (text) => text.replace('url: https://equity.example.com/', 'url: https://podcasts.example.org/equity/'));
    const newGuid = podcastGuid('https://podcasts.example.org/equity/feed.xml');
    expect(await refused(root)).toEqual([
      {
        file: 'episodes/show.yml',
        line: 7,
        severity: 'error',
        code: 'guard/podcast-guid-changed',
        message:
          `podcast:guid changes from "${SHOW_GUID}" (dist/feed.xml:${feed.line('<podcast:guid>')}) to "${newGuid}", and with it the guids of 4 episodes derived from it: ` +
          `apps and directories know the show by it and would take this feed for another show; keep it with guid: ${SHOW_GUID} in show.yml`,
      },
      {
        file: 'episodes/show.yml',
        line: 7,
        severity: 'error',
        code: 'guard/feed-url-changed',
        message:
          `the feed's address changes from "https://equity.example.com/feed.xml" (dist/feed.xml:${feed.line('rel="self"')}) to https://podcasts.example.org/equity/feed.xml: apps keep asking the old address, ` +
          'so subscribers stop getting episodes unless it redirects here; if the show is moving, set newFeedUrl: https://podcasts.example.org/equity/feed.xml (see "Moving a show to castwright" in the README), else put url back',
      },
    ]);
    // A move done as the README says: the old podcast:guid pinned, the new address announced.
    await edit(root, 'episodes/show.yml', (text) => `${text}guid: ${SHOW_GUID}\nnewFeedUrl: https://podcasts.example.org/equity/feed.xml\n`);
    const moved = await castwright(['build'], root);
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
  });

  it("stops the show's lock switched off, its explicit flag and its first category changed, at their lines", async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await edit(root, 'episodes/show.yml', (text) =>
      text.replace('explicit: false', 'explicit: true\nlocked: false').replace('categories: [Business > Investing, Technology, News > Tech News]', 'categories: [Technology, Business > Investing]'),
    );
    expect(await refused(root)).toEqual([
      {
        file: 'episodes/show.yml',
        line: 12,
        severity: 'error',
        code: 'guard/category-changed',
        message:
          `the first category, the one Apple lists the show under, changes from "Business > Investing" (dist/feed.xml:${feed.line('<itunes:category')}) to "Technology": Apple reviews the show again; if that is meant, --accept episodes/show.yml`,
      },
      {
        file: 'episodes/show.yml',
        line: 13,
        severity: 'error',
        code: 'guard/explicit-changed',
        message: `explicit changes from false (dist/feed.xml:${feed.line('<itunes:explicit>')}) to true: Apple reviews the show again and may hide it meanwhile; if that is meant, --accept episodes/show.yml`,
      },
      {
        file: 'episodes/show.yml',
        line: 14,
        severity: 'error',
        code: 'guard/unlocked',
        message: `podcast:locked changes from yes (dist/feed.xml:${feed.line('<podcast:locked')}) to no: any platform may then import the feed and take the show over; keep locked: true unless you are moving the show yourself`,
      },
    ]);
  });

  it('stops a draft that left with a --drafts preview build, at its draft: line', async () => {
    const root = await sampleShow();
    expect((await castwright(['build', '--drafts'], root)).code).toBe(0);
    const [found] = await refused(root);
    expect(found).toMatchObject({ file: 'episodes/2020-10-12-draft-ipo-window.md', line: 6, code: 'guard/episode-removed' });
    expect(found!.message).toContain('after a --drafts preview build that was never published, --accept it too');
  });
});

describe('acknowledging a change', () => {
  it('lets one change through with --accept naming the file, the slug or a guid; the next build compares with it', async () => {
    for (const accept of [`episodes/${ORACLE}.md`, ORACLE, guidOf(ORACLE)]) {
      const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
      await edit(root, `episodes/${ORACLE}.md`, (text) => text.replace('length: 8467520', 'length: 8467999'));
      const result = await castwright(['build', '--accept', accept], root);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(`accepted (--accept ${accept}): episodes/${ORACLE}.md:8 [guard/enclosure-length-changed]\n`);
      expect(await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8')).toContain('length="8467999"');
      expect((await castwright(['build'], root)).code).toBe(0);
    }
  });

  it('takes replaces: in the front matter as the permanent record of a changed guid', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await rename(path.join(root, 'episodes', `${DISRUPT}.md`), path.join(root, 'episodes', '2020-09-14-disrupt.md'));
    await edit(root, 'episodes/2020-09-14-disrupt.md', (text) => text.replace('episode: 312', `episode: 312\nreplaces: ${guidOf(DISRUPT)}`));
    const result = await castwright(['build'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('accepted (replaces: in episodes/2020-09-14-disrupt.md): episodes/2020-09-14-disrupt.md:2 [guard/guid-changed]\n');
  });

  it('takes removed: in show.yml as the permanent record of a removed episode', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    await rm(path.join(root, 'episodes', `${LISTINGS}.md`));
    const removedLine = (await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).split('\n').length;
    await edit(root, 'episodes/show.yml', (text) => `${text}removed:\n  - { guid: ${guidOf(LISTINGS)}, reason: published by mistake }\n`);
    const result = await castwright(['build'], root);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`accepted (removed: in episodes/show.yml): episodes/show.yml:${removedLine + 1} [guard/episode-removed]\n`);
  });

  it('warns of a note that contradicts the publication, and of an --accept that matches nothing', async () => {
    const root = await sampleShow({ built: true });
    const noteLine = (await readFile(path.join(root, 'episodes', 'show.yml'), 'utf8')).split('\n').length + 1;
    await edit(root, 'episodes/show.yml', (text) => `${text}removed:\n  - { guid: ${guidOf(ORACLE)}, reason: duplicate }\n`);
    await edit(root, `episodes/${VENTURE}.md`, (text) => text.replace('type: full', `type: full\nreplaces: [${guidOf(LISTINGS)}]`));
    const result = await castwright(['build', '--accept', 'episodes/no-such-episode.md'], root);
    expect(result.code).toBe(0);
    expect(findingsIn(result.stderr)).toEqual([
      {
        file: '--accept',
        severity: 'warning',
        code: 'guard/accept-unused',
        message:
          '"episodes/no-such-episode.md" matches no change to the live feed (dist/feed.xml); expected the guid, the file or slug of an episode the guard named, or episodes/show.yml',
      },
      {
        file: `episodes/${VENTURE}.md`,
        line: 7,
        severity: 'warning',
        code: 'guard/replaced-still-published',
        message: `replaces: "${guidOf(LISTINGS)}", but episodes/${LISTINGS}.md still publishes that guid, so both stay in apps' lists; remove the note or that episode`,
      },
      {
        file: 'episodes/show.yml',
        line: noteLine,
        severity: 'warning',
        code: 'guard/removed-still-published',
        message: `removed: lists guid "${guidOf(ORACLE)}", but episodes/${ORACLE}.md publishes it; take it off the list`,
      },
    ]);
  });
});

describe('failing closed', () => {
  it('stops the build when the earlier feed cannot be read, and builds with --no-guard', async () => {
    const root = await sampleShow({ built: true });
    const feed = path.join(root, 'dist', 'feed.xml');
    await writeFile(feed, (await readFile(feed, 'utf8')).slice(0, 5000));
    const [found, ...rest] = await refused(root);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({ file: 'dist/feed.xml', severity: 'error', code: 'guard/live-unreadable' });
    expect(found!.message).toMatch(
      /^the publish guard cannot read the feed it compares with: not well-formed XML: .* \(a truncated download, or a broken feed\); restore it, compare with the live feed \(--against <its URL>\), or for a first publish with nothing live yet, --no-guard$/,
    );
    const skipped = await castwright(['build', '--no-guard'], root);
    expect(skipped.code).toBe(0);
  });

  it('reads back an earlier feed.xml over 25 MB (10,000 episodes without feed.limit make 57 MB): the build wrote it', async () => {
    const root = await sampleShow({ built: true });
    const feed = path.join(root, 'dist', 'feed.xml');
    const written = await readFile(feed, 'utf8');
    // The same feed, grown past 25 MB by white space between its items.
    await writeFile(feed, written.replace('<item>', `${' '.repeat(26 * 1024 * 1024)}<item>`));
    const result = await castwright(['build'], root);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(feed, 'utf8')).toBe(written);
  });

  it('refuses, without reading it whole, an earlier feed.xml far larger than any the build writes', async () => {
    const root = await sampleShow({ built: true });
    const feed = path.join(root, 'dist', 'feed.xml');
    await truncate(feed, 300 * 1024 * 1024);
    const [found] = await refused(root);
    expect(found).toMatchObject({ file: 'dist/feed.xml', severity: 'error', code: 'guard/live-unreadable' });
    expect(found!.message).toMatch(/^the publish guard cannot read the feed it compares with: dist\/feed\.xml is 300 MB, more than 256 MB; /);
  });

  it('takes an earlier feed.xml that is a folder for a feed it cannot read, not for bad usage', async () => {
    const root = await sampleShow({ built: true });
    await rm(path.join(root, 'dist', 'feed.xml'));
    await mkdir(path.join(root, 'dist', 'feed.xml'));
    const [found] = await refused(root);
    expect(found).toEqual({
      file: 'dist/feed.xml',
      severity: 'error',
      code: 'guard/live-unreadable',
      message:
        'the publish guard cannot read the feed it compares with: dist/feed.xml is a folder; expected a feed file or an http(s) URL; restore it, compare with the live feed (--against <its URL>), or for a first publish with nothing live yet, --no-guard',
    });
  });

  // A named pipe there held the build for ever, waiting for a writer.
  it('takes an earlier feed.xml that is a named pipe for a feed it cannot read, without waiting', async () => {
    const root = await sampleShow({ built: true });
    await rm(path.join(root, 'dist', 'feed.xml'));
    execFileSync('mkfifo', [path.join(root, 'dist', 'feed.xml')]);
    const [found] = await refused(root);
    expect(found).toMatchObject({ file: 'dist/feed.xml', severity: 'error', code: 'guard/live-unreadable' });
    expect(found!.message).toMatch(/^the publish guard cannot read the feed it compares with: dist\/feed\.xml is a named pipe, socket or device, not the file an earlier build wrote; /);
  });

  // Only feed.xml itself was checked: a later page as a named pipe held the build for ever, and
  // one linked to /dev/zero was read to the 256 MB cap.
  it.each([
    ['a named pipe', (page: string) => execFileSync('mkfifo', [page])],
    ['a link to /dev/zero', (page: string) => execFileSync('ln', ['-s', '/dev/zero', page])],
  ])('takes a later page of a paged earlier feed that is %s for a feed it cannot read, without waiting', async (_kind, make) => {
    const root = await sampleShow();
    await edit(root, 'episodes/show.yml', (text) => `${text}feed: { limit: 2 }\n`);
    expect((await castwright(['build'], root)).code).toBe(0);
    await rm(path.join(root, 'dist', 'feed-2.xml'));
    make(path.join(root, 'dist', 'feed-2.xml'));
    const [found] = await refused(root);
    expect(found).toMatchObject({ file: 'dist/feed.xml', severity: 'error', code: 'guard/live-unreadable' });
    expect(found!.message).toMatch(
      /^the publish guard cannot read the feed it compares with: its next page \S*feed-2\.xml cannot be read: dist\/feed-2\.xml is a named pipe, socket or device, not the file an earlier build wrote; restore it, /,
    );
  });

  it('refuses an --against that is not a file or an http(s) URL as bad usage', async () => {
    const root = await sampleShow({ built: true });
    const feed = await feedLines(root);
    expect(await castwright(['build', '--against', 'ftp://example.com/feed.xml'], root)).toMatchObject({ code: 2 });
    const missing = await castwright(['build', '--against', 'old/feed.xml'], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('old/feed.xml: no such file');
  });
});
