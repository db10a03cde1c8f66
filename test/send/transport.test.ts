import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classify, displayUrl, parseSmtpUrl, rateWindow, smtpTransport } from '../../src/send/transport.ts';
import { closeSmtpServers, startSmtpServer, type SmtpServerOptions, type TestSmtpServer } from './smtp.ts';

afterEach(closeSmtpServers);

const message = { from: 'news@fixture.example.com', to: 'ada@example.com', subject: 'Hi', text: 'Hello' };

/** What the real client makes of the real server's answer. */
async function outcome(options: SmtpServerOptions, url?: (server: TestSmtpServer) => string) {
  const server = await startSmtpServer(options);
  const transport = smtpTransport({ url: new URL(url ? url(server) : server.url), connections: 1 });
  try {
    return { delivered: await transport.deliver(message) };
  } catch (error) {
    return classify(error);
  } finally {
    await transport.close();
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

describe('SMTP URLs', () => {
  it('takes smtp:// and smtps:// with credentials, and shows them without the password', () => {
    const url = parseSmtpUrl('smtps://apikey:s3cr%40t@smtp.example.net:465', '--smtp');
    expect(url.hostname).toBe('smtp.example.net');
    expect(displayUrl(url)).toBe('smtps://apikey@smtp.example.net:465');
    expect(displayUrl(parseSmtpUrl('smtp://127.0.0.1:2525', 'SMTP_URL'))).toBe('smtp://127.0.0.1:2525');
  });

  it.each(['https://user:hunter2@mail.example.com', 'mail.example.com:587', 'smtp://', ''])('refuses %j without printing its password', (raw) => {
    expect(() => parseSmtpUrl(raw, '--smtp')).toThrow(/^--smtp is not an SMTP server URL \(.*\); expected smtp:\/\/user:pass@host:587 or smtps:\/\/user:pass@host:465$/);
    expect(() => parseSmtpUrl(raw, '--smtp')).not.toThrow(/hunter2/);
  });

  it('turns a rate into nodemailer windows, fractional rates included', () => {
    expect(rateWindow(10)).toEqual({ rateLimit: 10, rateDelta: 1000 });
    expect(rateWindow(0.5)).toEqual({ rateLimit: 1, rateDelta: 2000 });
  });
});

describe('judging a failed delivery', () => {
  it('accepted: resolves with the server reply', async () => {
    expect(await outcome({})).toEqual({ delivered: '250 OK queued as 1' });
  });

  it('a 4xx reply is temporary', async () => {
    expect(await outcome({ answer: () => ({ code: 451, message: '4.3.0 Try later' }) })).toEqual({ kind: 'temporary', reason: '451 4.3.0 Try later' });
  });

  it('a dropped connection is temporary', async () => {
    expect(await outcome({ answer: () => 'drop' })).toMatchObject({ kind: 'temporary' });
  });

  it('a server that is not there is temporary (the run stops after many in a row)', async () => {
    const port = await closedPort();
    expect(await outcome({}, () => `smtp://127.0.0.1:${port}`)).toMatchObject({ kind: 'temporary', reason: expect.stringContaining('ECONNREFUSED') });
  });

  it('a 5xx for the recipient is permanent', async () => {
    expect(await outcome({ refuseRecipient: () => ({ code: 550, message: '5.1.1 No such user' }) })).toEqual({ kind: 'permanent', reason: '550 5.1.1 No such user' });
    expect(await outcome({ answer: () => ({ code: 554, message: '5.7.1 Message rejected' }) })).toEqual({ kind: 'permanent', reason: '554 5.7.1 Message rejected' });
  });

  it('a refused sender or login is fatal: it would refuse every message', async () => {
    expect(await outcome({ refuseSender: () => ({ code: 553, message: '5.7.1 Not your domain' }) })).toEqual({
      kind: 'fatal',
      reason: 'the server refused the sender: 553 5.7.1 Not your domain',
    });
    expect(await outcome({ login: { user: 'show', pass: 'right' } }, (server) => server.url.replace(':right@', ':wrong@'))).toMatchObject({
      kind: 'fatal',
      reason: expect.stringContaining('535 Invalid login'),
    });
  });

  it('an error that is not about mail at all is fatal rather than retried', () => {
    expect(classify(new TypeError('cannot read properties of undefined'))).toEqual({ kind: 'fatal', reason: 'cannot read properties of undefined' });
  });
});
