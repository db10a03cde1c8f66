// The preview: the site exactly as `build` makes it (drafts and future episodes included and
// marked), plus a preview bar and the email preview pages. Held in memory.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { OutputContent } from '../model/source-file.ts';
import { memoryCache } from '../cache/store.ts';
import { generate, type Generated } from '../pipeline.ts';
import type { Problem } from '../problems.ts';
import type { Digest } from '../render/email.ts';
import { DEFAULT_TEMPLATES_DIR, TemplateCompiler, type Render, type Templates } from '../render/templates.ts';
import { emailPreviewPages } from './email-preview.ts';
import { KeptReads } from './kept-reads.ts';

export interface PreviewOptions {
  contentDir: string;
  templatesDir?: string;
  cwd?: string;
  now?: Date;
  /** Told which content folders were read, also when the content is invalid. */
  onScanned?: (folders: readonly string[]) => void;
  /** Build without the cache kept between builds. */
  noCache?: boolean;
  /**
   * The paths changed since the previous build in this thread, as the watcher reports them: files
   * not among them (nor under them) are not read again. Absent: unknown, everything is read.
   */
  changed?: readonly string[];
  /**
   * Told the files the content names (audio, artwork, transcripts) and the targets of episode files
   * that are links, also when the content is invalid: changes there are watched for too.
   */
  onNamedFiles?: (files: readonly string[]) => void;
}

export interface PreviewTemplates {
  bar: Render;
  emailPreview: Render;
  /** A hash of their sources: the bar is part of every cached page. */
  fingerprint: string;
}

export async function loadPreviewTemplates(dir: string = DEFAULT_TEMPLATES_DIR, cwd?: string): Promise<PreviewTemplates> {
  const compiler = new TemplateCompiler(dir, cwd);
  const templates: PreviewTemplates = {
    bar: await compiler.compile('dev/preview-bar.hbs'),
    emailPreview: await compiler.compile('dev/email-preview.hbs'),
    fingerprint: '',
  };
  templates.fingerprint = compiler.fingerprint();
  compiler.finish();
  return templates;
}

export interface Preview {
  /** As rendered: a feed stays in its pieces (render/publication.ts's OutputFiles). */
  files: Map<string, OutputContent>;
  episodes: number;
  /** Problems that do not stop the preview, shown beside it. */
  warnings: Problem[];
  /** What was loaded and rendered, for `check` to look at (it stays in the build's thread). */
  generated: Generated;
}

// Kept between the builds of one preview (they run one at a time in one thread): a save parses and
// renders only what it changed. Each build forgets what it no longer uses.
const cache = memoryCache();

/** An episode's email preview pages and what they were made from. */
interface PreviewPages {
  fingerprint: string;
  title: string;
  digest: Digest;
  pages: Map<string, string>;
}

// The email preview pages of the last build: a save renders those of the digests it changed.
let emailPages = new Map<string, PreviewPages>();

// The episode files (and transcripts beside them) the last builds read, and the templates of the
// last good build: a save reads again only what it changed.
const reads = new KeptReads();
let keptTemplates: { dir: string; templates: Templates; dev: PreviewTemplates } | undefined;

const within = (file: string, folder: string) => file === folder || file.startsWith(folder + path.sep);

/** Whether a changed path is, holds or lies in the templates folder. */
function touchesFolder(changed: readonly string[], folder: string): boolean {
  let real = folder;
  try {
    real = realpathSync(folder);
  } catch {
    // Gone: only its own name can match.
  }
  return changed.some((file) => [folder, real].some((dir) => within(path.resolve(file), dir) || within(dir, path.resolve(file))));
}

const samePreviewInputs = (kept: PreviewPages, fingerprint: string, title: string, digest: Digest) =>
  kept.fingerprint === fingerprint &&
  kept.title === title &&
  kept.digest.subject === digest.subject &&
  kept.digest.preheader === digest.preheader &&
  kept.digest.html === digest.html &&
  kept.digest.text === digest.text;

/** Throws ContentError with every problem when the content or a template is invalid. */
export async function buildPreview(options: PreviewOptions): Promise<Preview> {
  const templatesDir = options.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const changed = options.noCache ? undefined : options.changed;
  reads.forget(changed);
  const templatesPath = path.resolve(templatesDir);
  if (!changed || keptTemplates?.dir !== templatesPath || touchesFolder(changed, templatesPath)) keptTemplates = undefined;
  const dev = keptTemplates?.dev ?? (await loadPreviewTemplates(templatesDir, options.cwd));
  const generated = await generate({
    templates: keptTemplates?.templates,
    readText: options.noCache ? undefined : reads.read,
    onNamedFiles: options.onNamedFiles && ((files) => options.onNamedFiles!([...files, ...reads.linkTargets()])),
    contentDir: options.contentDir,
    templatesDir,
    cwd: options.cwd,
    now: options.now,
    drafts: true,
    onScanned: options.onScanned,
    site: { banner: ({ episode }) => dev.bar({ episode }), variant: dev.fingerprint },
    cache: options.noCache ? undefined : cache,
  });
  if (!options.noCache) cache.save();
  keptTemplates = { dir: templatesPath, templates: generated.templates, dev };
  const files = new Map(generated.files);
  const { episodes } = generated.publication;
  const kept = new Map<string, PreviewPages>();
  for (const episode of episodes) {
    const digest = generated.digests.get(episode.slug)!;
    const before = options.noCache ? undefined : emailPages.get(episode.slug);
    const pages = before && samePreviewInputs(before, dev.fingerprint, episode.title, digest) ? before : { fingerprint: dev.fingerprint, title: episode.title, digest, pages: emailPreviewPages(dev.emailPreview, episode, digest) };
    kept.set(episode.slug, pages);
    for (const [file, content] of pages.pages) files.set(file, content);
  }
  emailPages = kept;
  return { files, episodes: episodes.length, warnings: generated.warnings, generated };
}
