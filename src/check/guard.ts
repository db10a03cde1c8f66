// The publish guard: what the next build publishes, compared item by guid with the feed apps
// already have. Podcast apps never forgive a changed guid (the episode is downloaded again and
// listed twice), a changed or vanished audio file, or a show that changes identity; each such
// change is an error at the line a host edits, with the fix, unless it is acknowledged: once with
// --accept, or for good with `replaces:` in the episode or `removed:` in show.yml.
import path from 'node:path';
import { v5 as uuidv5 } from 'uuid';
import { canonicalMediaType } from '../feed-reader/media-types.ts';
import { SHOW_FILE } from '../load/content.ts';
import type { Episode, Publication } from '../model/types.ts';
import { isoDate } from '../render/view.ts';
import { finding, shown, tidyFindings, type Finding } from './finding.ts';
import type { LiveFeed, LiveItem } from './live.ts';
import { SourceLines, displayPath } from './locate.ts';
import { isRecognisable, normaliseTitle } from './titles.ts';

/** A publish date may move this much (a time zone fixed, an hour changed) before apps re-sort it. */
const DATE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

export interface GuardOptions {
  /** Messages name files relative to this folder. */
  cwd: string;
  /** The content folder (absolute or relative to cwd): where show.yml is. */
  contentDir: string;
  /** Every episode loaded, drafts and future ones included: says why an episode left the feed. */
  episodes?: readonly Episode[];
  /** Changes meant once (`--accept`): a guid, an episode file or its slug, or show.yml. */
  accept?: readonly string[];
  /** Told each change that was acknowledged, and how. */
  onAccepted?: (finding: Finding, by: string) => void;
}

interface Change {
  finding: Finding;
  /** Guids (old and new) and files a --accept may name to acknowledge it. */
  guids: string[];
  files: string[];
  /** The permanent note that acknowledges it, if any. */
  notedBy?: string;
}


function normalUrl(raw: string): string {
  try {
    return new URL(raw.trim()).href;
  } catch {
    return raw.trim();
  }
}

/**
 * The audio URLs a published enclosure may stand for: itself, and what follows each `/` of it as a
 * URL, since a tracking prefix (OP3, Podtrac, Chartable) wraps the real URL without its scheme.
 * Adding, changing or removing a prefix moves no file.
 */
function audioCandidates(published: string, own = normalUrl(published)): string[] {
  const rest = own.replace(/^https?:\/\//i, '');
  const candidates = [own];
  for (let at = rest.indexOf('/'); at !== -1; at = rest.indexOf('/', at + 1)) {
    const inner = rest.slice(at + 1);
    if (/^https?:\/\//i.test(inner)) candidates.push(normalUrl(inner));
    else if (inner.includes('.')) candidates.push(normalUrl(`https://${inner}`), normalUrl(`http://${inner}`));
  }
  return candidates;
}

/** The enclosure itself (the usual case) is known without the other candidates: their URLs cost a rebuild of 1,000 episodes ~10 ms. */
function sameAudio(published: string, audioUrl: string): boolean {
  // The same text is the same URL: parsing 2,000 URLs that are cost a one-edit rebuild of 1,000 episodes ~30-40 ms.
  if (published === audioUrl) return true;
  const own = normalUrl(published);
  const audio = normalUrl(audioUrl);
  return own === audio || audioCandidates(published, own).includes(audio);
}

const quoted = (text: string) => JSON.stringify(text);

function categoryText(category: { name: string; subcategory?: string } | undefined): string {
  return category ? (category.subcategory ? `${category.name} > ${category.subcategory}` : category.name) : '';
}

const days = (ms: number) => {
  const value = Math.abs(ms) / DATE_TOLERANCE_MS;
  return value >= 2 ? `${Math.round(value)} days` : `${Math.round(value * 24)} hours`;
};

/** The slug in a castwright episode page's address (`<url>episodes/<slug>/`), if it is one. */
function slugOfLink(link: string | undefined, siteUrl: string): string | undefined {
  if (!link?.startsWith(`${siteUrl}episodes/`)) return undefined;
  return /^([a-z0-9]+(?:[-_][a-z0-9]+)*)\/?$/.exec(link.slice(`${siteUrl}episodes/`.length))?.[1];
}

/**
 * Every change between the live feed and the next publication that apps would not forgive, as
 * findings; acknowledged changes are left out (and told to `onAccepted`). A --accept that matches no
 * change is a warning, so a typo in it is not silently ignored.
 */
export function guardPublication(next: Publication, live: LiveFeed, options: GuardOptions): Finding[] {
  const { show } = next;
  const { cwd } = options;
  const lines = new SourceLines(cwd);
  const contentDir = path.resolve(cwd, options.contentDir);
  const showFile = displayPath(path.join(contentDir, SHOW_FILE), cwd);
  const liveAt = (line: number | undefined, feed = live.name) => (line === undefined ? feed : `${feed}:${line}`);
  /** Where an item is: a paged feed's later items are in their own page. */
  const itemAt = (item: LiveItem) => liveAt(item.line, item.page);
  const changes: Change[] = [];
  const notes: Finding[] = [];
  const channel = (code: string, field: PropertyKey[], message: string) =>
    changes.push({ finding: finding('error', code, showFile, lines.field(showFile, field), message), guids: [], files: [showFile, SHOW_FILE, 'show'] });
  const onEpisode = (episode: Episode, item: LiveItem, code: string, field: PropertyKey[], message: string, notedBy?: string) =>
    changes.push({
      finding: finding('error', code, episode.source, lines.field(episode.source, field), message),
      guids: [item.guid, episode.guid],
      files: [episode.source, episode.slug, `${episode.slug}.md`],
      ...(notedBy ? { notedBy } : {}),
    });

  // The show's identity. Guids castwright derives from a file name hang on podcast:guid: when it
  // changes, they all change with it, and that is said once, here.
  const oldShowGuid = live.podcastGuid?.value.trim().toLowerCase();
  const nextByGuid = new Map(next.episodes.map((episode) => [episode.guid, episode]));
  const liveByGuid = new Map(live.items.map((item) => [item.guid, item]));
  const added = next.episodes.filter((episode) => !liveByGuid.has(episode.guid));
  const underOldShowGuid = new Map<string, Episode>();
  if (oldShowGuid !== undefined && oldShowGuid !== show.guid) {
    for (const episode of added) {
      if (episode.guid === uuidv5(episode.slug, show.guid)) underOldShowGuid.set(uuidv5(episode.slug, oldShowGuid), episode);
    }
  }
  const derivedFromOldShowGuid = (episode: Episode, item: LiveItem) => underOldShowGuid.get(item.guid) === episode;
  if (live.podcastGuid && oldShowGuid !== show.guid) {
    const old = live.podcastGuid.value;
    const count = live.items.filter((item) => underOldShowGuid.has(item.guid)).length;
    const items = count ? `, and with it the guids of ${count} episode${count === 1 ? '' : 's'} derived from it` : '';
    channel(
      'guard/podcast-guid-changed',
      lines.written(showFile, 'guid') ? ['guid'] : ['url'],
      `podcast:guid changes from ${shown(old)} (${liveAt(live.podcastGuid.line)}) to "${show.guid}"${items}: apps and directories know the show by it and would take this feed for another show; keep it with guid: ${old.replace(/[^0-9a-f-]/gi, '')} in show.yml`,
    );
  }
  if (live.self && normalUrl(live.self.value) !== show.feedUrl) {
    const announced = show.newFeedUrl === show.feedUrl || (live.newFeedUrl !== undefined && normalUrl(live.newFeedUrl) === show.feedUrl);
    if (!announced) {
      channel(
        'guard/feed-url-changed',
        ['url'],
        `the feed's address changes from ${shown(live.self.value)} (${liveAt(live.self.line)}) to ${show.feedUrl}: apps keep asking the old address, so subscribers stop getting episodes unless it redirects here; if the show is moving, set newFeedUrl: ${show.feedUrl} (see "Moving a show to castwright" in the README), else put url back`,
      );
    }
  }
  if (live.locked?.value && !show.locked) {
    channel(
      'guard/unlocked',
      ['locked'],
      `podcast:locked changes from yes (${liveAt(live.locked.line)}) to no: any platform may then import the feed and take the show over; keep locked: true unless you are moving the show yourself`,
    );
  }
  if (live.explicit && live.explicit.value !== show.explicit) {
    channel(
      'guard/explicit-changed',
      ['explicit'],
      `explicit changes from ${live.explicit.value} (${liveAt(live.explicit.line)}) to ${show.explicit}: Apple reviews the show again and may hide it meanwhile; if that is meant, --accept ${showFile}`,
    );
  }
  const nextCategory = categoryText(show.categories[0]);
  if (live.category && normaliseTitle(live.category.value) !== normaliseTitle(nextCategory)) {
    channel(
      'guard/category-changed',
      ['categories', 0],
      `the first category, the one Apple lists the show under, changes from ${shown(live.category.value)} (${liveAt(live.category.line)}) to "${nextCategory}": Apple reviews the show again; if that is meant, --accept ${showFile}`,
    );
  }

  // Episodes, by guid; one that vanished is looked for under a new guid by its audio file or title.
  const byAudio = new Map<string, Episode>();
  const byTitle = new Map<string, Episode>();
  for (const episode of added) {
    if (!byAudio.has(normalUrl(episode.audio.url))) byAudio.set(normalUrl(episode.audio.url), episode);
    const title = normaliseTitle(episode.title);
    if (title && !byTitle.has(title)) byTitle.set(title, episode);
  }
  const paired = new Set<Episode>();
  const replacedBy = new Map<string, Episode>();
  for (const episode of next.episodes) for (const guid of episode.replaces) if (!replacedBy.has(guid)) replacedBy.set(guid, episode);
  const removedNote = new Set(show.removed.map((entry) => entry.guid));
  const parkedByGuid = new Map((options.episodes ?? []).filter((episode) => !nextByGuid.has(episode.guid)).map((episode) => [episode.guid, episode]));
  for (const item of live.items) {
    const episode = nextByGuid.get(item.guid);
    if (episode) {
      compareEpisode(item, episode);
      continue;
    }
    let candidate = audioCandidates(item.enclosure.url).map((url) => byAudio.get(url)).find((found) => found !== undefined);
    let how = 'the same audio file';
    if (!candidate || paired.has(candidate)) {
      const sameTitle = normaliseTitle(item.title) ? byTitle.get(normaliseTitle(item.title)) : undefined;
      candidate = sameTitle && !paired.has(sameTitle) ? sameTitle : undefined;
      how = 'the same title';
    }
    if (candidate) {
      paired.add(candidate);
      if (derivedFromOldShowGuid(candidate, item)) continue;
      guidChanged(item, candidate, how);
    } else {
      vanished(item);
    }
  }

  function guidChanged(item: LiveItem, episode: Episode, how: string): void {
    const derived = episode.guid === uuidv5(episode.slug, show.guid);
    const oldSlug = slugOfLink(item.link, show.url);
    const renamed = derived && oldSlug && oldSlug !== episode.slug ? `, which was ${oldSlug}.md` : '';
    const wasDerived = item.guid === uuidv5(episode.slug, show.guid);
    const keep = derived
      ? `its guid comes from the file name${renamed}: keep the old one with guid: ${quoted(item.guid)} in its front matter`
      : wasDerived
        ? `it came from the file name: remove the guid: line (or write guid: ${quoted(item.guid)})`
        : `put back guid: ${quoted(item.guid)}`;
    const noted = episode.replaces.includes(item.guid) ? `replaces: in ${episode.source}` : undefined;
    onEpisode(
      episode,
      item,
      'guard/guid-changed',
      ['guid'],
      `guid changes from ${shown(item.guid)} (${itemAt(item)}) to ${quoted(episode.guid)} for the episode with ${how}: apps take it for a new episode, download it again and list it twice; ${keep}, or if the new guid is meant, add replaces: ${quoted(item.guid)}`,
      noted,
    );
  }

  function vanished(item: LiveItem): void {
    const title = shown(item.title || item.enclosure.url);
    const parked = parkedByGuid.get(item.guid);
    if (parked) {
      const why = parked.draft ? 'it is a draft now (draft: true)' : `it is dated in the future now (${isoDate(parked.date)})`;
      changes.push({
        finding: finding(
          'error',
          'guard/episode-removed',
          parked.source,
          lines.field(parked.source, parked.draft ? ['draft'] : ['date']),
          `${title} (${itemAt(item)}) leaves the feed: ${why}, so apps drop it from every subscriber's list; publish it again, or if that is meant, --accept ${parked.source} (after a --drafts preview build that was never published, --accept it too)`,
        ),
        guids: [item.guid],
        files: [parked.source, parked.slug, `${parked.slug}.md`],
      });
      return;
    }
    const replacing = replacedBy.get(item.guid);
    const oldSlug = slugOfLink(item.link, show.url);
    const file = oldSlug ? ` (its file was ${displayPath(path.join(contentDir, `${oldSlug}.md`), cwd)})` : '';
    changes.push({
      finding: finding(
        'error',
        'guard/episode-removed',
        showFile,
        lines.field(showFile, ['removed']),
        `${title}, guid ${shown(item.guid)} (${itemAt(item)}), leaves the feed: no episode has its guid any more${file}, so apps drop it from every subscriber's list; restore its file, or if removing it is meant, record it in show.yml: removed: [{ guid: ${quoted(item.guid)}, reason: … }]`,
      ),
      guids: [item.guid],
      files: oldSlug ? [oldSlug, `${oldSlug}.md`] : [],
      ...(removedNote.has(item.guid) ? { notedBy: `removed: in ${showFile}` } : replacing ? { notedBy: `replaces: in ${replacing.source}` } : {}),
    });
  }

  function compareEpisode(item: LiveItem, episode: Episode): void {
    const urlChanged = !sameAudio(item.enclosure.url, episode.audio.url);
    const moved = item.date === undefined ? 0 : episode.date.instant.getTime() - item.date.getTime();
    const dateMoved = Math.abs(moved) > DATE_TOLERANCE_MS;
    const retitled = !isRecognisable(item.title, episode.title);
    if (urlChanged && (dateMoved || retitled)) {
      const what = [retitled ? 'its title' : '', dateMoved ? 'its date' : ''].filter(Boolean).join(' and ');
      onEpisode(
        episode,
        item,
        'guard/guid-reused',
        ['guid'],
        `the guid ${shown(episode.guid)} now names another episode: its audio file and ${what} change (live: ${shown(item.title)}, ${itemAt(item)}); apps would replace the episode they have with this one. Give the new episode a file of its own and restore this one`,
      );
      return;
    }
    if (urlChanged) {
      onEpisode(
        episode,
        item,
        'guard/enclosure-url-changed',
        ['audio', 'url'],
        `audio.url changes from ${shown(item.enclosure.url, 200)} (${liveAt(item.enclosure.line ?? item.line)}) to ${episode.audio.url}: downloads already made and download counts break, and apps may fetch the episode again; put the old URL back, or if the file really moved, --accept ${episode.source}`,
      );
    }
    if (item.enclosure.length !== undefined && item.enclosure.length !== episode.audio.length) {
      onEpisode(
        episode,
        item,
        'guard/enclosure-length-changed',
        ['audio', 'length'],
        `audio.length changes from ${item.enclosure.length} (${liveAt(item.enclosure.line ?? item.line)}) to ${episode.audio.length} bytes: apps may take the audio for a new file and download it again; put the old length back, or if the audio file was replaced, --accept ${episode.source}`,
      );
    }
    if (item.enclosure.type !== undefined && canonicalMediaType(item.enclosure.type) !== episode.audio.type) {
      onEpisode(
        episode,
        item,
        'guard/enclosure-type-changed',
        ['audio', 'type'],
        `audio.type changes from ${shown(item.enclosure.type)} (${liveAt(item.enclosure.line ?? item.line)}) to ${episode.audio.type}: apps may no longer play the downloads they have; put the old type back, or if the file changed format, --accept ${episode.source}`,
      );
    }
    if (dateMoved) {
      onEpisode(
        episode,
        item,
        'guard/date-moved',
        ['date'],
        `the publish date moves by ${days(moved)}, from ${item.dateText ? shown(item.dateText) : 'its date'} (${itemAt(item)}) to ${isoDate(episode.date)}: apps re-sort the episode${moved > 0 ? ' and may announce it as new again' : ''}; put the date back, or if that is meant, --accept ${episode.source}`,
      );
    }
    if (retitled) {
      onEpisode(
        episode,
        item,
        'guard/title-rewritten',
        ['title'],
        `the title is rewritten beyond recognition, from ${shown(item.title)} (${itemAt(item)}): listeners who have the episode will not recognise it; if this is still the same episode, --accept ${episode.source}, else give the new one a file of its own`,
      );
    }
  }

  // Notes that contradict the publication: they would acknowledge what has not happened.
  show.removed.forEach((entry, index) => {
    const publisher = nextByGuid.get(entry.guid);
    if (publisher) {
      notes.push(
        finding(
          'warning',
          'guard/removed-still-published',
          showFile,
          lines.field(showFile, ['removed', index, 'guid']),
          `removed: lists guid ${shown(entry.guid)}, but ${publisher.source} publishes it; take it off the list`,
        ),
      );
    }
  });
  for (const episode of next.episodes) {
    episode.replaces.forEach((guid, index) => {
      const other = nextByGuid.get(guid);
      if (other && other !== episode) {
        notes.push(
          finding(
            'warning',
            'guard/replaced-still-published',
            episode.source,
            lines.field(episode.source, ['replaces', index]),
            `replaces: ${shown(guid)}, but ${other.source} still publishes that guid, so both stay in apps' lists; remove the note or that episode`,
          ),
        );
      }
    });
  }

  // Acknowledgements: a permanent note, or --accept naming a guid, a file or show.yml.
  const accepts = (options.accept ?? []).map((value) => value.trim()).filter(Boolean);
  const used = new Set<string>();
  const findings: Finding[] = [...notes];
  for (const change of changes) {
    if (change.notedBy) {
      options.onAccepted?.(change.finding, change.notedBy);
      continue;
    }
    const accepted = accepts.find((value) => change.guids.includes(value) || change.files.some((file) => sameFile(file, value)));
    if (accepted === undefined) {
      findings.push(change.finding);
      continue;
    }
    used.add(accepted);
    options.onAccepted?.(change.finding, `--accept ${accepted}`);
  }
  for (const value of accepts) {
    if (used.has(value)) continue;
    findings.push(
      finding(
        'warning',
        'guard/accept-unused',
        '--accept',
        undefined,
        `${shown(value)} matches no change to the live feed (${live.name}); expected the guid, the file or slug of an episode the guard named, or ${showFile}`,
      ),
    );
  }
  return tidyFindings(findings);

  function sameFile(file: string, value: string): boolean {
    return file === value || path.resolve(cwd, file) === path.resolve(cwd, value);
  }
}
