// castwright serve's command line. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/serve.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, listsOption } from '../options.ts';
import { SECRET_VARIABLE, SMTP_VARIABLE } from '../../send/defaults.ts';

export const DEFAULT_SERVE_PORT = 8080;

export const serveSpec: CommandSpec = {
  name: 'serve',
  summary: 'Serve the built site, one-click unsubscribe and sign-up with double opt-in, in production.',
  options: {
    out: { type: 'string', value: '<dir>', default: 'dist', description: 'the built site to serve; a new build swapped in is served at once' },
    content: contentOption,
    port: { type: 'string', value: '<n>', default: String(DEFAULT_SERVE_PORT), description: 'port to listen on (0: any free port)' },
    host: { type: 'string', value: '<address>', default: '127.0.0.1', description: 'address to listen on; 0.0.0.0 or :: to face the network without a proxy' },
    'trust-proxy': { type: 'boolean', description: 'take the client address from the last X-Forwarded-For entry (only behind a proxy that sets it)' },
    lists: listsOption,
    smtp: { type: 'string', value: '<url>', description: `SMTP server for confirmation messages, as for send (default: $${SMTP_VARIABLE}); needed when show.yml has email.subscribe: true` },
  },
  examples: ['castwright serve', 'castwright serve --port 8080 --trust-proxy --lists /var/lib/castwright/equity'],
  notes: [
    'The unsubscribe endpoint is the path of email.unsubscribe in show.yml; sign-ups post to /subscribe and are confirmed at /confirm. ' +
      'Every change to a list is on disk (fsync) before it is answered.',
    `Environment: ${SECRET_VARIABLE} (required for a show with email settings), ${SMTP_VARIABLE}, DKIM_DOMAIN, DKIM_SELECTOR and DKIM_KEY_FILE as for send.`,
    'SIGTERM or Ctrl+C: stops taking connections, lets the requests in progress finish, and exits 0. Exit codes: 0 stopped, 1 could not start, 2 bad usage.',
  ],
};
