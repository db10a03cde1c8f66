// Confirmation messages, sent after the sign-up has been answered: the answer is the same, and as
// quick, whether the address is new, known or on no list at all, so neither its words nor its
// timing tell a stranger who subscribes. Messages go through send's SMTP backend (the same
// timeouts, TLS rules and header checks as a mailing), one or two at a time, from a queue of
// bounded length; a temporary failure is tried again a few times.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendMailOptions } from 'nodemailer';
import type { Backend } from '../send/backends/backend.ts';

export const QUEUE_LIMIT = 1000;
const WORKERS = 2;
const RETRY_DELAYS_MS = [2_000, 10_000, 30_000];

export interface Mailer {
  /** Queues a message; false when the queue is full. */
  enqueue(message: SendMailOptions, reader: string): boolean;
  /** Waits for the queue to empty, at most `ms`; returns how many messages were left unsent. */
  drain(ms: number): Promise<number>;
  close(): Promise<void>;
}

export interface MailerOptions {
  backend: Pick<Backend, 'deliver' | 'classify' | 'close'>;
  log(line: string): void;
  retryDelaysMs?: readonly number[];
}

export function createMailer(options: MailerOptions): Mailer {
  const queue: Array<{ message: SendMailOptions; reader: string }> = [];
  const stopping = new AbortController();
  const delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  let running = 0;
  let idle: (() => void) | undefined;

  async function deliver(message: SendMailOptions, reader: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await options.backend.deliver(message);
        options.log(`sent the confirmation message to reader ${reader}`);
        return;
      } catch (error) {
        const failure = options.backend.classify(error);
        const again = failure.kind === 'temporary' && attempt < delays.length && !stopping.signal.aborted;
        options.log(`could not send the confirmation message to reader ${reader}: ${failure.reason}${again ? '; trying again' : ''}`);
        if (!again) return;
        await sleep(delays[attempt]!, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  async function work(): Promise<void> {
    running++;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) await deliver(next.message, next.reader);
    } finally {
      running--;
      if (running === 0) idle?.();
    }
  }

  return {
    enqueue(message, reader) {
      if (queue.length >= QUEUE_LIMIT || stopping.signal.aborted) return false;
      queue.push({ message: { ...message, messageId: message.messageId ?? `<${randomUUID()}@castwright>` }, reader });
      if (running < WORKERS) void work();
      return true;
    },
    async drain(ms) {
      if (running > 0) {
        const done = new Promise<void>((resolve) => (idle = resolve));
        const timer = sleep(ms, undefined, { ref: false }).then(() => 'timeout' as const);
        if ((await Promise.race([done, timer])) === 'timeout') {
          // No more retries; what is being sent finishes or fails on its own timeout.
          stopping.abort();
          const left = queue.length + running;
          queue.length = 0;
          return left;
        }
      }
      return 0;
    },
    async close() {
      stopping.abort();
      queue.length = 0;
      await options.backend.close();
    },
  };
}
