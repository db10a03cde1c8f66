// A send backend: where messages go (an SMTP relay, an outbox folder). The runner delivers through
// one without knowing which: each backend says whether what it delivers is recorded in the ledger,
// and how its failures classify.
import type { SendMailOptions } from 'nodemailer';
import { HeaderLineError } from '../message.ts';

/**
 * - temporary: not delivered, worth trying again (a 4xx, a connection lost before the message was sent)
 * - permanent: refused for good for this reader (a 5xx to RCPT TO)
 * - uncertain: the whole message went out but no reply came: it may have arrived, so it is never
 *   sent again without being asked (--retry-uncertain)
 * - fatal: every further message would fail alike (a login refused, a full disk): the run stops
 */
export type FailureKind = 'temporary' | 'permanent' | 'uncertain' | 'fatal';

export interface Failure {
  kind: FailureKind;
  /** The server's reply when there was one, else what went wrong. */
  reason: string;
}

export interface Backend {
  /** Where messages go, as shown to the user: never with a password. */
  readonly target: string;
  /** Whether a delivery reaches a reader: only then is it recorded in the ledger (and the mailing locked). */
  readonly records: boolean;
  /** What happened to a delivered message, for progress and the summary. */
  readonly verb: 'sent' | 'written';
  /** A line for the end of a mailing's summary. */
  readonly note?: string;
  /** Connects and logs in, or prepares the folder: whatever stops a send before its first message. Throws a CastwrightError. */
  open(): Promise<void>;
  /**
   * Resolves with the server's reply (or what was written) once the message is delivered; rejects
   * otherwise. With `ready`, the message may be prepared and its sending begun, but not completed
   * (over SMTP: the "." that ends DATA) before `ready` resolves; if it resolves false, the message
   * is abandoned, never completed, and deliver rejects with Abandoned.
   */
  deliver(message: SendMailOptions, options?: { ready?: Promise<boolean> }): Promise<string>;
  classify(error: unknown): Failure;
  close(): Promise<void>;
}

/** A message given up before it was completed, because `ready` said no. */
export class Abandoned extends Error {
  constructor() {
    super('given up before the message was completed: the run stopped');
  }
}

/** Failures of building the message, the same in every backend: a broken message is never sent. */
export function messageFailure(error: unknown): Failure | undefined {
  if (error instanceof HeaderLineError) return { kind: 'fatal', reason: error.message };
  return undefined;
}
