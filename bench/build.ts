// npm run bench [-- <N>... [--runs 5] [--warmup 1] [--no-hugo] [--no-dev] [--startup-only]]
//
// Build speed, paired with Hugo in the same run: these machines are shared and noisy, so an
// absolute time means little and a ratio measured side by side means a lot. For each N (default
// 1000) it generates the synthetic show of ../shared/perf (or $CASTWRIGHT_PERF), then times, with
// castwright and Hugo taking turns:
//   start-up     the compiled bin's `--help` and `--version`, each taking turns with `node -e 0`
//                (src/ is compiled to lib/ first, so the bin measured is the source as it is)
//   cold         a build with no output folder and no cache (`--drafts`: every episode)
//   cached       the same build again, nothing changed, with its cache
//   one edit     one episode's text changed, rebuilt by a new process with its cache
//   dev save     one episode saved while `castwright dev` runs: until the new page is served
// Hugo builds the same Markdown files as pages only (its project is ../shared/perf/hugo).
// Wall time, peak memory (max RSS) and CPU come from GNU time; medians of --runs runs.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PROJECT = fileURLToPath(new URL('../', import.meta.url));
const PERF = process.env.CASTWRIGHT_PERF ?? path.resolve(PROJECT, '../shared/perf');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'no-hugo': { type: 'boolean', default: false },
    'no-dev': { type: 'boolean', default: false },
    'startup-only': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const SIZES = positionals.length ? positionals.map(Number) : [1000];

/** How to start the castwright executable, whatever the bin is (compiled JavaScript or TypeScript through tsx). */
function castwrightCommand(): string[] {
  const bin = (JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')) as { bin: { castwright: string } }).bin.castwright;
  const file = path.join(PROJECT, bin);
  return bin.endsWith('.ts') ? [process.execPath, '--import', import.meta.resolve('tsx'), file] : [process.execPath, file];
}
/** Compiles src/ into lib/ as npm install does (`prepare`): a stale lib/ would measure older code. */
function compile(): void {
  const run = spawnSync('npm', ['run', '--silent', 'prepare'], { cwd: PROJECT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run prepare failed: the bin could not be compiled');
}
compile();
const CASTWRIGHT = castwrightCommand();
const HUGO = spawnSync('hugo', ['version'], { encoding: 'utf8' });
const hasHugo = !values['no-hugo'] && HUGO.status === 0;

interface Sample {
  wall: number;
  peakMiB: number;
  cpu: number;
  ok: boolean;
}

/** One run of a command under GNU time. */
function timed(command: string[], cwd: string): Sample {
  const stats = path.join(tmpdir(), `castwright-bench-time-${process.pid}`);
  const started = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', stats, ...command], { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  // Wall time from this clock: GNU time's %e counts hundredths, too coarse for a start-up of ~50 ms.
  const wall = (performance.now() - started) / 1000;
  const [kb, user, sys] = readFileSync(stats, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(stats, { force: true });
  if (run.status !== 0) process.stderr.write(`${command.join(' ')} exited ${run.status}: ${run.stderr.slice(-2000)}\n`);
  return { wall, peakMiB: kb! / 1024, cpu: user! + sys!, ok: run.status === 0 };
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Case {
  label: string;
  before?: () => void;
  command: string[];
  cwd: string;
}

interface Row {
  who: string;
  label: string;
  wall: number;
  peakMiB: number;
  cpu: number;
  failures: number;
}

/** A and B take turns, so both see the same machine load; medians of the counted runs. */
function paired(a: Case, b: Case | undefined): Row[] {
  const samples: Sample[][] = [[], []];
  const cases = b ? [a, b] : [a];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    cases.forEach((c, index) => {
      c.before?.();
      const sample = timed(c.command, c.cwd);
      if (i >= WARMUP) samples[index]!.push(sample);
    });
  }
  return cases.map((c, index) => ({
    who: index === 0 ? 'castwright' : c.command[0] === 'hugo' ? 'hugo' : 'node',
    label: c.label,
    wall: median(samples[index]!.map((s) => s.wall)),
    peakMiB: median(samples[index]!.map((s) => s.peakMiB)),
    cpu: median(samples[index]!.map((s) => s.cpu)),
    failures: samples[index]!.filter((s) => !s.ok).length,
  }));
}

/** Start-up: the bin's --help and --version, each taking turns with `node -e 0`; target ≤ 2 × its wall time. */
function startUp(cwd: string): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const flag of ['--help', '--version']) {
    const [castwright, node] = paired(
      { label: `start-up: ${flag}`, command: [...CASTWRIGHT, flag], cwd },
      { label: `start-up: node -e 0 (with ${flag})`, command: [process.execPath, '-e', '0'], cwd },
    );
    rows.push(castwright!, node!);
    notes.push(`start-up ${flag}: castwright/node -e 0 wall = ${(castwright!.wall / node!.wall).toFixed(2)} (target ≤ 2)`);
  }
  return { rows, notes };
}

/** Milliseconds from saving an episode to its rebuilt page being served by `castwright dev`. */
async function devSave(content: string, file: string, work: string): Promise<number[]> {
  const child = spawn(CASTWRIGHT[0]!, [...CASTWRIGHT.slice(1), 'dev', '--content', content, '--port', '0'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk;
        const found = /(http:\/\/[^\s]+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`castwright dev exited ${code}`)));
    });
    const slug = path.basename(file, '.md');
    const page = new URL(`episodes/${slug}/`, url).href;
    // The first build (cold, the longest by far on a loaded machine) serves the page before any save is timed.
    const first = performance.now();
    while ((await fetch(page).then((response) => response.status, () => 0)) !== 200) {
      if (performance.now() - first > 600_000) throw new Error('the first build never served the page');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const times: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const marker = `bench-marker-${Date.now()}-${i}`;
      const original = readFileSync(file, 'utf8');
      const started = performance.now();
      writeFileSync(file, `${original}\n${marker}\n`);
      // Poll the page the way a reloading browser would fetch it, until the edit is in it.
      for (;;) {
        // A keep-alive connection the server closes just as a request goes out is reset: asked again.
        const html = await fetch(page).then((response) => response.text(), () => '');
        if (html.includes(marker)) break;
        if (performance.now() - started > 60_000) throw new Error('the edit never reached the page');
      }
      if (i >= WARMUP) times.push(performance.now() - started);
      writeFileSync(file, original);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return times;
  } finally {
    child.kill('SIGINT');
  }
}

function format(rows: Row[]): string {
  const header = ['generator', 'N', 'run', 'wall s', 'peak MiB', 'cpu s'];
  const lines = rows.map((r) => [r.who, String(r.label.startsWith('start') ? '' : r.label.split('@')[1] ?? ''), r.label.split('@')[0]! + (r.failures ? ` (${r.failures} failed)` : ''), r.wall.toFixed(3), Number.isNaN(r.peakMiB) ? '-' : r.peakMiB.toFixed(1), Number.isNaN(r.cpu) ? '-' : r.cpu.toFixed(3)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((l) => l.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  if (!values['startup-only'] && !existsSync(path.join(PERF, 'gen-episodes.mjs'))) {
    throw new Error(`no corpus generator at ${PERF}/gen-episodes.mjs; set CASTWRIGHT_PERF to the perf folder`);
  }
  const work = mkdtempSync(path.join(tmpdir(), 'castwright-bench-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    const start = startUp(work);
    rows.push(...start.rows);
    notes.push(...start.notes);

    for (const n of values['startup-only'] ? [] : SIZES) {
      const content = path.join(work, `show-${n}`, 'episodes');
      mkdirSync(content, { recursive: true });
      spawnSync(process.execPath, [path.join(PERF, 'gen-episodes.mjs'), content, String(n)], { stdio: 'ignore' });
      const files = readdirSync(content).filter((f) => f.endsWith('.md')).sort();
      const edited = path.join(content, files[Math.floor(files.length / 2)]!);
      const root = path.dirname(content);
      const out = path.join(root, 'dist');
      const trash = path.join(root, '.trash');
      mkdirSync(trash, { recursive: true });
      let trashed = 0;
      // Renamed away rather than deleted inside the timing; the state folder holds the cache.
      const retire = (dir: string) => existsSync(dir) && renameSync(dir, path.join(trash, String(trashed++)));
      const build = [...CASTWRIGHT, 'build', '--drafts', '--content', content, '--out', out];

      let hugo: { dir: string; content: string } | undefined;
      if (hasHugo) {
        const dir = path.join(root, 'hugo');
        cpSync(path.join(PERF, 'hugo'), dir, { recursive: true });
        mkdirSync(path.join(dir, 'content', 'episodes'), { recursive: true });
        for (const f of files) cpSync(path.join(content, f), path.join(dir, 'content', 'episodes', f));
        hugo = { dir, content: path.join(dir, 'content', 'episodes') };
      }
      const hugoCase = (label: string, before: () => void): Case | undefined =>
        hugo && { label, before, command: ['hugo', '--quiet', '--cacheDir', path.join(hugo.dir, '.cache')], cwd: hugo.dir };

      rows.push(
        ...paired(
          { label: `cold@${n}`, before: () => (retire(out), retire(path.join(root, '.castwright'))), command: build, cwd: root },
          hugoCase(`cold@${n}`, () => (retire(path.join(hugo!.dir, 'public')), retire(path.join(hugo!.dir, '.cache')), retire(path.join(hugo!.dir, 'resources')))),
        ),
      );
      rows.push(...paired({ label: `cached, no change@${n}`, command: build, cwd: root }, undefined));
      let edits = 0;
      const edit = () => writeFileSync(edited, `${readFileSync(edited, 'utf8')}\nEdited for the benchmark, ${edits++}.\n`);
      const hugoEdited = hugo && path.join(hugo.content, path.basename(edited));
      rows.push(
        ...paired(
          { label: `one edit@${n}`, before: edit, command: build, cwd: root },
          hugoCase(`one edit@${n}`, () => writeFileSync(hugoEdited!, `${readFileSync(hugoEdited!, 'utf8')}\nEdited for the benchmark, ${edits}.\n`)),
        ),
      );
      rmSync(trash, { recursive: true, force: true });

      if (!values['no-dev']) {
        const times = await devSave(content, edited, root);
        rows.push({ who: 'castwright', label: `dev: save → page served@${n}`, wall: median(times) / 1000, peakMiB: NaN, cpu: NaN, failures: 0 });
      }
    }
    const cpus = availableParallelism();
    console.log(
      `castwright ${JSON.parse(readFileSync(path.join(PROJECT, 'package.json'), 'utf8')).version} (${CASTWRIGHT.slice(1).map((p) => path.relative(PROJECT, p) || p).join(' ')}), ` +
        `${hasHugo ? HUGO.stdout.split(' ').slice(0, 2).join(' ') : 'no hugo'}, node ${process.version}, ${cpus} cores, ${new Date().toISOString().slice(0, 10)}`,
    );
    console.log(format(rows));
    console.log(`(medians of ${RUNS} runs after ${WARMUP} warm-up; whole process, GNU time; castwright and hugo alternate)`);
    const ratio = (label: string) => {
      const a = rows.find((r) => r.who === 'castwright' && r.label === label);
      const b = rows.find((r) => r.who !== 'castwright' && r.label === label);
      return a && b ? a.wall / b.wall : undefined;
    };
    for (const label of SIZES.flatMap((n) => [`cold@${n}`, `one edit@${n}`])) {
      const r = ratio(label);
      if (r !== undefined) notes.push(`${label.replace('@', ' at ')}: castwright/hugo wall = ${r.toFixed(2)}`);
    }
    if (SIZES.length > 1 && !values['startup-only']) {
      const cold = SIZES.map((n) => rows.find((r) => r.who === 'castwright' && r.label === `cold@${n}`)!);
      for (let i = 1; i < SIZES.length; i++) {
        notes.push(
          `growth ${SIZES[0]} → ${SIZES[i]} (×${SIZES[i]! / SIZES[0]!}): wall ×${(cold[i]!.wall / cold[0]!.wall).toFixed(2)}, peak memory ×${(cold[i]!.peakMiB / cold[0]!.peakMiB).toFixed(2)}`,
        );
      }
    }
    console.log(notes.join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
