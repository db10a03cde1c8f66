// The email lint: each digest as a reader gets it (composed by the sender, see email-message.ts),
// checked for what gets an email clipped, junked or unreadable: Gmail's 102 KB clip, a missing
// unsubscribe link or header, remote fonts and tracking pixels that leak readers' IP addresses,
// links that are not https, images without alt text, layout tables screen readers read as data,
// no lang, no dark-mode declaration, no preheader, a text part that lacks the stories.
// Template mistakes point at the template's line; content mistakes at the episode's.
import { DomUtils, parseDocument } from 'htmlparser2';
import type { ListedEpisode, MailingShow } from '../model/types.ts';
import type { Severity } from '../problems.ts';
import { withUtm } from '../render/utm.ts';
import type { ComposedDigest } from './email-message.ts';
import { finding, shown, type Finding } from './finding.ts';
import type { SourceLines } from './locate.ts';

/** Gmail clips a message whose HTML is larger than this, hiding the rest (the unsubscribe link with it). */
export const CLIP_BYTES = 102 * 1024;
/** From here on the digest is close enough to the clip to say so. */
export const NEAR_CLIP_BYTES = 90 * 1024;
/** Gmail drops every <style> of a message whose styles add up to more than this. */
export const STYLE_BYTES = 16 * 1024;

export interface DigestFiles {
  /** The templates as messages name them. */
  htmlTemplate: string;
  textTemplate: string;
  showFile: string;
}

export interface DigestContext {
  show: MailingShow;
  episode: ListedEpisode;
  composed: ComposedDigest;
  files: DigestFiles;
  lines: SourceLines;
}

type Element = ReturnType<typeof DomUtils.findAll>[number];

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.hostname.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** A host the show allows the digest to load from: itself or a subdomain of an allowed name. */
function allowed(host: string, hosts: readonly string[]): boolean {
  return hosts.some((name) => host === name.toLowerCase() || host.endsWith(`.${name.toLowerCase()}`));
}

const styleOf = (element: Element) => (element.attribs.style ?? '').replace(/\s+/g, '').toLowerCase();

function pixelSized(element: Element): boolean {
  const style = styleOf(element);
  const size = (name: 'width' | 'height') => {
    const fromStyle = new RegExp(`(?:^|;)${name}:(\\d+(?:\\.\\d+)?)px`).exec(style)?.[1];
    const value = Number(element.attribs[name] ?? fromStyle ?? NaN);
    return Number.isFinite(value) ? value : undefined;
  };
  const width = size('width');
  const height = size('height');
  const tiny = (value: number | undefined) => value !== undefined && value <= 2;
  return (tiny(width) && (height === undefined || tiny(height))) || /display:none|visibility:hidden/.test(style);
}

const isHidden = (element: Element) => /display:none|max-height:0|opacity:0|visibility:hidden/.test(styleOf(element));

/** Remote font URLs in a style sheet: @import, and url() inside @font-face. */
function fontUrls(css: string): string[] {
  const urls: string[] = [];
  for (const match of css.matchAll(/@import\s+(?:url\(\s*)?["']?([^"')\s;]+)/gi)) urls.push(match[1]!);
  for (const face of css.matchAll(/@font-face\s*\{[^}]*\}/gi)) {
    for (const match of face[0].matchAll(/url\(\s*["']?([^"')\s]+)/gi)) urls.push(match[1]!);
  }
  return urls;
}

/** The link as written in the sources, without the campaign tags the email adds. */
function asWritten(href: string): string[] {
  try {
    const url = new URL(href);
    for (const tag of ['utm_source', 'utm_medium', 'utm_campaign']) url.searchParams.delete(tag);
    const bare = url.href.replace(/\?$/, '');
    return [bare, bare.replace(/\/$/, ''), `${url.host}${url.pathname}`];
  } catch {
    return [href];
  }
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

export function lintDigest(context: DigestContext): Finding[] {
  const { show, episode, composed, files, lines } = context;
  const findings: Finding[] = [];
  const inTemplate = (severity: Severity, code: string, needles: string[], message: string, template = files.htmlTemplate) => {
    const line = needles.map((needle) => lines.find(template, needle)).find((found) => found !== undefined) ?? 1;
    findings.push(finding(severity, code, template, line, message));
  };
  /** A link or image: at its line in the episode, else in show.yml, else in the template. */
  const atSource = (severity: Severity, code: string, url: string, message: string) => {
    for (const file of [episode.source, files.showFile]) {
      const line = asWritten(url).map((needle) => lines.find(file, needle)).find((found) => found !== undefined);
      if (line !== undefined) {
        findings.push(finding(severity, code, file, line, message));
        return;
      }
    }
    inTemplate(severity, code, [url, 'href=', 'src='], message);
  };

  const document = parseDocument(composed.html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  // One walk of the tree, then each rule reads the elements it needs by name.
  const byName = new Map<string, Element[]>();
  for (const element of DomUtils.findAll(() => true, document.children)) {
    const list = byName.get(element.name);
    if (list) list.push(element);
    else byName.set(element.name, [element]);
  }
  const all = (name: string) => byName.get(name) ?? [];
  const html = all('html')[0];
  const body = all('body')[0];
  const allowRemote = show.email.allowRemote;

  // Size: Gmail's clip, measured as sent.
  const sent = composed.wireBytes ?? composed.htmlBytes;
  const size = `the HTML part is ${kilobytes(sent)} as sent (${composed.encoding ?? 'not encoded'}; ${kilobytes(composed.htmlBytes)} of HTML)`;
  const bodyLine = lines.bodyLine(episode.source);
  if (sent > CLIP_BYTES) {
    findings.push(finding('error', 'email/size-clipped', episode.source, bodyLine, `${size}: Gmail clips messages above ${kilobytes(CLIP_BYTES)} and hides the rest, the unsubscribe link with it; shorten the notes or the stories`));
  } else if (sent >= NEAR_CLIP_BYTES) {
    findings.push(finding('warning', 'email/size-near-clip', episode.source, bodyLine, `${size}, close to Gmail's clip at ${kilobytes(CLIP_BYTES)}; a few more stories and Gmail hides the end of it`));
  }
  const styleBytes = all('style').reduce((total, style) => total + Buffer.byteLength(DomUtils.textContent(style)), 0);
  if (styleBytes > STYLE_BYTES) {
    inTemplate('warning', 'email/style-too-large', ['<mj-style', '<style'], `the digest's styles add up to ${kilobytes(styleBytes)}; Gmail drops all of them above ${kilobytes(STYLE_BYTES)}`);
  }

  // Language, layout tables, images, dark mode, preheader.
  const undetermined = (lang: string | undefined) => !lang?.trim() || lang.trim().toLowerCase() === 'und';
  if (undetermined(html?.attribs.lang)) {
    inTemplate('warning', 'email/html-lang', ['<mjml', '<html'], 'the digest\'s <html> has no lang, so screen readers may read it in the wrong language; write <mjml lang="{{show.language}}">');
  }
  const wrapper = body && DomUtils.getChildren(body).find((node) => DomUtils.isTag(node) && node.attribs.lang !== undefined);
  if (body && undetermined(body.attribs.lang) && !(wrapper && DomUtils.isTag(wrapper) && !undetermined(wrapper.attribs.lang))) {
    inTemplate('warning', 'email/body-lang', ['<mj-body', '<body'], 'the digest\'s body has no element with lang: Gmail and Outlook drop the <html> element, and its lang with it; give <mjml> a lang (MJML repeats it on the body wrapper)');
  }
  const layoutTables = all('table').filter((table) => {
    const role = table.attribs.role?.trim().toLowerCase();
    return role !== 'presentation' && role !== 'none' && DomUtils.findOne((element) => element.name === 'th', table.children) === null;
  });
  if (layoutTables.length) {
    inTemplate('warning', 'email/table-role', ['<table', '<mj-table'], `${layoutTables.length} layout table${layoutTables.length === 1 ? ' has' : 's have'} no role="presentation", so screen readers announce rows and columns; add it to each <table>`);
  }
  for (const image of all('img')) {
    if (image.attribs.alt === undefined) {
      inTemplate('warning', 'email/img-alt', ['<mj-image', '<img'], `the image ${shown(image.attribs.src ?? '', 120)} has no alt text; write what it shows, or alt="" when it is decoration`);
    }
  }
  const colorScheme = all('meta').some((meta) => meta.attribs.name?.trim().toLowerCase() === 'color-scheme');
  if (!colorScheme) {
    inTemplate('warning', 'email/color-scheme', ['<mj-head', '<head'], 'the digest has no <meta name="color-scheme" content="light dark">, so Apple Mail and Outlook may invert its colours in dark mode; add it in <mj-head> inside <mj-raw>');
  }
  const first = body ? DomUtils.getChildren(body).find((node) => DomUtils.isTag(node)) : undefined;
  const preheader = first && DomUtils.isTag(first) && isHidden(first) ? collapse(DomUtils.textContent(first)) : '';
  if (!preheader) {
    inTemplate('warning', 'email/preheader-missing', ['<mj-preview', '<mj-head', '<body'], 'the digest has no preheader (a hidden first line), so inboxes show whatever text comes first; add <mj-preview>{{preheader}}</mj-preview>');
  }

  // What reaches beyond the email: fonts and pixels that tell a server who opened it, and links.
  const fonts = [
    ...all('link').filter((link) => /stylesheet/i.test(link.attribs.rel ?? '')).map((link) => link.attribs.href ?? ''),
    ...all('style').flatMap((style) => fontUrls(DomUtils.textContent(style))),
  ];
  const declaresFonts = lines.find(files.htmlTemplate, '<mj-font') !== undefined;
  for (const url of new Set(fonts)) {
    const host = hostOf(url);
    if (host && !allowed(host, allowRemote)) {
      // Without <mj-font>, MJML adds the import itself for a font it knows that font-family names.
      const family = /family=([^:&]+)/.exec(url)?.[1]?.replace(/\+/g, ' ');
      const why = declaresFonts ? '' : ` (MJML adds it for ${family ? `"${decodeURIComponent(family)}"` : 'a font'} in font-family; its fonts option turns that off)`;
      inTemplate(
        'error',
        'email/remote-font',
        ['<mj-font', 'fonts.googleapis', '@import', '<link', 'font-family', '<mjml'],
        `the digest loads ${shown(url, 120)}${why}: every reader who opens it tells ${host} their IP address; use fonts readers have (a system font stack), or if ${host} is yours, list it in email.allowRemote in show.yml`,
      );
    }
  }
  for (const image of all('img')) {
    const host = hostOf(image.attribs.src ?? '');
    if (host && pixelSized(image) && !allowed(host, allowRemote)) {
      inTemplate('error', 'email/tracking-pixel', [image.attribs.src!, '<img', '<mj-image'], `the digest has a hidden or 1-pixel image from ${host} (${shown(image.attribs.src!, 120)}): a tracking pixel that reports every opening; remove it, or list ${host} in email.allowRemote in show.yml`);
    }
  }
  const links = new Set(all('a').map((link) => link.attribs.href?.trim() ?? ''));
  for (const href of links) {
    if (/^mailto:/i.test(href) || /^https:\/\/[^/]/i.test(href)) continue;
    if (/^http:\/\/[^/]/i.test(href)) atSource('warning', 'email/link-not-https', href, `the link ${shown(href, 160)} is not https: mail apps warn about it and readers' connections can be read or changed; link to its https address`);
    else atSource('error', 'email/link-invalid', href, `the link ${shown(href, 160)} is not an absolute https or mailto: address, so it leads nowhere from an inbox`);
  }
  for (const src of new Set(all('img').map((image) => image.attribs.src?.trim() ?? ''))) {
    if (/^http:\/\//i.test(src)) atSource('warning', 'email/link-not-https', src, `the image ${shown(src, 160)} is not https: mail apps block or warn about it; use its https address`);
  }

  // What the law and the inbox providers ask of every message.
  if (!links.has(composed.unsubscribeUrl) || !composed.text.includes(composed.unsubscribeUrl)) {
    const where = [links.has(composed.unsubscribeUrl) ? '' : 'HTML', composed.text.includes(composed.unsubscribeUrl) ? '' : 'text'].filter(Boolean).join(' and ');
    inTemplate(
      'error',
      'email/unsubscribe-link-missing',
      ['unsubscribeUrl', 'Unsubscribe', '</mj-body>', '</body>'],
      `the ${where} part has no unsubscribe link: each reader's own link is filled in at send time where the template writes {{unsubscribeUrl}}; put it in both templates`,
      where === 'text' ? files.textTemplate : files.htmlTemplate,
    );
  }
  const listUnsubscribe = composed.headers.get('list-unsubscribe') ?? '';
  if (!/<https:[^>]+>/.test(listUnsubscribe) || composed.headers.get('list-unsubscribe-post') !== 'List-Unsubscribe=One-Click') {
    findings.push(
      finding('error', 'email/unsubscribe-header-missing', files.showFile, lines.field(files.showFile, ['email', 'unsubscribe']), 'the message lacks List-Unsubscribe with an https link and List-Unsubscribe-Post: List-Unsubscribe=One-Click; Gmail and Yahoo junk bulk mail without one-click unsubscribe'),
    );
  }
  const address = collapse(show.email.address);
  if (!collapse(body ? DomUtils.textContent(body) : '').includes(address)) {
    inTemplate('error', 'email/postal-address-missing', ['{{address}}', '</mj-body>', '</body>'], 'the HTML part does not show the postal address (email.address): anti-spam laws require it in every message; write {{address}} in the footer');
  }
  if (!collapse(composed.text).includes(address)) {
    inTemplate('error', 'email/postal-address-missing', ['{{address}}'], 'the text part does not show the postal address (email.address): anti-spam laws require it in every message; write {{address}} in it', files.textTemplate);
  }

  // The text part: for readers and filters that do not take HTML, with every story.
  if (composed.text.trim() === '') {
    inTemplate('error', 'email/text-missing', ['{{'], 'the text part is empty; spam filters distrust HTML-only mail and some readers read text only', files.textTemplate);
  } else {
    const campaign = { source: show.email.utmSource, medium: 'email', campaign: episode.slug };
    const missing = episode.stories.filter((story) => !composed.text.includes(withUtm(story.url, campaign)));
    if (missing.length) {
      inTemplate('error', 'email/text-story-missing', ['{{#each stories', '{{url}}'], `the text part lacks story links (the first: ${shown(missing[0]!.url, 120)}); write {{url}} for each story`, files.textTemplate);
    }
  }
  return findings;
}
