import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alignmentWarning, dkimFromEnv } from '../../src/send/dkim.ts';
import { planMailing } from '../../src/send/mailing.ts';
import { smtpBackend } from '../../src/send/backends/smtp.ts';
import { cleanUp, tempDir } from '../helpers/content.ts';
import { SECRET, SLUG, sendWorkspace } from './mailing.ts';
import { startSmtpServer } from './smtp.ts';

afterEach(cleanUp);

/**
 * An independent DKIM check (RFC 6376, relaxed/relaxed, rsa-sha256) of a message as received:
 * the signed header names, the body hash and the signature under the public key.
 */
function checkDkim(raw: Buffer, publicKey: KeyObject) {
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const fields = text.slice(0, split).split(/\r\n(?![ \t])/);
  const body = text.slice(split + 4);
  const relaxedHeader = (field: string) => {
    const colon = field.indexOf(':');
    return `${field.slice(0, colon).trim().toLowerCase()}:${field.slice(colon + 1).replace(/\r\n/g, '').replace(/[ \t]+/g, ' ').trim()}`;
  };
  const signature = fields.find((field) => /^dkim-signature:/i.test(field))!;
  const tags = Object.fromEntries(
    signature.slice(signature.indexOf(':') + 1).replace(/\s+/g, '').split(';').filter(Boolean).map((tag) => [tag.slice(0, tag.indexOf('=')), tag.slice(tag.indexOf('=') + 1)]),
  );
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines.at(-1) === '') lines.pop();
  const bodyHash = createHash('sha256').update(lines.length ? `${lines.join('\r\n')}\r\n` : '').digest('base64');
  const signed = (tags.h as string).split(':');
  const unused = fields.filter((field) => field !== signature);
  const headerLines = signed.flatMap((name) => {
    // Several fields of one name are signed from the bottom up.
    const index = unused.findLastIndex((field) => field.slice(0, field.indexOf(':')).trim().toLowerCase() === name.toLowerCase());
    return index < 0 ? [] : [relaxedHeader(unused.splice(index, 1)[0]!)];
  });
  const unsigned = relaxedHeader(signature.replace(/(^|;)(\s*b\s*=)[^;]*/, '$1$2'));
  const data = `${headerLines.map((line) => `${line}\r\n`).join('')}${unsigned}`;
  return {
    tags,
    signed: signed.map((name) => name.toLowerCase()),
    bodyHashMatches: bodyHash === tags.bh,
    valid: verify('RSA-SHA256', Buffer.from(data, 'latin1'), publicKey, Buffer.from(tags.b as string, 'base64')),
  };
}

describe('DKIM signing', () => {
  it('signs each message, List-Unsubscribe and List-Unsubscribe-Post included, with a signature that verifies', async () => {
    const root = await sendWorkspace(3);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(path.join(root, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const dkim = await dkimFromEnv({ DKIM_DOMAIN: 'fixture.example.com', DKIM_SELECTOR: 'cw2026', DKIM_KEY_FILE: 'dkim.pem' }, root);
    const smtp = await startSmtpServer();
    const mailing = await planMailing({ contentDir: 'episodes', cwd: root, slug: SLUG, to: 'subscribers.csv', secret: SECRET });
    const backend = smtpBackend({ url: new URL(smtp.url), timeoutMs: 10_000, dkim: dkim! });
    try {
      for (const recipient of mailing.recipients) await backend.deliver(mailing.compose(recipient));
    } finally {
      await backend.close();
      await smtp.close();
    }
    expect(smtp.received).toHaveLength(3);
    const key = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
    for (const message of smtp.received) {
      const check = checkDkim(message.raw, key);
      expect(check.tags).toMatchObject({ v: '1', a: 'rsa-sha256', c: 'relaxed/relaxed', d: 'fixture.example.com', s: 'cw2026' });
      expect(check.signed).toEqual(expect.arrayContaining(['from', 'to', 'subject', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post']));
      expect(check.bodyHashMatches).toBe(true);
      expect(check.valid).toBe(true);
    }
    // The check itself can fail: a changed one-click header no longer verifies.
    const tampered = Buffer.from(smtp.received[0]!.raw.toString('latin1').replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Two-Click'), 'latin1');
    expect(checkDkim(tampered, key).valid).toBe(false);
  });

  it('is off without the variables and refuses a partial or unusable setup before anything is sent', async () => {
    const dir = await tempDir();
    expect(await dkimFromEnv({}, dir)).toBeUndefined();
    await expect(dkimFromEnv({ DKIM_DOMAIN: 'fixture.example.com' }, dir)).rejects.toThrow('DKIM signing needs DKIM_DOMAIN, DKIM_SELECTOR, DKIM_KEY_FILE; DKIM_SELECTOR and DKIM_KEY_FILE are not set');
    const env = { DKIM_DOMAIN: 'fixture.example.com', DKIM_SELECTOR: 's1', DKIM_KEY_FILE: 'key.pem' };
    await expect(dkimFromEnv(env, dir)).rejects.toThrow('DKIM_KEY_FILE key.pem: cannot read it (ENOENT)');
    await writeFile(path.join(dir, 'key.pem'), 'not a key');
    await expect(dkimFromEnv(env, dir)).rejects.toThrow(/^DKIM_KEY_FILE key\.pem: not a usable RSA private key in PEM form/);
    await writeFile(path.join(dir, 'key.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(dkimFromEnv(env, dir)).rejects.toThrow('a ed25519 key; DKIM here signs with RSA (rsa-sha256)');
  });

  it('warns when the signing domain would not align with the From domain for DMARC', () => {
    expect(alignmentWarning({ domainName: 'example.com' }, 'news@example.com')).toBeUndefined();
    expect(alignmentWarning({ domainName: 'example.com' }, 'news@mail.example.com')).toBeUndefined();
    expect(alignmentWarning({ domainName: 'esp.example.net' }, 'news@example.com')).toBe(
      'DKIM_DOMAIN esp.example.net does not match the From domain example.com: DMARC will not count this signature',
    );
  });
});
