// What a send tells the person running it: a progress line while it runs, a tally at the end.
import type { Progress, RunResult } from './runner.ts';

export function rateText(count: number, seconds: number): string {
  return seconds > 0 ? `${(count / seconds).toFixed(1)} messages/s` : '';
}

function durationText(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `━━━━━━────── 1234/10000 12% · 85.2 messages/s · 2 failed · 1m43s left` for a terminal. */
export function progressBar(progress: Progress, seconds: number, width = 24): string {
  const share = progress.total === 0 ? 1 : progress.done / progress.total;
  const filled = Math.round(share * width);
  const parts = [`${'━'.repeat(filled)}${'─'.repeat(width - filled)} ${progress.done}/${progress.total} ${Math.floor(share * 100)}%`];
  const speed = rateText(progress.done, seconds);
  if (speed) parts.push(speed);
  if (progress.failed) parts.push(`${progress.failed} failed`);
  if (progress.done > 0 && progress.done < progress.total) parts.push(`${durationText(((progress.total - progress.done) * seconds) / progress.done)} left`);
  return parts.join(' · ');
}

/** `500/5000 (10%) · 2 failed · 85.2 messages/s`, one line per step for logs and pipes. */
export function progressLine(progress: Progress, seconds: number): string {
  const percent = progress.total === 0 ? 100 : Math.floor((progress.done / progress.total) * 100);
  const failed = progress.failed ? ` · ${progress.failed} failed` : '';
  return `${progress.done}/${progress.total} (${percent}%)${failed} · ${rateText(progress.done, seconds)}`;
}

export interface Tally {
  /** `sent`, or `written` for the outbox. */
  verb: string;
  run: RunResult;
  suppressed: number;
  invalid: number;
  duplicates: number;
}

/** The counts, one per line, aligned; rows that only matter when non-zero are left out at zero. */
export function tallyLines(tally: Tally): string[] {
  const { run } = tally;
  const failed = run.rejected.length + run.deferred.length;
  const notes: string[] = [];
  if (run.rejected.length) notes.push(`${run.rejected.length} rejected for good (recorded; --retry-failed tries them again)`);
  if (run.deferred.length) notes.push(`${run.deferred.length} not accepted yet (a rerun tries them again)`);
  const unrecorded = run.unrecorded.length;
  type Row = [label: string, count: number, note?: string];
  const rows: Row[] = [
    [tally.verb, run.sent],
    ['skipped as already sent', run.alreadySent],
    ...(run.failedBefore ? [['skipped as rejected before', run.failedBefore, '--retry-failed tries them again'] as Row] : []),
    ...(run.uncertainBefore ? [['skipped as uncertain before', run.uncertainBefore, 'they may have it; --retry-uncertain sends them again'] as Row] : []),
    ['suppressed', tally.suppressed],
    ['invalid', tally.invalid],
    ...(tally.duplicates ? [['duplicates (one copy each)', tally.duplicates] as Row] : []),
    ['failed', failed, notes.join('; ')],
    ...(run.uncertain.length ? [['uncertain', run.uncertain.length, 'sent, but the reply was lost: they may have it (recorded; not sent again unless --retry-uncertain)'] as Row] : []),
    ...(unrecorded ? [['not recorded', unrecorded, `accepted by the server, but the ledger could not be written: a rerun sends to ${unrecorded === 1 ? 'it' : 'them'} again`] as Row] : []),
    ...(run.stopped ? [['not attempted', run.notAttempted] as Row] : []),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const digits = Math.max(...rows.map(([, count]) => String(count).length));
  return rows.map(([label, count, note]) => `  ${label.padEnd(width)}  ${String(count).padStart(digits)}${note ? `  ${note}` : ''}`);
}

/** At most this many addresses of a kind in the summary; the rest are in the ledger. */
export const LISTED = 20;

/** `a@x.com, b@y.com and 3 more`. */
export function addressList(addresses: readonly string[], limit = LISTED): string {
  const shown = addresses.slice(0, limit).join(', ');
  return addresses.length > limit ? `${shown} and ${addresses.length - limit} more` : shown;
}
