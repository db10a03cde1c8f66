// One publish, the same for every target: read the target's record, plan, upload in ranks with the
// feed last, delete, commit, then notify. The record is written before the first upload (listing
// every upload as pending), after each batch, after the deletions and after the notifications, so
// a run that dies at any point leaves a record from which the next run finishes the work: pending
// files go up again, and a feed whose notification is not recorded is announced again.
import type { OutputContent } from '../model/source-file.ts';
import { RunError } from '../errors.ts';
import type { Notifier } from './notify/notifier.ts';
import { episodeChanges, planIsEmpty, planPublish, uploadsOf, type Plan, type Upload } from './plan.ts';
import { EMPTY_RECORD, RecordError, parseRecord, serializeRecord, type PublishRecord } from './record.ts';
import { recordText, type Target } from './target.ts';

/** Uploads between two checks for a stop and two checkpoints of the record. */
const BATCH = 200;

export type PublishEvent =
  | { type: 'uploaded'; path: string }
  | { type: 'deleted'; path: string }
  | { type: 'committed'; detail: string | undefined }
  | { type: 'pinged'; notifier: Notifier }
  | { type: 'ping-failed'; notifier: Notifier; error: Error };

export interface PublishRun {
  /** Every file of the build, path → content. */
  files: ReadonlyMap<string, OutputContent>;
  feedUrl: string;
  /** Episode titles by slug, to name the episodes a change adds. */
  titles: ReadonlyMap<string, string>;
  target: Target;
  notifiers: readonly Notifier[];
  /** Upload every file whatever the record says; an unreadable record is then replaced. */
  force?: boolean;
  /** Plan only: read the record, change nothing, ping no one. */
  dryRun?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: PublishEvent) => void;
}

export interface PublishOutcome {
  plan: Plan;
  /** The record as the target had it. */
  before: PublishRecord;
  /** Services not yet told about this feed (before this run told them). */
  owed: Notifier[];
  uploaded: Upload[];
  deleted: string[];
  /** What the target said when it made the change live (a commit id), if anything. */
  committed?: string;
  pinged: Notifier[];
  pingFailures: Array<{ notifier: Notifier; error: Error }>;
}

/** Thrown when the work stopped part-way; says what the target holds now and what to do. */
export class PublishStopped extends RunError {}

async function readRecord(run: PublishRun): Promise<PublishRecord> {
  try {
    return parseRecord(await recordText(run.target), run.target.display);
  } catch (error) {
    if (error instanceof RecordError && run.force) return EMPTY_RECORD;
    throw error;
  }
}

export async function runPublish(run: PublishRun): Promise<PublishOutcome> {
  const { target } = run;
  const before = await readRecord(run);
  const plan = planPublish(run.files, before, { force: run.force });
  // Only the services asked for now are remembered; one dropped and added again is told anew.
  plan.after.notified = Object.fromEntries(run.notifiers.filter((n) => n.id in before.notified).map((n) => [n.id, before.notified[n.id]!]));
  const owed = run.notifiers.filter((notifier) => before.notified[notifier.id] !== plan.feedSha256);
  const outcome: PublishOutcome = { plan, before, owed, uploaded: [], deleted: [], pinged: [], pingFailures: [] };
  if (run.dryRun) return outcome;

  if (!planIsEmpty(plan) || before.pending.length > 0) await change(run, outcome);
  await notify(run, outcome);
  return outcome;
}

async function change(run: PublishRun, outcome: PublishOutcome): Promise<void> {
  const { target, signal } = run;
  const { plan, before } = outcome;
  const uploads = uploadsOf(plan);
  const confirmed = new Map<string, string>();
  const checkpoint = (): PublishRecord => ({
    files: { ...before.files, ...Object.fromEntries(confirmed) },
    pending: [...new Set([...before.pending, ...uploads.map((u) => u.path)])].filter((path) => !confirmed.has(path)),
    notified: before.notified,
  });
  const stopIfAsked = () => {
    if (signal?.aborted) throw new PublishStopped('stopped on request');
  };
  const feedUp = () => confirmed.has('feed.xml') || !uploads.some((u) => u.kind === 'feed');
  let checkpointed = 0;
  try {
    await target.writeRecord(serializeRecord(checkpoint()));
    for (const rank of plan.ranks) {
      for (let start = 0; start < rank.length; start += BATCH) {
        stopIfAsked();
        const batch = new Map(rank.slice(start, start + BATCH).map((u) => [u.path, u]));
        await target.put([...batch.values()], (path) => {
          const upload = batch.get(path);
          if (!upload || confirmed.has(path)) return;
          confirmed.set(path, upload.sha256);
          outcome.uploaded.push(upload);
          run.onEvent?.({ type: 'uploaded', path });
        });
        // A large upload keeps its record current, so a rerun after a failure sends only the rest.
        if (confirmed.size - checkpointed >= BATCH && confirmed.size < uploads.length) {
          await target.writeRecord(serializeRecord(checkpoint()));
          checkpointed = confirmed.size;
        }
      }
    }
    stopIfAsked();
    await target.remove(plan.deletions, (path) => {
      outcome.deleted.push(path);
      run.onEvent?.({ type: 'deleted', path });
    });
    await target.writeRecord(serializeRecord(plan.after));
    const { added, removed } = episodeChanges(plan, before);
    outcome.committed = await target.commit({
      added: added.map((slug) => run.titles.get(slug) ?? slug),
      removed,
      uploads: uploads.length,
      deletions: plan.deletions.length,
    });
    run.onEvent?.({ type: 'committed', detail: outcome.committed });
  } catch (error) {
    // Best effort: a later run then re-sends fewer files. The record written before the first
    // upload already lists every one of them as pending, so nothing depends on this write.
    if (confirmed.size > 0) await target.writeRecord(serializeRecord(checkpoint())).catch(() => undefined);
    const left = plan.deletions.length - outcome.deleted.length;
    const state =
      !target.changesAreLive || (confirmed.size === 0 && outcome.deleted.length === 0)
        ? 'nothing was changed on the target'
        : !feedUp()
          ? `${confirmed.size} of ${uploads.length} files went up, but not the feed: apps and readers still see the previous episodes, whose files are all still there`
          : left > 0
            ? `the feed is up, but ${left} old file${left === 1 ? ' is' : 's are'} not deleted yet and no service was told`
            : 'every file is in place, but the record of it is not, and no service was told';
    const message = error instanceof Error ? error.message : String(error);
    throw new PublishStopped(`${message}; ${state}. Run publish again to finish`, { cause: error });
  }
}

/**
 * Each service owed a ping gets one, and its success is recorded before the next is tried. Only a
 * crash between a ping and its record can tell a service twice; no path tells it never.
 */
async function notify(run: PublishRun, outcome: PublishOutcome): Promise<void> {
  const record = outcome.plan.after;
  for (const notifier of outcome.owed) {
    try {
      await notifier.ping(run.feedUrl);
    } catch (error) {
      outcome.pingFailures.push({ notifier, error: error as Error });
      run.onEvent?.({ type: 'ping-failed', notifier, error: error as Error });
      continue;
    }
    record.notified[notifier.id] = outcome.plan.feedSha256;
    outcome.pinged.push(notifier);
    run.onEvent?.({ type: 'pinged', notifier });
    await run.target.updateRecord(serializeRecord(record));
  }
}
