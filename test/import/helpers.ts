// Shared by the import tests: running the command line in-process, and reading feeds back with
// independent parsers (podcast-partytime here, Python's feedparser in a child process).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeed } from 'podcast-partytime';
import { main } from '../../src/cli/main.ts';

export interface MainResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `castwright …` run in-process, as the executable runs it, with its output captured. */
export async function castwright(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<MainResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text) => void (stdout += text) },
    stderr: { write: (text) => void (stderr += text) },
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

export interface ItemFacts {
  guid: string;
  title: string;
  enclosure: { url: string; length: number; type: string } | null;
  /** Milliseconds since the epoch. */
  published: number | null;
  episode: number | null;
  season: number | null;
  /** Whole seconds; null when the feed gives none (or 0, which means the same). */
  duration: number | null;
  /** The item's own flag, else the show's. */
  explicit?: boolean;
}

export interface FeedFacts {
  podcastGuid: string | null;
  items: ItemFacts[];
}

/** What podcast-partytime reads from a feed: the fields the round trip compares. */
export function partytimeFacts(xml: string): FeedFacts {
  const feed = parseFeed(xml, { allowMissingGuid: true });
  if (!feed) throw new Error('podcast-partytime could not read the feed');
  return {
    podcastGuid: feed.guid ?? null,
    items: feed.items.map((item) => ({
      guid: item.guid,
      title: item.title ?? '',
      enclosure: item.enclosure ? { url: item.enclosure.url, length: item.enclosure.length, type: item.enclosure.type } : null,
      published: item.pubDate ? item.pubDate.getTime() : null,
      episode: item.itunesEpisode ?? null,
      season: item.itunesSeason ?? null,
      duration: item.duration ? Math.round(item.duration) : null,
      explicit: item.explicit ?? feed.explicit,
    })),
  };
}

const FACTS_SCRIPT = fileURLToPath(new URL('./feed_facts.py', import.meta.url));

/** A Python with feedparser (Debian's python3-feedparser), if this machine has one. */
export const python: string | undefined = ['/usr/bin/python3', 'python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0,
);

/** What Python's feedparser reads from a feed file (explicit flags excepted: feedparser knows only yes/clean). */
export function feedparserFacts(file: string): FeedFacts {
  const result = spawnSync(python!, [FACTS_SCRIPT, path.resolve(file)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`feed_facts.py failed: ${result.stderr}`);
  const facts = JSON.parse(result.stdout) as { podcastGuid: string | null; items: Array<Omit<ItemFacts, 'published'> & { published: number | null }> };
  return { podcastGuid: facts.podcastGuid, items: facts.items.map((item) => ({ ...item, published: item.published === null ? null : item.published * 1000 })) };
}
