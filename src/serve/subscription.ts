// The subscription endpoints: one-click unsubscribe (RFC 8058) and its page, sign-up, and the
// confirmation of a sign-up. A list changes only on a POST that carries a valid token (or, for a
// sign-up, only by the confirmation); a GET shows a page and never changes anything, since mail
// scanners and link previews fetch every link they see.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ListsError, type ListsStore } from '../lists/store.ts';
import { isSubscribed } from '../lists/state.ts';
import type { MailingShow } from '../model/types.ts';
import { maskAddress, renderConfirmation, renderSubscriptionPage, type SubscriptionPage } from '../render/subscription.ts';
import type { Templates } from '../render/templates.ts';
import { readMailbox } from '../send/address.ts';
import { CONFIRMATION_HOURS, confirmationToken, readConfirmationToken, readUnsubscribeToken, readerId } from '../send/token.ts';
import { BodyError, discardBody, parseForm, readBody } from './body.ts';
import { clientKey } from './client.ts';
import { securityHeaders } from './headers.ts';
import { CONFIRMS_PER_CLIENT, RateLimiter, SIGNUPS_PER_ADDRESS, SIGNUPS_PER_CLIENT, type Limit } from './limits.ts';
import type { Mailer } from './mailer.ts';
import { CONFIRM_PATH, rootOf } from './routes.ts';

export interface SubscriptionOptions {
  show: MailingShow;
  templates: Templates;
  secret: string;
  store: ListsStore;
  /** Present when the show takes sign-ups (email.subscribe). */
  mailer?: Mailer;
  log(line: string): void;
  now?: () => Date;
  limits?: { signupsPerClient?: Limit; signupsPerAddress?: Limit; confirmsPerClient?: Limit };
}

/** A request as the endpoints see it: where it came from and what it asks. */
export interface Asked {
  req: IncomingMessage;
  res: ServerResponse;
  pathname: string;
  query: URLSearchParams;
  /** The client's address (see client.ts). */
  client: string;
}

const ALLOW_FORM = 'GET, HEAD, POST';

/**
 * A form posted from another site. Browsers say so in Sec-Fetch-Site, and in Origin unless the
 * page's referrer policy made it "null" (as it does on the token pages); a one-click POST from a
 * mailbox provider carries neither and is not a browser's.
 */
function fromAnotherSite(req: IncomingMessage): boolean {
  if (req.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() !== (req.headers.host ?? '').toLowerCase();
  } catch {
    return true;
  }
}

/**
 * Local parts that a spreadsheet would run as a formula when the host opens the list
 * (`=cmd|'/c calc'!A1@example.com` is a valid address). Nobody's real address starts so, so a
 * sign-up with one is refused; lists a host imports are the host's own business.
 */
const FORMULA_START = /^[=+\-@]/;

export function subscriptionEndpoints(options: SubscriptionOptions) {
  const { show, templates, secret, store, log } = options;
  const now = () => (options.now ?? (() => new Date()))();
  const clock = () => now().getTime();
  const signupsPerClient = new RateLimiter(options.limits?.signupsPerClient ?? SIGNUPS_PER_CLIENT, clock);
  const signupsPerAddress = new RateLimiter(options.limits?.signupsPerAddress ?? SIGNUPS_PER_ADDRESS, clock);
  const confirmsPerClient = new RateLimiter(options.limits?.confirmsPerClient ?? CONFIRMS_PER_CLIENT, clock);

  function page(asked: Asked, status: number, page: Omit<SubscriptionPage, 'root'>, extra: { token?: boolean; headers?: Record<string, string> } = {}): void {
    const { req, res } = asked;
    const html = renderSubscriptionPage(show, templates, { ...page, root: rootOf(asked.pathname), hours: CONFIRMATION_HOURS });
    res.writeHead(status, {
      ...securityHeaders('text/html', { token: extra.token ?? false }),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(html),
      'Cache-Control': 'no-store',
      'X-Robots-Tag': 'noindex',
      ...extra.headers,
    });
    res.end(req.method === 'HEAD' ? undefined : html);
  }

  function notAllowed(asked: Asked): void {
    asked.res.writeHead(405, { ...securityHeaders('text/plain'), Allow: ALLOW_FORM, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    asked.res.end('Method not allowed\n');
  }

  /** The form of a POST, or undefined once a refusal has been answered. */
  async function form(asked: Asked, token: boolean): Promise<Map<string, string> | undefined> {
    try {
      return parseForm(asked.req.headers['content-type'], await readBody(asked.req));
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      await discardBody(asked.req);
      const headers = { Connection: 'close' };
      page(asked, error.status, { state: 'refused', reason: error.status === 413 ? 'The request is too large.' : `The request could not be read: ${error.message}.` }, { token, headers });
      return undefined;
    }
  }

  function unavailable(asked: Asked, error: unknown, token: boolean): void {
    log(`could not record a change: ${(error as Error).message}`);
    if (!(error instanceof ListsError)) throw error;
    page(asked, 503, { state: 'unavailable' }, { token, headers: { 'Retry-After': '30' } });
  }

  /** The page's form posts back to the same URL, relative to the page. */
  const selfAction = (asked: Asked) => `${asked.pathname.slice(asked.pathname.lastIndexOf('/') + 1)}${asked.query.size ? `?${asked.query}` : ''}`;

  async function unsubscribe(asked: Asked, token: string): Promise<void> {
    const { req } = asked;
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return notAllowed(asked);
    const fields = req.method === 'POST' ? await form(asked, true) : undefined;
    if (req.method === 'POST' && !fields) return;
    const key = readUnsubscribeToken(token, secret);
    if (key === undefined) return page(asked, 400, { state: 'bad-unsubscribe' }, { token: true });
    const reader = maskAddress(key);
    const action = selfAction(asked);
    if (!fields) return page(asked, 200, { state: 'unsubscribe', reader, action }, { token: true });

    const id = readerId(key, secret);
    if (fields.get('List-Unsubscribe') === 'One-Click') {
      const source = fields.get('via') === 'page' ? 'unsubscribe page' : 'one-click';
      try {
        const result = await store.change({ kind: 'unsubscribed', row: { key, source } });
        log(result.written ? `unsubscribed reader ${id} (${source})` : `reader ${id} was already unsubscribed (${source})`);
      } catch (error) {
        return unavailable(asked, error, true);
      }
      return page(asked, 200, { state: 'unsubscribed', reader, action }, { token: true });
    }
    if (fields.get('action') === 'resubscribe') {
      try {
        const result = await store.change({ kind: 'subscribers', row: { address: key, key, source: 're-subscribe' } });
        log(result.effective ? `reader ${id} subscribed again` : `reader ${id} asked to subscribe again, but an undated row in ${store.place.shown.unsubscribed} keeps them out`);
        return page(asked, 200, { state: result.effective ? 'resubscribed' : 'still-blocked', reader }, { token: true });
      } catch (error) {
        return unavailable(asked, error, true);
      }
    }
    return page(asked, 400, { state: 'refused', reason: 'Expected List-Unsubscribe=One-Click in the body of the request (RFC 8058).' }, { token: true });
  }

  function tooMany(asked: Asked, limiter: RateLimiter, key: string): void {
    log(`too many requests from ${asked.client.includes(':') ? 'an IPv6 network' : 'a client'} (${limiter === signupsPerAddress ? 'sign-ups for one address' : asked.pathname})`);
    page(asked, 429, { state: 'too-many' }, { headers: { 'Retry-After': String(limiter.retryAfter(key)) } });
  }

  async function subscribe(asked: Asked): Promise<void> {
    const { req } = asked;
    if (req.method === 'GET' || req.method === 'HEAD') return page(asked, 200, { state: 'signup' });
    if (req.method !== 'POST') return notAllowed(asked);
    if (fromAnotherSite(req)) {
      await discardBody(req);
      return page(asked, 403, { state: 'refused', reason: 'Sign-ups are taken from this site’s own pages only.' }, { headers: { Connection: 'close' } });
    }
    const client = clientKey(asked.client);
    if (!signupsPerClient.take(client)) {
      await discardBody(req);
      return tooMany(asked, signupsPerClient, client);
    }
    const fields = await form(asked, false);
    if (!fields) return;
    const typed = (fields.get('email') ?? '').trim();
    const mailbox = typed.length <= 254 ? readMailbox(typed) : undefined;
    // Only an address: a display name has no business in a sign-up.
    if (!mailbox || mailbox.name || typed.includes('<') || FORMULA_START.test(mailbox.address)) {
      return page(asked, 400, { state: 'refused', reason: 'That is not an email address this list can take. Please check it and try again.' });
    }
    if ((fields.get('website') ?? '') !== '') {
      // A robot filled in the hidden field: it gets the same answer, and nothing happens.
      log('ignored a sign-up that filled in the hidden field');
      return page(asked, 200, { state: 'check-inbox', reader: mailbox.address });
    }
    if (!signupsPerAddress.take(mailbox.key)) return tooMany(asked, signupsPerAddress, mailbox.key);
    const id = readerId(mailbox.key, secret);
    // The message is made whoever asks, so a known address costs the same time as a new one.
    const expires = new Date(now().getTime() + CONFIRMATION_HOURS * 3600_000);
    const confirmUrl = new URL(`${CONFIRM_PATH.slice(1)}?token=${confirmationToken(mailbox.address, secret, expires)}`, show.url).href;
    const message = renderConfirmation(show, templates, { address: mailbox.address, confirmUrl, hours: CONFIRMATION_HOURS });
    if (isSubscribed(store.current, mailbox.key)) {
      log(`sign-up for reader ${id}, who is subscribed already: no message sent`);
    } else {
      const queued = options.mailer!.enqueue(
        {
          from: show.email.from,
          ...(show.email.replyTo ? { replyTo: show.email.replyTo } : {}),
          to: mailbox.address,
          subject: message.subject,
          text: message.text,
          html: message.html,
          // RFC 3834: sent by a program in answer to a request; no auto-replies to it.
          headers: { 'Auto-Submitted': 'auto-replied' },
          messageId: `<confirm-${randomUUID()}@${new URL(show.url).hostname}>`,
        },
        id,
      );
      if (!queued) {
        log('the queue of confirmation messages is full');
        return page(asked, 503, { state: 'unavailable' }, { headers: { 'Retry-After': '60' } });
      }
      log(`sign-up for reader ${id}: confirmation message queued`);
    }
    return page(asked, 200, { state: 'check-inbox', reader: mailbox.address });
  }

  async function confirm(asked: Asked): Promise<void> {
    const { req } = asked;
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') return notAllowed(asked);
    const client = clientKey(asked.client);
    if (!confirmsPerClient.take(client)) {
      if (req.method === 'POST') await discardBody(req);
      return tooMany(asked, confirmsPerClient, client);
    }
    if (req.method === 'POST' && fromAnotherSite(req)) {
      await discardBody(req);
      return page(asked, 403, { state: 'refused', reason: 'Confirmations are taken from this site’s own pages only.' }, { token: true, headers: { Connection: 'close' } });
    }
    const fields = req.method === 'POST' ? await form(asked, true) : undefined;
    if (req.method === 'POST' && !fields) return;
    const confirmation = readConfirmationToken(asked.query.get('token') ?? '', secret, now());
    if (!confirmation) return page(asked, 400, { state: 'bad-confirm' }, { token: true });
    if (confirmation.expired) return page(asked, 410, { state: 'expired' }, { token: true });
    const reader = maskAddress(confirmation.key);
    if (!fields) return page(asked, 200, { state: 'confirm', reader, action: selfAction(asked) }, { token: true });
    const id = readerId(confirmation.key, secret);
    try {
      const result = await store.change({ kind: 'subscribers', row: { address: confirmation.address, key: confirmation.key, source: 'sign-up' } });
      log(
        !result.effective
          ? `reader ${id} confirmed a sign-up, but an undated row in ${store.place.shown.unsubscribed} keeps them out`
          : result.written
            ? `subscribed reader ${id} (sign-up confirmed)`
            : `reader ${id} confirmed again; subscribed already`,
      );
      return page(asked, 200, { state: result.effective ? 'confirmed' : 'still-blocked', reader }, { token: true });
    } catch (error) {
      return unavailable(asked, error, true);
    }
  }

  return { unsubscribe, subscribe, confirm };
}

