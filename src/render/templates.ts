// Loads and compiles the templates in templates/ once per build. Templates are data: the site and
// feed HTML are Handlebars, the email is MJML with Handlebars inside, compiled by MJML once to an
// HTML template (a warm MJML compile costs ~30 ms, a Handlebars render ~0.03 ms).
//
// Handlebars templates run as the JavaScript Handlebars precompiles them to. The default templates
// are precompiled when castwright is installed (`npm run prepare`, lib/precompiled-templates.cjs,
// keyed by a hash of each source): a build with them loads only Handlebars' runtime, never its
// compiler, and compiles nothing (together ~0.3 s of a one-edit rebuild). Any other template is
// precompiled at load time by the same compiler, so both run the same JavaScript. Code is never
// taken from the build cache: it is data beside the content, not part of the installation.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import type Handlebars from 'handlebars';
import * as handlebarsRuntime from 'handlebars/runtime.js';
import type { BuildCache } from '../cache/store.ts';
import { hashOf } from '../cache/fingerprint.ts';
import { type Problem } from '../problems.ts';
import { ContentError } from '../errors.ts';

/**
 * MJML takes most of a second to load, so it is loaded by the first digest template compiled, not
 * by every command that imports this module. The one place MJML is loaded.
 */
async function loadMjml() {
  return (await import('mjml')).default;
}

type Mjml = Awaited<ReturnType<typeof loadMjml>>;

const require = createRequire(import.meta.url);
type Runtime = ReturnType<typeof Handlebars.create>;
/** Handlebars' runtime: what running a precompiled template takes (its types declare no exports). */
const runtime = (): Runtime => (handlebarsRuntime as unknown as { default: Runtime }).default;
/** Handlebars with its compiler, loaded only for a template not precompiled at installation. */
const fullHandlebars = (): typeof Handlebars => require('handlebars') as typeof Handlebars;

type TemplateSpecification = Parameters<Runtime['template']>[0];

/** The default templates' precompiled JavaScript, written by `npm run prepare` (precompile-templates.ts). */
export const SHIPPED_HANDLEBARS_FILE = fileURLToPath(new URL('../../lib/precompiled-templates.cjs', import.meta.url));

/** What a precompiled template is found by: Handlebars' version, how it escapes (`text`: not at all), its source. */
export const precompiledKey = (source: string, text: boolean) => hashOf('handlebars', runtime().VERSION, text ? 'text' : 'html', source);

/** The helpers registerHelpers adds; with Handlebars' own, the only helpers a template can call. */
const OUR_HELPERS = ['json', 'eq', 'encode', 'plural', 'list'] as const;

/**
 * Handlebars' JavaScript for a template source (the text of an object literal). Throws its parse and
 * compile errors.
 *
 * Compiled knowing every helper there is (`knownHelpersOnly`): a plain `{{title}}` is then read from
 * the context, where otherwise Handlebars looks for a helper of that name first and builds an options
 * object (with its source location) for a call that never comes, at every expression of every
 * render (issue 9). Nothing else can register a helper, so the output is the same: a name that is no
 * helper falls back to the context value either way, and the context castwright gives a template
 * holds data, no functions. A template that calls a helper there is not (`{{foo bar}}`), which this
 * compiler refuses, is compiled as before and fails as before, when rendered.
 */
export const precompileSource = (source: string, text: boolean): string => {
  const handlebars = fullHandlebars();
  try {
    return handlebars.precompile(source, { noEscape: text, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true }) as string;
  } catch (error) {
    if (!/knownHelpersOnly/.test((error as Error).message ?? '')) throw error;
    return handlebars.precompile(source, { noEscape: text }) as string;
  }
};

const KNOWN_HELPERS = Object.fromEntries(OUR_HELPERS.map((name) => [name, true]));

let shipped: Record<string, TemplateSpecification> | undefined;

/** The precompiled default templates by key; none when lib/ has not been made (a run through tsx before any prepare). */
function shippedTemplates(): Record<string, TemplateSpecification> {
  if (shipped) return shipped;
  try {
    shipped = require(SHIPPED_HANDLEBARS_FILE) as Record<string, TemplateSpecification>;
  } catch {
    shipped = {};
  }
  return shipped;
}

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** The default digest template as MJML compiled it when castwright was installed (`npm run prepare`). */
export const SHIPPED_MJML_FILE = fileURLToPath(new URL('../../lib/compiled-templates.json', import.meta.url));

/** What the key of a compiled MJML template is made from: its source, nothing else (MJML's version is in the build cache's key). */
export const mjmlKey = (source: string) => hashOf('mjml', source);

/** MJML's HTML for a template source, ready for Handlebars. Throws MJML's errors (with lines) as MJML does. */
export async function compileMjmlSource(source: string, loaded?: Mjml): Promise<string> {
  const mjml2html = loaded ?? (await loadMjml());
  // fonts: {} stops MJML's default Google Fonts import for fonts it knows (Roboto…), which
  // would tell Google the IP address of every reader who opens the email.
  const result = await mjml2html(source, { validationLevel: 'strict', keepComments: false, ignoreIncludes: true, fonts: {} });
  // MJML indents its output deeply: a quarter of a digest's bytes, and Gmail clips at 102 KB.
  // Any run of white space in HTML reads as one, so each run with a line break becomes one
  // line break; the episode's own HTML goes in afterwards, untouched.
  return result.html.replace(/[ \t]*\n\s*/g, '\n');
}

/**
 * The HTML `npm run prepare` compiled of the default digest template, when `source` is that
 * template: a build with the default templates then never loads MJML. Written by the same
 * installation as the MJML it would load, so it is what MJML makes of it here. Absent (a run
 * through tsx before any prepare) or for another source: undefined, and MJML compiles.
 */
function shippedMjml(source: string): string | undefined {
  let shipped: unknown;
  try {
    shipped = JSON.parse(readFileSync(SHIPPED_MJML_FILE, 'utf8'));
  } catch {
    return undefined;
  }
  const html = (shipped as Record<string, unknown> | null)?.[mjmlKey(source)];
  return typeof html === 'string' ? html : undefined;
}

export type Render = (context: object) => string;

export interface Asset {
  /** Path in the output, e.g. `style.css`. */
  path: string;
  content: string;
  /** Short content hash, for cache-busting links. */
  version: string;
}

export interface Templates {
  site: { index: Render; episode: Render; subscribe: Render; notFound: Render; subscription: Render; sitemap: Render; robots: Render };
  feed: { description: Render; content: Render };
  email: { html: Render; text: Render; confirm: { html: Render; text: Render } };
  assets: { stylesheet: Asset; script: Asset; feedStylesheet: Asset; seekScript: Asset };
  /** A hash of every file the templates were made from: what a cached rendering depends on. */
  fingerprint: string;
}

/**
 * Handlebars says "Parse error on line 3:", then the source and a caret, then "Expecting …"; other
 * errors end in " - 3:5" (line:column). The first and the last line make the message.
 */
function problemOf(file: string, error: unknown): Problem {
  const lines = ((error as Error).message ?? String(error)).split('\n').filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  const last = lines.length > 1 ? lines[lines.length - 1] : undefined;
  const at = /line (\d+)/i.exec(first)?.[1] ?? / - (\d+):\d+$/.exec(first)?.[1];
  const message = last && /^Expecting /.test(last) ? `${first} ${last}` : first;
  return { file, line: at === undefined ? 1 : Number(at), message: `template error: ${message.replace(/ - \d+:\d+$/, '')}` };
}

/** Our helpers by name (OUR_HELPERS: the compiler is told of exactly these). */
function ourHelpers(hb: Runtime): Record<(typeof OUR_HELPERS)[number], Handlebars.HelperDelegate> {
  // "Alex and Natasha", in the show's language.
  // Names or people ({ name }). English after it, as for dates (render/view.ts formatDate): never
  // the locale LANG sets, which gave "Alex und Natasha" to a show in la built under LANG=de_DE.
  // One formatter a language, made at its first use, not one a call (once per episode's feed item):
  // 1,000 feed contents took 12-27 ms of CPU warm, 4-6 ms with it kept.
  const formats = new Map<string, Intl.ListFormat>();
  return {
    // JSON inside <script>: `<` is escaped so a title containing "</script>" cannot end the element.
    json: (value: unknown) => new hb.SafeString(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')),
    eq: (a: unknown, b: unknown) => a === b,
    // A value inside a URL's query (mailto: subjects, share links).
    encode: (value: unknown) => encodeURIComponent(String(value ?? '')),
    plural: (count: number, one: string, many: string) => (count === 1 ? one : many),
    list: (items: Array<string | { name: string }>, options: Handlebars.HelperOptions) => {
      const language: string = options.data?.root?.show?.language ?? 'en';
      let format = formats.get(language);
      if (!format) formats.set(language, (format = new Intl.ListFormat([language, 'en'], { type: 'conjunction' })));
      return format.format(items.map((item) => (typeof item === 'string' ? item : item.name)));
    },
  };
}

function registerHelpers(hb: Runtime): void {
  for (const [name, helper] of Object.entries(ourHelpers(hb))) hb.registerHelper(name, helper);
}

/**
 * Reads and compiles the files of one templates folder, collecting every problem instead of
 * stopping at the first; `finish()` throws them all as one ContentError.
 */
export class TemplateCompiler {
  readonly problems: Problem[] = [];
  private readonly html = runtime().create();
  private readonly text = runtime().create();
  private readonly sources = createHash('sha256');

  constructor(
    private readonly dir: string,
    private readonly cwd = process.cwd(),
    /** Keeps the HTML that MJML made of a template, so that MJML is loaded only when a template changed. */
    private readonly cache?: BuildCache,
  ) {
    registerHelpers(this.html);
    registerHelpers(this.text);
  }

  /** The file as messages name it: relative to the working folder when inside it. */
  display(file: string): string {
    const absolute = path.join(this.dir, file);
    const relative = path.relative(this.cwd, absolute);
    return (relative.startsWith('..') ? absolute : relative).split(path.sep).join('/');
  }

  async read(file: string): Promise<string> {
    const text = await readFile(path.join(this.dir, file), 'utf8');
    this.sources.update(`${file}\0${Buffer.byteLength(text)}\0`).update(text);
    return text;
  }

  /** A hash of every file read so far, in the order read. */
  fingerprint(): string {
    return this.sources.copy().digest('hex');
  }

  /**
   * Handlebars source as a template of `hb` (its helpers and partials): precompiled at installation
   * or now; `text` templates do not HTML-escape. Throws Handlebars' parse and compile errors.
   */
  private precompiled(hb: Runtime, source: string, text: boolean) {
    const spec = shippedTemplates()[precompiledKey(source, text)];
    // Handlebars' own compile runs what it generates the same way.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return hb.template(spec ?? (new Function(`return ${precompileSource(source, text)}`)() as TemplateSpecification));
  }

  /** Compiles Handlebars source; `text` templates do not HTML-escape. Parse errors are found now, not mid-build. */
  compileSource(file: string, source: string, options: { text?: boolean } = {}): Render {
    const text = Boolean(options.text);
    try {
      const template = this.precompiled(text ? this.text : this.html, source, text);
      return (context) => {
        try {
          return template(context);
        } catch (error) {
          throw new ContentError([problemOf(this.display(file), error)]);
        }
      };
    } catch (error) {
      this.problems.push(problemOf(this.display(file), error));
      return () => '';
    }
  }

  async compile(file: string, options: { text?: boolean } = {}): Promise<Render> {
    return this.compileSource(file, await this.read(file), options);
  }

  /** Registers every `*.hbs` of a folder as an HTML partial named after its file. */
  async partials(folder: string): Promise<void> {
    const files = (await readdir(path.join(this.dir, folder))).filter((f) => f.endsWith('.hbs')).sort();
    for (const file of files) {
      const source = await this.read(`${folder}/${file}`);
      try {
        this.html.registerPartial(path.basename(file, '.hbs'), this.precompiled(this.html, source, false));
      } catch (error) {
        this.problems.push(problemOf(this.display(`${folder}/${file}`), error));
      }
    }
  }

  async asset(file: string, output: string): Promise<Asset> {
    const content = await this.read(file);
    return { path: output, content, version: createHash('sha256').update(content).digest('hex').slice(0, 10) };
  }

  /**
   * MJML → an HTML template with its Handlebars expressions intact, then compiled. Block helpers
   * sit in <mj-raw> so MJML passes them through; expressions in attributes and text survive.
   */
  async compileMjml(file: string): Promise<Render> {
    const source = await this.read(file);
    const key = mjmlKey(source);
    let html = this.cache?.get<string>(key) ?? shippedMjml(source);
    try {
      // Handlebars mistakes are found in the source, so they are reported at its lines, not at
      // lines of the HTML that MJML would make of it; the default template, whose HTML was
      // precompiled at installation, parses (and its check would load Handlebars' compiler).
      if (typeof html !== 'string' || !Object.hasOwn(shippedTemplates(), precompiledKey(html, false))) fullHandlebars().parse(source);
    } catch (error) {
      this.problems.push(problemOf(this.display(file), error));
      return () => '';
    }
    // MJML and its dependencies take ~0.6 s to load: only when the template is neither in the
    // cache nor the default one compiled at installation. Loaded outside the try: MJML missing
    // from the installation is not a mistake in the template.
    const mjml2html = typeof html === 'string' ? undefined : await loadMjml();
    try {
      if (mjml2html) {
        html = await compileMjmlSource(source, mjml2html);
        this.cache?.set(key, html);
      }
      return this.compileSource(file, html!);
    } catch (error) {
      const details = (error as { errors?: Array<{ line: number; message: string }> }).errors;
      if (details?.length) {
        for (const detail of details) this.problems.push({ file: this.display(file), line: detail.line, message: `MJML: ${detail.message}` });
      } else {
        this.problems.push(problemOf(this.display(file), error));
      }
      return () => '';
    }
  }

  /** Throws every problem found so far. */
  finish(): void {
    if (this.problems.length > 0) throw new ContentError(this.problems);
  }
}

export async function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR, cwd = process.cwd(), cache?: BuildCache): Promise<Templates> {
  const compiler = new TemplateCompiler(dir, cwd, cache);
  await compiler.partials('site/partials');
  const templates: Templates = {
    site: {
      index: await compiler.compile('site/index.hbs'),
      episode: await compiler.compile('site/episode.hbs'),
      subscribe: await compiler.compile('site/subscribe.hbs'),
      sitemap: await compiler.compile('site/sitemap.xml.hbs'),
      robots: await compiler.compile('site/robots.txt.hbs', { text: true }),
      notFound: await compiler.compile('site/404.hbs'),
      subscription: await compiler.compile('site/subscription.hbs'),
    },
    feed: { description: await compiler.compile('feed/description.hbs'), content: await compiler.compile('feed/content.hbs') },
    email: {
      html: await compiler.compileMjml('email/digest.mjml.hbs'),
      text: await compiler.compile('email/digest.txt.hbs', { text: true }),
      confirm: { html: await compiler.compile('email/confirm.html.hbs'), text: await compiler.compile('email/confirm.txt.hbs', { text: true }) },
    },
    assets: {
      stylesheet: await compiler.asset('site/style.css', 'style.css'),
      script: await compiler.asset('site/site.js', 'site.js'),
      feedStylesheet: await compiler.asset('feed/feed.xsl', 'feed.xsl'),
      seekScript: await compiler.asset('site/seek.js', 'seek.js'),
    },
    fingerprint: '',
  };
  templates.fingerprint = compiler.fingerprint();
  compiler.finish();
  return templates;
}
