// A real SMTP server for the send tests (smtp-server on 127.0.0.1, a random port), keeping every
// message it accepts. Each test decides per message how the server answers: accept, a reply code,
// or a dropped connection, to produce the failures a relay really gives.
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';

export interface Received {
  /** Envelope recipient as the client gave it. */
  to: string;
  from: string;
  raw: Buffer;
}

/** What the server does with one message, asked once the whole message has arrived. */
export type Answer = 'accept' | 'drop' | { code: number; message: string };

export interface Attempt {
  to: string;
  /** How many times this recipient has been tried so far, this one included. */
  attempt: number;
}

export interface SmtpServerOptions {
  answer?(attempt: Attempt): Answer;
  /** A reply to RCPT TO instead of accepting the recipient (e.g. 550 no such user). */
  refuseRecipient?(to: string): { code: number; message: string } | undefined;
  /** A reply to MAIL FROM instead of accepting the sender. */
  refuseSender?(from: string): { code: number; message: string } | undefined;
  /** Milliseconds before the server answers each message, to keep messages in flight. */
  delayMs?: number;
  /** Answers wait for this: the client stays mid-send, holding whatever it holds, until the test lets go. */
  hold?: Promise<void>;
  /** Require this login (AUTH PLAIN/LOGIN), as relays do. */
  login?: { user: string; pass: string };
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: Received[];
  /** Messages that reached the end of DATA, whatever the answer (accepted or not). */
  attempts: Map<string, number>;
  /** Messages accepted per recipient (lower-cased). */
  count(to: string): number;
  close(): Promise<void>;
}

function smtpError(reply: { code: number; message: string }): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

const running = new Set<TestSmtpServer>();

/** Closes every server still running: for afterEach. */
export async function closeSmtpServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.close()));
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    ...(options.login ? { authMethods: ['PLAIN', 'LOGIN'] } : { authOptional: true }),
    disabledCommands: options.login ? ['STARTTLS'] : ['AUTH', 'STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (auth.username === options.login?.user && auth.password === options.login?.pass) return callback(null, { user: auth.username });
      return callback(smtpError({ code: 535, message: 'Invalid login' }));
    },
    onMailFrom(address, _session, callback) {
      const refusal = options.refuseSender?.(address.address);
      callback(refusal ? smtpError(refusal) : null);
    },
    onRcptTo(address, _session, callback) {
      const refusal = options.refuseRecipient?.(address.address);
      callback(refusal ? smtpError(refusal) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0]?.address ?? '';
        const key = to.toLowerCase();
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const answer = options.answer?.({ to, attempt }) ?? 'accept';
        const reply = () => {
          if (answer === 'accept') {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            received.push({ to, from, raw: Buffer.concat(chunks) });
            return callback(null, `OK queued as ${received.length}`);
          }
          // A connection cut after the message, before any reply: the client cannot know whether it was taken.
          if (answer === 'drop') return [...server.connections].find((connection) => connection.session === session)?._socket.destroy();
          return callback(smtpError(answer));
        };
        void (options.hold ?? Promise.resolve()).then(() => (options.delayMs ? setTimeout(reply, options.delayMs) : reply()));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const started: TestSmtpServer = {
    port,
    url: options.login ? `smtp://${options.login.user}:${options.login.pass}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    received,
    attempts,
    count: (to) => received.filter((message) => message.to.toLowerCase() === to.toLowerCase()).length,
    close: async () => {
      if (!running.delete(started)) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  running.add(started);
  return started;
}

export function parse(message: Received | Buffer | string): Promise<Email> {
  return PostalMime.parse('raw' in (message as Received) ? (message as Received).raw : (message as Buffer | string));
}

export function header(email: Email, name: string): string | undefined {
  return email.headers.find((h) => h.key === name.toLowerCase())?.value;
}
