// The load stage: the content folder (show.yml and every episode file) → the typed model.
// Every problem in every file is collected; any problem throws one ContentError holding them all.
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { showSchema } from '../model/schema.ts';
import type { Episode, Show } from '../model/types.ts';
import { readEpisode, type Identity, type ShowContext } from './episode.ts';
import { type Problem } from '../problems.ts';
import { ContentError } from '../errors.ts';
import { readYaml, validate } from './yaml.ts';

export interface Content {
  show: Show;
  /** In file order; `publish` decides which are listed and how. */
  episodes: Episode[];
}

export interface LoadOptions {
  /** Messages name files relative to this folder (default: the working folder). */
  cwd?: string;
}

/** Stands in for the show while its own settings are invalid, so episodes are still checked. */
const PLACEHOLDER_SHOW: ShowContext = {
  url: 'https://example.invalid/',
  guid: '00000000-0000-5000-8000-000000000000',
  explicit: false,
};

export const SHOW_FILE = 'show.yml';

export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative && !relative.startsWith('..') ? relative : file).split(path.sep).join('/');
}

/** Episode files: `*.md` anywhere under the folder, except names starting with `.` or `_`. */
export async function findEpisodeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !path.relative(dir, file).split(path.sep).some((part) => /^[._]/.test(part) || part === 'node_modules'))
    .sort();
}

async function loadShow(dir: string, cwd: string): Promise<{ show?: Show; problems: Problem[] }> {
  const file = path.join(dir, SHOW_FILE);
  const name = displayPath(file, cwd);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { problems: [{ file: name, line: 1, message: 'file not found; expected the show settings (title, url, …) here' }] };
  }
  const source = readYaml(text, name);
  if (source.problems.length > 0) return { problems: source.problems };
  const result = validate(showSchema, source, name);
  return { show: result.value, problems: result.problems };
}

/** Problems that only show across files: a slug, guid or audio file used twice; serial numbering. */
function crossCheck(identities: readonly Identity[], show: Show | undefined): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, Identity>();
  const unique = (identity: Identity, kind: string, value: string, line: number, expected: string) => {
    const key = `${kind}\0${value}`;
    const first = seen.get(key);
    if (first) problems.push({ file: identity.file, line, message: `${kind} "${value}" is also used by ${first.file}; ${expected}` });
    else seen.set(key, identity);
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

export async function loadContent(dir: string, options: LoadOptions = {}): Promise<Content> {
  const cwd = options.cwd ?? process.cwd();
  const [{ show, problems }, files] = await Promise.all([loadShow(dir, cwd), findEpisodeFiles(dir)]);
  const context: ShowContext = show ?? { ...PLACEHOLDER_SHOW };
  // Read synchronously on purpose: for thousands of small files, a round trip through libuv's
  // thread pool per file costs about seven times more than the reads themselves.
  const loaded = files.map((file) =>
    readEpisode({ file: displayPath(file, cwd), slug: path.basename(file, '.md'), text: readFileSync(file, 'utf8') }, context),
  );
  problems.push(...loaded.flatMap((episode) => episode.problems), ...crossCheck(loaded.map((episode) => episode.identity), show));
  if (problems.length > 0 || !show) throw new ContentError(problems);
  return { show, episodes: loaded.map((episode) => episode.episode!) };
}
