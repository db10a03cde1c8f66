// The words `publish` prints: one line per file as it lands, and the summary line scripts and
// people read ("2 pages, feed.xml uploaded; 0 deleted; WebSub pinged").
import type { Notifier } from './notify/notifier.ts';
import type { Upload } from './plan.ts';
import type { PublishOutcome } from './run.ts';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 pages, 2 email copies, 1 asset, feed.json, sitemap.xml, feed.xml" (empty when nothing). */
export function describeUploads(uploads: readonly Upload[]): string {
  const pages = uploads.filter((u) => u.kind === 'page' && !u.path.startsWith('email/')).length;
  const emails = uploads.filter((u) => u.path.startsWith('email/')).length;
  const assets = uploads.filter((u) => u.kind === 'asset' && !u.path.startsWith('email/')).length;
  const listings = uploads.filter((u) => u.kind === 'listing').map((u) => u.path).sort();
  const archives = uploads.filter((u) => u.kind === 'feed-archive').length;
  const feed = uploads.some((u) => u.kind === 'feed');
  const parts = [
    pages ? count(pages, 'page') : '',
    emails ? count(emails, 'email file') : '',
    assets ? count(assets, 'asset') : '',
    ...listings,
    archives ? count(archives, 'feed archive') : '',
    feed ? 'feed.xml' : '',
  ].filter(Boolean);
  return parts.join(', ');
}

const names = (notifiers: readonly Notifier[]) => [...new Set(notifiers.map((n) => n.name))].join(' and ');

export function summaryLine(outcome: PublishOutcome, options: { dryRun: boolean; notifiers: number }): string {
  const { plan } = outcome;
  const uploads = options.dryRun ? plan.ranks.flat() : outcome.uploaded;
  const deleted = options.dryRun ? plan.deletions.length : outcome.deleted.length;
  const would = options.dryRun ? 'would be ' : '';
  const uploaded = describeUploads(uploads);
  const parts = [uploaded ? `${uploaded} ${would}uploaded` : `nothing ${would}uploaded`, `${deleted} ${would}deleted`];
  if (options.dryRun) {
    if (outcome.owed.length) parts.push(`${names(outcome.owed)} would be pinged`);
  } else {
    if (outcome.pinged.length) parts.push(`${names(outcome.pinged)} pinged`);
    if (outcome.pingFailures.length) parts.push(`${names(outcome.pingFailures.map((f) => f.notifier))} not reached`);
  }
  if (options.notifiers > 0 && outcome.owed.length === 0) parts.push('no ping needed (the feed did not change)');
  return parts.join('; ');
}
