// castwright serve: the built site and the subscription endpoints, for running behind Caddy or
// nginx or on its own. The command composes: options, the show, the lists, the mailer, the server,
// and a clean stop on SIGTERM.
import { serveSpec } from '../cli/specs/serve.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { requireFolder } from '../cli/options.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { colorsFor } from '../cli/terminal.ts';
import { UsageError, systemError } from '../errors.ts';
import { listsPlace } from '../lists/place.ts';
import { ListsStore } from '../lists/store.ts';
import { loadContent } from '../load/content.ts';
import { hasEmail } from '../model/types.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplates } from '../render/templates.ts';
import { parseSmtpUrl, smtpBackend } from '../send/backends/smtp.ts';
import { DEFAULT_SUPPRESSION_FILE, SMTP_VARIABLE } from '../send/defaults.ts';
import { dkimFromEnv } from '../send/dkim.ts';
import { secretFrom } from '../send/token.ts';
import { createMailer, type Mailer } from '../serve/mailer.ts';
import { CONFIRM_PATH, SUBSCRIBE_PATH } from '../serve/routes.ts';
import { startServe, type RunningServer } from '../serve/server.ts';
import { isFolder } from '../serve/static.ts';

/** How long a stop waits for requests and confirmation messages in progress. */
const GRACE_MS = 10_000;
/** Connecting to the SMTP server, its greeting and each reply. */
const SMTP_TIMEOUT_MS = 30_000;

export const serve: Command = {
  stoppedBefore: 'nothing is served',
  spec: serveSpec,

  async run(args, io) {
    const text = (name: string) => (typeof args.values[name] === 'string' ? (args.values[name] as string) : undefined);
    const contentDir = text('content')!;
    const outDir = text('out')!;
    const port = Number(text('port'));
    if (!/^\d+$/.test(text('port')!) || port > 65535) throw new UsageError(`--port ${text('port')}: expected a port number from 0 to 65535`);
    await requireFolder(contentDir, '--content', io.cwd);
    const out = path.resolve(io.cwd, outDir);
    if (!(await isFolder(out))) throw new UsageError(`--out ${outDir}: no such folder; build the site first (castwright build --out ${outDir})`);

    const log = (line: string) => io.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const warn = (line: string) => io.stderr.write(`${colorsFor(io.stderr, io.env).yellow('warning:')} ${line}\n`);
    const [content, templates] = await Promise.all([loadContent(path.resolve(io.cwd, contentDir), { cwd: io.cwd }), loadTemplates(DEFAULT_TEMPLATES_DIR, io.cwd)]);
    const { show } = content;

    let secret: string | undefined;
    let store: ListsStore | undefined;
    let mailer: Mailer | undefined;
    if (hasEmail(show)) {
      secret = secretFrom(io.env);
      const smtpText = text('smtp') ?? (io.env[SMTP_VARIABLE] || undefined);
      const smtpSource = text('smtp') !== undefined ? '--smtp' : SMTP_VARIABLE;
      const smtpUrl = smtpText === undefined ? undefined : parseSmtpUrl(smtpText, smtpSource);
      if (show.email.subscribe && !smtpUrl) {
        throw new UsageError(`${contentDir}/show.yml has email.subscribe: true, and sign-ups need an SMTP server for their confirmation messages: set ${SMTP_VARIABLE} or --smtp`);
      }
      const place = listsPlace(contentDir, { ...(text('lists') !== undefined ? { lists: text('lists')! } : {}), cwd: io.cwd });
      if (text('lists') !== undefined && !(await isFolder(place.folder))) throw new UsageError(`--lists ${text('lists')}: no such folder`);
      store = await ListsStore.open(place, { onNote: (note) => log(`lists: ${note}`) });
      const legacy = path.join(contentDir, DEFAULT_SUPPRESSION_FILE);
      if (existsSync(path.resolve(io.cwd, legacy))) {
        warn(
          `${legacy} still lists unsubscribed readers, and send keeps applying it; serve records unsubscriptions in ${place.shown.unsubscribed}. ` +
            `Move it there with "castwright subscribers import ${legacy} --unsubscribed", then delete it`,
        );
      }
      if (show.email.subscribe && smtpUrl) {
        const dkim = await dkimFromEnv(io.env, io.cwd);
        const backend = smtpBackend({ url: smtpUrl, timeoutMs: SMTP_TIMEOUT_MS, ...(dkim ? { dkim } : {}) });
        // Unsubscribing must keep working while the mail server is down: a failure here is said, not fatal.
        await backend.open().catch((error: Error) => warn(`${error.message}; confirmation messages will be tried as sign-ups come`));
        mailer = createMailer({ backend, log });
      }
    } else {
      warn(`${contentDir}/show.yml has no email settings: serving the site only, without unsubscribe or sign-up`);
    }

    const host = text('host')!;
    let running: RunningServer;
    try {
      running = await startServe({ out, show, templates, ...(secret ? { secret } : {}), ...(store ? { store } : {}), ...(mailer ? { mailer } : {}), host, port, trustProxy: args.values['trust-proxy'] === true, log });
    } catch (error) {
      await mailer?.close();
      throw systemError(error, `cannot listen on ${host}:${port}`);
    }

    const c = colorsFor(io.stdout, io.env);
    const lines = [`castwright serve: ${c.bold(c.cyan(running.url))} serving ${outDir}/`];
    if (hasEmail(show) && store) {
      lines.push(`  unsubscribe: ${show.email.unsubscribe} (one-click POST and a page)`);
      if (mailer) lines.push(`  sign-up:     ${SUBSCRIBE_PATH}, confirmed at ${CONFIRM_PATH}`);
      lines.push(`  lists:       ${store.place.shown.folder}/`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);

    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        // A second signal does not wait.
        process.once('SIGINT', () => process.exit(130));
        process.once('SIGTERM', () => process.exit(143));
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    log('stopping: finishing the requests in progress');
    await running.close(GRACE_MS);
    if (mailer) {
      const left = await mailer.drain(GRACE_MS);
      if (left > 0) log(`${left} confirmation message${left === 1 ? '' : 's'} not sent; those readers can sign up again`);
      await mailer.close();
    }
    log('stopped');
    return EXIT.ok;
  },
};
