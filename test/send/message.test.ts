import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContentError } from '../../src/errors.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../../src/render/templates.ts';
import { smtpBackend } from '../../src/send/backends/smtp.ts';
import { planMailing, type Mailing } from '../../src/send/mailing.ts';
import { MAX_LINE, createComposer, messageBuilder, messageId } from '../../src/send/message.ts';
import type { Recipient } from '../../src/send/recipients.ts';
import { readUnsubscribeToken, unsubscribeToken } from '../../src/send/token.ts';
import { cleanUp } from '../helpers/content.ts';
import { dom } from '../helpers/files.ts';
import { SECRET, SLUG, sendWorkspace } from './mailing.ts';
import { closeSmtpServers, header, headerLines, parse, startSmtpServer } from './smtp.ts';

afterAll(cleanUp);
afterEach(closeSmtpServers);

const ada: Recipient = { address: 'Ada@example.com', key: 'ada@example.com', name: 'Ada Lovelace', line: 2 };

/** The message exactly as the outbox writes it. */
async function raw(mailing: Mailing, recipient = ada): Promise<Buffer> {
  return (await messageBuilder({ crlf: true }).build(mailing.compose(recipient))).raw;
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
    // The contract castwright serve relies on: the token opens to the canonical address.
    const token = unsubscribeToken('ADA@Example.com', SECRET);
    expect(readUnsubscribeToken(token, SECRET)).toBe('ada@example.com');
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

  // Issue 7 case 9. The build limits titles (another stage's job); whatever reaches the message,
  // every header line stays within RFC 5322's 998 characters and reads back whole.
  it('keeps every header line within 998 characters, folded as RFC 5322 says: long titles and a long unsubscribe URL, as received over SMTP', async () => {
    const mailing = await plan();
    const templates = await loadTemplates(DEFAULT_TEMPLATES_DIR, root);
    const unsubscribe = `https://fixture.example.com/${'u'.repeat(550)}?token={token}`;
    const titles = ['x'.repeat(3000), Array.from({ length: 600 }, (_, i) => `word${i}`).join(' '), 'é'.repeat(1500), `Equity Monday: ${'a'.repeat(90)} and more`];
    const server = await startSmtpServer();
    const smtp = smtpBackend({ url: new URL(server.url), timeoutMs: 10_000 });
    try {
      for (const title of titles) {
        const show = { ...mailing.show, title, email: { ...mailing.show.email, unsubscribe } };
        const compose = createComposer({ show, episode: { ...mailing.episode, title }, templates, secret: SECRET });
        await smtp.deliver(compose(ada));
      }
    } finally {
      await smtp.close();
    }
    expect(server.received).toHaveLength(titles.length);
    for (const [index, received] of server.received.entries()) {
      const lines = headerLines(received.raw);
      expect(Math.max(...lines.map((line) => line.length)), titles[index]!.slice(0, 20)).toBeLessThanOrEqual(MAX_LINE);
      const email = await parse(received);
      expect(email.subject).toBe(titles[index]);
      const token = unsubscribeToken('ada@example.com', SECRET);
      expect(header(email, 'List-Unsubscribe')).toBe(`<${unsubscribe.replace('{token}', token)}>, <mailto:unsubscribe@fixture.example.com?subject=unsubscribe%20${token}>`);
      expect(header(email, 'List-Id')).toMatch(/<[a-z0-9-]{1,63}\.fixture\.example\.com>$/);
    }
  });

  it('refuses an unsubscribe URL no header line can hold, before any message is made', async () => {
    const mailing = await plan();
    const templates = await loadTemplates(DEFAULT_TEMPLATES_DIR, root);
    const show = { ...mailing.show, email: { ...mailing.show.email, unsubscribe: `https://fixture.example.com/${'u'.repeat(1000)}?t={token}` } };
    const error = (() => {
      try {
        createComposer({ show, episode: mailing.episode, templates, secret: SECRET, showFile: 'episodes/show.yml' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems).toEqual([
      { file: 'episodes/show.yml', message: 'email.unsubscribe: with the longest token (that of a 254-character address) the URL is 1409 characters long, too long for the List-Unsubscribe header (one line of at most 998 characters); expected a URL at least 432 characters shorter' },
    ]);
  });
});
