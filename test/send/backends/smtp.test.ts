import { networkInterfaces } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError } from '../../../src/errors.ts';
import { Abandoned, type Failure } from '../../../src/send/backends/backend.ts';
import { displayUrl, isLoopbackHost, parseSmtpUrl, smtpBackend, type SmtpSettings } from '../../../src/send/backends/smtp.ts';
import { closeSmtpServers, startSilentServer, startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from '../smtp.ts';

afterEach(closeSmtpServers);

const message = { from: 'news@fixture.example.com', to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

function backend(url: string, settings: Partial<SmtpSettings> = {}) {
  return smtpBackend({ url: new URL(url), timeoutMs: 10_000, ...settings });
}

interface Outcome extends Partial<Failure> {
  delivered?: string;
  server: TestSmtpServer;
}

/** What the real client makes of the real server's answer to one message. */
async function outcome(options: SmtpServerOptions, url?: (server: TestSmtpServer) => string, settings: Partial<SmtpSettings> = {}): Promise<Outcome> {
  const server = await startSmtpServer(options);
  const smtp = backend(url ? url(server) : server.url, settings);
  try {
    return { delivered: await smtp.deliver(message), server };
  } catch (error) {
    return { ...smtp.classify(error), server };
  } finally {
    await smtp.close();
  }
}

/** A port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** An address of this machine that is not loopback: a server there is "another host" to the client. */
const external = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

describe('SMTP URLs', () => {
  it('takes smtp:// and smtps:// with credentials, and shows them without the password', () => {
    const url = parseSmtpUrl('smtps://apikey:s3cr%40t@smtp.example.net:465', '--smtp');
    expect(url.hostname).toBe('smtp.example.net');
    expect(displayUrl(url)).toBe('smtps://apikey@smtp.example.net:465');
    expect(displayUrl(parseSmtpUrl('smtp://127.0.0.1:2525?insecure=true', 'SMTP_URL'))).toBe('smtp://127.0.0.1:2525');
  });

  it.each(['https://user:hunter2@mail.example.com', 'mail.example.com:587', 'smtp://', ''])('refuses %j without printing its password', (raw) => {
    expect(() => parseSmtpUrl(raw, '--smtp')).toThrow(/^--smtp is not an SMTP server URL \(.*\); expected smtp:\/\/user:pass@host:587 or smtps:\/\/user:pass@host:465$/);
    expect(() => parseSmtpUrl(raw, '--smtp')).not.toThrow(/hunter2/);
  });

  it('refuses an insecure= that is not true or false', () => {
    expect(() => parseSmtpUrl('smtp://u:p@mail.example.com?insecure=yes', '--smtp')).toThrow('--smtp: insecure=yes; expected insecure=true (or no insecure at all)');
  });

  it('knows loopback hosts: localhost, 127.0.0.0/8 and ::1', () => {
    for (const host of ['localhost', '127.0.0.1', '127.3.2.1', '[::1]', '[::ffff:7f00:1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['mail.example.com', '192.0.2.1', '10.0.0.1', '[2001:db8::1]', 'localhost.example.com', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('judging a failed delivery', () => {
  it('accepted: resolves with the server reply', async () => {
    expect((await outcome({})).delivered).toBe('250 OK queued as 1');
  });

  it('a 4xx reply is temporary', async () => {
    expect(await outcome({ answer: () => ({ code: 451, message: '4.3.0 Try later' }) })).toMatchObject({ kind: 'temporary', reason: '451 4.3.0 Try later' });
  });

  it('a connection dropped before the message was sent is temporary: nothing can have arrived', async () => {
    const { kind, reason, server } = await outcome({ refuseRecipient: () => 'drop' });
    expect(kind).toBe('temporary');
    expect(reason).toMatch(/^before the message was sent: /);
    expect(server.received).toHaveLength(0);
  });

  // Issue 7 case 3: once the whole message is out, a lost reply may hide a delivery.
  it('a connection dropped after the whole message was sent, before the reply, is uncertain: the server may have it', async () => {
    const { kind, reason, server } = await outcome({ answer: () => 'store-and-drop' });
    expect(kind).toBe('uncertain');
    expect(reason).toMatch(/^the connection was lost after the whole message was sent, before the server's reply \(.+\); it may have arrived$/);
    expect(server.received).toHaveLength(1);
  });

  // The "." line that completes a message is the last thing written: a write that failed means it
  // never left whole. (Once taken for a lost reply: the reader was left uncertain, never sent again.)
  it('a connection reset while the end of the message was being written is temporary: it cannot have arrived', async () => {
    const server = await startSmtpServer({ resetInData: true });
    const smtp = backend(server.url);
    try {
      // The end of the message waits until the server has reset the connection.
      const failed = await smtp.deliver(message, { ready: server.dataReset.then(() => true) }).catch((error: unknown) => error);
      expect(smtp.classify(failed)).toEqual({ kind: 'temporary', reason: expect.stringMatching(/^while the message was being sent: write (ECONNRESET|EPIPE)$/) });
    } finally {
      await smtp.close();
    }
    expect(server.received).toHaveLength(0);
  });

  it('a reply that never comes after the message is uncertain, once the timeout has passed', async () => {
    const { kind, reason, server } = await outcome({ answer: () => 'silence' }, undefined, { timeoutMs: 300 });
    expect({ kind, reason }).toEqual({ kind: 'uncertain', reason: 'no reply within 0.3 s after the whole message was sent; it may have arrived' });
    expect(server.received).toHaveLength(1);
  });

  it('a server that is not there is temporary (the run stops after many in a row)', async () => {
    const port = await closedPort();
    expect(await outcome({}, () => `smtp://127.0.0.1:${port}`)).toMatchObject({ kind: 'temporary', reason: expect.stringMatching(/^connecting: .*ECONNREFUSED/) });
  });

  it('a 5xx for the recipient or the message is permanent', async () => {
    expect(await outcome({ refuseRecipient: () => ({ code: 550, message: '5.1.1 No such user' }) })).toMatchObject({ kind: 'permanent', reason: '550 5.1.1 No such user' });
    expect(await outcome({ answer: () => ({ code: 554, message: '5.7.1 Message rejected' }) })).toMatchObject({ kind: 'permanent', reason: '554 5.7.1 Message rejected' });
  });

  it('a refused sender or login is fatal: it would refuse every message', async () => {
    expect(await outcome({ refuseSender: () => ({ code: 553, message: '5.7.1 Not your domain' }) })).toMatchObject({
      kind: 'fatal',
      reason: 'the server refused the sender: 553 5.7.1 Not your domain',
    });
    expect(await outcome({ login: { user: 'show', pass: 'right' } }, (server) => server.url.replace(':right@', ':wrong@'))).toMatchObject({
      kind: 'fatal',
      reason: 'the login failed: 535 Invalid login',
    });
  });

  it('an error that is not about mail at all is fatal rather than retried', () => {
    expect(backend('smtp://127.0.0.1:1').classify(new TypeError('cannot read properties of undefined'))).toEqual({ kind: 'fatal', reason: 'cannot read properties of undefined' });
  });

  it('keeps using a connection after a refusal, and a fresh one after a drop', async () => {
    const server = await startSmtpServer({ refuseRecipient: (to) => (to === 'gone@example.com' ? { code: 550, message: '5.1.1 No such user' } : to === 'cut@example.com' ? 'drop' : undefined) });
    const smtp = backend(server.url);
    try {
      await smtp.open();
      await expect(smtp.deliver({ ...message, to: 'gone@example.com' })).rejects.toThrow('550 5.1.1 No such user');
      await smtp.deliver(message);
      await expect(smtp.deliver({ ...message, to: 'cut@example.com' })).rejects.toThrow();
      await smtp.deliver({ ...message, to: 'bob@example.com' });
    } finally {
      await smtp.close();
    }
    expect(server.received.map((m) => m.to)).toEqual(['ada@example.com', 'bob@example.com']);
  });
});

describe('a message held back until its turn', () => {
  it('is completed once ready says yes, and never when it says no: the server has nothing', async () => {
    const server = await startSmtpServer();
    const smtp = backend(server.url);
    try {
      let go: (value: boolean) => void = () => {};
      const held = smtp.deliver(message, { ready: new Promise<boolean>((resolve) => (go = resolve)) });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.attempts.size).toBe(0);
      go(true);
      expect(await held).toBe('250 OK queued as 1');

      const abandoned = smtp.deliver({ ...message, to: 'bob@example.com' }, { ready: Promise.resolve(false) });
      await expect(abandoned).rejects.toBeInstanceOf(Abandoned);
      await smtp.deliver({ ...message, to: 'carol@example.com' });
    } finally {
      await smtp.close();
    }
    expect(server.received.map((m) => m.to)).toEqual(['ada@example.com', 'carol@example.com']);
    expect(server.attempts.has('bob@example.com')).toBe(false);
  });
});

// Issue 7 case 7: a server that never answers fails in seconds, naming the step.
describe('a server that does not answer', () => {
  it('with no greeting: fails after the timeout, saying so', async () => {
    const silent = await startSilentServer();
    const smtp = backend(silent.url, { timeoutMs: 300 });
    const error = await smtp.open().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunError);
    expect((error as Error).message).toBe(`cannot use smtp://127.0.0.1:${silent.port}: no greeting within 0.3 s: the server took the connection but never answered`);
    expect(silent.connections()).toBe(1);
    await smtp.close();
  });

  it('with no answer to AUTH: fails after the timeout, saying so', async () => {
    const server = await startSmtpServer({ login: { user: 'show', pass: 'right' }, silentLogin: true });
    const smtp = backend(server.url, { timeoutMs: 300 });
    await expect(smtp.open()).rejects.toThrow(`cannot use smtp://show@127.0.0.1:${server.port}: no answer to AUTH (the login) within 0.3 s`);
    expect(server.logins).toHaveLength(1);
    await smtp.close();
  });
});

// Issue 7 case 8: no password in clear text over the network.
describe('logging in', () => {
  it('over plain SMTP to loopback: allowed, the traffic never leaves the machine', async () => {
    const { delivered, server } = await outcome({ login: { user: 'show', pass: 'right' } });
    expect(delivered).toMatch(/^250 /);
    expect(server.logins).toEqual([{ user: 'show', secure: false }]);
  });

  it.runIf(external)('over plain SMTP to another host: refused before the password is sent, unless the URL says insecure=true', async () => {
    const server = await startSmtpServer({ login: { user: 'show', pass: 'right' }, host: external! });
    const smtp = backend(server.url);
    await expect(smtp.open()).rejects.toThrow(
      `cannot use smtp://show@${external}:${server.port}: refusing to send the password for show unencrypted: ${external} offers no STARTTLS on this connection, ` +
        'and the password would cross the network in clear text. Use smtps:// (port 465) or a server that offers STARTTLS; on a network you trust end to end, add ?insecure=true to the URL',
    );
    await smtp.close();
    expect(server.logins).toEqual([]);

    const insecure = backend(`${server.url}?insecure=true`);
    expect(await insecure.deliver(message)).toMatch(/^250 /);
    await insecure.close();
    expect(server.logins).toEqual([{ user: 'show', secure: false }]);
  });

  it.runIf(external)('to another host that offers STARTTLS: logs in over TLS', async () => {
    const server = await startSmtpServer({ login: { user: 'show', pass: 'right' }, host: external!, starttls: true });
    // smtp-server's built-in certificate is self-signed: the test tells the client to accept it.
    const smtp = backend(`${server.url}?tls.rejectUnauthorized=false`);
    expect(await smtp.deliver(message)).toMatch(/^250 /);
    await smtp.close();
    expect(server.logins).toEqual([{ user: 'show', secure: true }]);
  });
});
