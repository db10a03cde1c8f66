// The render stage as one call: every output of the registry (outputs/registry.ts) over one view
// per episode, built once and shared by all of them. The result is every output file, path → content,
// handed to a sink as each is rendered: `build` writes them at once (write/atomic.ts), so a large
// show is never held in memory whole.
// With a cache, what each episode contributes to every output is kept under a hash of all it was
// rendered from (the templates, the show's settings, the episode's view, the code), so an edit
// renders only the episodes it changed, and the show's own files (index, feed) from the parts.
// What is kept per episode is small: each file's path and content hash, and its parts. `build`
// links an unchanged file from the previous output by that hash, and renders its episode again
// when it cannot (the file was altered or removed, or the whole output is new, as in CI that keeps
// the cache and not the output): keeping every text in the cache too would write each twice on a
// cold build and triple the cache. `dev`'s cache in memory keeps the texts as well.
import { contentHash, hashOf } from '../cache/fingerprint.ts';
import type { BuildCache, TextCache } from '../cache/store.ts';
import { ContentError } from '../errors.ts';
import { isSourceFile, type OutputContent, type SourceFile } from '../model/source-file.ts';
import { AsidePieces, type SetAside } from '../model/pieces.ts';
import type { Publication } from '../model/types.ts';
import type { Problem } from '../problems.ts';
import type { Digest } from './email.ts';
import { digestsOf, emailOutput, type DigestHeading } from './outputs/email.ts';
import { KnownShowFile, type Contribution, type EpisodeRendering, type Output, type RenderContext } from './outputs/output.ts';
import { OUTPUTS } from './outputs/registry.ts';
import type { SiteOptions } from './site.ts';
import type { Templates } from './templates.ts';
import { cachedDateTexts, episodeView, type EpisodeView } from './view.ts';

/**
 * Path → content; a SourceFile is a file of the content folder, written by link or copy
 * (write/place-source.ts). A feed stays in its pieces (ByteChunks: its items' UTF-8 bytes, as the
 * cache holds them): decoded into one string, the feeds of 1,000 episodes took ~40% of a dev save,
 * to be encoded again when served (issue 9). Whoever needs a feed's text decodes it (textOf).
 */
export type OutputFiles = Map<string, OutputContent>;

/**
 * A file an episode unchanged since an earlier build rendered then, known by the hash of its
 * content: the write stage links it from the previous output when that still holds it, and loads
 * its text (the episode rendered again) only when it does not.
 */
export interface KeptFile {
  hash: string;
  load(): string;
}

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
  /**
   * By slug, a hash of everything an episode was parsed from (load/content.ts's sourceKeys): with
   * its status, it stands for the episode's view in the render key, so the view is not hashed.
   */
  sourceKeys?: ReadonlyMap<string, string>;
}

/**
 * What an episode's renderings are kept as: each output's files by the hash of their text (the
 * text itself only in a cache that has texts, see BuildCache.texts) or, for a file of the content
 * folder, its reference; and its part.
 */
interface StoredRendering {
  files: Array<[path: string, hash: string | SourceFile]>;
  part: unknown;
  problems?: Problem[];
}

/** The stored renderings, when they have the shape this code writes (anything else is a miss). */
function storedRenderings(value: unknown, outputs: number): StoredRendering[] | undefined {
  if (!Array.isArray(value) || value.length !== outputs) return undefined;
  const wellFormed = (value as Array<Partial<StoredRendering>>).every(
    (rendering) =>
      Array.isArray(rendering?.files) &&
      rendering.files.every((file) => Array.isArray(file) && file.length === 2 && typeof file[0] === 'string' && (typeof file[1] === 'string' || isSourceFile(file[1]))) &&
      (rendering.problems === undefined || Array.isArray(rendering.problems)),
  );
  return wellFormed ? (value as StoredRendering[]) : undefined;
}

/**
 * Hands the renderings' files to `sink` and keeps the renderings in the cache (their texts in
 * `texts`, when given) under the content hash of each text. With `asBytes`, each text is given as
 * its UTF-8 bytes, encoded once: the hash and the file share them; by the sink's addText when it
 * has one, which hashes the bytes as it writes them (the write stage then does not hash them again).
 */
function store(
  cache: BuildCache,
  texts: TextCache | undefined,
  key: string,
  renderings: ReadonlyArray<EpisodeRendering<unknown>>,
  sink: FileSink,
  asBytes: boolean,
): ReadonlyArray<EpisodeRendering<unknown>> {
  const stored = renderings.map((rendering): StoredRendering => {
    const hashes = rendering.files.map(([file, content]): [string, string | SourceFile] => {
      if (isSourceFile(content)) {
        sink.add(file, content);
        return [file, content];
      }
      if (asBytes && sink.addText) return [file, sink.addText(file, content)];
      const text = asBytes ? Buffer.from(content) : content;
      const hash = contentHash(text);
      texts?.set(hash, content);
      sink.add(file, text);
      return [file, hash];
    });
    return { files: hashes, part: rendering.part, ...(rendering.problems ? { problems: rendering.problems } : {}) };
  });
  cache.set(key, stored);
  return renderings;
}

/** The renderings with every text read from `texts`, or undefined when one is missing. */
function withTexts(texts: TextCache, stored: readonly StoredRendering[]): Array<EpisodeRendering<unknown>> | undefined {
  const renderings: Array<EpisodeRendering<unknown>> = [];
  for (const rendering of stored) {
    const files: Array<readonly [string, string | SourceFile]> = [];
    for (const [file, hash] of rendering.files) {
      if (isSourceFile(hash)) {
        files.push([file, hash]);
        continue;
      }
      const text = texts.get(hash);
      if (text === undefined) return undefined;
      files.push([file, text]);
    }
    renderings.push({ files, part: rendering.part, ...(rendering.problems ? { problems: rendering.problems } : {}) });
  }
  return renderings;
}

/**
 * The texts of an episode's files rendered again, for the files of it that the write stage cannot
 * link: the episode is rendered at the first one asked for, and each text is let go once taken.
 */
function renderedAgain(render: () => ReadonlyArray<EpisodeRendering<unknown>>): (file: string) => string {
  let texts: Map<string, string> | undefined;
  return (file) => {
    let text = texts?.get(file);
    if (text === undefined) {
      texts = new Map();
      for (const [name, content] of render().flatMap((rendering) => rendering.files)) if (typeof content === 'string') texts.set(name, content);
      text = texts.get(file) ?? lost(file);
    }
    texts!.delete(file);
    return text;
  };
}

/** Where rendered files go: a map (render/publication.ts's callers that serve them) or the output folder being written (write/atomic.ts). */
export interface FileSink {
  /** A file added again at the same path replaces the earlier one. */
  add(file: string, content: OutputContent | AsidePieces): void;
  /**
   * Adds a text to be written as UTF-8, when the sink can hash it on the way: gives back the
   * content hash of those bytes (cache/fingerprint.ts's contentHash). Without it, a text is encoded
   * and hashed here and given to `add` as bytes.
   */
  addText?(file: string, text: string): string;
  addKnown(file: string, kept: KeptFile): void;
  /**
   * Where parts the show's own files need at the end (the feeds' items) can be set aside rather
   * than held (a SetAside: write/aside.ts's file), when the sink offers it and can: undefined otherwise.
   */
  aside?(): SetAside | undefined;
}

/**
 * Renders every episode (or takes its renderings from the cache) and then the show's files, each
 * file handed to `sink` as soon as it is rendered. With `keepFiles` (or a cache without texts),
 * the files of an episode found in the cache are given as KeptFiles, left unread; with `keepFiles`,
 * texts rendered are given as bytes and not kept. Returns each output's contributions.
 */
async function renderParts(
  publication: Publication,
  templates: Templates,
  options: RenderOptions,
  sink: FileSink,
  keepFiles: boolean,
): Promise<Map<Output<unknown>, Array<Contribution<unknown>>>> {
  const { show } = publication;
  const { cache } = options;
  const site = options.site ?? {};
  const context: RenderContext = { show, templates, site };
  const outputs = (options.outputs ?? OUTPUTS).filter((output) => !output.applies || output.applies(show));
  const perEpisode = outputs.filter((output) => output.episode);
  const renderEpisode = (view: EpisodeView) => perEpisode.map((output) => output.episode!(context, view));
  // Everything but the episode itself that its renderings depend on.
  const common = cache && hashOf(templates.fingerprint, JSON.stringify(show), site.variant ?? '', perEpisode.map((output) => output.name).join('\0'));

  // Only where texts are not kept: the renderings of an in-memory build are its result.
  const aside = keepFiles ? sink.aside?.() : undefined;
  const kept = (output: Output<unknown>, part: unknown) => (aside && output.keep ? output.keep(part, aside) : part);
  const problems: Problem[] = [];
  const contributions = new Map<Output<unknown>, Array<Contribution<unknown>>>(outputs.map((output) => [output, []]));
  const dates = cache && cachedDateTexts(cache, show.language);
  let sinceTurn = 0;
  for (const episode of publication.episodes) {
    if (++sinceTurn === EPISODES_PER_TURN) {
      sinceTurn = 0;
      await turnOfTheLoop();
    }
    const view = episodeView(show, episode, dates);
    let renderings: ReadonlyArray<Omit<EpisodeRendering<unknown>, 'files'>>;
    let key: string | undefined;
    if (cache) {
      const source = options.sourceKeys?.get(episode.slug);
      key = source ? hashOf('render', common!, 'source', source, episode.status) : hashOf('render', common!, 'view', JSON.stringify(view));
      const stored = storedRenderings(cache.get(key), perEpisode.length);
      const texts = keepFiles ? undefined : cache.texts;
      const loaded = stored && texts ? withTexts(texts, stored) : undefined;
      if (stored && !texts) {
        const again = renderedAgain(() => renderEpisode(view));
        for (const [file, hash] of stored.flatMap((rendering) => rendering.files)) {
          // A file of the content folder is carried by reference: nothing to read, the write stage checks it.
          if (isSourceFile(hash)) sink.add(file, hash);
          else sink.addKnown(file, { hash, load: () => again(file) });
        }
        renderings = stored;
      } else if (loaded) {
        addFiles(sink, loaded);
        renderings = loaded;
      } else {
        renderings = store(cache, texts, key, renderEpisode(view), sink, keepFiles);
      }
    } else {
      const fresh = renderEpisode(view);
      addFiles(sink, fresh);
      renderings = fresh;
    }
    renderings.forEach((rendering, index) => {
      if (rendering.problems) problems.push(...rendering.problems);
      const output = perEpisode[index]!;
      contributions.get(output)!.push({ view, part: kept(output, rendering.part), ...(key === undefined ? {} : { key }) });
    });
  }
  if (problems.length > 0) throw new ContentError(problems);
  dates?.save();
  for (const output of outputs) {
    if (!output.show) continue;
    for (const [file, content] of output.show(context, contributions.get(output)!)) {
      if (content instanceof KnownShowFile) addKnownShowFile(cache, file, content, sink, keepFiles);
      else sink.add(file, content);
    }
  }
  return contributions;
}

/**
 * A show file known by its key (outputs/output.ts): when writing with a cache, linked from the
 * previous output by the content hash kept under the key (rendered only if that output does not
 * hold it, as an episode's files), else rendered and its hash kept. Anything but a content hash
 * under the key is a miss. Without a cache or when texts are kept (dev), it is rendered.
 */
function addKnownShowFile(cache: BuildCache | undefined, file: string, known: KnownShowFile, sink: FileSink, keepFiles: boolean): void {
  if (!cache || !keepFiles || !sink.addText) {
    sink.add(file, known.render());
    return;
  }
  const hash = cache.get(known.key);
  if (typeof hash === 'string' && CONTENT_HASH.test(hash)) sink.addKnown(file, { hash, load: known.render });
  else cache.set(known.key, sink.addText(file, known.render()));
}

const CONTENT_HASH = /^[0-9a-f]{64}$/;

/**
 * Episodes rendered between two turns of the event loop. The xml package behind rss leaves a
 * process.nextTick callback per feed item that holds the item's whole text until the loop turns:
 * rendered in one go, 10,000 episodes kept every item twice over (~15 KB each) to the end.
 */
const EPISODES_PER_TURN = 32;
const turnOfTheLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rendering is pure: an episode that rendered a file renders it again. Were it not so, the build stops rather than write a guess. */
function lost(file: string): never {
  throw new Error(`${file} is not rendered again from the episode that rendered it; build with --no-cache`);
}

function addFiles(sink: FileSink, renderings: ReadonlyArray<EpisodeRendering<unknown>>): void {
  for (const rendering of renderings) {
    for (const [file, content] of rendering.files) sink.add(file, content);
  }
}

/** Throws ContentError with every problem of every output. */
export async function renderPublication(publication: Publication, templates: Templates, options: RenderOptions = {}): Promise<Rendered> {
  const files: OutputFiles = new Map();
  const sink: FileSink = {
    // Bytes in pieces kept as they are. Nothing is set aside here (this sink offers no aside file),
    // so AsidePieces never come: joined all the same, were one to.
    add: (file, content) => files.set(file, content instanceof AsidePieces ? Buffer.concat([...content.chunks()]) : content),
    addKnown: (file, kept) => files.set(file, kept.load()),
  };
  const contributions = await renderParts(publication, templates, options, sink, false);
  const email = contributions.get(emailOutput as Output<unknown>) ?? [];
  return { files, digests: digestsOf(email as Array<Contribution<DigestHeading>>, files) };
}

/**
 * As renderPublication, for writing to disk: every file goes to `sink` as it is rendered, and files
 * of episodes the cache knows are not read (see KeptFile). Throws ContentError before the show's
 * own files when an episode has problems (the sink is then to be discarded).
 */
export async function renderForWriting(publication: Publication, templates: Templates, sink: FileSink, options: RenderOptions = {}): Promise<void> {
  await renderParts(publication, templates, options, sink, true);
}
