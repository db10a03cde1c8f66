// npm run bench:publish [-- <N>... [--runs 3]]
//
// What `castwright publish` costs, against `castwright build` of the same show in the same run
// (the machines are shared and noisy: a ratio measured side by side means more than a time). For
// each N (default 1000) it generates the synthetic show of ../shared/perf (or $CASTWRIGHT_PERF),
// every episode published (--now far ahead), then for each local target (a folder, an S3 server
// (s3rver) on 127.0.0.1, a bare git repository) times:
//   first        everything uploaded to an empty target
//   no change    the run cron makes every 10 minutes: build, read the target's feed.xml for the
//                publish guard and compare, read the record, nothing to do
//   no guard     the same with --no-guard: the difference is what the guard costs
//   one episode  one episode's text changed: its page, email copies and the feed go up
// Wall time of a whole process, medians of --runs runs.
/// <reference path="../test/types/s3rver.d.ts" />
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import S3rver from '@20minutes/s3rver';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const PERF = process.env.CASTWRIGHT_PERF ?? path.resolve(PROJECT, '../shared/perf');
const NOW = '2100-01-01T00:00:00Z';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const SIZES = positionals.length ? positionals.map(Number) : [1000];
const CASTWRIGHT = [process.execPath, '--import', import.meta.resolve('tsx'), path.join(PROJECT, 'src', 'cli.ts')];
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NO_COLOR: '1' };

/** One castwright process, timed. Not spawnSync: the S3 server runs in this process and must answer. */
function timed(args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(CASTWRIGHT[0]!, [...CASTWRIGHT.slice(1), ...args], { cwd, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`castwright ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (value: number) => `${value.toFixed(2)} s`;

/** Changes one episode's text, a little differently each time. */
function edit(content: string, run: number): void {
  const file = readdirSync(content).filter((name) => name.endsWith('.md')).sort()[0]!;
  const text = readFileSync(path.join(content, file), 'utf8');
  writeFileSync(path.join(content, file), text.replace(/\n*$/, `\n\nEdited for run ${run}.\n`));
}

async function bench(n: number): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'castwright-bench-publish-'));
  try {
    const content = path.join(work, 'episodes');
    const generated = spawnSync(process.execPath, [path.join(PERF, 'gen-episodes.mjs'), content, String(n)], { encoding: 'utf8' });
    if (generated.status !== 0) throw new Error(`cannot generate the show: ${generated.stderr}`);
    const builds: number[] = [];
    for (let run = 0; run < RUNS; run++) builds.push(await timed(['build', '--drafts', '--out', `dist-${run}`], work));
    const build = median(builds);
    console.log(`\n${n} episodes: castwright build ${seconds(build)} (median of ${RUNS})`);
    console.log('target    first        no change             no guard              one episode');

    const storage = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: path.join(work, 's3'), configureBuckets: [{ name: 'bench' }] });
    const { port } = await storage.run();
    const repository = path.join(work, 'site.git');
    spawnSync('git', ['init', '--quiet', '--bare', repository]);
    const targets: Array<[string, (run: number) => string]> = [
      ['folder', (run) => path.join(work, `site-${run}`)],
      ['s3', (run) => `s3://bench/run-${run}/?endpoint=http://127.0.0.1:${port}&region=us-east-1`],
      ['git', (run) => `git+file://${repository}#run-${run}`],
    ];
    try {
      for (const [name, to] of targets) {
        const first: number[] = [];
        const same: number[] = [];
        const unguarded: number[] = [];
        const one: number[] = [];
        for (let run = 0; run < RUNS; run++) {
          const publish = () => timed(['publish', '--to', to(run), '--now', NOW], work);
          first.push(await publish());
          same.push(await publish());
          unguarded.push(await timed(['publish', '--to', to(run), '--now', NOW, '--no-guard'], work));
          edit(content, run);
          one.push(await publish());
        }
        const ratio = (value: number) => `${seconds(value)} (${(value / build).toFixed(2)}× build)`;
        console.log(`${name.padEnd(9)} ${seconds(median(first)).padEnd(12)} ${ratio(median(same)).padEnd(21)} ${ratio(median(unguarded)).padEnd(21)} ${ratio(median(one))}`);
      }
    } finally {
      await storage.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

for (const n of SIZES) await bench(n);
