// podping: a GET to the podping.cloud front end (or a node of your own) with the feed's URL and the
// publisher's token; it writes the notice to the Hive blockchain, which apps and indexes watch.
import { request, type Notifier } from './notifier.ts';

export const PODPING_TOKEN_VARIABLE = 'PODPING_TOKEN';

export function podping(endpoint: string, token: string): Notifier {
  const label = `podping endpoint ${endpoint}`;
  return {
    id: 'podping',
    label,
    name: 'podping',
    ping(feedUrl) {
      const url = new URL(endpoint);
      url.searchParams.set('url', feedUrl);
      url.searchParams.set('reason', 'update');
      url.searchParams.set('medium', 'podcast');
      return request(label, url.href, { method: 'GET', headers: { authorization: token } });
    },
  };
}
