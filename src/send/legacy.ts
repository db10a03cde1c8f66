// Ledgers written by earlier versions of castwright: `.castwright/sends/<slug>.jsonl` in the working
// folder, with no header. Ignoring one would mail everyone it lists again; adopting one blindly
// would skip readers of another show's episode of the same name. Its records settle it: each sent
// record carries the Message-ID castwright made from the episode's guid, the show's domain and the
// reader, so a ledger whose every record has this episode's Message-ID for its reader is this
// mailing's, and is moved to its new place. Any other is refused, with what to do.
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { systemError } from '../errors.ts';
import { present, syncFolder } from './folders.ts';
import { LedgerError, headerLine, readLedger, type LedgerMailing } from './ledger.ts';
import { shownPath } from './sends.ts';

export const MIGRATED_SUFFIX = '.migrated';

export interface Adopted {
  /** The old ledgers moved, as shown. */
  from: string[];
  records: number;
}

export interface LegacyOptions {
  /** The old places to look at (see legacyLedgers). */
  candidates: readonly string[];
  /** Where the mailing's ledger goes; only called for while it does not exist yet. */
  target: string;
  mailing: LedgerMailing;
  /** The Message-ID this mailing gives a reader. */
  messageId(key: string): string;
  cwd: string;
}

/**
 * Moves the old ledgers of this mailing into `target` (header first, then their records, written
 * under a temporary name and renamed), and renames each old file to `<name>.migrated`. Returns
 * undefined when there is none; throws LedgerError when one cannot be shown to be this mailing's.
 */
export async function adoptLegacyLedgers(options: LegacyOptions): Promise<Adopted | undefined> {
  // An old ledger that is a link to nothing is read (and refused), not passed over: passed over,
  // every reader it lists would be mailed again.
  const found: string[] = [];
  for (const file of options.candidates) if (await present(file)) found.push(file);
  if (found.length === 0) return undefined;
  const lines: string[] = [];
  for (const file of found) {
    const shown = shownPath(file, options.cwd);
    const contents = await readLedger(file, shown);
    const foreign = contents.records.find((record) => record.messageId !== options.messageId(record.to));
    if (contents.header || foreign) {
      const why = contents.header
        ? 'it has a header, so it was not written by an earlier castwright'
        : foreign!.messageId
          ? `its record for ${foreign!.to} has the Message-ID ${foreign!.messageId}, made for another episode guid or another site than this one's`
          : `its record for ${foreign!.to} has no Message-ID to tell whose it is`;
      throw new LedgerError(
        `found ${shown}, a ledger of an earlier castwright, which kept ledgers by the episode's file name alone; it cannot be this mailing's: ${why}. ` +
          `If it belongs to another show's episode of that name, move it to that show's folder or away; if this show's url or guid changed since, ` +
          `it may be this episode's after all: then the readers it lists would be mailed again, so check before moving it away. Nothing was moved`,
      );
    }
    lines.push(...contents.records.map((record) => `${JSON.stringify(record)}\n`));
  }
  const draft = `${options.target}.adopting`;
  try {
    const handle = await open(draft, 'w');
    try {
      await handle.writeFile(headerLine(options.mailing) + lines.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(draft, options.target);
    await syncFolder(path.dirname(options.target));
    for (const file of found) await rename(file, `${file}${MIGRATED_SUFFIX}`);
  } catch (error) {
    throw new LedgerError(systemError(error, 'cannot move the earlier ledger to', shownPath(options.target, options.cwd)).message, { cause: error });
  }
  return { from: found.map((file) => shownPath(file, options.cwd)), records: lines.length };
}
