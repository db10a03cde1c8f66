// Saves the V8 code cache of each code-cached command's program (`npm run prepare`, after
// scripts/bundle.ts and the template precompiler): the program is loaded as the bin loads it
// (cli/code-cache.ts), run as a user runs it, and what V8 compiled by then, the functions compiled
// lazily during the runs included, is written sealed beside it (lib/cached/<command>.cjs.cache).
// Without the runs the cache would hold little more than the top level of each module.
//
// `build` runs on a small generated show in a temporary folder, twice: a first build, then a
// rebuild after one episode changed (the build cache's path, as in most runs of build).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHED_COMMANDS } from '../src/cli/cached-commands.ts';
import { loadProgram, sealedCache } from '../src/cli/code-cache.ts';
import type { Io } from '../src/cli/terminal.ts';

const CACHED = fileURLToPath(new URL('../lib/cached/', import.meta.url));
const EPISODES = 24;

const SHOW = `title: Code Cache Weekly
description: A show made up to run a build once while castwright is installed.
url: https://show.example.com/
language: en-us
author: castwright
owner: { name: castwright, email: show@example.com }
image: https://show.example.com/artwork.jpg
categories: [Technology]
explicit: false
email:
  from: Show <show@example.com>
  address: 1 Example Street, Example Town
  unsubscribe: https://show.example.com/unsubscribe?token={token}
`;

const WORDS = ['funding', 'round', 'startup', 'market', 'quarter', 'seed', 'growth', 'listing', 'venture', 'chips', 'payments', 'robots'];
const words = (seed: number, count: number) => Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 5) % WORDS.length]).join(' ');

function episode(n: number): string {
  const day = String(1 + (n % 28)).padStart(2, '0');
  const month = String(1 + Math.floor(n / 28)).padStart(2, '0');
  const stories = Array.from({ length: 6 }, (_, i) => `- [${words(n + i, 4)}](https://news.example.com/${n}/${i}) — ${words(n * i, 12)}.`);
  return `---
title: "Episode ${n}: ${words(n, 3)}"
date: 2024-${month}-${day}T07:00:00-08:00
episode: ${n}
audio:
  url: https://cdn.example.com/${n}.mp3
  length: ${1_000_000 + n}
  duration: "30:${String(n % 60).padStart(2, '0')}"
hosts: [Ada Host]
---
${words(n, 20)}, with **${words(n + 1, 2)}** and [a link](https://example.com/${n}).

## On the podcast this morning

${stories.join('\n')}

${words(n + 2, 15)}.
`;
}

const silent = { write() {} };

async function saveCache(command: string, runs: (run: (args: string[]) => Promise<void>) => Promise<void>): Promise<void> {
  const loaded = loadProgram(command, CACHED);
  if (!loaded) throw new Error(`lib/cached/${command}.cjs is missing: run scripts/bundle.ts first`);
  const io: Io = { stdout: silent, stderr: silent, env: process.env, cwd: process.cwd() };
  await runs(async (args) => {
    const code = await loaded.program.main(args, io);
    if (code !== 0) throw new Error(`castwright ${args.join(' ')} exited with ${code} while making the code cache`);
  });
  const source = readFileSync(path.join(CACHED, `${command}.cjs`));
  writeFileSync(path.join(CACHED, `${command}.cjs.cache`), sealedCache(source, loaded.script.createCachedData()));
}

const work = mkdtempSync(path.join(os.tmpdir(), 'castwright-code-cache-'));
try {
  for (const command of CODE_CACHED_COMMANDS) {
    if (command !== 'build') throw new Error(`scripts/code-cache.ts has no run for ${command}`);
    await saveCache(command, async (run) => {
      const content = path.join(work, 'show', 'episodes');
      mkdirSync(content, { recursive: true });
      writeFileSync(path.join(content, 'show.yml'), SHOW);
      for (let n = 1; n <= EPISODES; n++) writeFileSync(path.join(content, `episode-${n}.md`), episode(n));
      const args = ['build', '--drafts', '--content', content, '--out', path.join(work, 'show', 'dist')];
      await run(args);
      appendFileSync(path.join(content, 'episode-3.md'), '\nOne more line.\n');
      await run(args);
    });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
