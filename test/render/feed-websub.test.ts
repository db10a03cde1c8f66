import { XMLParser } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, fixture, workspace } from '../helpers/content.ts';
import { file, generateWorkspace } from '../helpers/generate.ts';

afterEach(cleanUp);

const links = (xml: string) => {
  const channel = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml).rss.channel;
  return ([] as Array<{ rel: string; href: string }>).concat(channel['atom:link']);
};

describe('the feed and WebSub', () => {
  it('names each hub of show.yml in an <atom:link rel="hub">, beside its rel="self"', async () => {
    const show = `${await fixture('show.yml')}websub: [https://pubsubhubbub.appspot.com/, https://hub.example.com/]\n`;
    const root = await workspace({ 'ep.md': await fixture('episodes/valid.md') }, { show });
    const feed = file(await generateWorkspace(root), 'feed.xml');
    expect(links(feed)).toEqual([
      expect.objectContaining({ rel: 'self', href: 'https://fixture.example.com/feed.xml' }),
      { rel: 'hub', href: 'https://pubsubhubbub.appspot.com/' },
      { rel: 'hub', href: 'https://hub.example.com/' },
    ]);
  });

  it('names no hub when show.yml has none', async () => {
    const root = await workspace({ 'ep.md': await fixture('episodes/valid.md') });
    expect(links(file(await generateWorkspace(root), 'feed.xml')).map((link) => link.rel)).toEqual(['self']);
  });
});
