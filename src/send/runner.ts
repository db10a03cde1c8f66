// A mailing run: each pending reader's message handed to the transport by a fixed number of
// workers, retried with backoff when the failure is temporary, and recorded in the ledger once
// the server accepted it. A worker takes its next reader only after its last one is on disk, so
// the messages a crash can leave accepted-but-unrecorded (and a rerun would send again) are at
// most one per worker: `concurrency`, which the command sets to the number of SMTP connections.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Ledger } from './ledger.ts';
import type { Compose } from './message.ts';
import type { Recipient } from './recipients.ts';
import { classify, type Failure, type Transport } from './transport.ts';

export interface RetryPolicy {
  /** Further attempts after a temporary failure. */
  retries: number;
  /** Wait before the first retry; each further one waits twice as long. */
  delayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 5, delayMs: 1000, maxDelayMs: 60_000 };

export interface Progress {
  /** Readers this run tries to reach. */
  total: number;
  /** Readers finished with, one way or another. */
  done: number;
  sent: number;
  failed: number;
}

export interface Undelivered {
  recipient: Recipient;
  reason: string;
}

export type FailureEvent =
  | { type: 'rejected'; recipient: Recipient; reason: string }
  | { type: 'deferred'; recipient: Recipient; reason: string; attempts: number }
  | { type: 'retrying'; recipient: Recipient; reason: string; attempt: number; delayMs: number };

export interface RunOptions {
  recipients: readonly Recipient[];
  compose: Compose;
  transport: Transport;
  /** Absent for a test copy or the outbox: nothing is recorded and nothing skipped. */
  ledger?: Ledger;
  /** Try again the readers an earlier run recorded as rejected. */
  retryFailed?: boolean;
  concurrency: number;
  retry?: RetryPolicy;
  /** Failed attempts in a row (no message accepted in between) after which the run stops. */
  maxFailures: number;
  /** Aborting stops taking new readers; messages in flight finish and are recorded. */
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
  onFailure?(event: FailureEvent): void;
}

export interface RunResult {
  /** Skipped: the ledger has them as sent. */
  alreadySent: number;
  /** Skipped: an earlier run recorded them as rejected (see retryFailed). */
  failedBefore: number;
  sent: number;
  /** Refused for good by the server this run; recorded, so a rerun skips them. */
  rejected: Undelivered[];
  /** Still failing temporarily after every retry, or cut short by a stop; a rerun tries them again. */
  deferred: Undelivered[];
  /** Left untouched because the run stopped. */
  notAttempted: number;
  /** Why the run stopped before the end of the list. */
  stopped?: string;
  /** Accepted by the server but not recorded because the ledger could not be written: a rerun would send them again. */
  unrecorded: Recipient[];
}

/** The readers a run sends to, and how many the ledger says to skip. */
export function pendingOf(recipients: readonly Recipient[], ledger: Ledger | undefined, retryFailed = false) {
  const split = { pending: [] as Recipient[], alreadySent: 0, failedBefore: 0 };
  for (const recipient of recipients) {
    if (ledger?.state.sent.has(recipient.key)) split.alreadySent++;
    else if (ledger?.state.failed.has(recipient.key) && !retryFailed) split.failedBefore++;
    else split.pending.push(recipient);
  }
  return split;
}

export async function runMailing(options: RunOptions): Promise<RunResult> {
  const { ledger, transport, compose } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const { pending, alreadySent, failedBefore } = pendingOf(options.recipients, ledger, options.retryFailed);
  const result: RunResult = { alreadySent, failedBefore, sent: 0, rejected: [], deferred: [], notAttempted: 0, unrecorded: [] };

  const halt = new AbortController();
  const stop = (reason: string) => {
    result.stopped ??= reason;
    halt.abort();
  };
  const onAbort = () => stop('interrupted');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const progress = () =>
    options.onProgress?.({
      total: pending.length,
      done: result.sent + result.rejected.length + result.deferred.length,
      sent: result.sent,
      failed: result.rejected.length + result.deferred.length,
    });

  let streak = 0;
  const failed = (failure: Failure) => {
    streak++;
    if (failure.kind === 'fatal') stop(failure.reason);
    else if (streak >= options.maxFailures) stop(`${streak} deliveries in a row failed; the last: ${failure.reason}`);
  };

  /** Records before counting; a ledger that cannot be written ends the run, since nothing after it could be resumed safely. */
  const record = async (recipient: Recipient, status: 'sent' | 'failed', messageId: string | undefined, response: string) => {
    if (!ledger) return true;
    try {
      await ledger.record({ status, to: recipient.key, at: new Date().toISOString(), ...(messageId ? { messageId } : {}), response: response.slice(0, 300) });
      return true;
    } catch (error) {
      if (status === 'sent') result.unrecorded.push(recipient);
      stop((error as Error).message);
      return false;
    }
  };

  const deliver = async (recipient: Recipient) => {
    const message = compose(recipient);
    const messageId = typeof message.messageId === 'string' ? message.messageId : undefined;
    for (let attempt = 1; ; attempt++) {
      let response: string;
      try {
        response = await transport.deliver(message);
      } catch (error) {
        const failure = classify(error);
        failed(failure);
        if (failure.kind === 'permanent') {
          if (await record(recipient, 'failed', messageId, failure.reason)) {
            result.rejected.push({ recipient, reason: failure.reason });
            options.onFailure?.({ type: 'rejected', recipient, reason: failure.reason });
          }
          return;
        }
        if (failure.kind === 'temporary' && attempt <= retry.retries && !halt.signal.aborted) {
          const base = Math.min(retry.maxDelayMs, retry.delayMs * 2 ** (attempt - 1));
          // Jitter, so connections that failed together do not all come back at the same instant.
          const delayMs = Math.round(base / 2 + (Math.random() * base) / 2);
          options.onFailure?.({ type: 'retrying', recipient, reason: failure.reason, attempt, delayMs });
          await sleep(delayMs, undefined, { signal: halt.signal }).catch(() => undefined);
          if (!halt.signal.aborted) continue;
        }
        result.deferred.push({ recipient, reason: failure.reason });
        options.onFailure?.({ type: 'deferred', recipient, reason: failure.reason, attempts: attempt });
        return;
      }
      streak = 0;
      if (await record(recipient, 'sent', messageId, response)) result.sent++;
      return;
    }
  };

  let next = 0;
  let unexpected: { error: unknown } | undefined;
  const worker = async () => {
    while (!halt.signal.aborted && next < pending.length) {
      try {
        await deliver(pending[next++]!);
      } catch (error) {
        // A bug or a template failing for one reader: stop the others cleanly (their messages in
        // flight still get recorded), then let the caller see the error itself.
        unexpected ??= { error };
        stop((error as Error).message);
      }
      progress();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, pending.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (unexpected) throw unexpected.error;
  result.notAttempted = pending.length - next;
  return result;
}
