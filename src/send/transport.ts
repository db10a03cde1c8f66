// Where messages go: an SMTP relay through nodemailer's pool. Also how a failed delivery is judged:
// worth retrying (4xx, dropped connections, timeouts), refused for good (5xx for this reader), or a
// problem with the setup that every further message would hit too (login, TLS, the sender refused).
import nodemailer, { type DKIMOptions, type SendMailOptions } from 'nodemailer';
import { SetupError } from './errors.ts';

export interface Transport {
  /** Where messages go, as shown to the user: never with a password. */
  readonly target: string;
  /** Resolves with the server's reply once it accepted the message; rejects otherwise. */
  deliver(message: SendMailOptions): Promise<string>;
  close(): Promise<void>;
}

export const SMTP_VARIABLE = 'SMTP_URL';

const SMTP_EXPECTED = 'smtp://user:pass@host:587 or smtps://user:pass@host:465';

/** An `smtp://` or `smtps://` URL with a host; anything else is a usage mistake. */
export function parseSmtpUrl(raw: string, source: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    // The value may hold a password: show only its scheme and host-ish start.
    throw new SetupError(`${source} is not an SMTP server URL (${describeUrl(raw)}); expected ${SMTP_EXPECTED}`);
  }
  return url;
}

function describeUrl(raw: string): string {
  const withoutSecret = raw.replace(/\/\/[^@/]*@/, '//…@');
  return `"${withoutSecret.length > 60 ? `${withoutSecret.slice(0, 57)}…` : withoutSecret}"`;
}

/** The URL without its credentials, for messages and the summary. */
export function displayUrl(url: URL): string {
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.hostname}${port}`;
}

export interface SmtpSettings {
  url: URL;
  /** Connections at once (nodemailer's maxConnections). */
  connections: number;
  /** Messages per second at most; undefined for no limit. */
  rate?: number;
  dkim?: DKIMOptions;
}

/** nodemailer's pool limits messages per window; a fractional rate becomes one message per longer window. */
export function rateWindow(rate: number): { rateLimit: number; rateDelta: number } {
  return Number.isInteger(rate) ? { rateLimit: rate, rateDelta: 1000 } : { rateLimit: 1, rateDelta: Math.round(1000 / rate) };
}

/** The pool options castwright sends with; the benchmark's bare pool uses the same. */
export function poolOptions(settings: SmtpSettings) {
  return {
    pool: true as const,
    url: settings.url.href,
    maxConnections: settings.connections,
    // A message whose connection drops comes back to us, to be retried with our backoff and
    // counted toward the consecutive-failure stop, instead of being requeued inside the pool.
    maxRequeues: 0,
    ...(settings.rate ? rateWindow(settings.rate) : {}),
    ...(settings.dkim ? { dkim: settings.dkim } : {}),
  };
}

export interface SmtpTransport extends Transport {
  /** Connects and logs in once, so a wrong host, port or password stops the send before it starts. */
  verify(): Promise<void>;
}

export function smtpTransport(settings: SmtpSettings): SmtpTransport {
  const pool = nodemailer.createTransport(poolOptions(settings));
  return {
    target: displayUrl(settings.url),
    async verify() {
      await pool.verify();
    },
    async deliver(message) {
      const info = await pool.sendMail(message);
      // One recipient per message: a rejection normally arrives as an error, but a server may
      // accept the transaction and still list the reader as rejected.
      const rejected = info.rejectedErrors?.[0];
      if (rejected) throw rejected;
      if (info.rejected.length > 0) throw Object.assign(new Error(`the server rejected ${String(info.rejected[0])}`), { responseCode: 550 });
      return info.response;
    },
    async close() {
      pool.close();
    },
  };
}

export type FailureKind = 'temporary' | 'permanent' | 'fatal';

export interface Failure {
  kind: FailureKind;
  /** The server's reply when there was one, else what went wrong. */
  reason: string;
}

interface MailError {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
  message?: string;
}

/** Failures of the setup: the next message would fail the same way, whoever it is for. */
const SETUP_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);

export function classify(error: unknown): Failure {
  const e = (error ?? {}) as MailError;
  const reason = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim();
  if (e.code && SETUP_CODES.has(e.code)) return { kind: 'fatal', reason };
  if (e.responseCode) {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    if (!permanent) return { kind: 'temporary', reason };
    // MAIL FROM names the show's sender, not the reader: refusing it refuses the whole mailing.
    if (e.command === 'MAIL FROM') return { kind: 'fatal', reason: `the server refused the sender: ${reason}` };
    return { kind: 'permanent', reason };
  }
  // Without a reply: nodemailer refusing the envelope is about this reader; an oversized message
  // is the same size for everyone; a system error code is the network; anything else is a bug
  // that retrying would only repeat.
  if (e.code === 'EENVELOPE') return { kind: 'permanent', reason };
  if (e.code === 'EMESSAGE' || e.code === 'ESTREAM') return { kind: 'fatal', reason };
  if (e.code && /^E[A-Z]+$/.test(e.code)) return { kind: 'temporary', reason };
  return { kind: 'fatal', reason };
}
