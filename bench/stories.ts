// npm run bench:stories [-- --stories 10000 --runs 5]
//
// How long `castwright build` takes for one episode with very many stories, the shape that made the
// feed description quadratic (1,000 stories 3.2 s, 10,000 stories 220 s). Each run is the real CLI
// in a fresh process, cold, writing into a temporary folder. Two figures per run: the build itself
// (load, render, write: what the CLI reports, the one the 2 s target for 10,000 is about) and the
// whole process (with start-up: transpiling and importing, which the speed work measures).
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({ options: { stories: { type: 'string', default: '10000' }, runs: { type: 'string', default: '5' } } });
const stories = Number(values.stories);
const runs = Number(values.runs);

const work = await mkdtemp(path.join(tmpdir(), 'castwright-bench-stories-'));
try {
  await cp(path.join(PROJECT, 'episodes', 'show.yml'), path.join(work, 'episodes', 'show.yml'));
  const list = Array.from(
    { length: stories },
    (_, i) => `- [Story ${i}: a startup raises a round](https://techcrunch.com/2020/09/14/story-${i}/) — summary of story ${i}, with *some* emphasis.`,
  );
  const seed = await readFile(path.join(PROJECT, 'episodes', '2020-09-14-disrupt-tiktok.md'), 'utf8');
  const frontMatter = seed.slice(0, seed.indexOf('\n---', 3) + 4);
  await writeFile(path.join(work, 'episodes', 'many-stories.md'), `${frontMatter}\nGood morning.\n\n## On the podcast this morning\n\n${list.join('\n')}\n\nBye.\n`);

  const times: number[] = [];
  const builds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(PROJECT, 'src', 'cli.ts'), 'build', '--out', `out-${run}`], {
      cwd: work,
      encoding: 'utf8',
    });
    times.push((performance.now() - started) / 1000);
    if (result.status !== 0) throw new Error(`build failed: ${result.stderr}`);
    const reported = / in (\d+\.\d+) s/.exec(result.stdout);
    if (!reported) throw new Error(`no build time in the output: ${result.stdout}`);
    builds.push(Number(reported[1]));
    if (process.env.SHOW) console.log(result.stdout.trim());
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const figures = (values: number[]) => values.map((t) => t.toFixed(2)).join(', ');
  console.log(`${stories.toLocaleString('en')} stories in one episode, ${runs} cold builds:`);
  console.log(`  build (load, render, write): median ${median(builds).toFixed(2)} s (${figures(builds)})`);
  console.log(`  whole process, start-up included: median ${median(times).toFixed(2)} s (${figures(times)})`);
  console.log(median(builds) < 2 ? 'build within the 2 s target' : 'build OVER the 2 s target');
} finally {
  await rm(work, { recursive: true, force: true });
}
