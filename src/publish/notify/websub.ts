// WebSub (W3C): the publisher tells the hub its topic changed; the hub fetches the feed and pushes
// it to every subscriber. The feed names the hub in <atom:link rel="hub">.
import { request, type Notifier } from './notifier.ts';

export function websub(hub: string): Notifier {
  const label = `WebSub hub ${hub}`;
  return {
    id: `websub ${hub}`,
    label,
    name: 'WebSub',
    ping: (feedUrl) =>
      request(label, hub, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': feedUrl }).toString(),
      }),
  };
}
