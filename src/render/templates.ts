// Loads and compiles the templates in templates/ once per build. Templates are data: the site and
// feed HTML are Handlebars, the email is MJML with Handlebars inside, compiled by MJML once to an
// HTML template (a warm MJML compile costs ~30 ms, a Handlebars render ~0.03 ms).
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { ContentError, type Problem } from '../load/problems.ts';

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export type Render = (context: object) => string;

export interface Asset {
  /** Path in the output, e.g. `style.css`. */
  path: string;
  content: string;
  /** Short content hash, for cache-busting links. */
  version: string;
}

export interface Templates {
  site: { index: Render; episode: Render; notFound: Render };
  feed: { description: Render; content: Render };
  email: { html: Render; text: Render };
  assets: { stylesheet: Asset };
}

/** Handlebars reports "Parse error on line 3"; MJML gives a line per error. */
function problemOf(file: string, error: unknown): Problem {
  const message = (error as Error).message ?? String(error);
  const line = Number(/line (\d+)/i.exec(message)?.[1] ?? 1);
  return { file, line, message: `template error: ${message.split('\n')[0]}` };
}

function registerHelpers(hb: typeof Handlebars): void {
  // JSON inside <script>: `<` is escaped so a title containing "</script>" cannot end the element.
  hb.registerHelper('json', (value: unknown) =>
    new hb.SafeString(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')),
  );
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('plural', (count: number, one: string, many: string) => (count === 1 ? one : many));
  // "Alex and Natasha", in the show's language.
  hb.registerHelper('list', (items: string[], options: Handlebars.HelperOptions) =>
    new Intl.ListFormat(options.data?.root?.show?.language ?? 'en', { type: 'conjunction' }).format(items),
  );
}

export async function loadTemplates(dir: string = DEFAULT_TEMPLATES_DIR, cwd = process.cwd()): Promise<Templates> {
  const problems: Problem[] = [];
  const display = (file: string) => {
    const relative = path.relative(cwd, path.join(dir, file));
    return (relative.startsWith('..') ? path.join(dir, file) : relative).split(path.sep).join('/');
  };
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');

  const html = Handlebars.create();
  registerHelpers(html);
  const text = Handlebars.create();
  registerHelpers(text);

  const compile = (hb: typeof Handlebars, file: string, source: string, noEscape = false): Render => {
    try {
      // Parsing now reports a template's syntax error at load time, not in the middle of a build.
      hb.parse(source);
      const template = hb.compile(source, { noEscape });
      return (context) => {
        try {
          return template(context);
        } catch (error) {
          throw new ContentError([problemOf(display(file), error)]);
        }
      };
    } catch (error) {
      problems.push(problemOf(display(file), error));
      return () => '';
    }
  };

  const partialsDir = 'site/partials';
  const partialFiles = (await readdir(path.join(dir, partialsDir))).filter((f) => f.endsWith('.hbs')).sort();
  for (const file of partialFiles) {
    const source = await read(`${partialsDir}/${file}`);
    try {
      html.parse(source);
      html.registerPartial(path.basename(file, '.hbs'), source);
    } catch (error) {
      problems.push(problemOf(display(`${partialsDir}/${file}`), error));
    }
  }

  const hbs = async (file: string, hb = html, noEscape = false) => compile(hb, file, await read(file), noEscape);

  const emailFile = 'email/digest.mjml.hbs';
  const emailHtml = await compileMjml(await read(emailFile), display(emailFile), problems);

  const asset = async (file: string, output: string): Promise<Asset> => {
    const content = await read(file);
    return { path: output, content, version: createHash('sha256').update(content).digest('hex').slice(0, 10) };
  };

  const templates: Templates = {
    site: {
      index: await hbs('site/index.hbs'),
      episode: await hbs('site/episode.hbs'),
      notFound: await hbs('site/404.hbs'),
    },
    feed: { description: await hbs('feed/description.hbs'), content: await hbs('feed/content.hbs') },
    email: {
      html: emailHtml === undefined ? () => '' : compile(html, emailFile, emailHtml),
      text: await hbs('email/digest.txt.hbs', text, true),
    },
    assets: { stylesheet: await asset('site/style.css', 'style.css') },
  };
  if (problems.length > 0) throw new ContentError(problems);
  return templates;
}

/**
 * MJML → an HTML template with its Handlebars expressions intact. Block helpers sit in <mj-raw> so
 * MJML passes them through; expressions in attributes and text survive as written.
 */
async function compileMjml(source: string, file: string, problems: Problem[]): Promise<string | undefined> {
  try {
    const result = await mjml2html(source, {
      validationLevel: 'strict',
      keepComments: false,
      ignoreIncludes: true,
    });
    return result.html;
  } catch (error) {
    const details = (error as { errors?: Array<{ line: number; message: string }> }).errors;
    if (details?.length) {
      for (const detail of details) problems.push({ file, line: detail.line, message: `MJML: ${detail.message}` });
    } else {
      problems.push(problemOf(file, error));
    }
    return undefined;
  }
}
