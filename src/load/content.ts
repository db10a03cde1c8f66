// The load stage: the content folder (show.yml and every episode file) → the typed model.
// Every problem in every file is collected; any error throws one ContentError holding them all.
// Warnings (something probably not meant, such as a list of links without a stories heading) come
// back with the content: the command decides whether they stop it (`build --strict`).
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { isWebUrl } from '../model/fields.ts';
import { showSchema, type ShowSettings } from '../model/schema.ts';
import type { Episode, Show } from '../model/types.ts';
import { readEpisode, type Identity, type LoadedEpisode, type ShowContext } from './episode.ts';
import type { BuildCache } from '../cache/store.ts';
import { hashOf } from '../cache/fingerprint.ts';
import { displayPath, isWarning, sortProblems, type Problem } from '../problems.ts';
import { ContentError } from '../errors.ts';
import { SHOW_FILE, scanContentFolder } from './scan.ts';
import { readSourceText, type SourceText } from './text.ts';
import { readYaml, validate, type YamlSource } from './yaml.ts';
import { audioReader } from './audio.ts';
import { audioFilePath } from './audio-file.ts';
import { applyImageFile, imageFilePath } from './image-file.ts';
import type { ReadImage } from './image.ts';
import { splitFrontMatter } from './front-matter.ts';
import { stateFolder } from '../state.ts';
import { insideFolder } from './inside.ts';
import { SourceStamps, stampOf } from './source-stamps.ts';
import { digestOf, mayNameFiles, mentionsOf, type Mentions } from './text-facts.ts';

// For commands that add to a show (import): the same names and files the build uses.
export { SHOW_FILE } from './scan.ts';

export interface Content {
  show: Show;
  /** In file order; `publish` decides which are listed and how. */
  episodes: Episode[];
  /** Problems that do not stop a build, in file order. */
  warnings: Problem[];
  /**
   * With a cache: by slug, the key each episode is cached under (see episodeKey), for episodes that
   * are, i.e. a hash of everything the parsed episode was made from. Render keys are made from it
   * rather than from the whole episode (render/publication.ts).
   */
  sourceKeys?: Map<string, string>;
}

export interface LoadOptions {
  /** Messages name files relative to this folder (default: the working folder). */
  cwd?: string;
  /** Told every folder the scan read, also when the content then proves invalid: what `dev` watches. */
  onScanned?: (folders: readonly string[]) => void;
  /** Where parsed episodes are kept between builds, by a hash of their source and the show's settings they depend on. */
  cache?: BuildCache;
  /**
   * Reads an episode file, or a transcript beside it, as readSourceText does (default): `dev` answers
   * from what it read before for the files that have not changed since.
   */
  readText?: (file: string, shown: string) => SourceText;
  /**
   * Told the files of the content folder that episodes and show.yml name (audio.file, local
   * artwork, a transcript named by `transcript:`), wherever they are: `dev` watches them too, also
   * in folders the scan skips.
   */
  onNamedFiles?: (files: readonly string[]) => void;
  /**
   * With a cache and the default readText: the clock (nanoseconds since the epoch) that says whether
   * a file changed long enough ago for its stamp to be believed (load/source-stamps.ts); tests only.
   */
  stampClock?: () => bigint;
}

/** Stands in for the show while its own settings are invalid, so episodes are still checked. */
const PLACEHOLDER_SHOW: ShowContext = {
  url: 'https://example.invalid/',
  guid: '00000000-0000-5000-8000-000000000000',
  explicit: false,
};

/** show.yml read as YAML, or the problems that stop it there. */
function readShow(file: string | undefined, name: string, lookalike: string | undefined): { source?: YamlSource; problems: Problem[] } {
  const read = file === undefined ? undefined : readSourceText(file, name);
  if (read === undefined || ('problem' in read && read.missing)) {
    const hint = lookalike ? ` (found ${lookalike}: rename it to ${SHOW_FILE})` : '';
    return { problems: [{ file: name, line: 1, message: `file not found; expected the show settings (title, url, …) here${hint}` }] };
  }
  // Its other problems too (YAML's), from the text with its control characters deleted.
  if ('problem' in read) return { problems: [read.problem, ...(read.blanked === undefined ? [] : readYaml(read.blanked, name).problems)] };
  const source = readYaml(read.text, name);
  if (source.problems.some((problem) => !isWarning(problem))) return { problems: source.problems };
  return { source, problems: source.problems };
}

/**
 * The show's settings validated, or with a cache the valid settings validated before from the same
 * data: validating them took ~35 ms of every build (zod's first run), for a file that rarely
 * changes. Only valid settings are kept (problems name lines, which the data does not hold), and
 * only settings that come back from the cache as they went in (plain data, no class instances).
 */
function validateShow(source: YamlSource, name: string, cache: BuildCache | undefined): ReturnType<typeof validate<typeof showSchema>> {
  let key: string | undefined;
  try {
    // v8's serializer tells apart what JSON would not (undefined, NaN, -0).
    key = cache && hashOf('show-settings', serialize(source.data ?? {}));
  } catch {
    key = undefined;
  }
  const cached = key === undefined ? undefined : cache!.get<{ settings?: ShowSettings }>(key);
  if (cached?.settings) return { value: cached.settings, problems: [] };
  const result = validate(showSchema, source, name);
  if (key !== undefined && result.value && isDeepStrictEqual(deserialize(serialize(result.value)), result.value)) cache!.set(key, { settings: result.value });
  return result;
}

/** The show's settings, its local cover art checked and put in place of the path. */
function loadShow(read: { source?: YamlSource; problems: Problem[] }, name: string, root: string, images: ReadonlyMap<string, ReadImage | string>, cache: BuildCache | undefined): { show?: Show; problems: Problem[] } {
  if (!read.source) return { problems: read.problems };
  const siteUrl = (read.source.data as { url?: unknown } | undefined)?.url;
  const image = applyImageFile(read.source, { file: name, base: root, root, facts: images, folder: 'images', siteUrl: typeof siteUrl === 'string' && isWebUrl(siteUrl) ? siteUrl : PLACEHOLDER_SHOW.url });
  const result = validateShow(read.source, name, cache);
  const problems = [...read.problems, ...image.problems, ...result.problems];
  if (!result.value || image.problems.length > 0) return { problems };
  return { show: image.copied ? { ...result.value, copiedFiles: [image.copied] } : result.value, problems };
}

/** Problems that only show across files: a slug, guid or audio file used twice; serial numbering. */
function crossCheck(identities: readonly Identity[], show: Show | undefined): Problem[] {
  const problems: Problem[] = [];
  // A map of values a kind (not one of "kind\0value" texts: 3,000 of them made for 1,000 episodes at every build).
  const seenOf = new Map<string, Map<string, Identity>>();
  const unique = (identity: Identity, kind: string, value: string, line: number, expected: string) => {
    let seen = seenOf.get(kind);
    if (!seen) seenOf.set(kind, (seen = new Map()));
    const first = seen.get(value);
    if (first) problems.push({ file: identity.file, line, message: `${kind} "${value}" is also used by ${first.file}; ${expected}` });
    else seen.set(value, identity);
  };
  for (const identity of identities) {
    unique(identity, 'slug', identity.slug.toLowerCase(), 1, 'expected each episode file name to be unique');
    if (identity.guid) {
      unique(identity, 'guid', identity.guid.value, identity.guid.line, 'expected a guid of its own (apps treat a shared guid as one episode)');
    }
    if (identity.audioUrl) {
      unique(identity, 'audio.url', identity.audioUrl.value, identity.audioUrl.line, 'expected an audio file of its own (Apple ignores repeated ones)');
    }
    if (show?.type === 'serial' && !identity.numbered) {
      problems.push({ file: identity.file, line: 1, message: 'episode: missing; a serial show numbers every episode' });
    }
  }
  return problems;
}

/** What the episodes' front matter names (read here once more, only for files that mention the key). */
function namedFiles(episodes: ReadonlyArray<{ path: string; read: { text: string } }>, mention: keyof Mentions, pick: (data: unknown, episodePath: string) => string | undefined): string[] {
  const named: string[] = [];
  for (const episode of episodes) {
    if (!mentionsOf(episode.read)[mention]) continue;
    const split = splitFrontMatter(episode.read.text, episode.path);
    if (Array.isArray(split)) continue;
    const file = pick(split.frontMatter.data, episode.path);
    if (file) named.push(file);
  }
  return named;
}

/** The file `transcript:` names in an episode's front matter, when it names one rather than a URL or a list. */
function localTranscriptPath(data: unknown, folder: string): string | undefined {
  const named = (data as { transcript?: unknown } | undefined)?.transcript;
  if (typeof named !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(named.trim())) return undefined;
  return path.resolve(folder, named.trim());
}

/**
 * Reads the files through a reader with its cache of what was read before: only files of the
 * content folder, also through links (the file that names another is told why not, at its line).
 */
async function readNamed<Facts>(files: readonly string[], root: string, reader: { read(file: string): Promise<Facts | string>; save(): void }): Promise<Map<string, Facts | string>> {
  const facts = new Map<string, Facts | string>();
  // One at a time: each read streams a whole file from disk, and the disk is the limit.
  for (const file of new Set(files.filter((file) => insideFolder(root, file)))) facts.set(file, await reader.read(file));
  if (facts.size > 0) reader.save();
  return facts;
}

/**
 * The cache key of a parsed episode. Transcripts beside the episode (`<slug>.vtt`, `<slug>.srt`) are
 * part of the key, present or not; an episode that names its transcript with `transcript:` may read
 * any file of the content folder, so it is never stored (loadContent asks the parsed episode, not
 * its text: YAML spells a key in more ways than a pattern can tell, `"transcript":` among them).
 */
function episodeKey(shown: string, file: string, slug: string, digest: string, commonKey: string, listed: ReadonlySet<string>, readText: (file: string, shown: string) => SourceText, read?: SourceText): string {
  // The scan's paths: the folder's, a separator and the name (load/scan.ts), as its listing has them.
  const folder = file.slice(0, file.lastIndexOf(path.sep) + 1);
  // Read as the transcript reader reads them: a folder or a named pipe by that name is a problem, never a hang or a crash.
  const beside = (['vtt', 'srt'] as const).map((extension) => {
    const candidate = `${folder}${slug}.${extension}`;
    // The scan's listing rules out what is not there without a look per episode (a case-insensitive
    // file system may still find a name listed in another case: that one is looked at).
    if (!listed.has(`${folder}${`${slug}.${extension}`.toLowerCase()}`)) return undefined;
    const text = readText(candidate, candidate);
    return 'problem' in text && text.missing ? undefined : text;
  });
  // dev's reads come back the very same while their files are unchanged: the key made from them
  // last time holds while everything else it is made from is the same too.
  const parts = [commonKey, shown, slug, digest, ...beside];
  const made = read && keysMade.get(read);
  if (made && made.parts.length === parts.length && made.parts.every((part, index) => part === parts[index])) return made.key;
  const besideTexts = beside.map((text) => (text === undefined ? '' : 'text' in text ? `text\0${text.text}` : `problem\0${text.problem.message}`));
  // One part (a JSON list of texts tells its texts apart as hashOf's parts do): a thousand keys of
  // eight parts each took ~30 ms, mostly in the hash's calls.
  const key = hashOf('episode', JSON.stringify([commonKey, shown, slug, digest, ...besideTexts]));
  if (read) keysMade.set(read, { parts, key });
  return key;
}

/** The last key episodeKey made from an episode file's read, and what it was made from. */
const keysMade = new WeakMap<SourceText, { parts: readonly unknown[]; key: string }>();

type EpisodeFile = ReturnType<typeof scanContentFolder>['episodes'][number];

/**
 * An episode file read (its text or the problem, and its stamp from before), or known unchanged by
 * its stamp and not read, or (`again`) read once, found to name no files, and let go: read again
 * when it is parsed.
 */
interface EpisodeText {
  file: EpisodeFile;
  read?: SourceText;
  stamp?: ReturnType<typeof stampOf>;
  known?: { digest: string };
  again?: true;
}

/** The episode files a build of `dir` reads (the scan's rules), sorted: for commands that add to a show. */
export async function findEpisodeFiles(dir: string): Promise<string[]> {
  return scanContentFolder(dir, dir).episodes.map((file) => file.path);
}

export async function loadContent(dir: string, options: LoadOptions = {}): Promise<Content> {
  return (await loadWith(dir, options, true)) ?? (await loadWith(dir, options, false))!;
}

/**
 * loadContent. With `firstPass`, files whose stamps the previous build left are not read
 * (load/source-stamps.ts), and a text that names no other files is let go once looked at and read
 * again when it is parsed, so that one such text at a time is held rather than all of them: the
 * files texts name must all be read before any episode is parsed, and every text held to then was
 * ~64 MB of live heap at 10,000 episodes, which V8 then let grow about fourfold (issue 9; the second
 * read comes from the page cache). Undefined when a file proves to need reading after all in a way
 * this pass cannot follow (its parsed episode is gone from the cache and its text names files, or
 * it changed between the two reads and names files now): the caller then loads again, reading
 * every file once and holding every text.
 */
async function loadWith(dir: string, options: LoadOptions, firstPass: boolean): Promise<Content | undefined> {
  const cwd = options.cwd ?? process.cwd();
  const files = scanContentFolder(dir, cwd);
  options.onScanned?.(files.folders);
  const showName = displayPath(path.join(path.resolve(dir), SHOW_FILE), cwd);
  const showSource = readShow(files.show, showName, files.showLookalike);
  const root = path.resolve(dir);
  const readText = options.readText ?? readSourceText;
  // `dev` reads through what it kept (options.readText) and keeps no stamps.
  const stamps = options.cache && !options.readText ? new SourceStamps(options.cache, root, options.stampClock) : undefined;
  /** A file read now, with its stamp taken before it was read (see SourceStamps.remember). */
  const read = (file: EpisodeFile): EpisodeText => ({ file, stamp: stamps && stampOf(file.path), read: readText(file.path, file.shown) });
  const texts = files.episodes.map((file): EpisodeText => {
    const known = firstPass ? stamps?.unchanged(file.path) : undefined;
    if (known) return { file, known };
    const text = read(file);
    return firstPass && text.read && 'text' in text.read && !mayNameFiles(text.read) ? { file, stamp: text.stamp, again: true } : text;
  });
  // A file read only for its other problems (control characters deleted) has what it names read too:
  // without an audio file's facts, its fields would be "missing" as well.
  const episodeTexts = texts.flatMap(({ file, read }) => (read && 'text' in read ? [{ path: file.path, read }] : read?.blanked !== undefined ? [{ path: file.path, read: { text: read.blanked } }] : []));
  const state = stateFolder(dir, { env: process.env, cwd });
  const audioFiles = namedFiles(episodeTexts, 'audio', audioFilePath);
  const audio = await readNamed(audioFiles, root, audioReader(path.join(state, 'audio.json')));
  const showImage = imageFilePath(showSource.source?.data, root);
  const imageFiles = [...(showImage ? [showImage] : []), ...namedFiles(episodeTexts, 'image', (data, episodePath) => imageFilePath(data, path.dirname(episodePath)))];
  // sharp (and libvips) loaded only for a show with local artwork.
  const images = imageFiles.length > 0 ? await readNamed(imageFiles, root, (await import('./image.ts')).imageReader(path.join(state, 'images.json'))) : new Map<string, ReadImage | string>();
  if (options.onNamedFiles) {
    const transcripts = namedFiles(episodeTexts, 'transcript', (data, episodePath) => localTranscriptPath(data, path.dirname(episodePath)));
    options.onNamedFiles([...new Set([...audioFiles, ...imageFiles, ...transcripts])]);
  }
  // From here each text is let go once parsed (below): a large show's files held to the end of the
  // loop cost ~10 KB an episode.
  episodeTexts.length = 0;
  const { show, problems } = loadShow(showSource, showName, root, images, options.cache);
  problems.push(...files.problems);
  const context: ShowContext = show ?? { ...PLACEHOLDER_SHOW };
  // What a parsed episode depends on besides its own text: the show's settings it takes, and what
  // was read from the audio and image files (one hash for all: they change rarely).
  const contextKey = JSON.stringify([context.url, context.guid, context.explicit, context.storiesHeading, context.chaptersIntro, context.language, context.audioBaseUrl]);
  const audioKey = hashOf('audio', JSON.stringify([...audio]), JSON.stringify([...images]));
  const commonKey = hashOf('episodes', contextKey, audioKey);
  const sourceKeys = new Map<string, string>();
  const loaded: LoadedEpisode[] = [];
  for (let index = 0; index < texts.length; index++) {
    const text = texts[index]!;
    texts[index] = { file: text.file };
    const { file } = text;
    const keyOf = (digest: string, read?: SourceText) => episodeKey(file.shown, file.path, file.slug, digest, commonKey, files.listed, readText, read);
    let entry = text;
    if (entry.known) {
      const key = keyOf(entry.known.digest);
      const cached = options.cache!.get<LoadedEpisode>(key);
      if (cached) {
        sourceKeys.set(file.slug, key);
        loaded.push(cached);
        continue;
      }
      // Its parsed episode is gone (or the show's settings it takes changed): read after all. A
      // text that names files now would need them read with the others: load again, reading all.
      entry = read(file);
      if (entry.read && 'text' in entry.read && mayNameFiles(entry.read)) return undefined;
    } else if (entry.again) {
      // Its stamp stays the one taken before the first read: a file changed since is read next time.
      entry = { file, stamp: entry.stamp, read: readText(file.path, file.shown) };
      if (!('text' in entry.read!) || mayNameFiles(entry.read)) return undefined;
    }
    const readNow = entry.read!;
    if ('problem' in readNow) {
      // A file with control characters is read for its other problems too (never kept, never built).
      const others = readNow.blanked === undefined ? [] : readEpisode({ file: file.shown, slug: file.slug, text: readNow.blanked, place: { path: file.path, root, cwd, listed: files.listed }, audio, images }, context).problems;
      loaded.push({ problems: [readNow.problem, ...others], identity: { file: file.shown, slug: file.slug, numbered: false } as Identity });
      continue;
    }
    const source = { file: file.shown, slug: file.slug, text: readNow.text, place: { path: file.path, root, cwd, listed: files.listed }, audio, images };
    if (!options.cache) {
      loaded.push(readEpisode(source, context));
      continue;
    }
    const digest = digestOf(readNow);
    const key = keyOf(digest, readNow);
    const cached = options.cache.get<LoadedEpisode>(key);
    const episode = cached ?? readEpisode(source, context);
    if (!cached && !episode.namesFiles) options.cache.set(key, episode);
    if (cached || !episode.namesFiles) {
      sourceKeys.set(source.slug, key);
      // Only a file that names no others goes unread next time (what it names is read through it).
      if (!mayNameFiles(readNow)) stamps?.remember(file.path, entry.stamp, digest);
    }
    loaded.push(episode);
  }
  stamps?.save();
  problems.push(...loaded.flatMap((episode) => episode.problems), ...crossCheck(loaded.map((episode) => episode.identity), show));
  const warnings = problems.filter(isWarning);
  if (warnings.length < problems.length || !show) throw new ContentError(problems);
  const episodes = loaded.map((episode) => episode.episode!);
  return { show, episodes, warnings: sortProblems(warnings), ...(options.cache ? { sourceKeys } : {}) };
}
