import { beforeAll, describe, expect, it } from 'vitest';
import type { Generated } from '../../../src/pipeline.ts';
import { defineOutput, type Output } from '../../../src/render/outputs/output.ts';
import { OUTPUTS } from '../../../src/render/outputs/registry.ts';
import { renderPublication } from '../../../src/render/publication.ts';
import type { EpisodeView } from '../../../src/render/view.ts';
import { generateSample } from '../../helpers/generate.ts';

describe('the output registry', () => {
  let sample: Generated;
  beforeAll(async () => {
    sample = await generateSample();
  });

  it('names each output once', () => {
    const names = OUTPUTS.map((output) => output.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('renders every file of the build from its outputs: pages, feed, digests and assets', async () => {
    const rendered = await renderPublication(sample.publication, sample.templates);
    expect(rendered.files).toEqual(sample.files);
    const slugs = sample.publication.episodes.map((episode) => episode.slug);
    for (const slug of slugs) {
      expect(rendered.files.has(`episodes/${slug}/index.html`)).toBe(true);
      expect(rendered.files.has(`email/${slug}.html`)).toBe(true);
    }
    expect([...rendered.files.keys()]).toEqual(expect.arrayContaining(['index.html', '404.html', 'feed.xml', 'style.css', 'feed.xsl']));
    expect([...rendered.digests.keys()]).toEqual(slugs);
  });

  it('takes an added output: its episode files, then its show files from every episode part, newest first', async () => {
    const chapters = defineOutput<string>({
      name: 'test-list',
      episode: (_, view) => ({ files: [[`list/${view.slug}.txt`, view.title]], part: view.slug }),
      show: (_, episodes) => [['list/all.txt', episodes.map(({ part }) => part).join('\n')]],
    });
    const rendered = await renderPublication(sample.publication, sample.templates, { outputs: [...OUTPUTS, chapters as Output<unknown>] });
    const first = sample.publication.episodes[0]!;
    expect(rendered.files.get(`list/${first.slug}.txt`)).toBe(first.title);
    expect(rendered.files.get('list/all.txt')).toBe(sample.publication.episodes.map((episode) => episode.slug).join('\n'));
  });

  it('shares one view per episode between all outputs instead of building it once per output', async () => {
    const seen: EpisodeView[][] = [[], []];
    const spy = (index: number) =>
      defineOutput({ name: `spy-${index}`, episode: (_, view) => (seen[index]!.push(view), { files: [], part: undefined }) }) as Output<unknown>;
    await renderPublication(sample.publication, sample.templates, { outputs: [spy(0), spy(1)] });
    expect(seen[0]!.length).toBe(sample.publication.episodes.length);
    seen[0]!.forEach((view, index) => expect(seen[1]![index]).toBe(view));
  });

  it('leaves out an output that does not apply to the show', async () => {
    const never = defineOutput({ name: 'never', applies: () => false, show: () => [['never.txt', 'x']] }) as Output<unknown>;
    expect((await renderPublication(sample.publication, sample.templates, { outputs: [never] })).files.has('never.txt')).toBe(false);
  });

  it('lets the event loop turn while it renders, so callbacks an episode leaves behind (the rss package leaves one per feed item) do not pile up', async () => {
    let pending = 0;
    let most = 0;
    const leaves = defineOutput({
      name: 'leaves-callbacks',
      episode: () => {
        most = Math.max(most, ++pending);
        process.nextTick(() => pending--);
        return { files: [], part: undefined };
      },
    }) as Output<unknown>;
    const first = sample.publication.episodes[0]!;
    const many = { ...sample.publication, episodes: Array.from({ length: 200 }, (_, index) => ({ ...first, slug: `${first.slug}-${index}` })) };
    await renderPublication(many, sample.templates, { outputs: [leaves] });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(32);
  });
});
