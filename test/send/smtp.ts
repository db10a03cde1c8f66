// Real SMTP servers for the send tests: smtp-server on a random port, keeping every message it
// accepts. Each test decides how the server answers: accept, a reply code, a connection dropped
// before or after the message, or silence, to produce the failures a relay really gives. Also a
// TCP server that accepts connections and never says a word.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import PostalMime, { type Email } from 'postal-mime';

export interface Received {
  /** Envelope recipient as the client gave it. */
  to: string;
  from: string;
  raw: Buffer;
}

/**
 * What the server does with one message, asked once the whole message has arrived:
 * - accept: stores it and replies 250
 * - drop: cuts the connection without storing it or replying
 * - store-and-drop: stores it, then cuts the connection before the 250: the client cannot know it arrived
 * - silence: stores it and never replies
 * - a reply code: refuses it
 */
export type Answer = 'accept' | 'drop' | 'store-and-drop' | 'silence' | { code: number; message: string };

export interface Attempt {
  to: string;
  /** How many times this recipient has been tried so far, this one included. */
  attempt: number;
}

export interface SmtpServerOptions {
  answer?(attempt: Attempt): Answer;
  /** A reply to RCPT TO instead of accepting the recipient (e.g. 550 no such user), or 'drop' to cut the connection there. */
  refuseRecipient?(to: string): { code: number; message: string } | 'drop' | undefined;
  /** A reply to MAIL FROM instead of accepting the sender. */
  refuseSender?(from: string): { code: number; message: string } | undefined;
  /** Milliseconds before the server answers each message, to keep messages in flight. */
  delayMs?: number;
  /** Answers wait for this: the client stays mid-send, holding whatever it holds, until the test lets go. */
  hold?: Promise<void>;
  /** Require this login (AUTH PLAIN/LOGIN), as relays do. */
  login?: { user: string; pass: string };
  /** Never answer AUTH. */
  silentLogin?: boolean;
  /** Offer STARTTLS (with smtp-server's built-in test certificate, which clients must be told to accept). */
  starttls?: boolean;
  /** Where to listen; 127.0.0.1 by default. */
  host?: string;
  /** Reset the connection (TCP RST) as the first bytes of a message arrive, storing nothing; `dataReset` resolves then. */
  resetInData?: boolean;
}

export interface TestSmtpServer {
  port: number;
  url: string;
  received: Received[];
  /** Messages that reached the end of DATA, whatever the answer (accepted or not). */
  attempts: Map<string, number>;
  /** AUTH commands the server saw, and whether each came over TLS. */
  logins: Array<{ user: string; secure: boolean }>;
  /** Connection errors the server met (a client that vanished): kept, never thrown. */
  errors: Error[];
  /** Messages accepted per recipient (lower-cased). */
  count(to: string): number;
  /** Resolves once resetInData has reset a connection. */
  dataReset: Promise<void>;
  close(): Promise<void>;
}

function smtpError(reply: { code: number; message: string }): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

const running = new Set<{ close(): Promise<void> }>();

/** Closes every server still running: for afterEach. */
export async function closeSmtpServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.close()));
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const logins: TestSmtpServer['logins'] = [];
  const errors: Error[] = [];
  const disabled = [...(options.login ? [] : ['AUTH']), ...(options.starttls ? [] : ['STARTTLS'])];
  let onReset = () => {};
  const dataReset = new Promise<void>((resolve) => (onReset = resolve));
  const server = new SMTPServer({
    ...(options.login ? { authMethods: ['PLAIN', 'LOGIN'] } : { authOptional: true }),
    disabledCommands: disabled,
    allowInsecureAuth: true,
    logger: false,
    // Clients that hang (the timeout tests) must not hold up closing the server.
    closeTimeout: 100,
    size: 10 * 1024 * 1024,
    onAuth(auth, session, callback) {
      logins.push({ user: auth.username ?? '', secure: session.secure });
      if (options.silentLogin) return;
      if (auth.username === options.login?.user && auth.password === options.login?.pass) return callback(null, { user: auth.username });
      return callback(smtpError({ code: 535, message: 'Invalid login' }));
    },
    onMailFrom(address, _session, callback) {
      const refusal = options.refuseSender?.(address.address);
      callback(refusal ? smtpError(refusal) : null);
    },
    onRcptTo(address, session, callback) {
      const refusal = options.refuseRecipient?.(address.address);
      if (refusal === 'drop') return void socketOf(session)?.destroy();
      callback(refusal ? smtpError(refusal) : null);
    },
    onData(stream, session: SMTPServerSession, callback) {
      if (options.resetInData) {
        stream.once('data', () => {
          socketOf(session)?.resetAndDestroy();
          onReset();
        });
        return void stream.on('end', () => callback(null, 'never sent'));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0]?.address ?? '';
        const key = to.toLowerCase();
        const attempt = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, attempt);
        const answer = options.answer?.({ to, attempt }) ?? 'accept';
        const store = () => {
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          received.push({ to, from, raw: Buffer.concat(chunks) });
        };
        const reply = () => {
          if (answer === 'accept') {
            store();
            return callback(null, `OK queued as ${received.length}`);
          }
          if (answer === 'store-and-drop' || answer === 'silence') store();
          if (answer === 'silence') return undefined;
          // A connection cut after the message, before any reply: the client cannot know whether it was taken.
          if (answer === 'drop' || answer === 'store-and-drop') return socketOf(session)?.destroy();
          return callback(smtpError(answer));
        };
        void (options.hold ?? Promise.resolve()).then(() => (options.delayMs ? setTimeout(reply, options.delayMs) : reply()));
      });
    },
  });
  // A client that vanishes (killed, or cut off by the test) resets its connection: that is the
  // test's business, never an uncaught error of the run.
  server.on('error', (error: Error) => errors.push(error));
  const socketOf = (session: SMTPServerSession): Socket | undefined =>
    ([...server.connections].find((connection) => connection.session === session) as { _socket?: Socket } | undefined)?._socket;

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const started: TestSmtpServer = {
    port,
    url: options.login ? `smtp://${options.login.user}:${options.login.pass}@${hostPart}:${port}` : `smtp://${hostPart}:${port}`,
    received,
    attempts,
    logins,
    errors,
    count: (to) => received.filter((message) => message.to.toLowerCase() === to.toLowerCase()).length,
    dataReset,
    close: async () => {
      if (!running.delete(started)) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  running.add(started);
  return started;
}

/** A TCP server that accepts every connection and never says a word: no greeting, no reply. */
export async function startSilentServer(): Promise<{ port: number; url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const silent = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    connections: () => accepted,
    close: async () => {
      if (!running.delete(silent)) return;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  running.add(silent);
  return silent;
}

export function parse(message: Received | Buffer | string): Promise<Email> {
  return PostalMime.parse('raw' in (message as Received) ? (message as Received).raw : (message as Buffer | string));
}

export function header(email: Email, name: string): string | undefined {
  return email.headers.find((h) => h.key === name.toLowerCase())?.value;
}

/** The header lines of a raw message as it arrived, folded lines apart. */
export function headerLines(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  return text.slice(0, text.search(/\r?\n\r?\n/)).split(/\r?\n/);
}
