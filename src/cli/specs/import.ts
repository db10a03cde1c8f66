// castwright import's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/import.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption } from '../options.ts';

export const importSpec: CommandSpec = {
  name: 'import',
  summary: "Import an existing show's RSS feed: show.yml and one Markdown file per episode, guids and audio kept.",
  positionals: [{ name: '<feed>', description: 'the feed: a file, or an http(s) URL', required: true }],
  options: {
    content: contentOption,
    url: { type: 'string', value: '<url>', description: 'where the site will be served (show.yml url); without it url is left for you to fill in' },
    'feed-url': { type: 'string', value: '<url>', description: 'the address apps subscribe to, when the feed has no podcast:guid and does not name itself' },
    since: { type: 'string', value: '<date>', description: 'only episodes published on or after this date (2020-01-31 or a date with time and offset)' },
    'dry-run': { type: 'boolean', description: 'print what would be written; write nothing' },
    force: { type: 'boolean', description: 'import a feed its owner locked (podcast:locked yes): only for the owner' },
    timeout: { type: 'string', value: '<seconds>', default: '30', description: 'give up fetching a URL after this long' },
  },
  examples: [
    'castwright import https://feeds.example.com/show.xml --url https://show.example.com/',
    'castwright import old-feed.xml --content episodes --dry-run',
    'castwright import https://feeds.example.com/show.xml   # again later: adds only new episodes',
  ],
  notes: [
    'Existing files are never changed: an import into a folder that holds the same show adds only the episodes whose guid it does not have.',
    'Exit codes: 0 imported (warnings are printed), 1 the feed cannot be imported as it is (nothing written), 2 bad usage.',
  ],
};
