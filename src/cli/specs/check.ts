// castwright check's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/check.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, guardOptions } from '../options.ts';

export const checkSpec: CommandSpec = {
  name: 'check',
  summary: 'Check what the next build would publish: the publish guard, the feed, every email digest, and links.',
  options: {
    content: contentOption,
    out: { type: 'string', value: '<dir>', default: 'dist', description: 'where the next build writes; its feed.xml is the earlier build the guard compares with' },
    drafts: { type: 'boolean', description: 'check drafts and episodes dated in the future too, as build --drafts publishes them' },
    ...guardOptions,
    links: { type: 'boolean', description: 'ask every story, show, audio and artwork link whether it answers (network; results kept a day in .castwright/)' },
    timeout: { type: 'string', value: '<seconds>', default: '15', description: 'give up on a link, or on fetching --against, after this long' },
    concurrency: { type: 'string', value: '<n>', default: '8', description: 'links asked at once (at most 4 to one host)' },
    json: { type: 'boolean', description: 'print findings as JSON lines on stdout, for CI' },
  },
  examples: [
    'castwright check',
    'castwright check --against https://equity.example.com/feed.xml --links',
    'castwright check --json > findings.jsonl',
  ],
  notes: [
    'Findings are file:line: message [code], with a severity (error or warning); the codes are listed in the README.',
    'Exit codes: 0 nothing above a warning, 1 an error (or invalid content), 2 bad usage.',
  ],
};
