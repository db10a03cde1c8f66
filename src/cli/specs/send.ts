// castwright send's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/send.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, listsOption } from '../options.ts';
import { DEFAULTS, SECRET_VARIABLE, SMTP_VARIABLE } from '../../send/defaults.ts';
import { DEFAULT_RETRY } from '../../send/runner.ts';
import { STATE_VARIABLE } from '../../state.ts';

export const sendSpec: CommandSpec = {
  name: 'send',
  summary: "Send an episode's email digest to a subscriber list, once per reader (without an SMTP server: write .eml files).",
  positionals: [{ name: '<episode>', description: "the episode's slug, e.g. 2020-09-14-disrupt-tiktok", required: true }],
  options: {
    to: { type: 'string', value: '<file.csv>', description: 'subscriber list: CSV with a header row, an "email" column and optionally "name" (default: <lists>/subscribers.csv)' },
    test: { type: 'string', value: '<address>', description: 'send one [TEST] copy to this address instead; nothing is recorded' },
    smtp: {
      type: 'string',
      value: '<url>',
      description: `SMTP server to send through, smtp://user:pass@host:587 or smtps://user:pass@host:465 (default: $${SMTP_VARIABLE}; with neither, messages go to the outbox)`,
    },
    outbox: { type: 'string', value: '<dir>', description: `folder for .eml files when no SMTP server is given (default: ${DEFAULTS.outbox})` },
    suppress: { type: 'string', value: '<file.csv>', description: 'addresses never to mail, even with --test (default: <content>/unsubscribed.csv if present); <lists>/unsubscribed.csv applies as well' },
    rate: { type: 'string', value: '<n>', description: 'send at most n messages per second (default: no limit)' },
    connections: { type: 'string', value: '<n>', description: `messages at once: SMTP connections, or files being written (default: ${DEFAULTS.connections})` },
    timeout: { type: 'string', value: '<seconds>', description: `give up on an SMTP server silent this long while connecting, greeting, logging in or answering (default: ${DEFAULTS.timeoutSeconds})` },
    retries: { type: 'string', value: '<n>', description: `retries of a temporary failure (4xx, connection lost before the message was sent) per message (default: ${DEFAULT_RETRY.retries})` },
    'retry-delay': { type: 'string', value: '<seconds>', description: `wait before the first retry, doubled for each next one (default: ${DEFAULT_RETRY.delayMs / 1000})` },
    'max-failures': { type: 'string', value: '<n>', description: `stop after this many failed attempts in a row (default: ${DEFAULTS.maxFailures})` },
    'retry-failed': { type: 'boolean', description: 'also try the readers an earlier run recorded as rejected (5xx)' },
    'retry-uncertain': { type: 'boolean', description: 'also send again to the readers an earlier run recorded as uncertain (they may get a second copy)' },
    lists: listsOption,
    state: { type: 'string', value: '<dir>', description: `where ledgers and locks live (default: $${STATE_VARIABLE}, else .castwright beside the content folder)` },
    content: contentOption,
  },
  examples: [
    'castwright send 2020-09-14-disrupt-tiktok --to subscribers.csv                      # writes outbox/…/*.eml',
    'castwright send 2020-09-14-disrupt-tiktok --test me@example.com --smtp "$SMTP_URL"',
    'castwright send 2020-09-14-disrupt-tiktok --to subscribers.csv --smtp "$SMTP_URL" --rate 10',
  ],
  notes: [
    'Each reader the server accepts is recorded in the mailing\'s ledger (<state>/sends/<show guid>/<episode guid>.jsonl) before it is counted; ' +
      'run the same command again after a crash or a stop and it sends only to the readers not recorded. At most the messages in flight when ' +
      'the process died (no more than --connections) can reach their reader twice. A message whose reply was lost after it was sent is ' +
      'recorded as uncertain and not sent again unless --retry-uncertain. Rejected readers (5xx) are recorded and skipped unless --retry-failed.',
    'Without --to, the mailing goes to <lists>/subscribers.csv (the readers castwright serve and castwright subscribers import add); ' +
      '<lists>/unsubscribed.csv applies to every send, --to and --test included.',
    'Drafts and episodes dated in the future are refused, except for --test.',
    `Environment: ${SECRET_VARIABLE} (required) signs the unsubscribe links; ${SMTP_VARIABLE} is the default for --smtp; ${STATE_VARIABLE} for --state; ` +
      'DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_FILE (an RSA private key in PEM) turn on DKIM signing.',
    'Exit codes: 0 every message delivered (or written), 1 something failed or the run stopped (run it again to continue), 2 bad usage.',
  ],
};
