// The import as one plan: read the feed, map the channel and every item, check them together and
// against what the content folder holds, and produce the files to write, each one already read
// back through the loader the build uses, so the import never writes what the build would refuse.
import path from 'node:path';
import { ContentError } from '../errors.ts';
import { SHOW_FILE } from '../load/content.ts';
import { readEpisode } from '../load/episode.ts';
import { readYaml, validate } from '../load/yaml.ts';
import { showSchema } from '../model/schema.ts';
import { displayPath, type Problem } from '../problems.ts';
import { mapChannel, type ShowDraft } from './channel.ts';
import { readFeedDocument } from '../feed-reader/document.ts';
import { readExisting, type ExistingContent } from './existing.ts';
import { UnmappedTally } from './extra.ts';
import { mapItem, type EpisodeDraft } from './item.ts';
import { isStoriesHeading } from '../load/markdown.ts';
import { quoted } from '../feed-reader/quoted.ts';
import { finishNotes } from './notes.ts';
import { readBody } from '../load/markdown.ts';
import type { FeedSource } from '../feed-reader/source.ts';
import type { NewFile } from './write.ts';
import { episodeFile, toYaml } from './yaml.ts';
import { withoutControlCharacters } from '../load/text.ts';

export interface PlanOptions {
  /** Absolute path of the content folder. */
  contentDir: string;
  /** The folder messages name files relative to. */
  cwd: string;
  url?: string;
  feedUrl?: string;
  since?: Date;
  force?: boolean;
}

export interface ImportPlan {
  files: NewFile[];
  /** Warnings: what was shortened, renamed, left out or kept in extra. */
  warnings: Problem[];
  /** Element names kept in `extra`, with where. */
  unmapped: string[];
  showWritten: boolean;
  episodes: number;
  alreadyPresent: number;
  beforeSince: number;
  /** Placeholders left in the written files, as `file: path`. */
  toFill: string[];
}

const PUBLISHED_SLUG = /^https?:\/\/[^/]+\/(?:[^?#]*\/)?episodes\/([a-z0-9]+(?:[-_][a-z0-9]+)*)\/?$/;

function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 60) return slug;
  const cut = slug.slice(0, 61);
  return (cut.lastIndexOf('-') > 20 ? cut.slice(0, cut.lastIndexOf('-')) : slug.slice(0, 60)).replace(/-+$/, '');
}

/**
 * The show's stories heading for a new show.yml: none when the build's default already takes the
 * heading most items put above their first list of links, else that heading.
 */
function chooseStoriesHeading(drafts: readonly EpisodeDraft[]): string | undefined {
  const counts = new Map<string, number>();
  for (const draft of drafts) {
    const text = draft.notes.linkLists.find((list) => list.heading)?.heading;
    if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const [best] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return best && !isStoriesHeading(best[0], undefined) ? best[0] : undefined;
}

/**
 * Same show: the same podcast:guid, or (for a show.yml that pins none) the same title. A pinned
 * guid that differs is another show, whatever its title: titles are not unique.
 */
function checkSameShow(existing: ExistingContent, show: ShowDraft, showFile: string, feed: string): Problem | undefined {
  const current = existing.show;
  if (!current) return undefined;
  // existing.ts lower-cases the folder's guid; UUIDs are the same in either case.
  if (current.guid && show.guid && current.guid === show.guid.toLowerCase()) return undefined;
  if (!current.guidPinned && current.title && current.title.toLowerCase() === show.title.toLowerCase()) return undefined;
  return {
    file: showFile,
    line: 1,
    message: `this folder holds the show ${quoted(current.title ?? '?')} (podcast:guid ${current.guid ?? 'unknown'}), not ${quoted(show.title)} (${show.guid || 'no podcast:guid'}) of ${feed}; expected an empty --content folder or the same show`,
  };
}

function hasStoryTimestamps(body: string, storiesHeading: string | undefined): boolean {
  return readBody(body, { file: '', lineOffset: 0, storiesHeading }).body.stories.some((story) => story.start !== undefined);
}

export async function planImport(source: FeedSource, options: PlanOptions): Promise<ImportPlan> {
  const document = readFeedDocument(source);
  const file = document.name;
  const errors: Problem[] = [];
  const warnings: Problem[] = [...document.warnings];
  const collect = (problems: readonly Problem[]) => {
    for (const problem of problems) (problem.severity === 'warning' ? warnings : errors).push(problem);
  };

  const show = mapChannel(document.channel, file, { url: options.url, feedUrl: options.feedUrl, fetchedFrom: source.url });
  collect(show.problems);
  if (show.locked && !options.force) {
    throw new ContentError([
      {
        file,
        ...(show.locked.line ? { line: show.locked.line } : {}),
        message: `the feed is locked (podcast:locked yes${show.locked.owner ? `, owner ${show.locked.owner}` : ''}): its owner asks other platforms not to import it. If you are the owner${show.locked.owner ? ` (${show.locked.owner})` : ''}, run again with --force`,
      },
    ]);
  }

  const existing = await readExisting(options.contentDir, options.cwd);
  if (existing.problems.length) throw new ContentError(existing.problems);
  const showPath = path.join(options.contentDir, SHOW_FILE);
  const showShown = displayPath(showPath, options.cwd);
  const mismatch = checkSameShow(existing, show, showShown, file);
  if (mismatch) throw new ContentError([mismatch]);
  if (existing.show && show.guid && existing.show.guid !== show.guid.toLowerCase()) {
    warnings.push({
      file: showShown,
      severity: 'warning',
      message: `the feed's podcast:guid is ${show.guid}, but this show's is ${existing.show.guid ?? 'unknown'}; add "guid: ${show.guid}" to keep the identity apps know`,
    });
  }

  // Feeds may hold C1 control characters (XML allows them; YAML writes them as they are) and the
  // notes C0 ones; the build refuses a file holding any.
  const withoutControls = (text: string, what: string, line?: number): string => {
    const cleaned = withoutControlCharacters(text);
    if (cleaned.removed > 0) {
      warnings.push({
        file,
        ...(line ? { line } : {}),
        severity: 'warning',
        message: `${what}: ${cleaned.removed} control character${cleaned.removed === 1 ? '' : 's'} left out (those standing for Windows-1252 punctuation written as it), as the build refuses them`,
      });
    }
    return cleaned.text;
  };

  const generator = document.channel.children.find((c) => c.name === 'generator')?.text.trim().toLowerCase();
  const explicit = existing.show?.explicit ?? show.explicit;
  const byCastwright = generator === 'castwright';
  const serial = (existing.show ? existing.show.type : show.fields.type) === 'serial';
  const tally = new UnmappedTally();
  if (!existing.show && show.fields.extra) tally.addChannel(show.fields.extra as Record<string, unknown>);

  // Every item first, so that problems across items are all found in one pass.
  const drafts: EpisodeDraft[] = [];
  for (const item of document.items) {
    const result = mapItem(item, { file, showAuthor: show.author, showExplicit: explicit, serial, byCastwright });
    collect(result.problems);
    if (result.draft) drafts.push(result.draft);
  }
  // Keyed as the build compares them: guids as written, audio URLs as a URL parser reads them.
  const firstBy = { guid: new Map<string, EpisodeDraft>(), audio: new Map<string, EpisodeDraft>() };
  for (const draft of drafts) {
    for (const [kind, key, written, element, expected] of [
      ['guid', draft.guid, draft.guid, 'guid', 'apps would take them for one episode'],
      ['audio', new URL(draft.audioUrl).href, draft.audioUrl, 'enclosure', 'Apple ignores a repeated audio file and castwright refuses one'],
    ] as const) {
      const first = firstBy[kind].get(key);
      const line = draft.lineOf(element);
      if (first) {
        errors.push({
          file,
          ...(line ? { line } : {}),
          message: `item ${draft.label}: ${kind === 'guid' ? 'guid' : 'enclosure url'} ${quoted(written)} is also used by the item at line ${first.lineOf(element) ?? '?'} (${first.label}); ${expected}. Fix the feed (or a copy of it) and import again`,
        });
      } else firstBy[kind].set(key, draft);
    }
  }
  if (errors.length) throw new ContentError(errors);

  // Only what is new: items published since --since whose guid the folder does not hold yet.
  let alreadyPresent = 0;
  let beforeSince = 0;
  const fresh = drafts.filter((draft) => {
    if (options.since && draft.date.instant.getTime() < options.since.getTime()) {
      beforeSince++;
      return false;
    }
    if (existing.guids.has(draft.guid)) {
      alreadyPresent++;
      return false;
    }
    const sameAudio = existing.audio.get(new URL(draft.audioUrl).href);
    if (sameAudio) {
      const line = draft.lineOf('enclosure');
      errors.push({ file, ...(line ? { line } : {}), message: `item ${draft.label}: its audio file is already used by ${displayPath(sameAudio, options.cwd)} under another guid; expected one episode per audio file` });
      return false;
    }
    return true;
  });
  if (errors.length) throw new ContentError(errors);

  const configuredHeading = existing.show ? existing.show.storiesHeading : chooseStoriesHeading(fresh);
  const files: NewFile[] = [];
  const toFill: string[] = [];

  let showUrl = existing.show?.url;
  if (!existing.show) {
    if (configuredHeading) show.fields = insertBefore(show.fields, 'extra', 'storiesHeading', configuredHeading);
    const text = withoutControls(toYaml(show.fields, show.placeholders, `The show, imported from ${file} by castwright import. See README.md, "Content format".`), 'the channel');
    const placeholderKeys = new Set(show.placeholders.map((p) => p.path.join('.')));
    const checked = validate(showSchema, readYaml(text, showShown), showShown);
    const unexpected = checked.problems.filter((problem) => problem.severity !== 'warning' && ![...placeholderKeys].some((key) => problem.message.startsWith(`${key}:`)));
    if (unexpected.length) throw new ContentError(unexpected.map((problem) => ({ ...problem, message: `import made a show.yml castwright would refuse: ${problem.message}` })));
    files.push({ path: showPath, content: text, shown: showShown });
    toFill.push(...show.placeholders.map((p) => `${showShown}: ${p.path.join('.')}`));
    showUrl = options.url ? new URL(options.url.endsWith('/') ? options.url : `${options.url}/`).href : undefined;
  }

  const context = { url: showUrl ?? 'https://example.invalid/', guid: existing.show?.guid ?? show.guid, explicit, storiesHeading: configuredHeading };
  const slugs = new Set(existing.slugs);
  // The next number to try after each name, so a thousand items of one title and day stay linear.
  const nextNumber = new Map<string, number>();
  for (const draft of fresh) {
    const day = String(draft.fields.date).slice(0, 10);
    // A page castwright published (…/episodes/<slug>/) keeps its address; others get date and title.
    const published = byCastwright ? PUBLISHED_SLUG.exec(draft.link ?? '')?.[1] : undefined;
    const base = published ?? `${day}-${slugOf(draft.title) || 'episode'}`;
    let slug = base;
    let n = nextNumber.get(base) ?? 2;
    while (slugs.has(slug)) slug = `${base}-${n++}`;
    nextNumber.set(base, n);
    slugs.add(slug);
    const body = finishNotes(draft.notes, configuredHeading);
    // Story timestamps (a castwright feed's chapters) make the chapters file again: the old file's
    // address is kept in extra, not as chapters: (the build refuses both).
    if (draft.fields.chapters !== undefined && hasStoryTimestamps(body, configuredHeading)) {
      draft.fields.extra = { ...(draft.fields.extra as Record<string, unknown> | undefined), 'podcast:chapters': draft.fields.chapters };
      delete draft.fields.chapters;
    }
    const filePath = path.join(options.contentDir, `${slug}.md`);
    const fileShown = displayPath(filePath, options.cwd);
    const text = withoutControls(episodeFile(draft.fields, draft.placeholders, body), `item ${draft.label}`, draft.line);
    const read = readEpisode({ file: fileShown, slug, text }, context);
    const placeholderKeys = draft.placeholders.map((p) => p.path.join('.'));
    // Warnings (a list of links under a heading that is not the stories heading) do not stop a build.
    const unexpected = read.problems.filter((problem) => problem.severity !== 'warning' && !placeholderKeys.some((key) => problem.message.startsWith(`${key}:`)));
    if (unexpected.length) {
      errors.push(
        ...unexpected.map((problem) => ({
          file,
          ...(draft.line ? { line: draft.line } : {}),
          message: `item ${draft.label}: castwright would refuse what import made of it: ${problem.message}`,
        })),
      );
      continue;
    }
    if (draft.fields.extra) tally.addItem(draft.fields.extra as Record<string, unknown>);
    toFill.push(...placeholderKeys.map((key) => `${fileShown}: ${key}`));
    files.push({ path: filePath, content: text, shown: fileShown });
  }
  if (errors.length) throw new ContentError(errors);

  return {
    files,
    warnings,
    unmapped: tally.lines(),
    showWritten: !existing.show,
    episodes: files.length - (existing.show ? 0 : 1),
    alreadyPresent,
    beforeSince,
    toFill,
  };
}

function insertBefore(fields: Record<string, unknown>, before: string, key: string, value: unknown): Record<string, unknown> {
  const entries = Object.entries(fields);
  const at = entries.findIndex(([name]) => name === before);
  entries.splice(at === -1 ? entries.length : at, 0, [key, value]);
  return Object.fromEntries(entries);
}
