// castwright dev's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/dev.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption } from '../options.ts';

export const DEFAULT_PORT = 4321;

export const devSpec: CommandSpec = {
  name: 'dev',
  summary: 'Preview the show notes, emails and feed locally, rebuilding on every save.',
  options: {
    content: contentOption,
    port: { type: 'string', value: '<n>', default: String(DEFAULT_PORT), description: 'port to serve on; the next free one if taken (0: any)' },
    host: { type: 'string', value: '<address>', default: '127.0.0.1', description: 'address to bind; 0.0.0.0 shares the preview on your network' },
    'no-cache': { type: 'boolean', description: 'parse and render everything on every save, keeping nothing between builds' },
  },
  examples: ['castwright dev', 'castwright dev --port 8080 --content shows/equity'],
  notes: [
    'Drafts and future-dated episodes are included and marked. The preview is held in memory: dist/ is never touched.',
    'Problems cover the page until they are fixed; warnings and what castwright check says of the preview are listed in a corner without hiding it.',
    'Press Ctrl+C to stop, even in the middle of a build. Exit codes: 0 stopped, 1 the server could not start, 2 bad usage.',
  ],
};
