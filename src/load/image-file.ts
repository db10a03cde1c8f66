// `image` (in show.yml, or an episode's front matter) naming a file of the content folder rather
// than a URL: the file is checked as Apple checks cover art (check/artwork.ts), published with the
// site (the show's at images/<name>, an episode's beside its page) and the field becomes the site's
// address of it, so the feed and the pages name it as any other image.
import path from 'node:path';
import { judgeArtwork } from '../check/artwork.ts';
import type { CopiedFile } from '../model/source-file.ts';
import type { Problem } from '../problems.ts';
import { insideFolder } from './inside.ts';
import type { ReadImage } from './image.ts';
import type { YamlSource } from './yaml.ts';

/** A URL has a scheme (`https:`); anything else is a path. */
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The local image `image` names, absolute (relative to `base`, the folder of the file that names it). */
export function imageFilePath(data: unknown, base: string): string | undefined {
  const image = (data as { image?: unknown } | undefined)?.image;
  if (typeof image !== 'string' || !image.trim() || SCHEME.test(image.trim())) return undefined;
  return path.resolve(base, image.trim());
}

export interface ImageFileContext {
  /** The file that names the image, as messages name it. */
  file: string;
  /** Its folder, and the content folder. */
  base: string;
  root: string;
  /** What was read from each image file, by absolute path. */
  facts: ReadonlyMap<string, ReadImage | string>;
  /** The output folder the image goes to (`images`, `episodes/<slug>`) and the site's URL. */
  folder: string;
  siteUrl: string;
}

/** Checks the local image, sets `image` to its published address (in place), and returns the problems and the copy to publish. */
export function applyImageFile(source: YamlSource, context: ImageFileContext): { problems: Problem[]; copied?: CopiedFile } {
  const problems: Problem[] = [];
  const file = imageFilePath(source.data, context.base);
  if (!file) return { problems };
  const data = source.data as { image: string };
  const named = data.image.trim();
  const problem = (message: string) => problems.push({ file: context.file, line: source.lineOf(['image']), message: `image ${message}` });
  const published = `${context.folder}/${path.basename(file)}`;
  // Set whatever this finds: the schema then checks an address, and a problem with the file is told once, here.
  data.image = new URL(published.split('/').map(encodeURIComponent).join('/'), context.siteUrl.endsWith('/') ? context.siteUrl : `${context.siteUrl}/`).href;
  if (!insideFolder(context.root, file)) {
    problem(`"${named}" is outside the content folder; expected an image file in it, such as art/cover.jpg, or the URL of one`);
    return { problems };
  }
  const facts = context.facts.get(file);
  if (facts === undefined) return { problems };
  if (typeof facts === 'string') {
    problem(`"${named}" ${facts}`);
    return { problems };
  }
  // The author's own file: what Apple would refuse or only warn about is a problem here, fixed at the source.
  for (const judged of judgeArtwork(facts, named)) problem(`"${named}": ${judged.message.replace(`the artwork ${named} `, 'it ')}`);
  if (problems.length > 0) return { problems };
  return { problems, copied: { path: published, file: facts.source } };
}
