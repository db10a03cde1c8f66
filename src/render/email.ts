// The email digest of an episode: HTML (from the MJML template) and plain text, with campaign-tagged
// links. Rendering is split so a send prepares an episode once and then only fills in each reader's
// unsubscribe link.
import { compile } from 'html-to-text';
import type { ListedEpisode, MailingShow } from '../model/types.ts';
import type { Templates } from './templates.ts';
import { tagLinksInHtml, withUtm, type Campaign } from './utm.ts';
import { episodeView, shortenText, type EpisodeView } from './view.ts';

export interface Digest {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

/** Gmail hides everything after about 102 KB of HTML, often the unsubscribe link with it. */
export const GMAIL_CLIP_BYTES = 102 * 1024;

const PREHEADER_LENGTH = 140;

const htmlToText = compile({
  wordwrap: 72,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/** Renders the digest for one reader; `unsubscribeUrl` is that reader's own link. */
export type DigestRenderer = (unsubscribeUrl: string) => Digest;

/** `view`: the episode's view when the caller has built it already (a build shares one per episode). */
export function prepareDigest(show: MailingShow, episode: ListedEpisode, templates: Templates, view: EpisodeView = episodeView(show, episode)): DigestRenderer {
  const campaign: Campaign = { source: show.email.utmSource, medium: 'email', campaign: episode.slug };
  const introHtml = tagLinksInHtml(episode.introHtml, campaign);
  const outroHtml = tagLinksInHtml(episode.outroHtml, campaign);
  const stories = view.stories.map((story) => {
    const summaryHtml = tagLinksInHtml(story.summaryHtml, campaign);
    const summary = summaryHtml ? htmlToText(summaryHtml).replace(/^/gm, '  ') : '';
    return { ...story, url: withUtm(story.url, campaign), summaryHtml, summary };
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
    intro: htmlToText(introHtml),
    outro: htmlToText(outroHtml),
    stories,
    address: show.email.address,
  };
  return (unsubscribeUrl) => {
    const personal = { ...context, unsubscribeUrl };
    return {
      subject,
      preheader,
      html: templates.email.html(personal),
      text: `${templates.email.text(personal).replace(/\n{3,}/g, '\n\n').trim()}\n`,
    };
  };
}
