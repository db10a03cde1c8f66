// castwright unsubscribe and castwright subscribers: the host's hands on the lists folder, with the
// same address rules as send and the same lock and durability as serve, so both work while serve
// and send run.
import { ACTIONS, subscribersSpec, unsubscribeSpec } from '../cli/specs/subscribers.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ParsedArgs } from '../cli/args.ts';
import { EXIT, type Command } from '../cli/command.ts';
import { requireFolder } from '../cli/options.ts';
import { colorsFor, printProblems, type Io } from '../cli/terminal.ts';
import { UsageError } from '../errors.ts';
import { csvRow, listsPlace, type ListsPlace } from '../lists/place.ts';
import { currentSubscribers, isSubscribed, isSuppressed, listsSuppression } from '../lists/state.ts';
import { ListsStore, readLists, type Change } from '../lists/store.ts';
import { readMailbox } from '../send/address.ts';
import { DEFAULT_SUPPRESSION_FILE } from '../send/defaults.ts';
import { readRecipients, readSuppression, type Suppression } from '../send/recipients.ts';
import { readerId, secretFrom } from '../send/token.ts';
import { writeFileAtomic } from '../write/atomic.ts';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The lists folder the options name; `--lists` must exist, the default one is made when written to. */
async function placeOf(args: ParsedArgs, io: Io): Promise<ListsPlace> {
  const lists = typeof args.values.lists === 'string' ? args.values.lists : undefined;
  if (lists !== undefined) {
    if (!existsSync(path.resolve(io.cwd, lists))) throw new UsageError(`--lists ${lists}: no such folder`);
    return listsPlace('', { lists, cwd: io.cwd });
  }
  const contentDir = String(args.values.content);
  await requireFolder(contentDir, '--content', io.cwd);
  return listsPlace(contentDir, { cwd: io.cwd });
}

const note = (io: Io) => (text: string) => io.stderr.write(`${colorsFor(io.stderr, io.env).yellow('note:')} ${text}\n`);

/** Sends changes as one group and counts what was written. */
async function record(place: ListsPlace, io: Io, changes: readonly Change[]): Promise<{ written: number; unchanged: number; store: ListsStore }> {
  const store = await ListsStore.open(place, { onNote: note(io) });
  const results = await Promise.all(changes.map((change) => store.change(change)));
  const written = results.filter((result) => result.written).length;
  return { written, unchanged: results.length - written, store };
}

export const unsubscribe: Command = {
  stoppedBefore: 'nobody was unsubscribed',
  spec: unsubscribeSpec,
  async run(args, io) {
    const bad = args.positionals.filter((raw) => !readMailbox(raw));
    if (bad.length > 0) throw new UsageError(`not ${bad.length === 1 ? 'an email address' : 'email addresses'}: ${bad.map((raw) => JSON.stringify(raw)).join(', ')}; nothing was written`);
    const place = await placeOf(args, io);
    const keys = [...new Set(args.positionals.map((raw) => readMailbox(raw)!.key))];
    const { written, unchanged } = await record(
      place,
      io,
      keys.map((key) => ({ kind: 'unsubscribed', row: { key, source: 'castwright unsubscribe' } })),
    );
    const c = colorsFor(io.stdout, io.env);
    io.stdout.write(`${c.green('✓')} ${plural(written, 'address', 'addresses')} unsubscribed in ${place.shown.unsubscribed}${unchanged ? ` (${unchanged} already ${unchanged === 1 ? 'was' : 'were'})` : ''}\n`);
    return EXIT.ok;
  },
};

export const subscribers: Command = {
  stoppedBefore: 'the lists were not changed',
  spec: subscribersSpec,
  async run(args, io) {
    const [action = 'count', argument] = args.positionals;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`unknown action "${action}"; expected one of ${ACTIONS.join(', ')}`);
    if ((action === 'import' || action === 'id') && argument === undefined) throw new UsageError(`${action} needs ${action === 'import' ? 'a file' : 'an address'}`);
    if ((action === 'count' || action === 'export') && argument !== undefined) throw new UsageError(`unexpected argument "${argument}"`);
    if (args.values.unsubscribed && action !== 'import') throw new UsageError('--unsubscribed applies to import');
    if (args.values.out !== undefined && action !== 'export') throw new UsageError('--out applies to export');
    const c = colorsFor(io.stdout, io.env);

    if (action === 'id') {
      const mailbox = readMailbox(argument!);
      if (!mailbox) throw new UsageError(`not an email address: ${JSON.stringify(argument)}`);
      io.stdout.write(`${readerId(mailbox.key, secretFrom(io.env))}\n`);
      return EXIT.ok;
    }

    const place = await placeOf(args, io);
    if (action === 'count') {
      const lists = await readLists(place, { onNote: note(io) });
      printProblems(io, lists.subscribers.invalid);
      const subscribed = currentSubscribers(lists).length;
      const unsubscribed = listsSuppression(lists).keys.size;
      io.stdout.write(`${place.shown.folder}/: ${plural(subscribed, 'reader')} subscribed, ${unsubscribed} unsubscribed\n`);
      return EXIT.ok;
    }

    if (action === 'export') {
      const lists = await readLists(place, { onNote: note(io) });
      const rows = currentSubscribers(lists).map((reader) => {
        const at = lists.subscribedAt.get(reader.key) ?? -Infinity;
        return csvRow([reader.address, reader.name ?? '', Number.isFinite(at) ? new Date(at).toISOString() : '']);
      });
      const text = csvRow(['email', 'name', 'subscribed']) + rows.join('');
      const out = typeof args.values.out === 'string' ? args.values.out : undefined;
      if (out === undefined) io.stdout.write(text);
      else {
        await writeFileAtomic(path.resolve(io.cwd, out), text, out);
        io.stderr.write(`${c.green('✓')} ${plural(rows.length, 'reader')} written to ${out}\n`);
      }
      return EXIT.ok;
    }

    // import
    const source = `import ${path.basename(argument!)}`;
    if (args.values.unsubscribed) {
      const suppression = await readSuppression(argument!, { cwd: io.cwd });
      const { written, unchanged } = await record(
        place,
        io,
        [...suppression.keys].map((key) => ({ kind: 'unsubscribed', row: { key, source } })),
      );
      io.stdout.write(`${c.green('✓')} ${plural(written, 'address', 'addresses')} recorded as unsubscribed in ${place.shown.unsubscribed}${unchanged ? ` (${unchanged} already ${unchanged === 1 ? 'was' : 'were'})` : ''}\n`);
      return EXIT.ok;
    }
    const list = await readRecipients(argument!, { cwd: io.cwd });
    printProblems(io, [...list.invalid, ...list.warnings]);
    const current = await readLists(place, { onNote: note(io) });
    // Send applies the old default suppression file too: nobody on it is added either.
    const legacyFile = typeof args.values.lists === 'string' ? undefined : path.join(String(args.values.content), DEFAULT_SUPPRESSION_FILE);
    const legacy: Suppression | undefined = legacyFile && existsSync(path.resolve(io.cwd, legacyFile)) ? await readSuppression(legacyFile, { cwd: io.cwd }) : undefined;
    const blocked = new Set(list.recipients.filter((reader) => isSuppressed(current, reader.key) || legacy?.keys.has(reader.key)));
    const fresh = list.recipients.filter((reader) => !blocked.has(reader) && !isSubscribed(current, reader.key));
    const { written } = await record(
      place,
      io,
      fresh.map((reader) => ({ kind: 'subscribers', row: { address: reader.address, key: reader.key, ...(reader.name ? { name: reader.name } : {}), source } })),
    );
    const already = list.recipients.length - blocked.size - fresh.length + (fresh.length - written);
    const parts = [
      `${c.green('✓')} ${plural(written, 'reader')} added to ${place.shown.subscribers}`,
      ...(already ? [`  ${already} already subscribed`] : []),
      ...(blocked.size ? [`  ${blocked.size} left out: they unsubscribed (an import never subscribes them again; they can sign up)`] : []),
      ...(list.invalid.length ? [`  ${plural(list.invalid.length, 'row')} skipped: not an email address`] : []),
      ...(list.duplicates ? [`  ${plural(list.duplicates, 'duplicate row')}`] : []),
    ];
    io.stdout.write(`${parts.join('\n')}\n`);
    return EXIT.ok;
  },
};
