// What a content folder already holds, read as the loader reads it: the show it is, and the
// guids, audio files and file names of its episodes. An import adds to it and never edits it; a
// file it cannot read stops the import, since the episode in it would otherwise be imported twice.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SHOW_FILE, findEpisodeFiles } from '../load/content.ts';
import { episodeSlug } from '../load/scan.ts';
import { identityOf } from '../load/episode.ts';
import { splitFrontMatter } from '../load/front-matter.ts';
import { readYaml } from '../load/yaml.ts';
import { isWebUrl } from '../model/fields.ts';
import { podcastGuid } from '../model/schema.ts';
import { displayPath, type Problem } from '../problems.ts';

export interface ExistingShow {
  title?: string;
  /** podcast:guid: pinned, or derived from `url` as the build derives it. */
  guid?: string;
  /** show.yml sets `guid` itself: the show's identity, not a value derived from its address. */
  guidPinned: boolean;
  url?: string;
  explicit?: boolean;
  type?: string;
  storiesHeading?: string;
}

export interface ExistingContent {
  show?: ExistingShow;
  /** Episode guid → file, as the build computes them. */
  guids: Map<string, string>;
  /** Audio URL → file. */
  audio: Map<string, string>;
  /** Lower-cased file names without `.md`: the build wants them unique. */
  slugs: Set<string>;
  /** Files whose show or episode cannot be told: the import must not go on. */
  problems: Problem[];
}

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

const unreadable = (problems: readonly Problem[], what: string): Problem[] =>
  problems.map((problem) => ({ ...problem, message: `${problem.message}; import cannot tell which ${what}: fix it, then import again` }));

function readShow(file: string, shown: string): { show: ExistingShow; problems: Problem[] } {
  const source = readYaml(readFileSync(file, 'utf8'), shown);
  if (source.problems.length) return { show: { guidPinned: false }, problems: unreadable(source.problems, 'show this folder holds') };
  const data = source.data as Record<string, unknown> | undefined;
  if (!data || typeof data !== 'object') return { show: { guidPinned: false }, problems: [] };
  const url = text(data.url);
  const base = url && isWebUrl(url) ? (url.endsWith('/') ? url : `${url}/`) : undefined;
  const guid = text(data.guid)?.toLowerCase() ?? (base ? podcastGuid(new URL('feed.xml', base).href) : undefined);
  const show = {
    ...(text(data.title) ? { title: text(data.title) } : {}),
    ...(guid ? { guid } : {}),
    guidPinned: text(data.guid) !== undefined,
    ...(base ? { url: base } : {}),
    ...(typeof data.explicit === 'boolean' ? { explicit: data.explicit } : {}),
    ...(text(data.type) ? { type: text(data.type) } : {}),
    ...(text(data.storiesHeading) ? { storiesHeading: text(data.storiesHeading) } : {}),
  };
  return { show, problems: [] };
}

/** `cwd` is the folder messages name files relative to. */
export async function readExisting(dir: string, cwd: string): Promise<ExistingContent> {
  const existing: ExistingContent = { guids: new Map(), audio: new Map(), slugs: new Set(), problems: [] };
  if (!existsSync(dir)) return existing;
  const showFile = path.join(dir, SHOW_FILE);
  if (existsSync(showFile)) {
    const { show, problems } = readShow(showFile, displayPath(showFile, cwd));
    existing.show = show;
    existing.problems.push(...problems);
  }
  const context = { url: existing.show?.url ?? 'https://example.invalid/', guid: existing.show?.guid ?? '00000000-0000-5000-8000-000000000000', explicit: false };
  for (const file of await findEpisodeFiles(dir)) {
    const slug = episodeSlug(path.basename(file));
    existing.slugs.add(slug.toLowerCase());
    const source = { file, slug, text: readFileSync(file, 'utf8') };
    const split = splitFrontMatter(source.text, displayPath(file, cwd));
    const problems = Array.isArray(split) ? split : split.frontMatter.problems;
    if (problems.length) {
      existing.problems.push(...unreadable(problems, 'episode this file holds'));
      continue;
    }
    const identity = identityOf(source, context, Array.isArray(split) ? undefined : split.frontMatter);
    // Without the show's guid, a guid derived from a slug is made under a placeholder and matches nothing.
    if (identity.guid) existing.guids.set(identity.guid.value, file);
    if (identity.audioUrl) existing.audio.set(identity.audioUrl.value, file);
  }
  return existing;
}
