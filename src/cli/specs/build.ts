// castwright build's command line: its options and its --help. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/build.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, guardOptions } from '../options.ts';

export const buildSpec: CommandSpec = {
  name: 'build',
  summary: 'Build the show notes site, the podcast feed and the email digests into a folder.',
  options: {
    content: contentOption,
    out: { type: 'string', value: '<dir>', default: 'dist', description: 'folder to write the site into (replaced as a whole)' },
    drafts: { type: 'boolean', description: 'include drafts and episodes dated in the future' },
    strict: { type: 'boolean', description: 'treat warnings as problems: write nothing when there are any' },
    'no-cache': { type: 'boolean', description: 'build everything afresh, without reading or writing the build cache (.castwright/cache/)' },
    ...guardOptions,
  },
  examples: ['castwright build', 'castwright build --content shows/equity --out public'],
  notes: [
    'Invalid content is reported as file:line: message, every problem at once; the output folder is then left as it was.',
    'Warnings (content that is valid but probably not what you meant) are printed and the build goes on; with --strict they stop it.',
    'The publish guard compares the new feed with the earlier build (or --against the live feed) and stops a changed guid, audio file, date or title, a vanished episode or a changed show identity: fix it, or acknowledge it with --accept, replaces: or removed: (see the README).',
    'Exit codes: 0 built, 1 invalid content or templates, a change the guard stops, or warnings with --strict (nothing written), 2 bad usage.',
  ],
};
