// One reader's message: the episode's digest rendered with their unsubscribe link, and the headers
// mailbox providers judge a newsletter by (RFC 2369 List-Unsubscribe, RFC 8058 one-click, RFC 2919
// List-Id).
import { createHash, randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { ListedEpisode, MailingShow, Show } from '../model/types.ts';
import { prepareDigest } from '../render/email.ts';
import type { Templates } from '../render/templates.ts';
import type { Recipient } from './recipients.ts';
import { unsubscribeToken, unsubscribeUrl } from './token.ts';

export interface MailingSource {
  show: MailingShow;
  episode: ListedEpisode;
  templates: Templates;
  secret: string;
  /** A `[TEST]` copy: its own Message-ID, so a mail client never hides the real one behind it. */
  test?: boolean;
}

export type Compose = (recipient: Recipient) => SendMailOptions;

export const TEST_PREFIX = '[TEST] ';

function showDomain(show: Show): string {
  return new URL(show.url).hostname;
}

/**
 * The same for the same episode and address, so a copy sent twice (after a crash) is recognisable
 * as one message, and mail clients that collapse duplicates by Message-ID show it once.
 */
export function messageId(show: Show, episode: ListedEpisode, key: string): string {
  const hash = createHash('sha256').update(`${episode.guid}\n${key}`).digest('hex').slice(0, 32);
  return `<${hash}@${showDomain(show)}>`;
}

/** RFC 2919: a label unique to the show under a domain it controls. */
export function listId(show: Show): { url: string; comment: string } {
  const label = show.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'digest';
  return { url: `${label}.${showDomain(show)}`, comment: show.title };
}

/** Prepares the episode once; each call then renders one reader's message (a cheap template fill). */
export function createComposer(source: MailingSource): Compose {
  const { show, episode, secret, test = false } = source;
  const render = prepareDigest(show, episode, source.templates);
  const list = listId(show);
  const { from, replyTo, unsubscribeMailto } = show.email;
  return (recipient) => {
    const token = unsubscribeToken(recipient.key, secret);
    const url = unsubscribeUrl(show.email.unsubscribe, token);
    const digest = render(url);
    // One header with both ways, https first: RFC 8058 one-click POSTs to the https URL.
    const unsubscribe = [`<${url}>`, ...(unsubscribeMailto ? [`<mailto:${unsubscribeMailto}?subject=unsubscribe%20${token}>`] : [])];
    return {
      from,
      ...(replyTo ? { replyTo } : {}),
      to: recipient.name ? { name: recipient.name, address: recipient.address } : recipient.address,
      subject: test ? `${TEST_PREFIX}${digest.subject}` : digest.subject,
      messageId: test ? `<test-${randomUUID()}@${showDomain(show)}>` : messageId(show, episode, recipient.key),
      list: { id: list },
      headers: {
        'List-Unsubscribe': unsubscribe.join(', '),
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      // nodemailer writes multipart/alternative with the parts in this order: text first, then HTML.
      text: digest.text,
      html: digest.html,
    };
  };
}
