// The notification services a show asks for in show.yml, with their tokens from the environment.
import { UsageError } from '../../errors.ts';
import type { Show } from '../../model/types.ts';
import type { Notifier } from './notifier.ts';
import { PODPING_TOKEN_VARIABLE, podping } from './podping.ts';
import { websub } from './websub.ts';

/** Throws UsageError, before any work, when a service is asked for without its token. */
export function notifiersFor(show: Show, env: NodeJS.ProcessEnv): Notifier[] {
  const notifiers = show.websub.map(websub);
  if (show.podping) {
    const token = env[PODPING_TOKEN_VARIABLE]?.trim();
    if (!token) {
      throw new UsageError(`show.yml asks for podping (${show.podping}) but ${PODPING_TOKEN_VARIABLE} is not set; put the token podping.cloud gave you in the environment`);
    }
    notifiers.push(podping(show.podping, token));
  }
  return notifiers;
}
