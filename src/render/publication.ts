// The render stage as one call: every output of the registry (outputs/registry.ts) over one view
// per episode, built once and shared by all of them. The result is every output file, path → content.
import { ContentError } from '../errors.ts';
import type { Publication } from '../model/types.ts';
import type { Problem } from '../problems.ts';
import type { Digest } from './email.ts';
import { emailOutput } from './outputs/email.ts';
import type { Contribution, Output, RenderContext } from './outputs/output.ts';
import { OUTPUTS } from './outputs/registry.ts';
import type { SiteOptions } from './site.ts';
import type { Templates } from './templates.ts';
import { episodeView } from './view.ts';

export type OutputFiles = Map<string, string>;

export interface Rendered {
  files: OutputFiles;
  /** Each episode's digest by slug, as written to email/<slug>.html and .txt. */
  digests: Map<string, Digest>;
}

/** Throws ContentError with every problem of every output. */
export function renderPublication(publication: Publication, templates: Templates, options: SiteOptions = {}, outputs: ReadonlyArray<Output<unknown>> = OUTPUTS): Rendered {
  const { show } = publication;
  const context: RenderContext = { show, templates, site: options };
  const views = publication.episodes.map((episode) => episodeView(show, episode));
  const files: OutputFiles = new Map();
  const problems: Problem[] = [];
  const parts = new Map<Output<unknown>, Array<Contribution<unknown>>>();
  for (const output of outputs) {
    if (output.applies && !output.applies(show)) continue;
    const contributions: Array<Contribution<unknown>> = [];
    for (const view of views) {
      if (!output.episode) break;
      const rendering = output.episode(context, view);
      for (const [file, content] of rendering.files) files.set(file, content);
      if (rendering.problems) problems.push(...rendering.problems);
      contributions.push({ view, part: rendering.part });
    }
    parts.set(output, contributions);
    if (output.show && problems.length === 0) for (const [file, content] of output.show(context, contributions)) files.set(file, content);
  }
  if (problems.length > 0) throw new ContentError(problems);
  const digests = new Map((parts.get(emailOutput as Output<unknown>) ?? []).map(({ view, part }) => [view.slug, part as Digest]));
  return { files, digests };
}
