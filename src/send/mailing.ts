// Everything a send needs decided before the first message: the episode, its rendering, who gets
// it and who must not. Problems with any of it surface here, while nothing has been sent.
import path from 'node:path';
import { loadContent } from '../load/content.ts';
import type { Problem } from '../problems.ts';
import { hasEmail, type ListedEpisode, type MailingShow } from '../model/types.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../render/templates.ts';
import { readMailbox } from './address.ts';
import { episodeToSend } from './episode.ts';
import { SetupError } from './errors.ts';
import { createComposer, type Compose } from './message.ts';
import { applySuppression, readRecipients, readSuppression, type Recipient, type RecipientList, type Suppression } from './recipients.ts';
import { shownPath } from './sends.ts';
import type { ListsPlace } from '../lists/place.ts';
import { listsSuppression } from '../lists/state.ts';
import { readLists } from '../lists/store.ts';
import { DEFAULT_SUPPRESSION_FILE } from './defaults.ts';
import { present } from './folders.ts';

export interface MailingRequest {
  contentDir: string;
  cwd: string;
  slug: string;
  /** The subscriber list; or `test`, one address for a [TEST] copy. */
  to?: string;
  test?: string;
  /** Suppression list; by default `<content>/unsubscribed.csv` when it exists. */
  suppress?: string;
  /**
   * The lists folder: its subscriber list is the mailing's when neither `to` nor `test` is given,
   * and its unsubscriptions apply to every send.
   */
  lists?: ListsPlace;
  /** `lists` was named by the user (--lists), so it must exist. */
  listsChosen?: boolean;
  secret: string;
  now?: Date;
}

export interface Mailing {
  show: MailingShow;
  episode: ListedEpisode;
  compose: Compose;
  /** Valid, unique and not suppressed: the readers to mail (the ledger may still skip some). */
  recipients: Recipient[];
  suppressed: Recipient[];
  /** Rows skipped: not an address. */
  invalid: Problem[];
  /** Rows used with something left out. */
  warnings: Problem[];
  duplicates: number;
  /** Every suppression that applies: the --suppress file (or <content>/unsubscribed.csv), and the lists folder's. */
  suppressions: Suppression[];
  /** The subscriber list's file, absolute; undefined for a test copy. */
  listFile?: string;
  /** What reading the lists folder mended (a row a crash left half-written). */
  notes: string[];
}

export async function planMailing(request: MailingRequest): Promise<Mailing> {
  const contentPath = path.resolve(request.cwd, request.contentDir);
  const [content, templates] = await Promise.all([
    loadContent(contentPath, { cwd: request.cwd }),
    loadTemplates(DEFAULT_TEMPLATES_DIR, request.cwd),
  ]);
  const { show } = content;
  if (!hasEmail(show)) {
    const file = path.join(request.contentDir, 'show.yml');
    throw new SetupError(`${file} has no email settings; add email: { from, address, unsubscribe } to it (see the README, "show.yml") to send digests`);
  }
  const test = request.test !== undefined;
  const episode = episodeToSend(content.episodes, request.slug, { now: request.now ?? new Date(), test, contentDir: request.contentDir });

  const notes: string[] = [];
  const place = request.lists;
  const listsExist = place !== undefined && (await present(place.folder));
  if (place && request.listsChosen && !listsExist) throw new SetupError(`--lists ${place.shown.folder}: no such folder`);
  const lists = listsExist ? await readLists(place, { onNote: (note) => notes.push(note) }) : undefined;

  let list: RecipientList;
  let listFile: string | undefined;
  if (request.test !== undefined) {
    const mailbox = readMailbox(request.test);
    if (!mailbox) throw new SetupError(`--test: "${request.test}" is not an email address`);
    list = { recipients: [{ ...mailbox, line: 0 }], invalid: [], warnings: [], duplicates: 0 };
  } else if (request.to !== undefined) {
    list = await readRecipients(request.to, { cwd: request.cwd });
    listFile = path.resolve(request.cwd, request.to);
  } else if (lists && place && (await present(place.subscribers))) {
    list = lists.subscribers;
    listFile = place.subscribers;
  } else {
    const where = place ? `${place.shown.subscribers} does not exist yet (castwright serve adds readers to it as they sign up; castwright subscribers import adds a list); ` : '';
    throw new SetupError(`say who gets the digest: ${where}--to <subscribers.csv>, or --test <address> for one test copy`);
  }

  const defaultSuppression = path.join(request.contentDir, DEFAULT_SUPPRESSION_FILE);
  const suppressionFile = request.suppress ?? ((await present(path.resolve(request.cwd, defaultSuppression))) ? defaultSuppression : undefined);
  const suppressions = [
    ...(suppressionFile === undefined ? [] : [await readSuppression(suppressionFile, { cwd: request.cwd })]),
    // What was read suppresses, whatever is there now: unsubscribed.csv moved away after readLists
    // read it must not drop its readers. Only a list with none to suppress is named by presence.
    ...(lists && place && (lists.unsubscribedAt.size > 0 || (await present(place.unsubscribed))) ? [listsSuppression(lists)] : []),
  ];
  const { keep, suppressed } = applySuppression(list.recipients, suppressions);

  return {
    show,
    episode,
    compose: createComposer({ show, episode, templates, secret: request.secret, test, showFile: shownPath(path.join(contentPath, 'show.yml'), request.cwd) }),
    recipients: keep,
    suppressed,
    invalid: list.invalid,
    warnings: list.warnings,
    duplicates: list.duplicates,
    suppressions,
    ...(listFile !== undefined ? { listFile } : {}),
    notes,
  };
}
