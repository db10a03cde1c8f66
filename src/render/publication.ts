// The render stage as one call: every output file of a publication, as path → content.
import type { Publication } from '../model/types.ts';
import { prepareDigest } from './email.ts';
import { renderFeed } from './feed.ts';
import { renderSite, type SiteOptions } from './site.ts';
import type { Templates } from './templates.ts';

export type OutputFiles = Map<string, string>;

export function renderPublication(publication: Publication, templates: Templates, options: SiteOptions = {}): OutputFiles {
  const files = renderSite(publication, templates, options);
  files.set('feed.xml', renderFeed(publication, templates));
  for (const episode of publication.episodes) {
    // The unsubscribe link keeps its {token} placeholder: `send` fills it per reader.
    const digest = prepareDigest(publication.show, episode, templates)(publication.show.email.unsubscribe);
    files.set(`email/${episode.slug}.html`, digest.html);
    files.set(`email/${episode.slug}.txt`, digest.text);
  }
  return files;
}
