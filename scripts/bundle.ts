// Compiles src/ into the bin's lib/ (`npm run prepare`, run by npm install and npm ci): one esbuild
// bundle, split in chunks, instead of one file per module. Loading ~500 small files (ours, and
// zod's, yaml's, htmlparser2's… each resolved and read apart) cost ~0.2 s of every command.
//
// - Entry points: the bin (lib/cli.js), each command (lib/commands/*.js, which cli/commands.ts
//   imports lazily), the dev preview's worker and the module it loads by URL (dev/builder.ts), and
//   the template precompiler that prepare runs next, and the write thread (write/place-thread.ts). What two of them share goes in lib/chunks/,
//   so a command loads its own code and no other command's.
// - Packages are bundled in, except those that cannot be: a native addon (sharp), packages that
//   load their own files or optional packages at run time (mjml, Handlebars' compiler through
//   require), and the large ones loaded only by a rare path (the S3 SDK, music-metadata).
// - import.meta.url: the sources find package.json, templates/ and lib/ relative to their own
//   file. Bundled, a module's code lands in some file of lib/, so each source's import.meta.url is
//   replaced by the URL the module would have in a lib/ mirroring src/ (src/cli/package-info.ts →
//   lib/cli/package-info.js), computed from the output file it ends up in.
// - Code-cached commands (cli/cached-commands.ts): each also gets a program of its own,
//   lib/cached/<command>.cjs, the whole command line with that one command in a single CommonJS
//   file, which cli/code-cache.ts compiles from the V8 code cache scripts/code-cache.ts saves.
import { build, type Plugin } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_CACHED_COMMANDS } from '../src/cli/cached-commands.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = path.join(ROOT, 'src');
const LIB = path.join(ROOT, 'lib');

/** Packages left to Node.js at run time (see above); everything else imported is bundled. */
const EXTERNAL = ['sharp', 'mjml', 'handlebars', '@aws-sdk/client-s3', 'music-metadata'];

/** The identifier the bundle's modules reach lib/ by; defined in each output file that uses it. */
const LIB_URL = '__castwrightLibUrl';

/** Each source's import.meta.url becomes its lib/ mirror's URL. */
const mirroredUrls: Plugin = {
  name: 'mirrored-import-meta-url',
  setup(bundle) {
    bundle.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(SRC + path.sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const mirror = path.relative(SRC, args.path).split(path.sep).join('/').replace(/\.ts$/, '.js');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(mirror)}, ${LIB_URL}).href`), loader: 'ts' };
    });
  },
};

// Exactly these bare names, not their subpaths: handlebars/runtime.js is bundled, the compiler is not.
const externals: Plugin = {
  name: 'externals',
  setup(bundle) {
    bundle.onResolve({ filter: /^[^./]/ }, (args) => (EXTERNAL.includes(args.path) ? { path: args.path, external: true } : undefined));
  },
};

rmSync(LIB, { recursive: true, force: true });

const entryPoints = [
  'cli.ts',
  ...readdirSync(path.join(SRC, 'commands')).map((name) => `commands/${name}`),
  'dev/build-worker.ts',
  'dev/preview.ts',
  'write/place-thread.ts',
  'render/precompile-templates.ts',
].map((file) => path.join(SRC, file));

const result = await build({
  entryPoints,
  outbase: SRC,
  outdir: LIB,
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externals, mirroredUrls],
  logLevel: 'warning',
  legalComments: 'none',
  write: false,
});

for (const file of result.outputFiles) {
  let text = file.text;
  // What esbuild's output needs that only the file's own place gives: lib/'s URL, and the
  // `require` that esbuild's __require helper hands bundled CommonJS code that requires Node's
  // built-ins (an ES module has none; the helper finds it in the file it is defined in).
  const preamble: string[] = [];
  if (text.includes(LIB_URL)) {
    const up = path.relative(path.dirname(file.path), LIB).split(path.sep).join('/');
    preamble.push(`const ${LIB_URL} = new URL(${JSON.stringify(`${up ? `${up}/` : './'}`)}, import.meta.url);`);
  }
  if (/^var __require = /m.test(text)) preamble.push(`import { createRequire as __castwrightCreateRequire } from 'node:module';\nconst require = __castwrightCreateRequire(import.meta.url);`);
  if (preamble.length > 0) {
    const hashbang = text.startsWith('#!') ? text.slice(0, text.indexOf('\n') + 1) : '';
    text = `${hashbang}${preamble.join('\n')}\n${text.slice(hashbang.length)}`;
  }
  mkdirSync(path.dirname(file.path), { recursive: true });
  writeFileSync(file.path, text);
}
chmodSync(path.join(LIB, 'cli.js'), 0o755);

/**
 * The program with every character past ASCII written as a \\u escape. V8 keeps a script's source
 * for as long as its code, and one character past Latin-1 makes all of it a two-byte string: the
 * program's ~1.6 MB were held as ~3.3 MB, twice while it was compiled. esbuild already escapes
 * strings and templates; what it leaves is in comments and regular expression literals, where an
 * escape means the same character (an identifier may be escaped too).
 */
function asciiOnly(text: string): string {
  return text.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// A command's program: cli/main.ts and the terminal, with only that command behind the command
// table's lazy imports (another one's is an empty module: the bin runs a program only for its own
// command). No chunks: one file, one script for V8 to cache.
const otherCommands = (command: string): Plugin => ({
  name: 'other-commands',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\.\/commands\// }, (args) =>
      args.importer === path.join(SRC, 'cli', 'commands.ts') && args.path !== `../commands/${command}.ts` ? { path: args.path, namespace: 'other-command' } : undefined,
    );
    bundle.onLoad({ filter: /.*/, namespace: 'other-command' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
});

for (const command of CODE_CACHED_COMMANDS) {
  const program = await build({
    stdin: { contents: "export { main } from './cli/main.ts';\nexport { processIo } from './cli/terminal.ts';\n", resolveDir: SRC, sourcefile: `${command}-program.ts`, loader: 'ts' },
    outfile: path.join(LIB, 'cached', `${command}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    plugins: [otherCommands(command), externals, mirroredUrls],
    logLevel: 'warning',
    // thread-script.ts's import.meta.resolve is read only when running from source (tsx).
    logOverride: { 'empty-import-meta': 'silent' },
    legalComments: 'none',
    write: false,
  });
  // The packages left external are imported through the loader's own import() (a dynamic import in
  // a vm.Script needs a flag on Node.js 20); any other import() left would fail at run time.
  const externalImport = new RegExp(`\\bimport\\((?="(?:${EXTERNAL.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')}|node:[a-z_/]+)")`, 'g');
  const text = program.outputFiles[0]!.text.replace(externalImport, '__castwrightImport(');
  if (/\bimport\("/.test(text)) throw new Error(`lib/cached/${command}.cjs: an import() of something not left external`);
  const file = path.join(LIB, 'cached', `${command}.cjs`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `const ${LIB_URL} = new URL('../', require('node:url').pathToFileURL(__filename));\n${asciiOnly(text)}`);
}
