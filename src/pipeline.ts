// load → render, shared by every command that produces the show: `build` writes the result to
// disk, `dev` serves it from memory.
import type { BuildCache } from './cache/store.ts';
import { loadContent, type Content, type LoadOptions } from './load/content.ts';
import { publish } from './model/publication.ts';
import type { Publication } from './model/types.ts';
import type { Problem } from './problems.ts';
import { renderForWriting, renderPublication, type FileSink, type Rendered } from './render/publication.ts';
import type { SiteOptions } from './render/site.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates, type Templates } from './render/templates.ts';

export interface GenerateOptions {
  contentDir: string;
  templatesDir?: string;
  /** Include drafts and future-dated episodes. */
  drafts?: boolean;
  /** What counts as the future (default: the wall clock). */
  now?: Date;
  site?: SiteOptions;
  /** Folder that messages name files relative to. */
  cwd?: string;
  /** Told what is being done, for progress on long builds. */
  onStep?: (step: string) => void;
  /** Told which content folders were read (see LoadOptions). */
  onScanned?: (folders: readonly string[]) => void;
  /** Keeps parsed episodes, renderings and the compiled email template between builds (see cache/store.ts). */
  cache?: BuildCache;
  /** Reads episode files (see LoadOptions.readText). */
  readText?: LoadOptions['readText'];
  /** Told the files the content names (see LoadOptions.onNamedFiles). */
  onNamedFiles?: LoadOptions['onNamedFiles'];
  /** The templates, already loaded from `templatesDir` (dev keeps them while no template changes). */
  templates?: Templates;
}

/** What load and publish give, before rendering. */
export interface Prepared {
  /** Everything loaded, drafts and future episodes included. */
  content: Content;
  publication: Publication;
  templates: Templates;
  /** Episodes in the sources that this publication leaves out (drafts, future dates). */
  leftOut: number;
  /** Problems that did not stop the build, in file order. */
  warnings: Problem[];
}

export interface Generated extends Rendered, Prepared {}


async function prepare(options: GenerateOptions): Promise<Prepared> {
  options.onStep?.('Reading the content and templates…');
  const [content, templates] = await Promise.all([
    loadContent(options.contentDir, { cwd: options.cwd, onScanned: options.onScanned, cache: options.cache, readText: options.readText, onNamedFiles: options.onNamedFiles }),
    options.templates ?? loadTemplates(options.templatesDir ?? DEFAULT_TEMPLATES_DIR, options.cwd, options.cache),
  ]);
  const publication = publish(content.show, content.episodes, {
    drafts: options.drafts ?? false,
    now: options.now ?? new Date(),
  });
  options.onStep?.(`Rendering ${publication.episodes.length} episodes…`);
  return { content, publication, templates, leftOut: content.episodes.length - publication.episodes.length, warnings: content.warnings };
}

/**
 * Throws ContentError (with every problem found, warnings included) when the content or templates
 * are invalid; returns the warnings of valid content.
 */
export async function generate(options: GenerateOptions): Promise<Generated> {
  const prepared = await prepare(options);
  return { ...prepared, ...(await renderPublication(prepared.publication, prepared.templates, { site: options.site, cache: options.cache, sourceKeys: prepared.content.sourceKeys })) };
}

/**
 * As generate, for writing to disk: every file goes to `sink` (the output folder being written) as
 * it is rendered, rather than all held until the end; files of episodes unchanged since a cached
 * build are left unread (render/publication.ts). Throws as generate does; what the sink was given
 * is then to be discarded.
 *
 * The content returned holds only the episodes the publication leaves out (drafts and future
 * episodes without --drafts): of the loaded episodes, that is all the publish guard looks at beside
 * the publication (it parks those whose guid is not published), and the publication has copies of
 * the others. They are let go before rendering rather than held to the end of the build: one
 * object of ~38 properties an episode (~1.5 KB, ~15 MB of live heap at 10,000 episodes).
 */
export async function generateForWriting(options: GenerateOptions, sink: FileSink): Promise<Prepared> {
  const prepared = withLeftOutOnly(await prepare(options));
  await renderForWriting(prepared.publication, prepared.templates, sink, { site: options.site, cache: options.cache, sourceKeys: prepared.content.sourceKeys });
  return prepared;
}

/** `prepared` with its content's episodes cut to those its publication leaves out (by guid, as the guard parks them). */
function withLeftOutOnly(prepared: Prepared): Prepared {
  const listed = new Set(prepared.publication.episodes.map((episode) => episode.guid));
  return { ...prepared, content: { ...prepared.content, episodes: prepared.content.episodes.filter((episode) => !listed.has(episode.guid)) } };
}
