// Local artwork: `image` naming a file of the content folder, checked as Apple checks cover art
// (read with sharp, fixtures made at test time), published with the site, named in the feed and
// the pages at the site's address; the facts cached by the file's hash.
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/load/content.ts';
import { cleanUp, fixture, loadProblems, tempDir, workspace } from '../helpers/content.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';
import { cmykJpeg, grayPng, palettePng, rgbJpeg, rgbPng, webp } from '../helpers/images.ts';
import { snapshot } from '../helpers/files.ts';
import { castwright } from '../import/helpers.ts';

afterEach(cleanUp);

/** A workspace whose show.yml has `image: <showImage>` and whose episode may have `image: <episodeImage>`, with `files` in the content folder. */
async function showWith(showImage: string, files: Record<string, Buffer | Promise<Buffer>>, episodeImage?: string): Promise<string> {
  const show = (await fixture('show.yml')).replace('image: https://fixture.example.com/art.png', `image: ${showImage}`);
  let episode = await fixture('episodes/valid.md');
  if (episodeImage) episode = episode.replace('hosts: [Ada Host]\n', `hosts: [Ada Host]\nimage: ${episodeImage}\n`);
  const root = await workspace({ 'ep.md': episode }, { show });
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, 'episodes', name)), { recursive: true });
    await writeFile(path.join(root, 'episodes', name), await bytes);
  }
  return root;
}

describe('local artwork', () => {
  it('publishes the show’s art at images/<name> and an episode’s beside its page, named at the site’s address', async () => {
    const cover = await rgbJpeg(1400);
    const art = await rgbPng(3000);
    const root = await showWith('art/cover.jpg', { 'art/cover.jpg': cover, 'art/ep 7.png': art }, 'art/ep 7.png');
    const generated = await generateWorkspace(root);
    const feed = file(generated, 'feed.xml');
    expect(feed).toContain('<itunes:image href="https://fixture.example.com/images/cover.jpg"/>');
    expect(feed).toContain('<itunes:image href="https://fixture.example.com/episodes/ep/ep%207.png"/>');
    expect(file(generated, 'episodes/ep/index.html')).toContain('https://fixture.example.com/episodes/ep/ep%207.png');
    const built = await castwright(['build', '--no-guard'], root);
    expect(built.code, built.stderr).toBe(0);
    expect((await readFile(path.join(root, 'dist/images/cover.jpg'))).equals(cover)).toBe(true);
    expect((await readFile(path.join(root, 'dist/episodes/ep/ep 7.png'))).equals(art)).toBe(true);
    // A build from the caches writes what a cold one writes.
    expect((await castwright(['build', '--no-guard'], root)).code).toBe(0);
    expect((await castwright(['build', '--no-guard', '--no-cache', '--out', 'cold'], root)).code).toBe(0);
    expect(await snapshot(path.join(root, 'dist'))).toEqual(await snapshot(path.join(root, 'cold')));
    // What was read is kept by the file's hash.
    const cache = JSON.parse(await readFile(path.join(root, '.castwright/images.json'), 'utf8')) as { facts: Record<string, unknown> };
    expect(Object.values(cache.facts)).toEqual(expect.arrayContaining([{ format: 'jpeg', width: 1400, height: 1400, color: 'rgb' }, { format: 'png', width: 3000, height: 3000, color: 'rgb' }]));
  });

  it('reports each way the art is not what Apple takes, at the line of image, with what was expected', async () => {
    const cases: Array<[string, Promise<Buffer> | Buffer, string]> = [
      ['small.png', rgbPng(1000), 'image "art/small.png": it is 1000 × 1000 px; Apple requires a square of 1400 to 3000 px'],
      ['huge.jpg', rgbJpeg(3200), 'image "art/huge.jpg": it is 3200 × 3200 px; Apple requires a square of 1400 to 3000 px'],
      ['wide.jpg', rgbJpeg(2000, 1500), 'image "art/wide.jpg": it is 2000 × 1500 px; Apple requires a square of 1400 to 3000 px'],
      ['cmyk.jpg', cmykJpeg(), 'image "art/cmyk.jpg": it is in CMYK; Apple asks for RGB'],
      ['gray.png', grayPng(), 'image "art/gray.png": it is in grayscale; Apple asks for RGB'],
      ['palette.png', palettePng(), 'image "art/palette.png": it is in a palette of colours; Apple asks for RGB'],
      ['png.jpg', rgbPng(), 'image "art/png.jpg": it is a PNG, but its name ends in .jpg; Apple asks that the name match the real type'],
      ['art.webp', webp(), 'image "art/art.webp": it is WEBP; Apple takes JPEG or PNG only'],
      ['garbage.png', Buffer.from('not an image at all\n'.repeat(20)), 'image "art/garbage.png" is not an image castwright can read (Input file contains unsupported image format); expected a JPEG or PNG'],
    ];
    for (const [name, bytes, message] of cases) {
      expect(await loadProblems(await showWith(`art/${name}`, { [`art/${name}`]: bytes })), name).toEqual([`episodes/show.yml:7: ${message}`]);
    }
    // A file cut short keeps its header (the size reads), but not its image.
    const whole = await rgbJpeg();
    const cut = await loadProblems(await showWith('art/cut.jpg', { 'art/cut.jpg': whole.subarray(0, Math.floor(whole.length / 2)) }));
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatch(/^episodes\/show\.yml:7: image "art\/cut\.jpg" is a damaged or truncated JPEG \(.+\); expected a whole JPEG or PNG$/);
    // An episode's art, at the episode's line.
    expect(await loadProblems(await showWith('https://fixture.example.com/art.png', { 'small.png': rgbPng(1000) }, 'small.png'))).toEqual([
      'episodes/ep.md:10: image "small.png": it is 1000 × 1000 px; Apple requires a square of 1400 to 3000 px',
    ]);
  });

  it('refuses art that is missing, a folder, outside the content folder or reached through a link that leads out', async () => {
    expect(await loadProblems(await showWith('art/none.jpg', {}))).toEqual(['episodes/show.yml:7: image "art/none.jpg" not found']);
    const folder = await showWith('art/cover.jpg', {});
    await mkdir(path.join(folder, 'episodes/art/cover.jpg'), { recursive: true });
    expect(await loadProblems(folder)).toEqual(['episodes/show.yml:7: image "art/cover.jpg" is not a file']);
    const outside = await tempDir();
    await writeFile(path.join(outside, 'cover.jpg'), await rgbJpeg());
    expect(await loadProblems(await showWith('../../cover.jpg', {}))).toEqual([
      'episodes/show.yml:7: image "../../cover.jpg" is outside the content folder; expected an image file in it, such as art/cover.jpg, or the URL of one',
    ]);
    const linked = await showWith('art/cover.jpg', {});
    await mkdir(path.join(linked, 'episodes/art'));
    await symlink(path.join(outside, 'cover.jpg'), path.join(linked, 'episodes/art/cover.jpg'));
    expect(await loadProblems(linked)).toEqual([
      'episodes/show.yml:7: image "art/cover.jpg" is outside the content folder; expected an image file in it, such as art/cover.jpg, or the URL of one',
    ]);
    expect((await stat(path.join(outside, 'cover.jpg'))).isFile()).toBe(true);
  });

  it('leaves art given as a URL to the URL (and loads no image library for it)', async () => {
    const root = await showWith('https://fixture.example.com/art.png', {});
    const { show } = await loadContent(path.join(root, 'episodes'), { cwd: root });
    expect(show.image).toBe('https://fixture.example.com/art.png');
    expect(show.copiedFiles).toBeUndefined();
  });
});
