// Byte ranges for audio, as podcast apps and <audio> seek: the parser, then the copied audio of a
// build (audio.copy) asked by range of `castwright serve` (from dist/, small and large files) and of
// the dev preview (streamed from the content folder), over real HTTP.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer, type PreviewServer } from '../../src/dev/server.ts';
import { generate } from '../../src/pipeline.ts';
import { byteRange } from '../../src/serve/range.ts';
import { wavFile } from '../helpers/audio.ts';
import { cleanUp } from '../helpers/content.ts';
import { COPIED_PATH, copiedAudioShow } from '../helpers/copied-audio.ts';
import { castwright } from '../import/helpers.ts';
import { closeServers, serveInProcess } from './site.ts';

afterAll(cleanUp);

describe('Range headers', () => {
  it('reads one range of a file of a given size, and ignores what it does not take', () => {
    expect(byteRange(undefined, 100)).toBeUndefined();
    expect(byteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
    // Several ranges, another unit, a backwards or malformed range: the whole file.
    for (const header of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3', 'bytes=-', 'bytes=a-b']) expect(byteRange(header, 100), header).toBeUndefined();
  });
});

/** GET and HEAD of `url` by range, checked against `bytes`: 206 with the part, 416 past the end, 200 whole. */
async function expectRanges(url: string, bytes: Buffer, type: string): Promise<void> {
  const whole = await fetch(url, { headers: { 'Accept-Encoding': 'identity' } });
  expect(whole.status).toBe(200);
  expect(whole.headers.get('accept-ranges')).toBe('bytes');
  expect(whole.headers.get('content-type')).toBe(type);
  expect(whole.headers.get('content-length')).toBe(String(bytes.length));
  expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

  const part = await fetch(url, { headers: { Range: 'bytes=100-299' } });
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 100-299/${bytes.length}`);
  expect(part.headers.get('content-length')).toBe('200');
  expect(part.headers.get('content-type')).toBe(type);
  expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 300))).toBe(true);

  const tail = await fetch(url, { headers: { Range: 'bytes=-44' } });
  expect(tail.status).toBe(206);
  expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 44))).toBe(true);

  const head = await fetch(url, { method: 'HEAD', headers: { Range: `bytes=${bytes.length - 10}-` } });
  expect(head.status).toBe(206);
  expect(head.headers.get('content-range')).toBe(`bytes ${bytes.length - 10}-${bytes.length - 1}/${bytes.length}`);
  expect(head.headers.get('content-length')).toBe('10');
  expect(await head.text()).toBe('');

  const past = await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } });
  expect(past.status).toBe(416);
  expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  expect(await past.text()).toBe('');
}

describe('copied audio served by range', () => {
  afterAll(closeServers);
  const previews: PreviewServer[] = [];
  afterEach(async () => Promise.all(previews.splice(0).map((server) => server.close())));

  it('castwright serve takes ranges of the audio in dist/, a short file (kept in memory) and a long one (streamed)', async () => {
    // 300 s of 8 kHz 16-bit mono is 4.8 MB: past what serve keeps in memory.
    for (const seconds of [3, 300]) {
      const { root, audio } = await copiedAudioShow(seconds);
      const built = await castwright(['build', '--no-guard'], root);
      expect(built.code, built.stderr).toBe(0);
      const served = await serveInProcess(root);
      const url = new URL(COPIED_PATH.split('/').map(encodeURIComponent).join('/'), served.url).href;
      await expectRanges(url, audio, 'audio/wav');
      // The pages stay whole (compressed when asked): ranges are for media.
      expect((await fetch(served.url, { headers: { Range: 'bytes=0-9' } })).status).toBe(200);
    }
  });

  it('the dev preview streams the audio from the content folder, by range, as it is on disk', async () => {
    const { root, audio } = await copiedAudioShow(3);
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const server = await startServer({ host: '127.0.0.1', port: 0, waitingPage: 'waiting', client: '' });
    previews.push(server);
    server.publish(generated.files);
    const url = new URL(COPIED_PATH.split('/').map(encodeURIComponent).join('/'), server.url).href;
    await expectRanges(url, audio, 'audio/wav');
    // Saved again while the preview runs: served as it is now (the watcher rebuilds the feed).
    const source = path.join(root, 'episodes/audio/ep 7.wav');
    await writeFile(source, wavFile(5));
    await expectRanges(url, await readFile(source), 'audio/wav');
  });
});
