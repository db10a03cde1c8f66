// The castwright bin as npm ships it (issue 9): compiled JavaScript, built by `prepare`, that starts
// without a transpiler, says what the source says, and loads no command's dependencies to print
// help. The package is packed from a copy of this working tree (so lib/ is compiled from the source
// as it is now, never an older build) and installed into an empty project, as a user would.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outputOf, runCli, type CliResult } from '../helpers/cli.ts';
import { cleanUp, PROJECT, tempDir } from '../helpers/content.ts';
import { THREAD_FROM } from '../../src/write/placer.ts';

/** What `npm pack` needs to run `prepare` and pack the package. */
const PACKAGE_INPUTS = ['package.json', 'README.md', 'tsconfig.json', 'scripts', 'src', 'templates'];
/** The only packages the command line itself may load: the colours and "did you mean". */
const START_UP_PACKAGES = ['fastest-levenshtein', 'picocolors'];
const COMMANDS = ['build', 'check', 'dev', 'send', 'serve', 'unsubscribe', 'subscribers', 'import', 'publish'];

// npm's own variables, set when the suite runs under `npm test`, would steer the npm runs below.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

let work: string;
let pkg: string;
let tarball: string;
let packed: string[];

beforeAll(async () => {
  work = await tempDir('castwright-bin-');
  pkg = path.join(work, 'castwright');
  await mkdir(pkg);
  for (const input of PACKAGE_INPUTS) await cp(path.join(PROJECT, input), path.join(pkg, input), { recursive: true });
  // prepare compiles with the project's TypeScript.
  await symlink(path.join(PROJECT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: pkg, env: ENV, encoding: 'utf8' });
  expect(pack.status, pack.stderr).toBe(0);
  const [report] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, report!.filename);
  packed = report!.files.map((file) => file.path);
}, 300_000);

afterAll(cleanUp);

/** Runs the compiled bin of the packed package with plain Node.js: no tsx, no loader. */
function compiled(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string[] } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [...(options.node ?? []), path.join(pkg, 'lib', 'cli.js'), ...args], {
    cwd: options.cwd ?? work,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outputOf(child);
}

describe('the compiled bin (issue 9, start-up)', () => {
  it('is what the package ships: lib/ and templates/, no TypeScript source', () => {
    expect(packed).toContain('lib/cli.js');
    expect(packed).toContain('lib/commands/build.js');
    expect(packed).toContain('lib/cached/build.cjs');
    expect(packed).toContain('lib/cached/build.cjs.cache');
    expect(packed).toContain('templates/email/digest.mjml.hbs');
    expect(packed.filter((file) => file.endsWith('.ts') || file.startsWith('src/') || file.startsWith('test/'))).toEqual([]);
  });

  it.each([
    [['--help']],
    [['--version']],
    [['-v']],
    [[]],
    [['help', 'send']],
    [['publish', '--help']],
    [['biuld']],
    [['build', '--bogus']],
  ])('says what the source run through tsx says: %j', async (args) => {
    const [fromLib, fromSource] = await Promise.all([compiled(args), runCli(args, { cwd: work })]);
    expect(fromLib).toEqual(fromSource);
  });

  it('runs a build from the compiled code, templates read from the package', async () => {
    const show = path.join(work, 'show');
    await cp(path.join(PROJECT, 'episodes'), path.join(show, 'episodes'), { recursive: true });
    const result = await compiled(['build'], { cwd: show });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(path.join(show, 'dist', 'index.html'), 'utf8')).toContain('<html');
  });

  it("takes build's code cache made by prepare: plain Node.js finds it sealed for the program and V8 accepts it", async () => {
    // The loader itself (from source, through tsx, which sets no V8 flag) in a process of its own.
    const probe = path.join(work, 'code-cache-probe.mjs');
    const loader = pathToFileURL(path.join(PROJECT, 'src', 'cli', 'code-cache.ts')).href;
    await writeFile(probe, `import { loadProgram } from ${JSON.stringify(loader)};\nconst loaded = loadProgram('build', ${JSON.stringify(path.join(pkg, 'lib', 'cached'))});\nprocess.stdout.write(JSON.stringify({ cached: loaded.cached, main: typeof loaded.program.main }));\n`);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const probed = spawnSync(process.execPath, ['--import', tsx, probe], { cwd: work, encoding: 'utf8' });
    expect(probed.status, probed.stderr).toBe(0);
    expect(JSON.parse(probed.stdout)).toEqual({ cached: true, main: 'function' });
  });

  it('builds the same show when the code cache is corrupt, cut short or missing: the program is compiled from its source', async () => {
    const cache = path.join(pkg, 'lib', 'cached', 'build.cjs.cache');
    const sealed = await readFile(cache);
    const buildOnce = async (name: string) => {
      const show = path.join(work, `cache-${name}`);
      await cp(path.join(PROJECT, 'episodes'), path.join(show, 'episodes'), { recursive: true });
      const result = await compiled(['build', '--drafts'], { cwd: show });
      expect(result, name).toMatchObject({ code: 0 });
      return Promise.all(['index.html', 'feed.xml'].map((file) => readFile(path.join(show, 'dist', file), 'utf8')));
    };
    const expected = await buildOnce('sound');
    // A byte flipped in V8's data (given to V8, such data crashes the process), half the file, none.
    const flipped = Buffer.from(sealed);
    flipped[flipped.length >> 1] = flipped[flipped.length >> 1]! ^ 0x5a;
    try {
      for (const [name, bad] of [['corrupt', flipped], ['cut-short', sealed.subarray(0, sealed.length / 2)]] as const) {
        await writeFile(cache, bad);
        expect(await buildOnce(name)).toEqual(expected);
      }
      await rm(cache);
      expect(await buildOnce('missing')).toEqual(expected);
    } finally {
      await writeFile(cache, sealed);
    }
  });

  it('writes a show large enough for the write thread (write/placer.ts), its entry found in the bundle', async () => {
    const show = path.join(work, 'large-show');
    await cp(path.join(PROJECT, 'episodes'), path.join(show, 'episodes'), { recursive: true });
    // Each episode makes a page and three digest files: past THREAD_FROM files, the thread writes.
    const [sample] = (await readdir(path.join(show, 'episodes'))).filter((name) => name.endsWith('.md')).sort();
    const text = await readFile(path.join(show, 'episodes', sample!), 'utf8');
    const count = Math.ceil(THREAD_FROM / 3);
    for (let n = 0; n < count; n++) {
      const date = new Date(Date.UTC(2019, 0, 7 + 7 * n)).toISOString().slice(0, 10);
      const episode = text
        .replace(/^date: .*$/m, `date: ${date}T07:00:00Z`)
        .replace(/^episode: .*$/m, `episode: ${1000 + n}`)
        .replace(/^(\s+url: ).*$/m, `$1https://cdn.example.com/thread/${n}.mp3`);
      await writeFile(path.join(show, 'episodes', `${date}-thread-${n}.md`), episode);
    }
    const result = await compiled(['build'], { cwd: show });
    expect(result.code, result.stderr).toBe(0);
    const pages = (await readdir(path.join(show, 'dist', 'episodes'))).filter((name) => name.includes('-thread-'));
    expect(pages).toHaveLength(count);
    expect(await readFile(path.join(show, 'dist', 'episodes', pages.sort().at(-1)!, 'index.html'), 'utf8')).toContain('<html');
  });
});

describe('what start-up loads (issue 9, each command imports only what it uses)', () => {
  let recorder: string;

  beforeAll(async () => {
    // A module hook that writes down every module the process resolves: ESM, node: built-ins, and
    // the entry of each package, CommonJS ones too (mjml, handlebars, nodemailer).
    recorder = path.join(work, 'recorder');
    await mkdir(recorder, { recursive: true });
    await writeFile(
      path.join(recorder, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.CASTWRIGHT_LOADED, result.url + '\\n');
  return result;
}
`,
    );
    // A command's code-cached program (lib/cached/<command>.cjs) is read and compiled, not
    // imported: its opening (or reading by name) is what shows it was loaded.
    await writeFile(
      path.join(recorder, 'register.mjs'),
      `import fs from 'node:fs';
import { register, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
for (const name of ['openSync', 'readFileSync']) {
  const original = fs[name];
  fs[name] = function (file, ...rest) {
    if (typeof file === 'string' && /[\\/]lib[\\/]cached[\\/][^\\/]+\\.cjs$/.test(file)) fs.appendFileSync(process.env.CASTWRIGHT_LOADED, pathToFileURL(file).href + '\\n');
    return original.call(this, file, ...rest);
  };
}
syncBuiltinESMExports();
`,
    );
  });

  let runs = 0;
  /** A package's name from a path inside node_modules/ ("zod/v4/core/core.js" → "zod"). */
  const packageOf = (inside: string) => (inside.startsWith('@') ? inside.split('/').slice(0, 2).join('/') : inside.split('/')[0]!);

  /**
   * The packages and the compiled modules a run of the bin loaded: packages loaded from
   * node_modules/, and those bundled into the files of lib/ it loaded (esbuild heads each bundled
   * module with a comment naming its file, `// node_modules/zod/…`, or through a symbolic link
   * `// ../…/node_modules/zod/…`: the package is what follows the last node_modules/).
   */
  async function loaded(args: readonly string[], cwd = work): Promise<{ result: CliResult; packages: string[]; unbundled: string[]; modules: string[] }> {
    const list = path.join(recorder, `loaded-${runs++}.txt`);
    await writeFile(list, '');
    const result = await compiled(args, { cwd, env: { CASTWRIGHT_LOADED: list }, node: ['--import', pathToFileURL(path.join(recorder, 'register.mjs')).href] });
    const urls = (await readFile(list, 'utf8')).split('\n').filter(Boolean);
    const packages = new Set<string>();
    for (const url of urls) {
      const inside = url.split('/node_modules/').at(-1)!;
      if (inside !== url) packages.add(packageOf(inside));
    }
    const unbundled = [...packages].sort();
    const lib = pathToFileURL(path.join(pkg, 'lib')).href;
    const modules = [...new Set(urls.filter((url) => url.startsWith(`${lib}/`)).map((url) => url.slice(lib.length + 1)))];
    for (const module of modules) {
      if (!module.endsWith('.js') && !module.endsWith('.cjs')) continue;
      const text = await readFile(path.join(pkg, 'lib', module), 'utf8');
      for (const [, inside] of text.matchAll(/^\/\/ \S*node_modules\/(\S+)$/gm)) packages.add(packageOf(inside!));
    }
    return { result, packages: [...packages].sort(), unbundled, modules };
  }

  it.each([[['--help']], [['--version']], [['help']], ...COMMANDS.map((name) => [['help', name]]), ...COMMANDS.map((name) => [[name, '--help']])])(
    '%j loads no command module and no package but the colours and "did you mean"',
    async (args) => {
      const { result, packages, modules } = await loaded(args);
      expect(result.code, result.stderr).toBe(0);
      expect(packages.filter((name) => !START_UP_PACKAGES.includes(name))).toEqual([]);
      expect(modules.filter((module) => module.startsWith('commands/') || module.startsWith('cached/'))).toEqual([]);
    },
  );

  it('a run of a command loads what it uses: the recorder sees handlebars when a build renders the digest, and no mjml for the default template compiled at installation', async () => {
    const show = path.join(work, 'recorded-show');
    await cp(path.join(PROJECT, 'episodes'), path.join(show, 'episodes'), { recursive: true });
    const { result, packages, unbundled, modules } = await loaded(['build', '--no-cache'], show);
    expect(result.code, result.stderr).toBe(0);
    // Bundled into lib/ by prepare: no package's own files are resolved one by one.
    expect(unbundled).toEqual([]);
    expect(packages).toEqual(expect.arrayContaining(['handlebars', 'zod']));
    expect(packages).not.toContain('mjml');
    // The front matter is split without gray-matter (and its js-yaml and esprima).
    expect(packages).not.toContain('gray-matter');
    // The sample show's art is a URL: the image library stays unloaded.
    expect(packages).not.toContain('sharp');
    // build runs from its code-cached program (cli/code-cache.ts), which holds only build.
    expect(modules.filter((module) => module.startsWith('commands/') || module.startsWith('cached/'))).toEqual(['cached/build.cjs']);
  });

  it('unsubscribe loads the lists, not the sender, the templates or the content schema', async () => {
    const lists = path.join(work, 'lists-only');
    await mkdir(lists, { recursive: true });
    const { result, packages } = await loaded(['unsubscribe', 'ada@example.com', '--lists', lists]);
    expect(result.code, result.stderr).toBe(0);
    for (const heavy of ['mjml', 'handlebars', 'nodemailer', 'zod', 'gray-matter']) expect(packages).not.toContain(heavy);
  });
});

describe('installed as a dependency (issue 9, the bin from a packed tarball)', () => {
  it('npm installs the tarball into an empty project, and npx castwright runs there without tsx', async () => {
    const app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), `${JSON.stringify({ name: 'castwright-user', private: true }, null, 2)}\n`);
    const install = spawnSync('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env: ENV, encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const { version } = JSON.parse(await readFile(path.join(PROJECT, 'package.json'), 'utf8')) as { version: string };
    const run = (args: string[]) => spawnSync('npx', ['castwright', ...args], { cwd: app, env: ENV, encoding: 'utf8' });
    const versionRun = run(['--version']);
    expect(versionRun.stderr).toBe('');
    expect(versionRun.stdout).toBe(`castwright ${version}\n`);
    // The development tools stay behind: the bin needs neither.
    for (const tool of ['tsx', 'typescript']) expect(existsSync(path.join(app, 'node_modules', tool))).toBe(false);
    await cp(path.join(PROJECT, 'episodes'), path.join(app, 'episodes'), { recursive: true });
    const build = run(['build']);
    expect(build.status, build.stderr).toBe(0);
    expect(await readFile(path.join(app, 'dist', 'feed.xml'), 'utf8')).toContain('<rss');
  }, 600_000);
});
