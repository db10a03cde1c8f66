// The email digest of an episode: HTML (from the MJML template) and plain text, with campaign-tagged
// links. Rendering is split so a send prepares an episode once and then only fills in each reader's
// unsubscribe link.
import type { ListedEpisode, MailingShow } from '../model/types.ts';
import { htmlToPlainText } from './email-text.ts';
import type { Templates } from './templates.ts';
import { tagLinksInHtml, withUtm, type Campaign } from './utm.ts';
import { episodeView, shortenText, type EpisodeView } from './view.ts';

/** The site's subscribe page, relative to its root. */
export const SUBSCRIBE_PAGE = 'subscribe/';

export interface Digest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** Gmail hides everything after about 102 KB of HTML, often the unsubscribe link with it. */
export const GMAIL_CLIP_BYTES = 102 * 1024;

const PREHEADER_LENGTH = 140;

/**
 * Renders the digest for one reader; `unsubscribeUrl` is that reader's own link. `webCopy()`
 * renders the web copy from the same prepared context, so a build prepares each episode once.
 */
export type DigestRenderer = ((unsubscribeUrl: string) => Digest) & { webCopy: () => string };

/** A story's summary is indented under its title in the text part (digest.txt.hbs) by this much. */
const SUMMARY_INDENT = '   ';

/** Where the site keeps the web copy of an episode's digest ("view in browser"). */
export const webCopyPath = (slug: string) => `email/${slug}/`;

/**
 * What the digest template is given, before a reader's own unsubscribe link is added. `view`: the
 * episode's view when the caller has built it already (a build shares one per episode).
 */
function digestContext(show: MailingShow, episode: ListedEpisode, view: EpisodeView) {
  const campaign: Campaign = { source: show.email.utmSource, medium: 'email', campaign: episode.slug };
  const introHtml = tagLinksInHtml(episode.introHtml, campaign);
  const outroHtml = tagLinksInHtml(episode.outroHtml, campaign);
  const summariesHtml = view.stories.map((story) => tagLinksInHtml(story.summaryHtml, campaign));
  const stories = view.stories.map((story, index) => {
    const summaryHtml = summariesHtml[index]!;
    // Indented under the story's title, and no wider than the rest of the text.
    const summary = summaryHtml ? htmlToPlainText(summaryHtml, { indent: SUMMARY_INDENT }) : '';
    return { ...story, number: index + 1, url: withUtm(story.url, campaign), summaryHtml, summary };
  });
  const subject = episode.subject ?? episode.title;
  const preheader = episode.preheader ?? shortenText(episode.summary, PREHEADER_LENGTH);
  const context = {
    show,
    episode: view,
    subject,
    preheader,
    listenUrl: withUtm(episode.url, campaign),
    introHtml,
    outroHtml,
    intro: htmlToPlainText(introHtml),
    outro: htmlToPlainText(outroHtml),
    stories,
    address: show.email.address,
    webUrl: new URL(webCopyPath(episode.slug), show.url).href,
    // Readers of the web copy may not be subscribed: its footer leads to the subscribe page.
    subscribeUrl: new URL(SUBSCRIBE_PAGE, show.url).href,
  };
  return context;
}

export function prepareDigest(show: MailingShow, episode: ListedEpisode, templates: Templates, view: EpisodeView = episodeView(show, episode)): DigestRenderer {
  const context = digestContext(show, episode, view);
  const render = (unsubscribeUrl: string): Digest => {
    const personal = { ...context, unsubscribeUrl };
    return {
      subject: context.subject,
      preheader: context.preheader,
      html: templates.email.html(personal),
      text: `${templates.email.text(personal).replace(/\n{3,}/g, '\n\n').trim()}\n`,
    };
  };
  // The digest as a page of the site, for "view in browser": the same HTML with no reader in it (no
  // unsubscribe link, nothing personal), so it can be shared and cached like any page.
  return Object.assign(render, { webCopy: () => templates.email.html({ ...context, webCopy: true }) });
}
