// Where the subscription endpoints answer. The unsubscribe URL is the show's own
// (`email.unsubscribe`, the one every digest carries), with the token in a query parameter or in
// the path; sign-up and confirmation sit at the site's root. castwright serve serves the site at
// `/`: when the show's url has a path (https://example.com/equity/), the proxy in front strips it,
// so that prefix is taken off the unsubscribe URL's path as well.
const MARK = 'castwright0token0mark';

export interface UnsubscribeRoute {
  /** The path, when the token is in a query parameter. */
  path?: string;
  /** The query parameter holding the token. */
  parameter?: string;
  /** Or the token's place in the path: what comes before and after it. */
  prefix?: string;
  suffix?: string;
}

export const SUBSCRIBE_PATH = '/subscribe';
export const CONFIRM_PATH = '/confirm';

export function unsubscribeRoute(template: string, siteUrl: string): UnsubscribeRoute {
  const url = new URL(template.replaceAll('{token}', MARK));
  const base = new URL(siteUrl).pathname;
  const local = (pathname: string) => (pathname.startsWith(base) ? `/${pathname.slice(base.length)}` : pathname);
  const pathname = local(url.pathname);
  if (pathname.includes(MARK)) {
    const at = pathname.indexOf(MARK);
    return { prefix: pathname.slice(0, at), suffix: pathname.slice(at + MARK.length) };
  }
  const parameter = [...url.searchParams].find(([, value]) => value.includes(MARK))?.[0] ?? 'token';
  return { path: pathname, parameter };
}

/** The token of a request to the unsubscribe endpoint ('' when it has none), or undefined for another path. */
export function unsubscribeTokenOf(route: UnsubscribeRoute, pathname: string, query: URLSearchParams): string | undefined {
  if (route.path !== undefined) return pathname === route.path ? (query.get(route.parameter!) ?? '') : undefined;
  if (!pathname.startsWith(route.prefix!) || !pathname.endsWith(route.suffix!) || pathname.length < route.prefix!.length + route.suffix!.length) return undefined;
  const token = pathname.slice(route.prefix!.length, pathname.length - route.suffix!.length);
  return token.includes('/') ? undefined : token;
}

/** How deep a path is, as the relative way back to the site's root: `/unsubscribe` → ``, `/u/x` → `../`. */
export function rootOf(pathname: string): string {
  return '../'.repeat(Math.max(0, pathname.split('/').length - 2));
}
