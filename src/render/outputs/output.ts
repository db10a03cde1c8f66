// One output of a publication (the site's pages, the feed, the email digests, the assets) behind
// one interface. Every output is listed once, in outputs/registry.ts; render/publication.ts runs
// them all over views built once per episode.
//
// An output has two halves. `episode` renders what one episode contributes (its files and a part
// the show half needs): a pure function of the show, the templates and that episode's view, so its
// result can be cached and computed in another thread; it must return plain data (strings, numbers,
// byte arrays, plain objects and arrays). `show` renders the files of the show as a whole from every
// listed episode's view and part, newest first.
import type { OutputContent, SourceFile } from '../../model/source-file.ts';
import type { AsidePieces, SetAside } from '../../model/pieces.ts';
import type { Problem } from '../../problems.ts';
import type { Show } from '../../model/types.ts';
import type { SiteOptions } from '../site.ts';
import type { Templates } from '../templates.ts';
import type { EpisodeView } from '../view.ts';

/** Output path (relative, `/`-separated) and its content: text, or a file of the content folder by reference. */
export type OutputFile = readonly [path: string, content: string | SourceFile];

/**
 * A file of the show half: its content may also be UTF-8 bytes (a feed put together from cached
 * items), some of them set aside (model/pieces.ts) when the output's `keep` did.
 */
export type ShowFile = readonly [path: string, content: OutputContent | AsidePieces | KnownShowFile];

/**
 * A show file known by `key`, a hash of everything it is rendered from (the render keys of the
 * episodes it lists, which stand for their views, the show and the templates, and its place):
 * with a cache, a build keeps the hash of its content under that key and links it from the
 * previous output, rendering it only when that output does not hold it (render/publication.ts).
 * An archive page lists 20 episodes: an edit changes one or two of them, not all 50 of 1,000.
 */
export class KnownShowFile {
  constructor(
    readonly key: string,
    readonly render: () => string,
  ) {}
}

export interface RenderContext {
  show: Show;
  templates: Templates;
  site: SiteOptions;
}

export interface EpisodeRendering<Part> {
  files: OutputFile[];
  part: Part;
  /** Problems that make the episode unpublishable (the build stops and reports all of them). */
  problems?: Problem[];
}

/** One listed episode as the show half of an output sees it. */
export interface Contribution<Part> {
  view: EpisodeView;
  part: Part;
  /** With a cache, the key the episode's renderings are kept under: a hash of all its view comes from. */
  key?: string;
}

export interface Output<Part = undefined, Kept = Part> {
  /** Short and unique: names the output in caches and messages. */
  readonly name: string;
  /** Whether this show has the output at all (default: yes); e.g. digests need email settings. */
  applies?(show: Show): boolean;
  episode?(context: RenderContext, view: EpisodeView): EpisodeRendering<Part>;
  /**
   * What of an episode's part the show half keeps until every episode is rendered, when a build
   * writes to disk: bytes the part holds can be set aside rather than held (the write stage keeps
   * them in a file of the output's work area: write/aside.ts). Default: the part as it is; so it is
   * too when nothing can be set aside, hence Part must be a Kept.
   */
  keep?(part: Part, aside: SetAside): Kept;
  show?(context: RenderContext, episodes: ReadonlyArray<Contribution<Kept>>): ShowFile[];
}

/** Types an output's part from its own definition, so the registry can hold outputs of any part. */
export const defineOutput = <Part extends Kept, Kept = Part>(output: Output<Part, Kept>): Output<Part, Kept> => output;
