// castwright unsubscribe's and castwright subscribers' command lines. Data only, loaded by every start
// of castwright for the command table and --help; the command itself is in commands/subscribers.ts.
import type { CommandSpec } from '../args.ts';
import { contentOption, listsOption } from '../options.ts';

export const ACTIONS = ['count', 'export', 'import', 'id'] as const;

export const unsubscribeSpec: CommandSpec = {
  name: 'unsubscribe',
  summary: 'Unsubscribe readers by address: they get no more mail from send.',
  positionals: [{ name: '<address>', description: 'an address to unsubscribe; give as many as needed', required: true, variadic: true }],
  options: { content: contentOption, lists: listsOption },
  examples: ['castwright unsubscribe ada@example.com', 'castwright unsubscribe "Bob <bob@example.com>" carol@example.com --lists /var/lib/castwright/equity'],
  notes: [
    'Each address is written to <lists>/unsubscribed.csv (dated, on disk before the command ends) unless it is unsubscribed already. ' +
      'Works while serve and send run. Exit codes: 0 done, 1 the list could not be written, 2 bad usage (an argument that is not an address: nothing is written).',
  ],
};

export const subscribersSpec: CommandSpec = {
  name: 'subscribers',
  summary: 'Count, export or import the subscriber list of the lists folder.',
  positionals: [
    { name: '<action>', description: `${ACTIONS.join(', ')} (default: count)`, required: false },
    { name: '<file|address>', description: 'import: the CSV to import; id: the address', required: false },
  ],
  options: {
    unsubscribed: { type: 'boolean', description: 'import: the file lists unsubscribed readers (a suppression list from another tool)' },
    out: { type: 'string', value: '<file.csv>', description: 'export: write to this file instead of standard output' },
    content: contentOption,
    lists: listsOption,
  },
  examples: [
    'castwright subscribers',
    'castwright subscribers export --out backup.csv',
    'castwright subscribers import old-tool-export.csv',
    'castwright subscribers import episodes/unsubscribed.csv --unsubscribed',
    'castwright subscribers id ada@example.com      # the id serve logs this reader under',
  ],
  notes: [
    'count: subscribed and unsubscribed readers. export: the readers subscribed now, as email,name,subscribed. ' +
      'import: adds the file\'s readers (a header row with an "email" column, optionally "name"; invalid rows are listed and skipped), ' +
      'never one who unsubscribed; with --unsubscribed, records the file\'s addresses as unsubscribed (a row it cannot read stops the import). ' +
      'id: the keyed hash of an address that serve writes in its log instead of the address (needs CASTWRIGHT_SECRET).',
    'Exit codes: 0 done, 1 a list could not be read or written, 2 bad usage.',
  ],
};
