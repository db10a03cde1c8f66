import { describe, expect, it } from 'vitest';
import { parsedWithUtm, tagLinksInHtml, withUtm } from '../../src/render/utm.ts';

const campaign = { source: 'equity', medium: 'email', campaign: '2020-09-14-disrupt-tiktok' };

/** Links `new URL()` writes as they are, and links it changes or refuses. */
const LINKS = [
  'https://techcrunch.com/2020/09/14/cosmose-raises-15m-series-a/',
  'https://techcrunch.com',
  'http://a.example/x',
  'https://a.example#top',
  'https://a.example/x#frag/with?query-ish',
  'https://a.example/%7Euser/caf%C3%A9',
  'https://a.example/%zz',
  'https://a.example/a/./b/../c',
  'https://a.example/a/%2e/b/%2E%2e/c',
  'https://a.example/.well-known/x',
  'https://a.example/x/.',
  'https://a.example/x/..',
  'https://a.example/x/...',
  "https://a.example/!$&'()*+,;=:@-._~",
  'https://a.example/with space',
  'https://a.example/a|b^c`d{e}[f]',
  'https://a.example/a\\b',
  'https://A.Example/X',
  'HTTPS://a.example/',
  'https://a.example:443/x',
  'https://a.example:8080/x',
  'https://user:pass@a.example/x',
  'https://xn--caf-dma.example/',
  'https://xn--invalid.example/',
  'https://caf\u00e9.example/',
  'https://1.2.3.4/x',
  'https://1.2.3/x',
  'https://example.123/x',
  'https://example.0x1f/x',
  'https://a..example/x',
  'https://a.example./x',
  'https://-a.example/x',
  'https://a-.example/x',
  'https://localhost/x',
  'https://a.example/x?id=1#top',
  'https://a.example/?utm_source=partner',
  'https://a.example/?',
  'https://a.example/x#',
  'https://a.example/x#a"b',
  'mailto:a@example.com',
  'ftp://a.example/x',
  'not a link',
  '',
];

describe('campaign tags', () => {
  it('are added to every link as new URL() adds them', () => {
    for (const link of LINKS) expect(withUtm(link, campaign), link).toBe(parsedWithUtm(link, campaign));
    const odd = { source: 'a b&c', medium: 'e=mail', campaign: 'caf\u00e9/ep?1' };
    for (const link of LINKS) expect(withUtm(link, odd), link).toBe(parsedWithUtm(link, odd));
  });

  it('are added to the links of Markdown HTML, escaped', () => {
    const html = '<p>See <a href="https://a.example/x">x</a> and <a href="https://b.example/?a=1&amp;b=2">y</a>.</p>';
    expect(tagLinksInHtml(html, campaign)).toBe(
      '<p>See <a href="https://a.example/x?utm_source=equity&amp;utm_medium=email&amp;utm_campaign=2020-09-14-disrupt-tiktok">x</a> and ' +
        '<a href="https://b.example/?a=1&amp;b=2&amp;utm_source=equity&amp;utm_medium=email&amp;utm_campaign=2020-09-14-disrupt-tiktok">y</a>.</p>',
    );
    expect(tagLinksInHtml('<p>no links</p>', campaign)).toBe('<p>no links</p>');
  });
});
