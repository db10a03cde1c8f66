// Issue 12's media fields as an attacker would fill them: paths and links that lead out of the
// content folder, script in transcripts and chapter titles, links that are not http(s), garbage
// audio and images, chapters past the end and by the thousand. Each is a problem at its file and
// line, or is escaped where it is shown, and none holds the build: the inputs that held the old
// code for minutes (a cue of "<v"s, a file of 0xFF bytes) end well within the test's time limit.
import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSrt, parseVtt } from '../../src/load/transcript.ts';
import { id3Chapters, mp3File } from '../helpers/audio.ts';
import { cleanUp, fixture, loadProblems, tempDir, workspace } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { rgbPng } from '../helpers/images.ts';
import { jsonChapters, jsonChaptersProblems } from '../helpers/json-chapters.ts';

afterEach(cleanUp);

const SHOW = async () => `${await fixture('show.yml')}audioBaseUrl: https://cdn.fixture.example.com/audio/\n`;
const withAudio = async (audio: string) => (await fixture('episodes/valid.md')).replace(/audio:\n(?: {2}.*\n)+/, `audio:\n${audio}`);
const withField = async (line: string) => (await fixture('episodes/valid.md')).replace('hosts: [Ada Host]\n', `hosts: [Ada Host]\n${line}\n`);

/** A workspace whose episode names `audio/<name>` with audio.file, holding those bytes. */
async function audioShow(name: string, bytes: Buffer): Promise<string> {
  const root = await workspace({ 'ep.md': await withAudio(`  file: audio/${name}\n`) }, { show: await SHOW() });
  await mkdir(path.join(root, 'episodes', 'audio'), { recursive: true });
  await writeFile(path.join(root, 'episodes', 'audio', name), bytes);
  return root;
}

/** A PNG whose header claims `size` px a side, with a few bytes of image data: what a decompression bomb starts as. */
function claimedPng(size: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits a sample
  header[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

describe('paths that lead out of the content folder', () => {
  it('audio.file: a relative path up, an absolute path, a device and a link to a file outside are refused at the line of audio.file, and never read', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'secret.mp3'), mp3File(50));
    for (const named of ['../../secret.mp3', path.join(outside, 'secret.mp3'), '/dev/zero', '/etc/passwd']) {
      const problems = await loadProblems(await workspace({ 'ep.md': await withAudio(`  file: ${named}\n`) }, { show: await SHOW() }));
      expect(problems[0], named).toBe(`episodes/ep.md:6: audio.file "${named}" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3`);
    }
    const linked = await workspace({ 'ep.md': await withAudio('  file: audio/ep.mp3\n') }, { show: await SHOW() });
    await mkdir(path.join(linked, 'episodes', 'audio'));
    await symlink(path.join(outside, 'secret.mp3'), path.join(linked, 'episodes', 'audio', 'ep.mp3'));
    expect((await loadProblems(linked))[0]).toBe('episodes/ep.md:6: audio.file "audio/ep.mp3" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3');
    // A whole folder linked from outside is outside too.
    const folder = await workspace({ 'ep.md': await withAudio('  file: audio/secret.mp3\n') }, { show: await SHOW() });
    await symlink(outside, path.join(folder, 'episodes', 'audio'));
    // (The scan says so of the folder too, as of any link that leads out.)
    expect(await loadProblems(folder)).toContain('episodes/ep.md:6: audio.file "audio/secret.mp3" is outside the content folder; expected an audio file in it, such as audio/2020-09-14.mp3');
  });

  it('a file whose name only starts with ".." is inside the folder, and read', async () => {
    const root = await workspace({ 'ep.md': await withAudio('  file: ..intro.mp3\n') }, { show: await SHOW() });
    await writeFile(path.join(root, 'episodes', '..intro.mp3'), mp3File(100));
    expect(await loadProblems(root)).toEqual([]);
  });

  it('an episode image given as an absolute path, or through a linked folder, is refused at its line', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'cover.png'), claimedPng(1400));
    expect(await loadProblems(await workspace({ 'ep.md': await withField(`image: ${path.join(outside, 'cover.png')}`) }))).toEqual([
      `episodes/ep.md:10: image "${path.join(outside, 'cover.png')}" is outside the content folder; expected an image file in it, such as art/cover.jpg, or the URL of one`,
    ]);
    const linked = await workspace({ 'ep.md': await withField('image: art/cover.png') });
    await symlink(outside, path.join(linked, 'episodes', 'art'));
    expect(await loadProblems(linked)).toEqual([
      `episodes/art: warning: is a link to ${outside}, outside the content folder episodes/; it is not followed: move what it holds into the folder, or start its name with _ to silence this`,
      'episodes/ep.md:10: image "art/cover.png" is outside the content folder; expected an image file in it, such as art/cover.jpg, or the URL of one',
    ]);
  });
});

describe('links that are not http(s)', () => {
  it('transcript: and chapters: take only http(s) URLs or files of the content folder; a story with a timestamp, only web links', async () => {
    const refused = 'expected a transcript URL, a .vtt or .srt file beside the episode, or a list of { url, type, language, rel }';
    for (const value of ['javascript:alert(1)', '"JavaScript:alert(1)//x.vtt"', 'data:text/vtt,WEBVTT', '"file:///etc/hosts"', '/etc/passwd']) {
      expect(await loadProblems(await workspace({ 'ep.md': await withField(`transcript: ${value}`) })), value).toEqual([
        `episodes/ep.md:10: transcript: ${refused}, got ${JSON.stringify(value.replace(/^"|"$/g, ''))}`,
      ]);
    }
    expect(await loadProblems(await workspace({ 'ep.md': await withField('transcript: [{ url: "javascript:alert(1)", type: text/vtt }]') }))).toEqual([
      `episodes/ep.md:10: transcript: ${refused}, got a list`,
    ]);
    expect(await loadProblems(await workspace({ 'ep.md': await withField('chapters: javascript:alert(1)') }))).toEqual([
      'episodes/ep.md:10: chapters: expected the absolute http(s) URL of a Podcasting 2.0 chapters file (JSON), got "javascript:alert(1)"',
    ]);
    const story = (await fixture('episodes/valid.md')).replace('- [First story](https://news.example.com/first)', '- 1:00 [First story](javascript:alert(1))');
    expect(await loadProblems(await workspace({ 'ep.md': story }))).toEqual(['episodes/ep.md:15: link "javascript:alert(1)" is not allowed; expected an absolute http(s) or mailto: URL']);
  });

  it('a chapter link embedded in the audio file that is not http(s) is left out of chapters.json; an https one is kept', async () => {
    /** ID3 chapters whose CHAP frames each carry a WXXX link (the audio helper writes titles only). */
    const linked = (links: string[]) => {
      let tag = id3Chapters(links.map((_, index) => ({ startMs: index * 1000, endMs: (index + 1) * 1000, title: `Chapter ${index}` })));
      let from = 0;
      for (const link of links) {
        const at = tag.indexOf('CHAP', from);
        const size = tag.readUInt32BE(at + 4);
        const body = Buffer.concat([Buffer.from([0x00, 0x00]), Buffer.from(link, 'latin1')]);
        const wxxx = Buffer.concat([Buffer.from('WXXX', 'latin1'), Buffer.alloc(4), Buffer.alloc(2), body]);
        wxxx.writeUInt32BE(body.length, 4);
        tag = Buffer.concat([tag.subarray(0, at + 10 + size), wxxx, tag.subarray(at + 10 + size)]);
        tag.writeUInt32BE(size + wxxx.length, at + 4);
        from = at + 10 + size + wxxx.length;
      }
      const length = tag.length - 10;
      Buffer.from([(length >> 21) & 0x7f, (length >> 14) & 0x7f, (length >> 7) & 0x7f, length & 0x7f]).copy(tag, 6);
      return tag;
    };
    const generated = await generateWorkspace(await audioShow('ep.mp3', mp3File(200, linked(['javascript:alert(1)', 'https://news.example.com/two', 'data:text/html,<script>alert(1)</script>']))));
    expect(jsonChapters.parse(JSON.parse(file(generated, 'episodes/ep/chapters.json'))).chapters).toEqual([
      { startTime: 0, title: 'Chapter 0' },
      { startTime: 1, title: 'Chapter 1', url: 'https://news.example.com/two' },
      { startTime: 2, title: 'Chapter 2' },
    ]);
  });
});

describe('script where text is shown', () => {
  it('a VTT with script in its cue text and voice names is shown as text on the page, never as markup', async () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:01.000\n<v Evil &lt;script&gt;alert(1)&lt;/script&gt;>&lt;img src=x onerror=alert(2)&gt; <script>alert(3)</script>\n';
    const generated = await generateWorkspace(await workspace({ 'ep.md': await fixture('episodes/valid.md'), 'ep.vtt': vtt }));
    const page = dom(file(generated, 'episodes/ep/index.html'));
    const paragraph = page.querySelector('.transcript p')!;
    expect(paragraph.querySelector('.speaker')!.textContent).toBe('Evil <script>alert(1)</script>:');
    // The entity-escaped tags are text; the raw <script> tag is markup of the cue and dropped, its words kept.
    expect(paragraph.textContent!.replace(/\s+/g, ' ').trim()).toBe('00:00 Evil <script>alert(1)</script>: <img src=x onerror=alert(2)> alert(3)');
    expect(page.querySelectorAll('.transcript script, .transcript img')).toHaveLength(0);
    // The file itself is published as written, as a text/vtt file beside the page.
    expect(file(generated, 'episodes/ep/transcript.vtt')).toBe(vtt);
  });

  it('a chapter title with script, embedded in the audio file, is escaped in the feed and kept as text in chapters.json', async () => {
    const tag = id3Chapters([
      { startMs: 0, endMs: 1000, title: '<script>alert(1)</script>' },
      { startMs: 1000, endMs: 2000, title: 'A & B' },
    ]);
    const generated = await generateWorkspace(await audioShow('ep.mp3', mp3File(200, tag)));
    const xml = file(generated, 'feed.xml');
    expect(xml).toContain('<psc:chapter start="00:00:00.000" title="&lt;script&gt;alert(1)&lt;/script&gt;"/>');
    expect(xml).not.toContain('<script>');
    const text = file(generated, 'episodes/ep/chapters.json');
    expect(jsonChaptersProblems(text)).toEqual([]);
    expect(JSON.parse(text).chapters[0].title).toBe('<script>alert(1)</script>');
  });

  it('a cue of a hundred thousand unclosed tags is read at once (a regular expression took minutes)', () => {
    const vtt = parseVtt(`WEBVTT\n\n00:00.000 --> 00:01.000\n${'<v x'.repeat(100_000)}\n`, 'ep.vtt');
    expect(vtt.problems).toEqual([]);
    expect(vtt.cues[0]!.speaker).toBeUndefined();
    expect(vtt.cues[0]!.text.length).toBe(400_000);
    const srt = parseSrt(`1\n00:00:00,000 --> 00:00:01,000\n${'<'.repeat(400_000)}x\n`, 'ep.srt');
    expect(srt.cues[0]!.text).toBe(`${'<'.repeat(400_000)}x`);
  });
});

describe('garbage where media should be', () => {
  it('audio of random bytes, of 0xFF bytes, of zeros, or of a header and nothing is a problem at audio.file, read at once', async () => {
    const cases: Array<[string, Buffer, string]> = [
      ['random.mp3', randomBytes(1024 * 1024), 'is not audio castwright can read (it starts with no MPEG audio frames, nor a WAV, FLAC, Ogg or MP4 header)'],
      // music-metadata hunted for an MPEG frame at every byte of this for eight minutes.
      ['ff.mp3', Buffer.alloc(4 * 1024 * 1024, 0xff), 'is not audio castwright can read (it starts with no MPEG audio frames, nor a WAV, FLAC, Ogg or MP4 header)'],
      ['zeros.mp3', Buffer.alloc(1024 * 1024), 'is not audio castwright can read (it starts with no MPEG audio frames, nor a WAV, FLAC, Ogg or MP4 header)'],
      ['empty.mp3', Buffer.alloc(0), 'is empty (or only tags)'],
      ['tag-only.mp3', id3Chapters([{ startMs: 0, endMs: 1000, title: 'Nothing after me' }]), 'is empty (or only tags)'],
      ['header.wav', Buffer.concat([Buffer.from('RIFF\xff\xff\xff\x7fWAVE', 'latin1'), Buffer.alloc(4096, 0xff)]), 'has a WAVE header but no audio stream castwright can read'],
    ];
    for (const [name, bytes, said] of cases) {
      expect((await loadProblems(await audioShow(name, bytes)))[0], name).toBe(`episodes/ep.md:6: audio.file "audio/${name}" ${said}; expected MP3, M4A/AAC, Opus, FLAC or WAV`);
    }
  });

  it('an image whose header claims 60,000 px a side is refused for its size, never decoded', async () => {
    const root = await workspace({ 'ep.md': await fixture('episodes/valid.md') }, { show: (await fixture('show.yml')).replace('image: https://fixture.example.com/art.png', 'image: art/bomb.png') });
    await mkdir(path.join(root, 'episodes', 'art'));
    await writeFile(path.join(root, 'episodes', 'art', 'bomb.png'), claimedPng(60_000));
    expect(await loadProblems(root)).toEqual(['episodes/show.yml:7: image "art/bomb.png": it is 60000 × 60000 px; Apple requires a square of 1400 to 3000 px']);
  });
});

describe('files published beside the page', () => {
  it('a copied audio file or an episode image named as an output of the episode (its page, chapters, transcript) or as each other is a problem at its line', async () => {
    const cases: Array<[string | undefined, string | undefined, string[]]> = [
      ['index.html', undefined, ['episodes/ep.md:6: audio.file is published beside the page as "index.html", the name of castwright\'s own index.html, which it would replace; expected a file of another name']],
      ['Chapters.JSON', undefined, ['episodes/ep.md:6: audio.file is published beside the page as "Chapters.JSON", the name of castwright\'s own chapters.json, which it would replace; expected a file of another name']],
      [undefined, 'transcript.vtt', ['episodes/ep.md:10: image is published beside the page as "transcript.vtt", the name of castwright\'s own transcript.vtt, which it would replace; expected a file of another name']],
      ['same.mp3', 'same.mp3', ['episodes/ep.md:9: image is published beside the page as "same.mp3", the name of the file audio.file names, which it would replace; expected a file of another name']],
    ];
    for (const [audio, image, expected] of cases) {
      let episode = await fixture('episodes/valid.md');
      if (image) episode = episode.replace('hosts: [Ada Host]\n', `hosts: [Ada Host]\nimage: art/${image}\n`);
      if (audio) episode = episode.replace(/audio:\n(?: {2}.*\n)+/, `audio:\n  file: media/${audio}\n  copy: true\n`);
      const root = await workspace({ 'ep.md': episode });
      await mkdir(path.join(root, 'episodes', 'media'));
      await mkdir(path.join(root, 'episodes', 'art'));
      if (audio) await writeFile(path.join(root, 'episodes', 'media', audio), mp3File(100));
      if (image) await writeFile(path.join(root, 'episodes', 'art', image), await rgbPng(1400));
      expect(await loadProblems(root), `${audio} ${image}`).toEqual(expected);
    }
  });
});

describe('chapters past the end, and by the thousand', () => {
  it('a chapter embedded in the audio file that starts after the audio ends is a problem at audio.file', async () => {
    const tag = id3Chapters([
      { startMs: 0, endMs: 1000, title: 'Start' },
      { startMs: 4_000_000, endMs: 4_100_000, title: 'Far away' },
    ]);
    expect(await loadProblems(await audioShow('ep.mp3', mp3File(200, tag)))).toEqual([
      'episodes/ep.md:6: the chapter "Far away" embedded in audio.file starts at 1:06:40, not within the episode (0:05 long); expected the file\'s chapters within its audio (or timestamps in the stories)',
    ]);
  });

  it('a transcript cue that starts after the audio ends is a problem at its line (the fixture episode lasts 12:34)', async () => {
    const vtt = 'WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n\n12:34.900 --> 12:35.000\nThe last word.\n\n01:00:00.000 --> 01:00:01.000\nFrom another episode.\n';
    expect(await loadProblems(await workspace({ 'ep.md': await fixture('episodes/valid.md'), 'ep.vtt': vtt }))).toEqual([
      "episodes/ep.vtt:9: cue starts at 3600s, after the end of the audio (754s); expected cues within the episode (is this another episode's transcript?)",
    ]);
    const srt = '1\n00:00:00,000 --> 00:00:01,000\nHello.\n\n2\n00:20:00,000 --> 00:20:01,000\nLater.\n';
    expect(await loadProblems(await workspace({ 'ep.md': await fixture('episodes/valid.md'), 'ep.srt': srt }))).toEqual([
      "episodes/ep.srt:6: cue starts at 1200s, after the end of the audio (754s); expected cues within the episode (is this another episode's transcript?)",
    ]);
  });

  it('ten thousand timestamped stories make ten thousand and one chapters, in every output', async () => {
    const stories = Array.from({ length: 10_000 }, (_, index) => `- ${Math.floor((index + 1) / 60)}:${String((index + 1) % 60).padStart(2, '0')} [Story ${index}](https://news.example.com/${index})`).join('\n');
    const episode = (await fixture('episodes/valid.md')).replace('duration: "12:34"', 'duration: "3:00:00"').replace(/- \[First story\][^\n]*\n- \[Second story\][^\n]*\n/, `${stories}\n`);
    const generated = await generateWorkspace(await workspace({ 'ep.md': episode }));
    const text = file(generated, 'episodes/ep/chapters.json');
    expect(jsonChaptersProblems(text)).toEqual([]);
    expect(JSON.parse(text).chapters).toHaveLength(10_001);
    expect(file(generated, 'feed.xml').match(/<psc:chapter /g)).toHaveLength(10_001);
    expect(dom(file(generated, 'episodes/ep/index.html')).querySelectorAll('.stories a.seek')).toHaveLength(10_000);
  });
});
