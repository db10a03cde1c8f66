// `castwright check` as one call, over what the next build would publish: the publish guard, the
// feed lint, the email lint of every digest and, when asked, the links. `dev` runs the same on its
// preview (without links) and shows the findings in its overlay.
import { bytesOf, chunksLength, isByteChunks, isSourceFile, type OutputContent } from '../model/source-file.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readFeedDocument } from '../feed-reader/document.ts';
import { SHOW_FILE } from '../load/content.ts';
import { hasEmail, type Episode, type MailingShow } from '../model/types.ts';
import type { Generated } from '../pipeline.ts';
import { DEFAULT_TEMPLATES_DIR } from '../render/templates.ts';
import { lintTemplateCss } from './email-css.ts';
import { NEAR_CLIP_BYTES, lintDigest, type DigestFiles } from './email-lint.ts';
import { composeDigest } from './email-message.ts';
import { lintFeed } from './feed-lint.ts';
import { tidyFindings, type Finding } from './finding.ts';
import { checkLinks, type BuiltSite, type LinkOptions, type LinkTarget } from './links.ts';
import { SourceLines, displayPath } from './locate.ts';
import { runGuard, type GuardStep, type GuardStepOptions } from './run-guard.ts';

export interface CheckOptions {
  cwd: string;
  /** The content folder, as given (relative to cwd) or absolute. */
  contentDir: string;
  templatesDir?: string;
  /** The guard's settings; `out` also names the feed the next build writes. */
  guard: Omit<GuardStepOptions, 'publication' | 'episodes' | 'cwd' | 'contentDir'>;
  /** Check every link (network); off when absent. `cacheFile` keeps the answers for a day. */
  links?: LinkOptions;
  onStep?: (step: string) => void;
  /**
   * Called between steps and before each digest and feed item; may throw to stop the check (dev
   * stops a check that a newer save made stale, so that save is not kept waiting).
   */
  checkpoint?: () => void;
}

export interface CheckReport {
  findings: Finding[];
  guard: GuardStep;
  digests: number;
  links?: number;
}


/** Findings per digest, kept while its inputs are the same: `dev` re-checks only what changed. */
const digestCache = new Map<string, Finding[]>();
const DIGEST_CACHE_SIZE = 2000;

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function lintDigests(generated: Generated, show: MailingShow, files: DigestFiles, lines: SourceLines, templatesDir: string, checkpoint?: () => void): Promise<Finding[]> {
  const findings: Finding[] = [];
  const htmlSource = readOrEmpty(path.join(templatesDir, 'email', 'digest.mjml.hbs'));
  findings.push(...(await lintTemplateCss(htmlSource, files.htmlTemplate)));
  const shared = [htmlSource, readOrEmpty(path.join(templatesDir, 'email', 'digest.txt.hbs')), lines.text(files.showFile) ?? ''];
  for (const episode of generated.publication.episodes) {
    checkpoint?.();
    const built = generated.digests.get(episode.slug);
    if (!built) continue;
    const key = createHash('sha256');
    for (const part of [...shared, built.html, built.text, episode.source, lines.text(episode.source) ?? '']) key.update(part).update('\0');
    const digest = key.digest('hex');
    let found = digestCache.get(digest);
    if (!found) {
      const composed = await composeDigest(show, episode, generated.templates, { measureFrom: NEAR_CLIP_BYTES });
      found = lintDigest({ show, episode, composed, files, lines });
      if (digestCache.size >= DIGEST_CACHE_SIZE) digestCache.clear();
      digestCache.set(digest, found);
    }
    findings.push(...found);
  }
  return findings;
}

/** Every link a reader or an app follows, with where it is written. */
export function linkTargets(generated: Generated, lines: SourceLines, showFile: string): LinkTarget[] {
  const { show, episodes } = generated.publication;
  const targets: LinkTarget[] = [];
  const at = (file: string, url: string, fallback: PropertyKey[]) => lines.find(file, url) ?? lines.field(file, fallback);
  targets.push({ url: show.image, kind: 'artwork', file: showFile, line: lines.field(showFile, ['image']) });
  show.links.forEach((link, index) => targets.push({ url: link.url, kind: 'link', file: showFile, line: lines.field(showFile, ['links', index, 'url']) }));
  show.funding.forEach((funding, index) => targets.push({ url: funding.url, kind: 'link', file: showFile, line: lines.field(showFile, ['funding', index, 'url']) }));
  const bodyLinks = (episode: Episode) =>
    [...`${episode.introHtml}${episode.outroHtml}`.matchAll(/<a\s[^>]*?href="([^"]*)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&')).filter((href) => /^https?:/i.test(href));
  for (const episode of episodes) {
    const file = episode.source;
    targets.push({ url: episode.audio.url, kind: 'audio', file, line: lines.field(file, ['audio', 'url']), length: episode.audio.length, type: episode.audio.type });
    if (episode.image) targets.push({ url: episode.image, kind: 'artwork', file, line: lines.field(file, ['image']) });
    for (const story of episode.stories) targets.push({ url: story.url, kind: 'link', file, line: at(file, story.url, []) });
    for (const href of bodyLinks(episode)) targets.push({ url: href, kind: 'link', file, line: at(file, href, []) });
    for (const transcript of episode.transcript ?? []) targets.push({ url: transcript.url, kind: 'link', file, line: lines.field(file, ['transcript']) });
    if (episode.chapters) targets.push({ url: episode.chapters, kind: 'link', file, line: lines.field(file, ['chapters']) });
  }
  return targets;
}

/** What the build puts on the site, for check --links to judge links to it without asking the site (not published yet, maybe). */
function builtSite(generated: Generated): BuiltSite {
  const size = (content: OutputContent) =>
    typeof content === 'string' ? Buffer.byteLength(content) : isSourceFile(content) ? content.size : isByteChunks(content) ? chunksLength(content) : content.byteLength;
  return { url: generated.publication.show.url, files: new Map([...generated.files].map(([file, content]) => [file, size(content)])) };
}

/** Checks a generated publication; the caller loaded and rendered it (ContentError stops before). */
export async function checkGenerated(generated: Generated, options: CheckOptions): Promise<CheckReport> {
  const { cwd } = options;
  const lines = new SourceLines(cwd);
  const contentDir = path.resolve(cwd, options.contentDir);
  const templatesDir = options.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const showFile = displayPath(path.join(contentDir, SHOW_FILE), cwd);
  const findings: Finding[] = [];

  const { checkpoint } = options;
  checkpoint?.();
  options.onStep?.('Comparing with the live feed…');
  const guard = await runGuard({ ...options.guard, publication: generated.publication, episodes: generated.content.episodes, cwd, contentDir: options.contentDir });
  findings.push(...guard.findings);

  checkpoint?.();
  options.onStep?.('Checking the feed…');
  const feedName = `${(options.guard.out ?? 'dist').split(path.sep).join('/')}/feed.xml`;
  // The feed's bytes as rendered (in pieces: joined, never decoded and encoded again).
  const document = readFeedDocument({ bytes: bytesOf(generated.files.get('feed.xml')), name: feedName });
  const episodes = new Map(generated.publication.episodes.map((episode) => [episode.guid, episode as Episode]));
  checkpoint?.();
  findings.push(...lintFeed(document, { showFile, episodes, lines, checkpoint }));

  let digests = 0;
  const { show } = generated.publication;
  if (hasEmail(show)) {
    options.onStep?.(`Checking ${generated.digests.size} email digests…`);
    const files: DigestFiles = {
      htmlTemplate: displayPath(path.join(templatesDir, 'email', 'digest.mjml.hbs'), cwd),
      textTemplate: displayPath(path.join(templatesDir, 'email', 'digest.txt.hbs'), cwd),
      showFile,
    };
    findings.push(...(await lintDigests(generated, show, files, lines, templatesDir, checkpoint)));
    digests = generated.digests.size;
  }

  let links: number | undefined;
  if (options.links) {
    checkpoint?.();
    const targets = linkTargets(generated, lines, showFile);
    links = new Set(targets.map((target) => target.url)).size;
    findings.push(...(await checkLinks(targets, { ...options.links, site: builtSite(generated) })));
  }
  return { findings: tidyFindings(findings), guard, digests, ...(links === undefined ? {} : { links }) };
}

/** Thrown by a checkpoint to stop a check (see CheckOptions.checkpoint); never reported as a finding. */
export class CheckStopped extends Error {
  constructor() {
    super('the check was stopped');
  }
}

/**
 * `dev`'s check: the guard against the last build in dist/ (if any) and the lints, never the
 * network; a check that fails is one more finding, never a stopped preview.
 */
export async function checkPreview(generated: Generated, options: { cwd: string; contentDir: string; templatesDir?: string; checkpoint?: () => void }): Promise<Finding[]> {
  try {
    const report = await checkGenerated(generated, { ...options, guard: { out: 'dist' } });
    return report.findings;
  } catch (error) {
    if (error instanceof CheckStopped) throw error;
    return [{ file: 'castwright check', message: `the check could not finish: ${(error as Error).message}`, severity: 'warning', code: 'check/failed' }];
  }
}
