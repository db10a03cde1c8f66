// The show's feeds (feed.xml, feed.json) go to the write stage as pieces: the head, each episode's
// item as its output part holds it, the end. Joined, a large show's feeds were a second copy of
// every item, made while the items were still held (issue 9).
import { beforeAll, describe, expect, it } from 'vitest';
import { isByteChunks, textOf, type OutputContent } from '../../../src/model/source-file.ts';
import type { Generated } from '../../../src/pipeline.ts';
import { jsonFeedOutput } from '../../../src/render/outputs/discovery.ts';
import { feedOutput } from '../../../src/render/outputs/feed.ts';
import { defineOutput, type Output } from '../../../src/render/outputs/output.ts';
import { renderForWriting } from '../../../src/render/publication.ts';
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
    await renderForWriting(sample.publication, sample.templates, { add: (file, content) => files.set(file, content), addKnown: () => {} }, {
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
      expect(textOf(content)).toBe(sample.files.get(name));
    }
  });
});
