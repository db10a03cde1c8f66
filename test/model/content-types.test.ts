// One table of media types for every file of the site: what dev and serve send is what publish
// uploads with, and for audio published with the site (audio.copy) what the feed's enclosure names.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer, type PreviewServer } from '../../src/dev/server.ts';
import { contentTypeOf } from '../../src/model/content-types.ts';
import { generate } from '../../src/pipeline.ts';
import { planPublish, uploadsOf } from '../../src/publish/plan.ts';
import { EMPTY_RECORD } from '../../src/publish/record.ts';
import { m4aFile, mp3File, opusFile, flacFile, wavFile } from '../helpers/audio.ts';
import { cleanUp, workspace } from '../helpers/content.ts';
import { episodeWithAudio } from '../helpers/copied-audio.ts';
import { castwright } from '../import/helpers.ts';
import { closeServers, serveInProcess } from '../serve/site.ts';

afterAll(async () => {
  await closeServers();
  await cleanUp();
});

const previews: PreviewServer[] = [];
afterEach(async () => Promise.all(previews.splice(0).map((server) => server.close())));

const AUDIO: Array<[string, Buffer]> = [
  ['m4a', m4aFile(3)],
  ['mp3', mp3File(100)],
  ['opus', opusFile(3)],
  ['flac', flacFile(1)],
  ['wav', wavFile(1)],
];

describe('the media type of copied audio', () => {
  it.each(AUDIO)('is the same for a .%s from dev, from serve, in the publish upload and in the feed', async (extension, bytes) => {
    const name = `ep.${extension}`;
    const root = await workspace({ 'ep.md': await episodeWithAudio(`  file: audio/${name}\n  copy: true\n`) });
    await mkdir(path.join(root, 'episodes', 'audio'), { recursive: true });
    await writeFile(path.join(root, 'episodes', 'audio', name), bytes);
    const built = await castwright(['build', '--no-guard'], root);
    expect(built.code, built.stderr).toBe(0);
    const file = `episodes/ep/${name}`;

    const enclosure = /<enclosure [^>]*type="([^"]+)"/.exec(await readFile(path.join(root, 'dist', 'feed.xml'), 'utf8'))?.[1];
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const upload = uploadsOf(planPublish(generated.files, EMPTY_RECORD)).find((item) => item.path === file);
    const served = await serveInProcess(root);
    const fromServe = (await fetch(new URL(file, served.url))).headers.get('content-type');
    const preview = await startServer({ host: '127.0.0.1', port: 0, waitingPage: 'waiting', client: '' });
    previews.push(preview);
    preview.publish(generated.files);
    const fromDev = (await fetch(new URL(file, preview.url))).headers.get('content-type');

    expect({ serve: fromServe, dev: fromDev, publish: upload?.contentType }).toEqual({ serve: enclosure, dev: enclosure, publish: enclosure });
  });
});

describe('the table', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['feed.xml', 'application/xml; charset=utf-8'],
    ['feed.xsl', 'application/xslt+xml; charset=utf-8'],
    ['feed.json', 'application/feed+json; charset=utf-8'],
    ['episodes/x/chapters.json', 'application/json+chapters'],
    ['email/a.txt', 'text/plain; charset=utf-8'],
    ['__castwright/client.js', 'text/javascript; charset=utf-8'],
    ['episodes/x/Ep 7.M4A', 'audio/x-m4a'],
    ['episodes/x/cover.webp', 'image/webp'],
    ['blob.bin', 'application/octet-stream'],
  ])('names %s %s', (file, type) => {
    expect(contentTypeOf(file)).toBe(type);
  });
});
