// A digest as a reader receives it: composed by castwright's own sender for a realistic reader
// (a real unsubscribe token, the List-Unsubscribe headers). Gmail clips by the size of what
// arrives, so the HTML part is measured as nodemailer sends it, after its transfer encoding (and
// only when it could matter: encoding is most of the cost of checking a digest).
import MimeNode from 'nodemailer/lib/mime-node';
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
  /**
   * Bytes of the HTML part's body on the wire, after its transfer encoding; not measured (absent)
   * for a digest too small to come near a limit even at the worst encoding.
   */
  wireBytes?: number;
  /** The HTML part's Content-Transfer-Encoding, when measured. */
  encoding?: string;
  /** The message's own headers, lower-cased names. */
  headers: Map<string, string>;
}

/** No transfer encoding grows text more than this: quoted-printable at its worst, soft line breaks included. */
export const WORST_ENCODING_GROWTH = 3.2;

/** The HTML part as nodemailer writes it: its body's size and its transfer encoding. */
async function encodedHtml(html: string): Promise<{ bytes: number; encoding: string }> {
  const node = new MimeNode('text/html; charset=utf-8', { newline: 'windows' });
  node.setContent(html);
  const raw = (await node.build()).toString('latin1');
  const end = raw.indexOf('\r\n\r\n');
  const encoding = /^content-transfer-encoding:\s*(\S+)/im.exec(raw.slice(0, end))?.[1]?.toLowerCase() ?? '7bit';
  return { bytes: raw.length - end - 4, encoding };
}

/** A header as the composer gives it: text, or a value it folded itself (`prepared`). */
type HeaderValue = string | { prepared?: boolean; value: string };

/** The header's value on one line, as a mail client unfolds it. */
function headerText(value: HeaderValue): string {
  return (typeof value === 'string' ? value : value.value).replace(/\r?\n[ \t]+/g, ' ');
}

export interface ComposeOptions {
  /** Measure the HTML as sent when it could reach this many bytes on the wire. */
  measureFrom: number;
}

export async function composeDigest(show: MailingShow, episode: ListedEpisode, templates: Templates, options: ComposeOptions): Promise<ComposedDigest> {
  const compose = createComposer({ show, episode, templates, secret: SAMPLE_SECRET });
  const message = compose(SAMPLE_READER);
  const html = String(message.html ?? '');
  const htmlBytes = Buffer.byteLength(html);
  const headers = new Map(Object.entries((message.headers ?? {}) as Record<string, HeaderValue>).map(([name, value]) => [name.toLowerCase(), headerText(value)]));
  const measured = htmlBytes * WORST_ENCODING_GROWTH >= options.measureFrom ? await encodedHtml(html) : undefined;
  return {
    html,
    text: String(message.text ?? ''),
    subject: String(message.subject ?? ''),
    unsubscribeUrl: unsubscribeUrl(show.email.unsubscribe, unsubscribeToken(SAMPLE_READER.key, SAMPLE_SECRET)),
    htmlBytes,
    ...(measured ? { wireBytes: measured.bytes, encoding: measured.encoding } : {}),
    headers,
  };
}
