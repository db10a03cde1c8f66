// The render stage as one call: every output file of a publication, as path → content.
import { hasEmail, type Publication } from '../model/types.ts';
import { prepareDigest, renderWebCopy, webCopyPath, type Digest } from './email.ts';
import { renderFeed } from './feed.ts';
import { renderSite, type SiteOptions } from './site.ts';
import type { Templates } from './templates.ts';

export type OutputFiles = Map<string, string>;

export interface Rendered {
  files: OutputFiles;
  /** Each episode's digest by slug, as written to email/<slug>.html and .txt. */
  digests: Map<string, Digest>;
}

export function renderPublication(publication: Publication, templates: Templates, options: SiteOptions = {}): Rendered {
  const files = renderSite(publication, templates, options);
  files.set('feed.xml', renderFeed(publication, templates));
  files.set(templates.assets.feedStylesheet.path, templates.assets.feedStylesheet.content);
  const digests = new Map<string, Digest>();
  const { show } = publication;
  // Without email settings (an imported show, say) there is no digest to render.
  if (!hasEmail(show)) return { files, digests };
  for (const episode of publication.episodes) {
    // The unsubscribe link keeps its {token} placeholder: `send` fills it per reader.
    const digest = prepareDigest(show, episode, templates)(show.email.unsubscribe);
    digests.set(episode.slug, digest);
    files.set(`email/${episode.slug}.html`, digest.html);
    files.set(`email/${episode.slug}.txt`, digest.text);
    files.set(`${webCopyPath(episode.slug)}index.html`, renderWebCopy(show, episode, templates));
  }
  return { files, digests };
}
