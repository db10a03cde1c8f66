// One reader's message: the episode's digest rendered with their unsubscribe link, and the headers
// mailbox providers judge a newsletter by (RFC 2369 List-Unsubscribe, RFC 8058 one-click, RFC 2919
// List-Id). Then the bytes that go over SMTP or into an .eml file, the same for both: every header
// line within RFC 5322's 998 characters, DKIM-signed when set up.
import { createHash, randomUUID } from 'node:crypto';
import nodemailer, { type DKIMOptions, type SendMailOptions } from 'nodemailer';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import { ContentError } from '../errors.ts';
import type { ListedEpisode, MailingShow, Show } from '../model/types.ts';
import { prepareDigest } from '../render/email.ts';
import type { Templates } from '../render/templates.ts';
import type { Recipient } from './recipients.ts';
import { MAX_UNSUBSCRIBE_TOKEN_LENGTH, unsubscribeToken, unsubscribeUrl } from './token.ts';

export interface MailingSource {
  show: MailingShow;
  episode: ListedEpisode;
  templates: Templates;
  secret: string;
  /** A `[TEST]` copy: its own Message-ID, so a mail client never hides the real one behind it. */
  test?: boolean;
  /** show.yml as messages name it. */
  showFile?: string;
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

/**
 * RFC 2919: a label unique to the show under a domain it controls. The label is cut to 63
 * characters, as a domain label is, and the comment (the title) to 200, so the header line stays
 * short whatever the title.
 */
export function listId(show: Show): { url: string; comment: string } {
  const label = show.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').slice(0, 63).replace(/^-+|-+$/g, '') || 'digest';
  const comment = show.title.length > 200 ? `${show.title.slice(0, 199)}…` : show.title;
  return { url: `${label}.${showDomain(show)}`, comment };
}

/**
 * `"Title" <label.domain>`: the title as a quoted string when it is plain ASCII, else as encoded
 * words (nodemailer's own List-Id makes a non-ASCII title one encoded word, a line of any length).
 */
function listIdValue(list: { url: string; comment: string }): HeaderValue {
  const phrase = /^[\x20-\x7e]*$/.test(list.comment) ? `"${list.comment.replace(/["\\]/g, '\\$&')}"` : encodeWord(list.comment, 'Q', 52);
  return { prepared: true, foldLines: true, value: `${phrase} <${list.url}>` };
}

/** RFC 5322 2.1.1: the hard limit of a line, CRLF excluded. */
export const MAX_LINE = 998;

type HeaderValue = string | { prepared: true; foldLines: true; value: string };

/**
 * Unstructured header text (a subject) as nodemailer can fold it. Folding happens only at white
 * space, so text with a long run without any (a title of 3,000 x's) would stay one overlong line:
 * such text goes out as RFC 2047 encoded words, which break anywhere and read back the same.
 */
function foldable(text: string): HeaderValue {
  return /\S{67,}/.test(text) ? { prepared: true, foldLines: true, value: encodeWord(text, 'Q', 52) } : text;
}

const LIST_UNSUBSCRIBE = 'List-Unsubscribe';

/**
 * The unsubscribe URL of the show's template, checked once for the mailing: it goes into a header
 * inside angle brackets, where white space, brackets or a URL too long for one header line would
 * break it for the mailbox providers that read it.
 */
function checkUnsubscribeUrl(url: string, showFile: string): void {
  const problems: string[] = [];
  if (/[\s<>"]/.test(url)) problems.push('email.unsubscribe: the URL holds white space, a quote or an angle bracket; expected a URL without them');
  const line = `${LIST_UNSUBSCRIBE}: <${url}>,`.length;
  if (line > MAX_LINE) {
    problems.push(
      `email.unsubscribe: with the longest token (that of a 254-character address) the URL is ${url.length} characters long, too long for the ${LIST_UNSUBSCRIBE} header (one line of at most ${MAX_LINE} characters); ` +
        `expected a URL at least ${line - MAX_LINE} characters shorter`,
    );
  }
  if (problems.length > 0) throw new ContentError(problems.map((message) => ({ file: showFile, message })));
}

/** Prepares the episode once; each call then renders one reader's message (a cheap template fill). */
export function createComposer(source: MailingSource): Compose {
  const { show, episode, secret, test = false } = source;
  const render = prepareDigest(show, episode, source.templates);
  const listIdHeader = listIdValue(listId(show));
  const { from, replyTo, unsubscribeMailto } = show.email;
  // A token grows with its address: the URL must leave room for the longest, so no reader's fails mid-mailing.
  checkUnsubscribeUrl(unsubscribeUrl(show.email.unsubscribe, 'x'.repeat(MAX_UNSUBSCRIBE_TOKEN_LENGTH)), source.showFile ?? 'show.yml');
  return (recipient) => {
    const token = unsubscribeToken(recipient.key, secret);
    const url = unsubscribeUrl(show.email.unsubscribe, token);
    const digest = render(url);
    // One header with both ways, https first: RFC 8058 one-click POSTs to the https URL. Folded
    // between the two, so each fits a line; RFC 2369 allows the space.
    const unsubscribe = [`<${url}>`, ...(unsubscribeMailto ? [`<mailto:${unsubscribeMailto}?subject=unsubscribe%20${token}>`] : [])];
    const subject = foldable(test ? `${TEST_PREFIX}${digest.subject}` : digest.subject);
    return {
      from,
      ...(replyTo ? { replyTo } : {}),
      to: recipient.name ? { name: recipient.name, address: recipient.address } : recipient.address,
      ...(typeof subject === 'string' ? { subject } : {}),
      messageId: test ? `<test-${randomUUID()}@${showDomain(show)}>` : messageId(show, episode, recipient.key),
      headers: {
        ...(typeof subject === 'string' ? {} : { Subject: subject }),
        'List-Id': listIdHeader,
        [LIST_UNSUBSCRIBE]: { prepared: true, value: unsubscribe.join(',\r\n ') },
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      // nodemailer writes multipart/alternative with the parts in this order: text first, then HTML.
      text: digest.text,
      html: digest.html,
    };
  };
}

/** A header line over RFC 5322's limit: no server has to take the message, and some cut it. */
export class HeaderLineError extends Error {}

export interface RawMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

export interface MessageBuilder {
  build(message: SendMailOptions): Promise<RawMessage>;
  close(): void;
}

/**
 * Builds each message into its bytes, DKIM-signed when set up, and checks every header line
 * against the limit: a message that breaks it is never sent. `crlf` makes every line end CRLF,
 * as a file must; over SMTP the DATA stream does that on the way, so the sender skips the pass.
 */
export function messageBuilder(options: { dkim?: DKIMOptions; crlf?: boolean } = {}): MessageBuilder {
  const composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    ...(options.crlf ? { newline: 'windows' } : {}),
    ...(options.dkim ? { dkim: options.dkim } : {}),
  });
  return {
    async build(message) {
      const info = await composer.sendMail(message);
      const raw = info.message as Buffer;
      checkHeaderLines(raw);
      const envelope = info.envelope as { from: string | false; to: string[] };
      return { raw, envelope: { from: envelope.from || '', to: envelope.to } };
    },
    close: () => composer.close(),
  };
}

/** Every line of the header, up to the empty line that ends it, within MAX_LINE characters (its line end not counted). */
function checkHeaderLines(raw: Buffer): void {
  for (let start = 0; start < raw.length; ) {
    const next = raw.indexOf(0x0a, start);
    const end = next < 0 ? raw.length : next;
    const length = end - start - (end > start && raw[end - 1] === 0x0d ? 1 : 0);
    if (length === 0) return;
    if (length > MAX_LINE) {
      const line = raw.subarray(start, start + 40).toString('latin1');
      throw new HeaderLineError(`a header line of the message is ${length} characters long (at most ${MAX_LINE}): ${line}…`);
    }
    start = end + 1;
  }
}
