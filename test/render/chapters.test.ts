// Chapters from the stories' timestamps reach every place apps and readers look for them: the JSON
// chapters file (podcast:chapters), Podlove Simple Chapters, the description's timestamps, the
// page (links that seek the player) and the email. The sample show's first episode has them.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFeed } from 'podcast-partytime';
import { afterEach, describe, expect, it } from 'vitest';
import { contentTypeOf } from '../../src/model/content-types.ts';
import { inCI } from '../helpers/browser.ts';
import { cleanUp, fixture, PROJECT, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { descriptionChapters, jsonChapters, jsonChaptersProblems } from '../helpers/json-chapters.ts';
import { feedparserObjection, podcastparserFacts, podcastparserPython } from '../helpers/parsers.ts';
import { python } from '../import/helpers.ts';

afterEach(cleanUp);

const SAMPLE = '2020-09-14-disrupt-tiktok';
const SAMPLE_STARTS = [0, 38, 80, 122, 160, 198, 235, 271, 308, 350, 384, 422];

const SAMPLE_TIMES = ['0:38', '1:20', '2:02', '2:40', '3:18', '3:55', '4:31', '5:08', '5:50', '6:24', '7:02'];

/** The sample show with a timestamp added before each of the seed episode's eleven stories. */
async function generateSample() {
  const folder = path.join(PROJECT, 'episodes');
  const files: Record<string, string> = {};
  for (const name of await readdir(folder)) if (name.endsWith('.md')) files[name] = await readFile(path.join(folder, name), 'utf8');
  let story = 0;
  files[`${SAMPLE}.md`] = files[`${SAMPLE}.md`]!.replace(/^- \[/gm, () => `- ${SAMPLE_TIMES[story++]} [`);
  expect(story).toBe(11);
  return generateWorkspace(await workspace(files, { show: await readFile(path.join(folder, 'show.yml'), 'utf8') }));
}

/** The file of the generated site that an absolute URL of the show names. */
function outputOf(url: string): string {
  return new URL(url).pathname.replace(/^\//, '');
}

describe('chapters from story timestamps', () => {
  it('writes chapters.json by the JSON chapters 1.2.0 spec, named in the feed and read back through partytime with the same list', async () => {
    const generated = await generateSample();
    const feed = parseFeed(file(generated, 'feed.xml'))!;
    const item = feed.items.find((entry) => entry.link?.includes(SAMPLE))!;
    expect(item.podcastChapters).toEqual({ url: `https://equity.example.com/episodes/${SAMPLE}/chapters.json`, type: 'application/json+chapters' });
    const text = file(generated, outputOf(item.podcastChapters!.url));
    expect(jsonChaptersProblems(text)).toEqual([]);
    const chapters = jsonChapters.parse(JSON.parse(text));
    expect(chapters.version).toBe('1.2.0');
    expect(chapters.chapters.map((chapter) => chapter.startTime)).toEqual(SAMPLE_STARTS);
    expect(chapters.chapters[0]).toEqual({ startTime: 0, title: 'Intro' });
    expect(chapters.chapters[1]).toEqual({
      startTime: 38,
      title: "Musk wants Tesla's Bioweapon Defense Mode in home HVAC",
      url: 'https://techcrunch.com/2020/09/13/musk-says-tesla-may-bring-its-bioweapon-defense-mode-air-filtration-to-home-hvac/',
    });
    // Episodes without timestamps have neither a file nor a tag (the sample's Q3 episode has three).
    expect([...generated.files.keys()].filter((name) => name.endsWith('chapters.json')).sort()).toEqual([
      `episodes/${SAMPLE}/chapters.json`,
      'episodes/2020-10-05-q3-venture-data/chapters.json',
    ]);
    expect(feed.items.filter((entry) => entry.podcastChapters)).toHaveLength(2);
  });

  it('serves chapters.json as application/json+chapters, from dev and serve and as publish uploads it', async () => {
    const generated = await generateSample();
    const chapters = [...generated.files.keys()].filter((name) => name.endsWith('/chapters.json'));
    expect(chapters).toHaveLength(2);
    for (const name of chapters) {
      expect(contentTypeOf(name)).toBe('application/json+chapters');
    }
  });

  it('the spec helper refuses what the spec does not allow', () => {
    expect(jsonChaptersProblems('{"chapters": []}')).toEqual(['version: Invalid input: expected string, received undefined']);
    expect(jsonChaptersProblems('{"version": "1.2.0", "chapters": [{"start": 1}]}').join()).toMatch(/startTime|start/);
    expect(jsonChaptersProblems('{"version": "1.2.0", "chapters": [{"startTime": 9}, {"startTime": 3}]}')).toEqual(['chapters.1.startTime: chapters out of order']);
  });

  it.skipIf((!python || !podcastparserPython) && !inCI)('writes psc:chapters that podcastparser (Podlove Simple Chapters) reads back, in a feed feedparser takes without an objection', async () => {
    const generated = await generateSample();
    const feedFile = path.join(await tempDir(), 'feed.xml');
    await writeFile(feedFile, file(generated, 'feed.xml'));
    expect(feedparserObjection(feedFile)).toBeUndefined();
    const episode = podcastparserFacts(feedFile).episodes.find((entry) => entry.title.startsWith('Disrupt kicks off'))!;
    const json = jsonChapters.parse(JSON.parse(file(generated, `episodes/${SAMPLE}/chapters.json`)));
    expect(episode.chapters.map(({ start, title, href }) => ({ startTime: start, title, ...(href ? { url: href } : {}) }))).toEqual(json.chapters);
  });

  it('lists the timestamps in the description and content as Apple reads them: the first at 00:00, at least three', async () => {
    const generated = await generateSample();
    const item = parseFeed(file(generated, 'feed.xml'))!.items.find((entry) => entry.link?.includes(SAMPLE))!;
    const json = jsonChapters.parse(JSON.parse(file(generated, `episodes/${SAMPLE}/chapters.json`)));
    for (const html of [item.description!, item.content!]) {
      const read = descriptionChapters(html);
      expect(read.map((chapter) => chapter.start)).toEqual(json.chapters.map((chapter) => chapter.startTime));
      expect(read[0]!.title).toBe('Intro');
      expect(read[1]!.title).toMatch(/^Musk wants Tesla's Bioweapon Defense Mode in home HVAC/);
    }
  });

  it("shows each story's timestamp on the page as a link that seeks the player, with or without script", async () => {
    const generated = await generateSample();
    const page = dom(file(generated, `episodes/${SAMPLE}/index.html`));
    const links = [...page.querySelectorAll('.stories a.seek')];
    expect(links).toHaveLength(11);
    expect(links[0]!.textContent).toBe('00:38');
    // Without script the link opens the audio at that time (a media fragment); with it, it seeks the player.
    expect(links[0]!.getAttribute('href')).toBe('https://cdn.example.com/equity/2020-09-14-equity-monday.mp3#t=38');
    expect(links[0]!.getAttribute('data-seek')).toBe('38');
    const script = page.querySelector('script[src*="seek.js"]')!.getAttribute('src')!;
    expect(script).toMatch(/^\.\.\/\.\.\/seek\.js\?v=/);
    expect(file(generated, 'seek.js')).toContain('currentTime');
    // A page without timestamps does not load the seeking script.
    expect(page.querySelector('audio')).not.toBeNull();
    expect(file(generated, 'episodes/2020-09-21-oracle-tiktok/index.html')).not.toContain('seek.js');
  });

  it('puts the timestamp before each story title in the email and its text part', async () => {
    const generated = await generateSample();
    const text = file(generated, `email/${SAMPLE}.txt`);
    // After the story's number, as the digest numbers its stories.
    expect(text).toMatch(/^1\. 00:38 Musk wants Tesla's Bioweapon Defense Mode in home HVAC \(techcrunch\.com\)$/m);
    expect(text).toMatch(/^\d+\. 07:02 HMD Global raises \$230M from Google, Nokia and Qualcomm \(techcrunch\.com\)$/m);
    const html = dom(file(generated, `email/${SAMPLE}.html`));
    const first = [...html.querySelectorAll('.story-title')][0]!;
    expect(first.previousElementSibling?.textContent).toBe('00:38');
  });

  it('takes the intro title from chaptersIntro, and adds no intro chapter when the first story starts at 0:00', async () => {
    const valid = await fixture('episodes/valid.md');
    const show = `${await fixture('show.yml')}chaptersIntro: Cold open\n`;
    const later = valid.replace('- [First story]', '- 1:05 [First story]').replace('- [Second story]', '- [3:10] [Second story]');
    const atZero = valid.replace('- [First story]', '- 0:00 [First story]').replace('- [Second story]', '- 3:10 [Second story]');
    const generated = await generateWorkspace(await workspace({ 'later.md': later, 'zero.md': atZero.replace('episode: 7', 'episode: 8').replace('7.mp3', '8.mp3') }, { show }));
    const starts = (name: string) => jsonChapters.parse(JSON.parse(file(generated, `episodes/${name}/chapters.json`))).chapters.map((c) => [c.startTime, c.title]);
    expect(starts('later')).toEqual([[0, 'Cold open'], [65, 'First story'], [190, 'Second story']]);
    expect(starts('zero')).toEqual([[0, 'First story'], [190, 'Second story']]);
  });

  it('writes hours into every timestamp of an episode of an hour or more, and fractions of a second into psc:chapters', async () => {
    const valid = (await fixture('episodes/valid.md')).replace('duration: "12:34"', 'duration: "1:30:00"');
    const episode = valid.replace('- [First story]', '- 12:34.5 [First story]').replace('- [Second story]', '- 1:02:03 [Second story]');
    const generated = await generateWorkspace(await workspace({ 'long.md': episode }));
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<psc:chapter start="00:12:34.500" title="First story"');
    expect(xml).toContain('<psc:chapter start="01:02:03.000" title="Second story"');
    expect(descriptionChapters(parseFeed(xml)!.items[0]!.description!).map((c) => c.start)).toEqual([0, 754, 3723]);
    expect(dom(file(generated, 'episodes/long/index.html')).querySelector('a.seek')?.getAttribute('href')).toBe('https://cdn.fixture.example.com/7.mp3#t=754.5');
  });
});
