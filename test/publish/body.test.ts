// Publishing a build that holds the episode's own audio (audio.copy): the file goes up from disk
// with the site, before the feed that names it, and only while it is the file the build read.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contentTypeOf } from '../../src/model/content-types.ts';
import { writeBody } from '../../src/publish/body.ts';
import { generate } from '../../src/pipeline.ts';
import { isSourceFile } from '../../src/model/source-file.ts';
import { wavFile } from '../helpers/audio.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { COPIED_PATH, copiedAudioShow } from '../helpers/copied-audio.ts';
import { BUCKET, KEYS, startS3, type TestS3 } from '../helpers/s3.ts';
import { actionsIn, builtFiles, heldFiles, publish } from './show.ts';

afterEach(cleanUp);

describe('publishing the copied audio', () => {
  it('uploads the audio file to a folder with the site, before the feed, and not again while unchanged', async () => {
    const { root, audio } = await copiedAudioShow();
    const site = path.join(root, 'site');
    const first = await publish(root, ['--to', site, '--no-guard']);
    expect(first.code, first.stderr).toBe(0);
    expect((await readFile(path.join(site, ...COPIED_PATH.split('/')))).equals(audio)).toBe(true);
    expect(await heldFiles(site)).toEqual(await builtFiles(root));
    const order = actionsIn(first.stdout);
    expect(order.indexOf(`uploaded ${COPIED_PATH}`)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(`uploaded ${COPIED_PATH}`)).toBeLessThan(order.indexOf('uploaded feed.xml'));
    expect(contentTypeOf(COPIED_PATH)).toBe('audio/wav');
    const second = await publish(root, ['--to', site, '--no-guard']);
    expect(second.code).toBe(0);
    expect(actionsIn(second.stdout)).toEqual([]);
  });

  it('refuses to upload a file that changed since the build read it', async () => {
    const { root } = await copiedAudioShow();
    const generated = await generate({ contentDir: path.join(root, 'episodes'), cwd: root });
    const body = generated.files.get(COPIED_PATH);
    if (!isSourceFile(body)) throw new Error('the audio is not a file by reference');
    await writeFile(body.source, wavFile(4));
    const to = path.join(await tempDir(), 'copy.wav');
    await expect(writeBody(to, body)).rejects.toThrow(`${body.source} was ${body.size} bytes when read and is ${wavFile(4).length} now; expected the file as the build read it (publish again once it is saved)`);
  });
});

describe('publishing the copied audio to S3-compatible storage', () => {
  let s3: TestS3 | undefined;
  afterEach(async () => {
    await s3?.stop();
    s3 = undefined;
  });

  it('streams the audio file up with its length, type and hash', async () => {
    s3 = await startS3();
    const { root, audio } = await copiedAudioShow();
    const result = await publish(root, ['--to', `s3://site/show/?endpoint=${s3.endpoint}&region=us-east-1`, '--no-guard'], KEYS);
    expect(result.code, result.stderr).toBe(0);
    const held = await s3.object(`show/${COPIED_PATH}`);
    expect(held?.contentType).toBe('audio/wav');
    expect(held?.sha256).toBe(createHash('sha256').update(audio).digest('hex'));
    const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `show/${COPIED_PATH}` }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(audio)).toBe(true);
  });
});
