// npm run bench:import [-- --runs 5]
//
// How long `castwright import` takes on the largest real feed we keep (Giant Bombcast: 730 items,
// 1.6 MB): the whole command as a user runs it, in a fresh process each time (module loading
// included), into a fresh folder, then the same again as a second import that finds every episode
// already there. The target is under 5 s on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const FEED = path.join(PROJECT, 'test', 'fixtures', 'import', 'real', 'giantbomb-podcast.xml');
const CLI = path.join(PROJECT, 'src', 'cli.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const TARGET_SECONDS = 5;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Math.max(1, Number(values.runs) || 5);

function importOnce(cwd: string): number {
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    ['--import', TSX, CLI, 'import', FEED, '--url', 'https://bench.example.com/', '--feed-url', 'https://bench.example.com/feed.xml'],
    { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`import failed (${result.status}):\n${result.stderr}`);
  return seconds;
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

const first: number[] = [];
const again: number[] = [];
for (let run = 0; run < runs; run++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'castwright-bench-import-'));
  try {
    first.push(importOnce(dir));
    again.push(importOnce(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const report = (label: string, list: number[]) =>
  `${label.padEnd(34)} median ${median(list).toFixed(2)} s  (min ${Math.min(...list).toFixed(2)}, max ${Math.max(...list).toFixed(2)})`;
console.log(`castwright import of ${path.basename(FEED)} (730 items, 1.6 MB), ${runs} runs, ${availableParallelism()} cores`);
console.log(report('first import (writes 731 files)', first));
console.log(report('second import (nothing new)', again));
const verdict = median(first) < TARGET_SECONDS ? 'within' : 'OVER';
console.log(`${verdict} the ${TARGET_SECONDS} s target`);
if (verdict !== 'within') process.exitCode = 1;
