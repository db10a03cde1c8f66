// Campaign tags for links in the email, so the show sees which stories readers open.

export interface Campaign {
  source: string;
  medium: string;
  campaign: string;
}

/** Adds each of utm_source, utm_medium and utm_campaign the link does not already carry. */
export function withUtm(href: string, campaign: Campaign): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return href;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return href;
  const tags: Array<[string, string]> = [
    ['utm_source', campaign.source],
    ['utm_medium', campaign.medium],
    ['utm_campaign', campaign.campaign],
  ];
  for (const [name, value] of tags) if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url.href;
}

const ESCAPED_HREF = /(<a\s[^>]*?href=")([^"]*)(")/g;

/** Tags every link of HTML made by our Markdown renderer, whose attributes are always double-quoted and escaped. */
export function tagLinksInHtml(html: string, campaign: Campaign): string {
  return html.replace(ESCAPED_HREF, (_, before: string, href: string, after: string) => {
    const raw = href.replaceAll('&amp;', '&');
    return `${before}${withUtm(raw, campaign).replaceAll('&', '&amp;')}${after}`;
  });
}
