// The render stage as one call: every output of the registry (outputs/registry.ts) over one view
// per episode, built once and shared by all of them. The result is every output file, path → content.
// With a cache, what each episode contributes to every output is kept under a hash of all it was
// rendered from (the templates, the show's settings, the episode's view, the code), so an edit
// renders only the episodes it changed, and the show's own files (index, feed) from the parts.
import { hashOf } from '../cache/fingerprint.ts';
import type { BuildCache } from '../cache/store.ts';
import { ContentError } from '../errors.ts';
import type { SourceFile } from '../model/source-file.ts';
import type { Publication } from '../model/types.ts';
import type { Problem } from '../problems.ts';
import type { Digest } from './email.ts';
import { digestsOf, emailOutput, type DigestHeading } from './outputs/email.ts';
import type { Contribution, EpisodeRendering, Output, RenderContext } from './outputs/output.ts';
import { OUTPUTS } from './outputs/registry.ts';
import type { SiteOptions } from './site.ts';
import type { Templates } from './templates.ts';
import { episodeView, type EpisodeView } from './view.ts';

/** Path → content; a SourceFile is a file of the content folder, written by link or copy (write/place-source.ts). */
export type OutputFiles = Map<string, string | SourceFile>;

export interface Rendered {
  files: OutputFiles;
  /** Each episode's digest by slug, as written to email/<slug>.html and .txt. */
  digests: Map<string, Digest>;
}

export interface RenderOptions {
  site?: SiteOptions;
  cache?: BuildCache;
  /** The outputs to render (default: every output of the registry). */
  outputs?: ReadonlyArray<Output<unknown>>;
}

/** Throws ContentError with every problem of every output. */
export function renderPublication(publication: Publication, templates: Templates, options: RenderOptions = {}): Rendered {
  const { show } = publication;
  const site = options.site ?? {};
  const context: RenderContext = { show, templates, site };
  const outputs = (options.outputs ?? OUTPUTS).filter((output) => !output.applies || output.applies(show));
  const perEpisode = outputs.filter((output) => output.episode);
  const renderEpisode = (view: EpisodeView) => perEpisode.map((output) => output.episode!(context, view));
  // Everything but the episode itself that its renderings depend on.
  const common = options.cache && hashOf(templates.fingerprint, JSON.stringify(show), site.variant ?? '', perEpisode.map((output) => output.name).join('\0'));

  const files: OutputFiles = new Map();
  const problems: Problem[] = [];
  const contributions = new Map<Output<unknown>, Array<Contribution<unknown>>>(outputs.map((output) => [output, []]));
  for (const episode of publication.episodes) {
    const view = episodeView(show, episode);
    let renderings: Array<EpisodeRendering<unknown>>;
    if (options.cache) {
      const key = hashOf('render', common!, JSON.stringify(view));
      const cached = options.cache.get<Array<EpisodeRendering<unknown>>>(key);
      if (Array.isArray(cached) && cached.length === perEpisode.length) {
        renderings = cached;
      } else {
        renderings = renderEpisode(view);
        options.cache.set(key, renderings);
      }
    } else {
      renderings = renderEpisode(view);
    }
    renderings.forEach((rendering, index) => {
      for (const [file, content] of rendering.files) files.set(file, content);
      if (rendering.problems) problems.push(...rendering.problems);
      contributions.get(perEpisode[index]!)!.push({ view, part: rendering.part });
    });
  }
  if (problems.length > 0) throw new ContentError(problems);
  for (const output of outputs) {
    if (output.show) for (const [file, content] of output.show(context, contributions.get(output)!)) files.set(file, content);
  }
  const digests = digestsOf((contributions.get(emailOutput as Output<unknown>) ?? []) as Array<Contribution<DigestHeading>>, files);
  return { files, digests };
}
