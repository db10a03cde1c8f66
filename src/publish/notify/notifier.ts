// Telling podcast apps that the feed changed, so they fetch it now instead of at their next poll.
// Each service is one small module with one `ping`; `publish` calls it once per feed change.
import { readFileSync } from 'node:fs';
import { RunError, isErrno, systemError } from '../../errors.ts';

export interface Notifier {
  /** Key in the target's record: which feed this service was last told about. */
  id: string;
  /** For messages: "WebSub hub https://pubsubhubbub.appspot.com/". */
  label: string;
  /** Short name for the summary line: "WebSub". */
  name: string;
  ping(feedUrl: string): Promise<void>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
export const USER_AGENT = `castwright/${VERSION}`;

/** A service that hangs must not hold the run (and the cron slot) forever. */
const TIMEOUT_MS = 30_000;

/** One HTTP request; a 2xx answer is success, anything else a RunError saying what came back. */
export async function request(label: string, url: string, init: RequestInit): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(TIMEOUT_MS), headers: { 'user-agent': USER_AGENT, ...init.headers } });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (isErrno(cause)) throw systemError(cause, `cannot reach the ${label}`, '');
    if ((error as Error).name === 'TimeoutError') throw new RunError(`the ${label} did not answer within ${TIMEOUT_MS / 1000} s`);
    throw new RunError(`cannot reach the ${label}: ${(error as Error).message}`);
  }
  const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim();
  if (!response.ok) {
    throw new RunError(`the ${label} answered ${response.status} ${response.statusText}${body ? `: ${body.slice(0, 200)}` : ''}`);
  }
}
