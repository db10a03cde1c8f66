// The pages and the message of a reader's subscription, rendered when castwright serve answers:
// the unsubscribe page and its outcome, the sign-up page, the confirmation message and page. Pure
// functions from the show to strings, like the rest of the site; their words are in the templates.
import { domainToUnicode } from 'node:url';
import type { MailingShow } from '../model/types.ts';
import { locale, pageContext } from './site.ts';
import type { Templates } from './templates.ts';

export type SubscriptionState =
  | 'unsubscribe'
  | 'unsubscribed'
  | 'resubscribed'
  | 'still-blocked'
  | 'bad-unsubscribe'
  | 'signup'
  | 'check-inbox'
  | 'confirm'
  | 'confirmed'
  | 'expired'
  | 'bad-confirm'
  | 'too-many'
  | 'unavailable'
  | 'refused';

const TITLES: Record<SubscriptionState, string> = {
  unsubscribe: 'Unsubscribe',
  unsubscribed: 'Unsubscribed',
  resubscribed: 'Subscribed again',
  'still-blocked': 'Not subscribed',
  'bad-unsubscribe': 'Unsubscribe link not valid',
  signup: 'Subscribe by email',
  'check-inbox': 'Check your inbox',
  confirm: 'Confirm your subscription',
  confirmed: 'Subscribed',
  expired: 'Link expired',
  'bad-confirm': 'Confirmation link not valid',
  'too-many': 'Too many requests',
  unavailable: 'Please try again',
  refused: 'Request refused',
};

/** States that offer the sign-up form in the page itself (where a reader starts over). */
const SIGNUP_HERE = new Set<SubscriptionState>(['signup', 'expired', 'bad-confirm']);

export interface SubscriptionPage {
  state: SubscriptionState;
  /** The way from the page to the site's root, e.g. `` or `../`. */
  root: string;
  /** The reader's address as the page may show it (see maskAddress). */
  reader?: string;
  /** Where the page's button posts: relative to the page. */
  action?: string;
  /** Why a request was refused. */
  reason?: string;
  /** How long confirmation links work. */
  hours?: number;
}

/** `r•••@example.com`: enough for the reader to recognise, too little to harvest from a shared link. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, 1)}•••@${domainToUnicode(address.slice(at + 1)) || address.slice(at + 1)}`;
}

export function renderSubscriptionPage(show: MailingShow, templates: Templates, page: SubscriptionPage): string {
  const signupHere = SIGNUP_HERE.has(page.state) && show.email.subscribe;
  return templates.site.subscription({
    ...pageContext(show, templates, page.root),
    page: { title: `${TITLES[page.state]} · ${show.title}`, description: show.description, url: show.url, image: show.image, type: 'website', locale: locale(show.language) },
    ...page,
    // The page's own form stands in for the one every page carries.
    noSignup: true,
    signupHere,
  });
}

export interface ConfirmationMessage {
  subject: string;
  text: string;
  html: string;
}

export function renderConfirmation(show: MailingShow, templates: Templates, values: { address: string; confirmUrl: string; hours: number }): ConfirmationMessage {
  const context = { show, ...values };
  return { subject: `Confirm your subscription to ${show.title}`, text: templates.email.confirm.text(context), html: templates.email.confirm.html(context) };
}
