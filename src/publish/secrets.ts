// Credentials never reach output. Every line `publish` prints, and every error it ends with, passes
// through one redactor that knows each secret value in play: those of environment variables named
// like secrets (AWS_SECRET_ACCESS_KEY, PODPING_TOKEN, RSYNC_PASSWORD, GITHUB_TOKEN…) and any
// password in the target URL; and that masks the password part of any URL it meets besides.
import { maskUrl } from './target-url.ts';

const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|ACCESS_KEY|PRIVATE_KEY|API_KEY/i;
/** Shorter values (a "1", a "true") would mask ordinary words. */
const MIN_SECRET = 6;
const URL_WITH_USERINFO = /\b[a-z][a-z0-9+.-]*:\/\/[^/@\s"'<>]*@/gi;

export type Redact = (text: string) => string;

/** The secret parts of a URL: its password and, over http(s), a user name, which is often a token. */
export function urlSecrets(raw: string | undefined): string[] {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/@\s]*)@/i.exec(raw?.trim() ?? '');
  if (!match) return [];
  const [, scheme = '', userinfo = ''] = match;
  const colon = userinfo.indexOf(':');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  };
  if (colon !== -1) return [userinfo.slice(colon + 1), decode(userinfo.slice(colon + 1))];
  return /^(git\+)?https?$/i.test(scheme) ? [userinfo, decode(userinfo)] : [];
}

/** Secrets: values of environment variables named like secrets, and `extra` values (URL passwords). */
export function redactor(env: NodeJS.ProcessEnv, extra: ReadonlyArray<string | undefined> = []): Redact {
  const values = new Set<string>();
  const add = (value: string | undefined) => {
    if (!value || value.length < MIN_SECRET) return;
    values.add(value);
    // As URLs, headers and logs may show it.
    values.add(encodeURIComponent(value));
    values.add(Buffer.from(value).toString('base64'));
  };
  for (const [name, value] of Object.entries(env)) if (SECRET_NAME.test(name)) add(value);
  for (const value of extra) add(value);
  const ordered = [...values].filter((v) => v.length >= MIN_SECRET).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of ordered) if (out.includes(value)) out = out.split(value).join('***');
    return out.replace(URL_WITH_USERINFO, (match) => maskUrl(match));
  };
}

/** The same error with its message (and stack) redacted, so no path to the terminal shows a secret. */
export function redactError(error: unknown, redact: Redact): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redact(error) : error;
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  return error;
}
