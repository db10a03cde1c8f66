// A digest as a reader receives it: composed by castwright's own sender for a realistic reader
// (a real unsubscribe token, the List-Unsubscribe headers), then written out by nodemailer as it
// would go over SMTP. Gmail clips by the size of what arrives, so the HTML part is measured as
// sent, after its transfer encoding, and not only as rendered.
import nodemailer from 'nodemailer';
import type { ListedEpisode, MailingShow } from '../model/types.ts';
import type { Templates } from '../render/templates.ts';
import { createComposer } from '../send/message.ts';
import { unsubscribeToken, unsubscribeUrl } from '../send/token.ts';

/** A reader with an ordinary address; every token has the same length whatever the secret. */
const SAMPLE_READER = { address: 'jordan.reader@example.com', key: 'jordan.reader@example.com', name: 'Jordan Reader', line: 0 };
const SAMPLE_SECRET = 'castwright-check-sample-secret-0000';

export interface ComposedDigest {
  html: string;
  text: string;
  subject: string;
  /** The reader's own unsubscribe link, as the HTML and text carry it. */
  unsubscribeUrl: string;
  /** Bytes of the HTML as rendered (UTF-8). */
  htmlBytes: number;
  /** Bytes of the HTML part's body on the wire, after its transfer encoding. */
  wireBytes: number;
  /** The HTML part's Content-Transfer-Encoding. */
  encoding: string;
  /** The message's top-level headers, lower-cased names, unfolded values. */
  headers: Map<string, string>;
}

function headerBlock(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const headers = new Map<string, string>();
  for (const field of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = field.indexOf(':');
    if (colon > 0) headers.set(field.slice(0, colon).trim().toLowerCase(), field.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? '' : raw.slice(end + 4) };
}

/** The text/html part of a MIME message (multipart or not): its body as sent, and its encoding. */
export function htmlPart(raw: string): { body: string; encoding: string } | undefined {
  const { headers, body } = headerBlock(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  if (/^text\/html/i.test(type)) return { body, encoding: headers.get('content-transfer-encoding')?.toLowerCase() ?? '7bit' };
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return undefined;
  // Parts sit between "--boundary" lines; the last one is followed by "--boundary--".
  const parts = body.split(`--${boundary}`).slice(1, -1);
  for (const part of parts) {
    const found = htmlPart(part.replace(/^\r\n/, '').replace(/\r\n$/, ''));
    if (found) return found;
  }
  return undefined;
}

export async function composeDigest(show: MailingShow, episode: ListedEpisode, templates: Templates): Promise<ComposedDigest> {
  const compose = createComposer({ show, episode, templates, secret: SAMPLE_SECRET });
  const message = compose(SAMPLE_READER);
  const writer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  try {
    const { message: raw } = await writer.sendMail(message);
    const text = raw.toString('utf8');
    const html = String(message.html ?? '');
    const part = htmlPart(text);
    return {
      html,
      text: String(message.text ?? ''),
      subject: String(message.subject ?? ''),
      unsubscribeUrl: unsubscribeUrl(show.email.unsubscribe, unsubscribeToken(SAMPLE_READER.key, SAMPLE_SECRET)),
      htmlBytes: Buffer.byteLength(html),
      wireBytes: part ? Buffer.byteLength(part.body) : Buffer.byteLength(html),
      encoding: part?.encoding ?? 'none',
      headers: headerBlock(text).headers,
    };
  } finally {
    writer.close();
  }
}
