// Where a mailing's ledger and lock live, and what names a mailing. Both are keyed by the show's
// guid and the episode's guid, which never change, so neither the working folder, nor the episode's
// file name, nor a second show with an episode of the same name can lead to the wrong ledger:
//
//   <state>/sends/<show guid>/<episode guid, or its hash>.jsonl   the ledger
//   <state>/sends/<show guid>/<episode guid, or its hash>.lock    the lock while a send runs
//
// `sends/` holds nothing else, so other state (a build cache) can sit beside it.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { realPath, showFolder } from '../state.ts';

export const SENDS_FOLDER = 'sends';

/** What a ledger records the sending of: this episode of this show to this list. */
export interface MailingIdentity {
  /** The show's podcast:guid. */
  show: string;
  /** The episode's guid. */
  episode: string;
  /** The subscriber list, as `listName` names it. */
  list: string;
}

export interface MailingFiles {
  folder: string;
  ledger: string;
  lock: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A guid as a file name: a UUID as it is (readable, and safe), anything else (a URL, say) as the
 * first 32 hex digits of its SHA-256, which no UUID can be mistaken for.
 */
export function guidFileName(guid: string): string {
  return UUID.test(guid) ? guid.toLowerCase() : createHash('sha256').update(guid).digest('hex').slice(0, 32);
}

export function mailingFiles(state: string, show: string, episode: string): MailingFiles {
  const folder = path.join(state, SENDS_FOLDER, guidFileName(show));
  const base = path.join(folder, guidFileName(episode));
  return { folder, ledger: `${base}.jsonl`, lock: `${base}.lock` };
}

/**
 * How a ledger names its subscriber list: its path relative to the show's folder (the one that
 * holds the content folder and, by default, `.castwright/`), with `/` between parts, such as
 * `subscribers.csv` or `../lists/equity.csv`. The same list keeps its name whichever folder the
 * command runs from, and when the show's folder is moved or checked out elsewhere with its lists;
 * a list renamed or moved is another list, a link to it is the list itself. (Its absolute path would change with every checkout;
 * its contents change with every new subscriber.)
 */
export function listName(list: string, contentDir: string, cwd: string): string {
  // Both through their symbolic links, as the state folder is found.
  const relative = path.relative(showFolder(contentDir, cwd), realPath(path.resolve(cwd, list)));
  // Only on another drive (Windows) is there no relative path.
  return path.isAbsolute(relative) ? relative : relative.split(path.sep).join('/');
}

/**
 * Where earlier versions of castwright kept a ledger: `.castwright/sends/<slug>.jsonl` in the working
 * folder, keyed by the episode's file name alone. The places such a file may be for this run: the
 * working folder, and the show's folder (where it was when the command ran from there).
 */
export function legacyLedgers(slug: string, options: { cwd: string; contentDir: string }): string[] {
  const places = [options.cwd, path.dirname(path.resolve(options.cwd, options.contentDir))];
  return [...new Set(places.map((folder) => path.join(folder, '.castwright', SENDS_FOLDER, `${slug}.jsonl`)))];
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function shownPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file).split(path.sep).join('/');
}
