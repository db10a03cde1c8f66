// The email digest of an episode: HTML (from the MJML template) and plain text, with campaign-tagged
// links. Rendering is split so a send prepares an episode once and then only fills in each reader's
// unsubscribe link.
import type { ListedEpisode, MailingShow } from '../model/types.ts';
import { hangingIndent, htmlToPlainText } from './email-text.ts';
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

/** Where the site keeps the web copy of an episode's digest ("view in browser"). */
export const webCopyPath = (slug: string) => `email/${slug}/`;

/**
 * The campaign tags of the digest's links. In the mail they say medium=email. The web copy is a page
 * of the site, which anyone may be sent to (a shared link, a search), so its links do not claim the
 * reader came from an email: they keep the show as source and the episode as campaign, so a story's
 * site still credits the digest, with medium=referral, what analytics tools (Google Analytics'
 * Referral channel among them) call a link followed from another website.
 */
export const digestCampaign = (show: MailingShow, episode: ListedEpisode, where: 'email' | 'web-copy'): Campaign => ({
  source: show.email.utmSource,
  medium: where === 'email' ? 'email' : 'referral',
  campaign: episode.slug,
});

/** The digest's links and the HTML that holds links, tagged for `campaign`. */
function taggedParts(episode: ListedEpisode, view: EpisodeView, campaign: Campaign) {
  return {
    listenUrl: withUtm(episode.url, campaign),
    introHtml: tagLinksInHtml(episode.introHtml, campaign),
    outroHtml: tagLinksInHtml(episode.outroHtml, campaign),
    stories: view.stories.map((story, index) => ({ ...story, number: index + 1, url: withUtm(story.url, campaign), summaryHtml: tagLinksInHtml(story.summaryHtml, campaign) })),
  };
}

/**
 * What the digest template is given, before a reader's own unsubscribe link is added. `view`: the
 * episode's view when the caller has built it already (a build shares one per episode).
 */
function digestContext(show: MailingShow, episode: ListedEpisode, view: EpisodeView) {
  const { listenUrl, introHtml, outroHtml, stories } = taggedParts(episode, view, digestCampaign(show, episode, 'email'));
  const subject = episode.subject ?? episode.title;
  const preheader = episode.preheader ?? shortenText(episode.summary, PREHEADER_LENGTH);
  const context = {
    show,
    episode: view,
    subject,
    preheader,
    listenUrl,
    introHtml,
    outroHtml,
    intro: htmlToPlainText(introHtml),
    outro: htmlToPlainText(outroHtml),
    // In the text part, each story's address and summary line up under its title, after its number
    // ("1. ", "10. "), and no summary line is wider than the rest of the text.
    stories: stories.map((story) => {
      const indent = hangingIndent(`${story.number}. `);
      return { ...story, indent, summary: story.summaryHtml ? htmlToPlainText(story.summaryHtml, { indent }) : '' };
    }),
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
  // unsubscribe link, nothing personal), so it can be shared and cached like any page. Its links are
  // tagged as a web page's (digestCampaign); it is HTML only, so the text part's fields (intro,
  // outro, each story's summary), whose link addresses are tagged for the mail, are left out.
  const webCopy = () => {
    const { intro, outro, stories, ...rest } = context;
    return templates.email.html({ ...rest, ...taggedParts(episode, view, digestCampaign(show, episode, 'web-copy')), webCopy: true });
  };
  return Object.assign(render, { webCopy });
}
