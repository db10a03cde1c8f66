// Independent parsers reading castwright's feed back: gPodder's podcastparser (Python, Debian's
// python3-podcastparser), beside podcast-partytime and feedparser (test/import/helpers.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A Python with podcastparser, if this machine has one (.ci/run installs it). */
export const podcastparserPython: string | undefined = ['/usr/bin/python3', 'python3'].find(
  (candidate) => spawnSync(candidate, ['-c', 'import podcastparser'], { stdio: 'ignore' }).status === 0,
);


export interface PodcastparserEpisode {
  guid: string;
  title: string;
  enclosures: Array<{ url: string; length: number; type: string }>;
  total_time: number;
  number: number | null;
  season: number | null;
  chapters: Array<{ start: number; title: string; href?: string }>;
  transcript_url: string | null;
  published: number;
}

const SCRIPT = fileURLToPath(new URL('./podcastparser_facts.py', import.meta.url));

export function podcastparserFacts(file: string): { title: string; funding: string | null; episodes: PodcastparserEpisode[] } {
  if (!podcastparserPython) throw new Error('no Python with podcastparser: apt-get install -y python3-podcastparser');
  const result = spawnSync(podcastparserPython, [SCRIPT, path.resolve(file)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`podcastparser_facts.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/**
 * What Python's feedparser objects to in a feed: its `bozo` flag and exception (a feed that is not
 * well-formed XML, an undeclared namespace prefix, a wrong encoding); undefined when it has none.
 */
export function feedparserObjection(file: string): string | undefined {
  const python = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import feedparser'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new Error('no Python with feedparser: apt-get install -y python3-feedparser');
  const script = 'import feedparser, sys\nd = feedparser.parse(sys.argv[1])\nprint(repr(d.get("bozo_exception")) if d.bozo else "")';
  const result = spawnSync(python, ['-c', script, path.resolve(file)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`feedparser failed: ${result.stderr}`);
  return result.stdout.trim() || undefined;
}
