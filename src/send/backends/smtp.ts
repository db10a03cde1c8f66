// Sending through an SMTP relay, over nodemailer's SMTP connection with castwright's own small pool:
// it has to know, for every failure, whether the whole message had gone out. Per nodemailer's
// smtp-connection, the message is streamed only after the server's 354 reply to DATA, and ends
// with the "." line that completes it on the server's side. So a failure while the message is
// still being handed over cannot have delivered it (temporary, retried), nor can a write to the
// connection that failed (the "." line is the last thing written, so it never left whole), while a
// connection lost once all of it was handed over, before the 250 reply, may have (uncertain, never
// retried unasked). A reply, when one came, decides: 4xx temporary, 5xx refused.
import { BlockList } from 'node:net';
import { Readable } from 'node:stream';
import type { DKIMOptions, SendMailOptions } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection, { type SMTPConnectionOptions, type SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { RunError } from '../../errors.ts';
import { SetupError } from '../errors.ts';
import { messageBuilder, type RawMessage } from '../message.ts';
import { Abandoned, messageFailure, type Backend, type Failure } from './backend.ts';

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
  const insecure = url.searchParams.get('insecure');
  if (insecure !== null && insecure !== 'true' && insecure !== 'false') {
    throw new SetupError(`${source}: insecure=${insecure}; expected insecure=true (or no insecure at all)`);
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

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** localhost, 127.0.0.0/8 or ::1, as the URL names the host: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (/^[\d.]+$/.test(host)) return LOOPBACK.check(host, 'ipv4');
  return host.includes(':') && LOOPBACK.check(host, 'ipv6');
}

export interface SmtpSettings {
  url: URL;
  /** Connecting, the greeting, and silence on the connection: each may last this long. */
  timeoutMs: number;
  dkim?: DKIMOptions;
}

/** Messages per connection before a fresh one, as nodemailer's pool does: some relays limit it. */
const MESSAGES_PER_CONNECTION = 100;

/** Where an SMTP session was when it failed. */
type Step = 'connect' | 'greeting' | 'hello' | 'tls' | 'login' | 'envelope' | 'message' | 'reply';

interface SmtpError {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
  timeoutType?: string;
  message?: string;
  step?: Step;
}

const TIMEOUT_STEPS: Record<string, Step> = { CONNECT_TIMEOUT: 'connect', GREETING_TIMEOUT: 'greeting', UPGRADE_TIMEOUT: 'tls' };

/** Failures of the setup: the next message would fail the same way, whoever it is for. */
const SETUP_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);

/** AUTH over an unencrypted connection that leaves the machine: refused before the password is sent. */
class ClearTextLogin extends Error {}

interface Slot {
  connection: SMTPConnection;
  messages: number;
  dead: boolean;
}

/** Runs one step of a session: resolves with its callback, rejects on its error or the connection's. */
function step<T>(connection: SMTPConnection, name: Step, start: (done: (error?: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onError = (error: Error) => finish(error);
    const onEnd = () => finish(Object.assign(new Error('the server closed the connection'), { code: 'ECONNECTION' }));
    const finish = (error?: Error | null, value?: T) => {
      connection.off('error', onError);
      connection.off('end', onEnd);
      if (error) reject(Object.assign(error, { step: (error as SmtpError).step ?? name }));
      else resolve(value as T);
    };
    connection.once('error', onError);
    connection.once('end', onEnd);
    start(finish);
  });
}

function connectStep(connection: SMTPConnection, error: SmtpError): Step {
  if (connection.stage === 'init') return 'connect';
  if (error.code === 'ETLS') return 'tls';
  return connection.lastServerResponse === false ? 'greeting' : 'hello';
}

/** One connection per message in flight, at most as many as the runner delivers at once. */
export function smtpBackend(settings: SmtpSettings): Backend {
  const target = displayUrl(settings.url);
  const seconds = settings.timeoutMs / 1000;
  const insecure = settings.url.searchParams.get('insecure') === 'true';
  const stripped = new URL(settings.url.href);
  stripped.searchParams.delete('insecure');
  const { auth, ...fromUrl } = parseConnectionUrl(stripped.href) as SMTPConnectionOptions & { auth?: { user: string; pass: string } };
  const options: SMTPConnectionOptions = {
    ...fromUrl,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    dnsTimeout: settings.timeoutMs,
    logger: false,
  };
  const loopback = isLoopbackHost(settings.url.hostname);
  const builder = messageBuilder(settings.dkim ? { dkim: settings.dkim } : {});
  const idle: Slot[] = [];

  async function connect(): Promise<Slot> {
    const connection = new SMTPConnection(options);
    const slot: Slot = { connection, messages: 0, dead: false };
    // Errors reach the step that meets them; between steps they only retire the connection.
    connection.on('error', () => (slot.dead = true));
    connection.on('end', () => (slot.dead = true));
    try {
      await step<void>(connection, 'connect', (done) => connection.connect((error) => done(error)));
      // nodemailer logs in only when the server offers AUTH; it is then that a password could leak.
      if (auth && (auth.user || auth.pass) && connection.allowsAuth) {
        if (!connection.secure && !loopback && !insecure) {
          throw Object.assign(
            new ClearTextLogin(
              `refusing to send the password for ${auth.user} unencrypted: ${settings.url.hostname} offers no STARTTLS on this connection, ` +
                'and the password would cross the network in clear text. Use smtps:// (port 465) or a server that offers STARTTLS; ' +
                'on a network you trust end to end, add ?insecure=true to the URL',
            ),
            { step: 'login' as Step },
          );
        }
        await step<unknown>(connection, 'login', (done) => connection.login({ user: auth.user, pass: auth.pass }, done));
      }
    } catch (error) {
      discard(slot);
      const e = error as SmtpError;
      // Which part of connecting it was: a timeout says so; otherwise how far the session got.
      if (e.step === 'connect') e.step = (e.timeoutType ? TIMEOUT_STEPS[e.timeoutType] : undefined) ?? connectStep(connection, e);
      throw error;
    }
    return slot;
  }

  function discard(slot: Slot): void {
    if (!slot.dead) {
      slot.dead = true;
      slot.connection.close();
    }
  }

  async function take(): Promise<Slot> {
    for (let slot = idle.pop(); slot; slot = idle.pop()) if (!slot.dead) return slot;
    return connect();
  }

  function release(slot: Slot): void {
    if (slot.dead) return;
    if (++slot.messages >= MESSAGES_PER_CONNECTION) {
      slot.dead = true;
      slot.connection.quit();
    } else {
      idle.push(slot);
    }
  }

  /** After a refusal the session goes on (RSET), as nodemailer's pool does; after anything else it is closed. */
  async function recover(slot: Slot, error: SmtpError): Promise<void> {
    if (!slot.dead && error.responseCode && error.responseCode !== 421 && (error.code === 'EENVELOPE' || error.code === 'EMESSAGE')) {
      const reset = await step<unknown>(slot.connection, 'envelope', (done) => slot.connection.reset(done)).then(
        () => true,
        () => false,
      );
      if (reset) return void idle.push(slot);
    }
    discard(slot);
  }

  async function transmit(slot: Slot, message: RawMessage, ready: Promise<boolean> | undefined): Promise<string> {
    let handedOver = false;
    let pushed = false;
    const body = new Readable({
      read() {
        if (pushed) return;
        pushed = true;
        this.push(message.raw);
        // The end of the body lets nodemailer write the "." that completes the message: held back
        // until the caller says so, and never written if it says no.
        if (!ready) this.push(null);
        else void ready.then((go) => (go ? this.push(null) : this.destroy(new Abandoned())));
      },
    });
    // Ends once the consumer (nodemailer's DATA stream) has taken every byte; only then does it
    // write the "." line that completes the message.
    body.once('end', () => (handedOver = true));
    try {
      const info = await step<SMTPConnectionSendInfo>(slot.connection, 'envelope', (done) => slot.connection.send(message.envelope, body, done));
      // One recipient per message: a server may accept the transaction and still list the reader as rejected.
      const rejected = info.rejectedErrors?.[0];
      if (rejected) throw Object.assign(rejected, { step: 'reply' as Step });
      if (info.rejected.length > 0) throw Object.assign(new Error(`the server rejected ${String(info.rejected[0])}`), { responseCode: 550, step: 'reply' as Step });
      return info.response;
    } catch (error) {
      const e = error as SmtpError;
      // A failed write: the end of the message, written last, was not written whole.
      const writeFailed = (error as NodeJS.ErrnoException).syscall === 'write';
      if (e.step === 'envelope') e.step = handedOver && !writeFailed ? 'reply' : body.readableDidRead ? 'message' : 'envelope';
      throw error;
    }
  }

  return {
    target,
    records: true,
    verb: 'sent',

    async open() {
      try {
        idle.push(await connect());
      } catch (error) {
        throw new RunError(`cannot use ${target}: ${classify(error).reason}`, { cause: error });
      }
    },

    async deliver(mail: SendMailOptions, { ready }: { ready?: Promise<boolean> } = {}) {
      const message = await builder.build(mail);
      const slot = await take();
      try {
        const response = await transmit(slot, message, ready);
        release(slot);
        return response;
      } catch (error) {
        await recover(slot, error as SmtpError);
        throw error;
      }
    },

    classify,

    async close() {
      for (const slot of idle.splice(0)) {
        if (!slot.dead) slot.connection.quit();
        slot.dead = true;
      }
      builder.close();
    },
  };

  function classify(error: unknown): Failure {
    const built = messageFailure(error);
    if (built) return built;
    const e = (error ?? {}) as SmtpError;
    const text = (e.response ?? e.message ?? String(error)).replace(/\s+/g, ' ').trim();
    if (error instanceof ClearTextLogin) return { kind: 'fatal', reason: text };
    if (e.code === 'ETIMEDOUT') return { kind: e.step === 'reply' ? 'uncertain' : 'temporary', reason: timeoutText(e.step) };
    if (e.code && SETUP_CODES.has(e.code)) return { kind: 'fatal', reason: e.code === 'EAUTH' ? `the login failed: ${text}` : text };
    if (e.responseCode) {
      const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
      if (!permanent) return { kind: 'temporary', reason: text };
      // MAIL FROM names the show's sender, not the reader: refusing it refuses the whole mailing.
      if (e.command === 'MAIL FROM') return { kind: 'fatal', reason: `the server refused the sender: ${text}` };
      return { kind: 'permanent', reason: text };
    }
    if (e.step === 'reply') return { kind: 'uncertain', reason: `the connection was lost after the whole message was sent, before the server's reply (${text}); it may have arrived` };
    // Without a reply: nodemailer refusing the envelope is about this reader; an oversized message
    // is the same size for everyone; a system error code is the network; anything else is a bug
    // that retrying would only repeat.
    if (e.code === 'EENVELOPE') return { kind: 'permanent', reason: text };
    if (e.code === 'EMESSAGE' || e.code === 'ESTREAM') return { kind: 'fatal', reason: text };
    if (e.code && /^E[A-Z]+$/.test(e.code)) return { kind: 'temporary', reason: `${STEP_WORDS[e.step ?? 'envelope']}: ${text}` };
    return { kind: 'fatal', reason: text };
  }

  function timeoutText(at: Step | undefined): string {
    const after = `within ${seconds} s`;
    switch (at) {
      case 'connect':
        return `could not connect ${after}`;
      case 'greeting':
        return `no greeting ${after}: the server took the connection but never answered`;
      case 'hello':
        return `no answer to EHLO ${after}`;
      case 'tls':
        return `STARTTLS did not finish ${after}`;
      case 'login':
        return `no answer to AUTH (the login) ${after}`;
      case 'message':
        return `the connection stalled for ${seconds} s while the message was being sent`;
      case 'reply':
        return `no reply ${after} after the whole message was sent; it may have arrived`;
      default:
        return `no answer ${after} to MAIL FROM, RCPT TO or DATA`;
    }
  }
}

const STEP_WORDS: Record<Step, string> = {
  connect: 'connecting',
  greeting: 'waiting for the greeting',
  hello: 'saying EHLO',
  tls: 'starting TLS',
  login: 'logging in',
  envelope: 'before the message was sent',
  message: 'while the message was being sent',
  reply: 'waiting for the reply to the message',
};
