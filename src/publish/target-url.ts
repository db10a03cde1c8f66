// Where a show is published, as one URL: `show.yml` `publish:`, `--to` or $PUBLISH_URL. Parsing is
// pure (no I/O), so the schema checks `publish:` at its line and the command checks `--to` before
// any work. A parsed target never shows a password: `display` is what every message prints.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type TargetSpec =
  | { kind: 'folder'; path: string; display: string }
  | { kind: 'ssh'; user?: string; host: string; port?: number; path: string; display: string }
  | { kind: 'rsync'; user?: string; host: string; port?: number; path: string; display: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region?: string; pathStyle?: boolean; display: string }
  | { kind: 'git'; remote: string; branch: string; username?: string; password?: string; display: string };

export const TARGET_EXAMPLES =
  'a folder (file:///var/www/equity), ssh://user@host/path, rsync://host/module/path, s3://bucket/prefix or git+ssh://git@host/owner/repo.git#gh-pages';

/** Where the URL came from decides whether it may hold a password: only the environment may. */
export type TargetSource = 'show.yml' | 'option' | 'environment';

export const PUBLISH_URL_VARIABLE = 'PUBLISH_URL';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** `user@host:path`, as scp and rsync write an SSH destination (no slash before the colon). */
const SCP_LIKE = /^(?:([^@/:\s]+)@)?([^@/:\s[\]]+|\[[0-9a-f:.]+\]):(.*)$/i;
/** What git accepts as a branch name, roughly: no `..`, `@{`, `//`, leading `/` or `-`, trailing `/`, `.` or `.lock`. */
const BRANCH = /^(?![/-]|.*(?:\.\.|@\{|\/\/|\/$|\.lock$|\.$))[A-Za-z0-9._/-]+$/;

/** Why a URL's credentials are refused, naming where they belong instead. */
const CREDENTIALS_BELONG: Record<string, string> = {
  ssh: 'ssh logs in with your keys or agent (~/.ssh, ssh-agent), never with a password in the URL',
  rsync: 'set RSYNC_PASSWORD in the environment instead',
  s3: 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment instead',
  file: 'a folder needs none',
};

/** The URL with any password (and, over http, a user name, which is often a token) replaced by `***`. */
export function maskUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
    const tokenUser = /^(git\+)?https?:\/\/$/i.test(scheme) && colon === -1;
    return `${scheme}${tokenUser ? '***' : user}${colon === -1 ? '' : ':***'}@`;
  });
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A remote folder is kept as written; `..` parts, line breaks and NUL are refused. */
function remotePath(raw: string): string | undefined {
  if (raw === '' || raw.split('/').some((part) => part === '..') || /[\0\n\r]/.test(raw)) return undefined;
  return raw;
}

function parseS3(url: URL, display: string): TargetSpec | string {
  const bucket = url.hostname;
  // S3's rule for bucket names, which R2, B2 and MinIO follow.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    return `names the bucket "${bucket}", which is not a bucket name (3 to 63 lowercase letters, digits, dots or dashes)`;
  }
  const prefix = decoded(url.pathname.replace(/^\/+/, ''));
  if (prefix !== '' && (!remotePath(prefix) || prefix.includes('//'))) return `has the prefix "${prefix}", which is not usable; expected s3://bucket/folder/`;
  const spec: Extract<TargetSpec, { kind: 's3' }> = { kind: 's3', bucket, prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`, display };
  for (const [key, value] of url.searchParams) {
    if (key === 'endpoint') {
      let endpoint: URL;
      try {
        endpoint = new URL(value);
      } catch {
        return `has the endpoint "${value}", which is not a URL such as https://<account>.r2.cloudflarestorage.com`;
      }
      if (endpoint.username || endpoint.password) return `holds credentials in its endpoint; ${CREDENTIALS_BELONG.s3}`;
      if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') return `has the endpoint "${value}", which is not an http(s) URL`;
      spec.endpoint = endpoint.href.replace(/\/$/, '');
    } else if (key === 'region') {
      if (!/^[a-z0-9-]{1,40}$/.test(value)) return `has the region "${value}", which is not a region name such as us-east-1 or auto`;
      spec.region = value;
    } else if (key === 'path-style') {
      if (value !== 'true' && value !== 'false') return `has path-style "${value}"; expected true or false`;
      spec.pathStyle = value === 'true';
    } else {
      return `has the unknown option "${key}"; expected endpoint, region or path-style`;
    }
  }
  return spec;
}

function parseGit(raw: string, source: TargetSource): TargetSpec | string {
  const hash = raw.indexOf('#');
  const branch = hash === -1 ? 'gh-pages' : decoded(raw.slice(hash + 1));
  if (!BRANCH.test(branch)) return `names the branch "${branch}", which git would refuse; expected one such as gh-pages`;
  const remote = raw.slice('git+'.length, hash === -1 ? undefined : hash);
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return 'is not a URL; expected git+ssh://git@host/owner/repo.git#branch, git+https://… or git+file:///path/repo.git';
  }
  if (!['ssh:', 'https:', 'http:', 'file:'].includes(url.protocol)) {
    return `uses git over "${url.protocol}", which is not supported; expected git+ssh://, git+https:// or git+file://`;
  }
  const display = maskUrl(raw);
  if (url.protocol === 'ssh:' || url.protocol === 'file:') {
    if (url.password) return `holds a password; ${CREDENTIALS_BELONG[url.protocol === 'ssh:' ? 'ssh' : 'file']}`;
    return { kind: 'git', remote, branch, display };
  }
  if (!url.username && !url.password) return { kind: 'git', remote, branch, display };
  if (source !== 'environment') {
    return (
      `holds a password or token; use a git credential helper, or give the whole URL in $${PUBLISH_URL_VARIABLE} ` +
      `(it is masked in every message), never ${source === 'show.yml' ? 'in show.yml' : 'on the command line, where other users see it'}`
    );
  }
  // The credentials reach git through its environment, never its command line, which `ps` shows.
  const username = decoded(url.username);
  const password = decoded(url.password);
  url.username = '';
  url.password = '';
  return { kind: 'git', remote: url.href, branch, ...(username ? { username } : {}), ...(password ? { password } : {}), display };
}

/**
 * Reads a target URL, or says what is wrong with it in a phrase that follows the (masked) URL:
 * `"s3://x" holds credentials; …`. A bare path is a folder relative to `cwd`; `user@host:path` is
 * an SSH destination, as rsync and scp read it.
 */
export function parseTarget(raw: string, options: { source: TargetSource; cwd?: string }): TargetSpec | string {
  const text = raw.trim();
  if (text === '') return `is empty; expected ${TARGET_EXAMPLES}`;
  if (/[\0\n\r]/.test(text)) return `holds a line break or NUL; expected ${TARGET_EXAMPLES}`;
  const display = maskUrl(text);
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const scp = text.startsWith('/') || text.startsWith('.') ? null : SCP_LIKE.exec(text);
    if (!scp) return { kind: 'folder', path: path.resolve(options.cwd ?? process.cwd(), text), display };
    const [, user, host = '', where = ''] = scp;
    const remote = remotePath(where === '' ? '.' : where);
    if (!remote) return `names the remote folder "${where}", which is refused ("..", line breaks and NUL are not allowed)`;
    return { kind: 'ssh', ...(user ? { user } : {}), host: host.replace(/^\[|\]$/g, ''), path: remote, display };
  }
  if (scheme.startsWith('git+')) return parseGit(text, options.source);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not a URL; expected ${TARGET_EXAMPLES}`;
  }
  const belongs = CREDENTIALS_BELONG[scheme];
  if (belongs && (url.password || (scheme === 's3' && url.username))) return `holds ${scheme === 's3' ? 'credentials' : 'a password'}; ${belongs}`;
  switch (scheme) {
    case 'file':
      if (url.hostname !== '' && url.hostname !== 'localhost') return `names a folder on "${url.hostname}", not on this machine; use ssh://${url.hostname}/… for another machine`;
      if (url.search || url.hash) return 'has a ?query or #fragment, which a folder URL does not take';
      return { kind: 'folder', path: fileURLToPath(url), display };
    case 'ssh':
    case 'rsync': {
      if (!url.hostname) return `has no host; expected ${scheme}://[user@]host[:port]/${scheme === 'rsync' ? 'module/path' : 'path'}`;
      if (url.search || url.hash) return `has a ?query or #fragment, which ${scheme}:// does not take`;
      const where = decoded(url.pathname);
      // ssh://host/~/site is the site folder in the home folder, as git reads it; ssh://host/var/www is absolute.
      const folder = scheme === 'ssh' ? (where.startsWith('/~') ? where.slice(1) : where) : where.replace(/^\/+/, '');
      const remote = remotePath(folder);
      if (!remote || remote === '/') {
        return scheme === 'rsync'
          ? 'has no module; expected rsync://[user@]host[:port]/module/path'
          : `names the remote folder "${where || '/'}", which is not usable; expected ssh://[user@]host/path/to/site`;
      }
      const user = decoded(url.username);
      return {
        kind: scheme,
        ...(user ? { user } : {}),
        host: url.hostname.replace(/^\[|\]$/g, ''),
        ...(url.port ? { port: Number(url.port) } : {}),
        path: remote,
        display,
      };
    }
    case 's3':
      return parseS3(url, display);
    default:
      return `is not a publish target; expected ${TARGET_EXAMPLES}`;
  }
}
