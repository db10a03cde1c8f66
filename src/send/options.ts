// The options of `castwright send`, checked all at once and the same way whichever backend the send
// uses, before anything is read or sent: a mistake in any of them is a usage error (exit 2).
import type { ParsedArgs } from '../cli/args.ts';
import type { Destination } from './backends/index.ts';
import { parseSmtpUrl } from './backends/smtp.ts';
import { DEFAULTS, SMTP_VARIABLE } from './defaults.ts';
import { SetupError } from './errors.ts';
import { DEFAULT_RETRY, type RetryPolicy, type Retrying } from './runner.ts';

export interface SendOptions {
  slug: string;
  /** The subscriber list, or `test`: one address for a [TEST] copy. */
  to?: string;
  test?: string;
  destination: Destination;
  suppress?: string;
  /** --lists, when given. */
  lists?: string;
  contentDir: string;
  /** --state, when given. */
  state?: string;
  connections: number;
  /** Messages per second at most. */
  rate?: number;
  timeoutMs: number;
  retry: RetryPolicy;
  maxFailures: number;
  retrying: Retrying;
}

interface NumberRule {
  integer?: boolean;
  min: number;
  max?: number;
}

export function readSendOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): SendOptions {
  const problems: string[] = [];
  const text = (name: string) => (typeof args.values[name] === 'string' ? (args.values[name] as string) : undefined);
  const flag = (name: string) => args.values[name] === true;
  const number = (name: string, rule: NumberRule): number | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() !== '' && Number.isFinite(value) && (!rule.integer || Number.isInteger(value)) && value >= rule.min && value <= (rule.max ?? Infinity)) return value;
    problems.push(`--${name} "${raw}": expected ${rule.integer ? 'a whole number' : 'a number'} from ${rule.min}${rule.max === undefined ? ' up' : ` to ${rule.max}`}`);
    return undefined;
  };
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof SetupError)) throw error;
      problems.push(error.message);
      return undefined;
    }
  };

  const to = text('to');
  const test = text('test');
  if (to !== undefined && test !== undefined) problems.push('--to and --test: choose one (--test sends a single copy and records nothing)');
  for (const name of ['retry-failed', 'retry-uncertain']) if (test !== undefined && flag(name)) problems.push(`--${name} applies to a mailing (--to), not to --test`);

  const smtp = text('smtp') !== undefined ? { raw: text('smtp')!, source: '--smtp' } : env[SMTP_VARIABLE] ? { raw: env[SMTP_VARIABLE]!, source: SMTP_VARIABLE } : undefined;
  if (smtp && text('outbox') !== undefined) problems.push(`--outbox and ${smtp.source}: choose one (the outbox is for when nothing is sent)`);
  const url = smtp && attempt(() => parseSmtpUrl(smtp.raw, smtp.source));

  const connections = number('connections', { integer: true, min: 1, max: 100 });
  const rate = number('rate', { min: 0.001 });
  const timeout = number('timeout', { min: 0.1, max: 3600 });
  const retries = number('retries', { integer: true, min: 0, max: 20 });
  const retryDelay = number('retry-delay', { min: 0.001, max: 3600 });
  const maxFailures = number('max-failures', { integer: true, min: 1 });

  if (problems.length === 1) throw new SetupError(problems[0]!);
  if (problems.length > 1) throw new SetupError(`${problems.length} problems with the options:\n  ${problems.join('\n  ')}`);
  return {
    slug: args.positionals[0]!,
    ...(to !== undefined ? { to } : {}),
    ...(test !== undefined ? { test } : {}),
    destination: url ? { smtp: url } : { outbox: text('outbox') ?? DEFAULTS.outbox },
    ...(text('suppress') !== undefined ? { suppress: text('suppress')! } : {}),
    ...(text('lists') !== undefined ? { lists: text('lists')! } : {}),
    contentDir: text('content') ?? 'episodes',
    ...(text('state') !== undefined ? { state: text('state')! } : {}),
    connections: connections ?? DEFAULTS.connections,
    ...(rate !== undefined ? { rate } : {}),
    timeoutMs: (timeout ?? DEFAULTS.timeoutSeconds) * 1000,
    retry: { ...DEFAULT_RETRY, retries: retries ?? DEFAULT_RETRY.retries, ...(retryDelay !== undefined ? { delayMs: retryDelay * 1000 } : {}) },
    maxFailures: maxFailures ?? DEFAULTS.maxFailures,
    retrying: { failed: flag('retry-failed'), uncertain: flag('retry-uncertain') },
  };
}
