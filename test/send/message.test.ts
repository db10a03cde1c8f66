import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { planMailing, type Mailing } from '../../src/send/mailing.ts';
import { messageId } from '../../src/send/message.ts';
import type { Recipient } from '../../src/send/recipients.ts';
import { unsubscribeToken } from '../../src/send/token.ts';
import { cleanUp } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { SECRET, SLUG, sendWorkspace } from './mailing.ts';
import { header, parse } from './smtp.ts';

afterAll(cleanUp);

const ada: Recipient = { address: 'Ada@example.com', key: 'ada@example.com', name: 'Ada Lovelace', line: 2 };

/** The message exactly as it would go over the wire. */
async function raw(mailing: Mailing, recipient = ada): Promise<Buffer> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return (await composer.sendMail(mailing.compose(recipient))).message as Buffer;
}

describe("a reader's message", () => {
  let root: string;
  beforeAll(async () => {
    root = await sendWorkspace(1);
  });
  const plan = (test?: string) =>
    planMailing({ contentDir: 'episodes', cwd: root, slug: SLUG, secret: SECRET, ...(test ? { test } : { to: 'subscribers.csv' }) });

  it('has the show as sender, the reader as recipient, the episode as subject and a stable Message-ID', async () => {
    const mailing = await plan();
    const email = await parse(await raw(mailing));
    expect(email.from).toEqual({ name: 'Fixture Weekly', address: 'news@fixture.example.com' });
    expect(email.replyTo).toEqual([{ name: 'Fixture Desk', address: 'desk@fixture.example.com' }]);
    expect(email.to).toEqual([{ name: 'Ada Lovelace', address: 'Ada@example.com' }]);
    expect(email.subject).toBe('A valid episode');
    expect(email.messageId).toMatch(/^<[0-9a-f]{32}@fixture\.example\.com>$/);
    expect(email.messageId).toBe(messageId(mailing.show, mailing.episode, 'ada@example.com'));
    expect((await parse(await raw(await plan()))).messageId).toBe(email.messageId);
    const other = await parse(await raw(mailing, { ...ada, address: 'bob@example.com', key: 'bob@example.com' }));
    expect(other.messageId).not.toBe(email.messageId);
  });

  it('carries the reader’s own unsubscribe link in both parts and in RFC 2369/8058/2919 headers', async () => {
    const email = await parse(await raw(await plan()));
    // The contract an unsubscribe endpoint relies on: base64url HMAC-SHA256 of the lower-cased address.
    const token = createHmac('sha256', SECRET).update('ada@example.com').digest('base64url');
    expect(unsubscribeToken('ADA@Example.com', SECRET)).toBe(token);
    const url = `https://fixture.example.com/unsubscribe?token=${token}`;
    expect(header(email, 'List-Unsubscribe')).toBe(`<${url}>, <mailto:unsubscribe@fixture.example.com?subject=unsubscribe%20${token}>`);
    expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(email, 'List-Id')).toBe('"Fixture Weekly" <fixture-weekly.fixture.example.com>');
    expect(email.text).toContain(`Unsubscribe with one click: ${url}`);
    const unsubscribe = [...dom(email.html!).querySelectorAll('a')].find((a) => a.textContent === 'Unsubscribe');
    expect(unsubscribe?.getAttribute('href')).toBe(url);
  });

  it('is multipart/alternative with the text part first, then the HTML', async () => {
    const message = (await raw(await plan())).toString();
    expect(message).toMatch(/^Content-Type: multipart\/alternative;/m);
    const text = message.indexOf('Content-Type: text/plain; charset=utf-8');
    const html = message.indexOf('Content-Type: text/html; charset=utf-8');
    expect(text).toBeGreaterThan(0);
    expect(html).toBeGreaterThan(text);
  });

  it('as a test copy, says [TEST] and has a Message-ID of its own each time', async () => {
    const mailing = await plan('me@example.com');
    const me: Recipient = { address: 'me@example.com', key: 'me@example.com', line: 0 };
    const [one, two] = await Promise.all([parse(await raw(mailing, me)), parse(await raw(mailing, me))]);
    expect(one.subject).toBe('[TEST] A valid episode');
    expect(one.messageId).not.toBe(two.messageId);
    expect(one.messageId).not.toBe(messageId(mailing.show, mailing.episode, 'me@example.com'));
  });
});
