// The show's feeds (feed.xml, feed.json) go to the write stage as pieces: the head, each episode's
// item as its output part holds it, the end. Joined, a large show's feeds were a second copy of
// every item, made while the items were still held (issue 9).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isByteChunks, textOf, type OutputContent } from '../../../src/model/source-file.ts';
import type { Generated } from '../../../src/pipeline.ts';
import { jsonFeedOutput } from '../../../src/render/outputs/discovery.ts';
import { feedOutput } from '../../../src/render/outputs/feed.ts';
import { defineOutput, type Output } from '../../../src/render/outputs/output.ts';
import { renderForWriting } from '../../../src/render/publication.ts';
import { AsidePieces } from '../../../src/model/pieces.ts';
import { AsideFile } from '../../../src/write/aside.ts';
import { generateSample } from '../../helpers/generate.ts';

describe('the feeds as written', () => {
  let sample: Generated;
  beforeAll(async () => {
    sample = await generateSample();
  });

  it('are pieces holding each episode\'s item bytes themselves, newest first, that make up the text rendered in memory', async () => {
    const parts = new Map<string, unknown[]>();
    /** The output, keeping each episode's part as rendered. */
    const keeping = <Part>(output: Output<Part>) =>
      defineOutput<Part>({
        ...output,
        episode: (context, view) => {
          const rendering = output.episode!(context, view);
          parts.set(output.name, [...(parts.get(output.name) ?? []), rendering.part]);
          return rendering;
        },
      }) as Output<unknown>;
    const files = new Map<string, OutputContent>();
    const add = (file: string, content: OutputContent | AsidePieces) => {
      if (content instanceof AsidePieces) throw new Error('nothing is set aside in a sink that offers no aside file');
      files.set(file, content);
    };
    await renderForWriting(sample.publication, sample.templates, { add, addKnown: () => {} }, {
      outputs: [keeping(feedOutput), keeping(jsonFeedOutput)],
    });
    const episodes = sample.publication.episodes.length;
    expect(episodes).toBeGreaterThan(1);
    for (const [name, output, itemOf] of [
      ['feed.xml', feedOutput.name, (part: unknown) => (part as { xml: Uint8Array }).xml],
      ['feed.json', jsonFeedOutput.name, (part: unknown) => part as Uint8Array],
    ] as const) {
      const content = files.get(name);
      if (!isByteChunks(content)) throw new Error(`${name} is not given in pieces`);
      const items = parts.get(output)!.map(itemOf);
      expect(items.length).toBe(episodes);
      // The very arrays, in order (the publication lists the newest first).
      const positions = items.map((item) => content.chunks.indexOf(item));
      expect(positions.every((at) => at > 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(textOf(content)).toBe(textOf(sample.files.get(name)));
    }
  });

  it('wait in the aside file the sink offers, and come back from it as the same bytes, a batch at a time', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'castwright-aside-'));
    try {
      const aside = new AsideFile(path.join(folder, 'aside'));
      const files = new Map<string, OutputContent | AsidePieces>();
      await renderForWriting(sample.publication, sample.templates, { add: (file, content) => files.set(file, content), addKnown: () => {}, aside: () => aside }, {
        outputs: [feedOutput, jsonFeedOutput] as Array<Output<unknown, unknown>>,
      });
      for (const name of ['feed.xml', 'feed.json']) {
        const content = files.get(name);
        if (!(content instanceof AsidePieces)) throw new Error(`${name} is not set aside`);
        // Read back each time it is taken: hashed, then written.
        for (let taken = 0; taken < 2; taken++) expect(Buffer.concat([...content.chunks()]).toString(), name).toBe(textOf(sample.files.get(name)));
      }
      aside.close();
      expect(() => [...(files.get('feed.xml') as AsidePieces).chunks()]).toThrow(/closed/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
