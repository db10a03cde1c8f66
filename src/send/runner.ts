// Delivers a mailing: each pending reader once, through a backend, a few at a time, with retries of
// temporary failures and a record in the ledger before a reader is counted. It knows failures
// only by their kind (see backends/backend.ts), never by a server's reply codes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Backend, Failure } from './backends/backend.ts';
import type { Ledger, LedgerStatus } from './ledger.ts';
import type { Compose } from './message.ts';
import type { Recipient } from './recipients.ts';

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
  | { type: 'uncertain'; recipient: Recipient; reason: string }
  | { type: 'deferred'; recipient: Recipient; reason: string; attempts: number }
  | { type: 'retrying'; recipient: Recipient; reason: string; attempt: number; delayMs: number };

/** Which readers an earlier run recorded without a delivery that a run tries again. */
export interface Retrying {
  /** Readers recorded as rejected (5xx). */
  failed?: boolean;
  /** Readers recorded as uncertain: they may have the message already. */
  uncertain?: boolean;
}

export interface RunOptions {
  recipients: readonly Recipient[];
  compose: Compose;
  backend: Pick<Backend, 'deliver' | 'classify'>;
  /** Absent for a test copy or a backend that records nothing: nothing is recorded and nothing skipped. */
  ledger?: Ledger;
  retrying?: Retrying;
  /** Messages in flight at once. */
  concurrency: number;
  /** Messages started per second at most (retries included); undefined for no limit. */
  rate?: number;
  retry?: RetryPolicy;
  /** Failed attempts in a row (no message accepted in between) after which the run stops. */
  maxFailures: number;
  /**
   * Aborting stops taking new readers; messages in flight finish and are recorded. A reason that
   * is a string says why the run stopped; otherwise it was interrupted.
   */
  signal?: AbortSignal;
  onProgress?(progress: Progress): void;
  onFailure?(event: FailureEvent): void;
}

export interface RunResult {
  /** Skipped: the ledger has them as sent. */
  alreadySent: number;
  /** Skipped: an earlier run recorded them as rejected (see Retrying.failed). */
  failedBefore: number;
  /** Skipped: an earlier run recorded them as uncertain (see Retrying.uncertain). */
  uncertainBefore: number;
  sent: number;
  /** Refused for good by the server this run; recorded, so a rerun skips them. */
  rejected: Undelivered[];
  /** Sent, but the reply was lost: they may have it. Recorded, so a rerun skips them. */
  uncertain: Undelivered[];
  /** Still failing temporarily after every retry, or cut short by a stop; a rerun tries them again. */
  deferred: Undelivered[];
  /** Left untouched because the run stopped. */
  notAttempted: number;
  /** Why the run stopped before the end of the list. */
  stopped?: string;
  /**
   * Delivered (or maybe delivered) but not recorded, because the ledger could not be written: a
   * rerun would send to them again.
   */
  unrecorded: Array<{ recipient: Recipient; status: Exclude<LedgerStatus, 'failed'> }>;
}

/** The readers a run sends to, and how many the ledger says to skip. */
export function pendingOf(recipients: readonly Recipient[], ledger: Ledger | undefined, retrying: Retrying = {}) {
  const split = { pending: [] as Recipient[], alreadySent: 0, failedBefore: 0, uncertainBefore: 0 };
  for (const recipient of recipients) {
    if (ledger?.state.sent.has(recipient.key)) split.alreadySent++;
    else if (ledger?.state.uncertain.has(recipient.key) && !retrying.uncertain) split.uncertainBefore++;
    else if (ledger?.state.failed.has(recipient.key) && !retrying.failed) split.failedBefore++;
    else split.pending.push(recipient);
  }
  return split;
}

/** Spaces message starts evenly at `rate` per second, across all workers. */
function pacer(rate: number | undefined, signal: AbortSignal) {
  let next = 0;
  return async () => {
    if (!rate) return;
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + 1000 / rate;
    if (at > now) await sleep(at - now, undefined, { signal }).catch(() => undefined);
  };
}

export async function runMailing(options: RunOptions): Promise<RunResult> {
  const { ledger, backend, compose } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const { pending, alreadySent, failedBefore, uncertainBefore } = pendingOf(options.recipients, ledger, options.retrying);
  const result: RunResult = { alreadySent, failedBefore, uncertainBefore, sent: 0, rejected: [], uncertain: [], deferred: [], notAttempted: 0, unrecorded: [] };

  const halt = new AbortController();
  const stop = (reason: string) => {
    result.stopped ??= reason;
    halt.abort();
  };
  const onAbort = () => stop(typeof options.signal?.reason === 'string' ? options.signal.reason : 'interrupted');
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const pace = pacer(options.rate, halt.signal);

  const progress = () =>
    options.onProgress?.({
      total: pending.length,
      done: result.sent + result.rejected.length + result.uncertain.length + result.deferred.length,
      sent: result.sent,
      failed: result.rejected.length + result.uncertain.length + result.deferred.length,
    });

  let streak = 0;
  const failed = (failure: Failure) => {
    streak++;
    if (failure.kind === 'fatal') stop(failure.reason);
    else if (streak >= options.maxFailures) stop(`${streak} deliveries in a row failed; the last: ${failure.reason}`);
  };

  /** Records before counting. A ledger that cannot be written ends the run at once: nothing after it could be resumed safely. */
  const record = async (recipient: Recipient, status: LedgerStatus, messageId: string | undefined, response: string) => {
    if (!ledger) return true;
    try {
      await ledger.record({ status, to: recipient.key, at: new Date().toISOString(), ...(messageId ? { messageId } : {}), response: response.slice(0, 300) });
      return true;
    } catch (error) {
      if (status !== 'failed') result.unrecorded.push({ recipient, status });
      stop((error as Error).message);
      return false;
    }
  };

  /**
   * One reader, through to its outcome. A success is recorded without waiting: the worker begins
   * the next message meanwhile, and the backend completes that one only once this record is on
   * disk (`ready`). So each worker has at most one message delivered but not yet recorded, and a
   * crash can double no more than `concurrency` readers, while the fsync overlaps the next send.
   */
  const deliver = async (recipient: Recipient, ready: Promise<boolean>): Promise<{ recorded: Promise<boolean> } | undefined> => {
    const message = compose(recipient);
    const messageId = typeof message.messageId === 'string' ? message.messageId : undefined;
    for (let attempt = 1; ; attempt++) {
      let response: string;
      try {
        response = await backend.deliver(message, { ready });
      } catch (error) {
        // The previous record failed: this message was given up before it was complete.
        if (!(await ready)) {
          untouched++;
          return undefined;
        }
        const failure = backend.classify(error);
        failed(failure);
        if (failure.kind === 'permanent' || failure.kind === 'uncertain') {
          const type = failure.kind === 'permanent' ? 'rejected' : 'uncertain';
          if (await record(recipient, type === 'rejected' ? 'failed' : 'uncertain', messageId, failure.reason)) {
            result[type].push({ recipient, reason: failure.reason });
            options.onFailure?.({ type, recipient, reason: failure.reason });
          }
          return undefined;
        }
        if (failure.kind === 'temporary' && attempt <= retry.retries && !halt.signal.aborted) {
          const base = Math.min(retry.maxDelayMs, retry.delayMs * 2 ** (attempt - 1));
          // Jitter, so connections that failed together do not all come back at the same instant.
          const delayMs = Math.round(base / 2 + (Math.random() * base) / 2);
          options.onFailure?.({ type: 'retrying', recipient, reason: failure.reason, attempt, delayMs });
          await sleep(delayMs, undefined, { signal: halt.signal }).catch(() => undefined);
          if (options.rate && !halt.signal.aborted) await pace();
          if (!halt.signal.aborted) continue;
        }
        result.deferred.push({ recipient, reason: failure.reason });
        // A fatal failure is said once, as the reason the run stopped, not once per reader it met.
        if (failure.kind !== 'fatal') options.onFailure?.({ type: 'deferred', recipient, reason: failure.reason, attempts: attempt });
        return undefined;
      }
      streak = 0;
      const recorded = record(recipient, 'sent', messageId, response).then((ok) => {
        if (ok) result.sent++;
        progress();
        return ok;
      });
      return { recorded };
    }
  };

  let next = 0;
  /** Taken from the list, then left untouched because the run stopped before they were completed. */
  let untouched = 0;
  let unexpected: { error: unknown } | undefined;
  const worker = async () => {
    let previous: Promise<boolean> = Promise.resolve(true);
    while (!halt.signal.aborted && next < pending.length) {
      const recipient = pending[next++]!;
      if (options.rate) await pace();
      if (halt.signal.aborted) {
        untouched++;
        break;
      }
      try {
        const outcome = await deliver(recipient, previous);
        if (outcome) previous = outcome.recorded;
        else progress();
      } catch (error) {
        // A bug or a template failing for one reader: stop the others cleanly (their messages in
        // flight still get recorded), then let the caller see the error itself.
        unexpected ??= { error };
        stop((error as Error).message);
        progress();
      }
    }
    await previous;
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, pending.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (unexpected) throw unexpected.error;
  result.notAttempted = pending.length - next + untouched;
  return result;
}
