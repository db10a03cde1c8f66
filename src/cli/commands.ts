// The command table: what every start of castwright needs of each command (its name, summary and
// options, for parsing and --help), and how to load the rest. A command's module, and the stages
// it composes (mjml, handlebars, nodemailer, the AWS SDK…), load only when that command runs.
import type { CommandSpec } from './args.ts';
import type { Command } from './command.ts';
import { buildSpec } from './specs/build.ts';
import { checkSpec } from './specs/check.ts';
import { devSpec } from './specs/dev.ts';
import { importSpec } from './specs/import.ts';
import { publishSpec } from './specs/publish.ts';
import { sendSpec } from './specs/send.ts';
import { serveSpec } from './specs/serve.ts';
import { subscribersSpec, unsubscribeSpec } from './specs/subscribers.ts';

export interface CommandEntry {
  spec: CommandSpec;
  load(): Promise<Command>;
}

/** In the order the overview lists them. */
export const COMMANDS: Record<string, CommandEntry> = {
  build: { spec: buildSpec, load: async () => (await import('../commands/build.ts')).build },
  check: { spec: checkSpec, load: async () => (await import('../commands/check.ts')).check },
  dev: { spec: devSpec, load: async () => (await import('../commands/dev.ts')).dev },
  send: { spec: sendSpec, load: async () => (await import('../commands/send.ts')).send },
  serve: { spec: serveSpec, load: async () => (await import('../commands/serve.ts')).serve },
  unsubscribe: { spec: unsubscribeSpec, load: async () => (await import('../commands/subscribers.ts')).unsubscribe },
  subscribers: { spec: subscribersSpec, load: async () => (await import('../commands/subscribers.ts')).subscribers },
  import: { spec: importSpec, load: async () => (await import('../commands/import.ts')).importCommand },
  publish: { spec: publishSpec, load: async () => (await import('../commands/publish.ts')).publish },
};
