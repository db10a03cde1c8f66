// What makes a mailing resumable: its lock and its ledger, in the show's state folder, opened before
// the first message. Ledgers left where earlier versions of castwright kept them are adopted when
// they provably record this mailing, and refused otherwise (see legacy.ts).
import { present } from './folders.ts';
import { adoptLegacyLedgers, type Adopted } from './legacy.ts';
import { Ledger, type LedgerMailing } from './ledger.ts';
import { acquireLock, type Lock } from './lock.ts';
import { legacyLedgers, mailingFiles, shownPath } from './sends.ts';

export interface ResumeRequest {
  /** The show's state folder, absolute. */
  state: string;
  mailing: LedgerMailing;
  cwd: string;
  contentDir: string;
  /** The Message-ID this mailing gives a reader, to recognise its old ledgers by. */
  messageId(key: string): string;
}

export interface Resumable {
  lock: Lock;
  ledger: Ledger;
  adopted?: Adopted;
}

/** Takes the mailing's lock, then opens its ledger; on failure nothing is held. */
export async function openMailingState(request: ResumeRequest): Promise<Resumable> {
  const files = mailingFiles(request.state, request.mailing.show, request.mailing.episode);
  const lock = await acquireLock(files.lock, shownPath(files.lock, request.cwd));
  try {
    // A ledger that is a link to nothing is one (refused when opened), not room for an old one.
    const adopted = (await present(files.ledger))
      ? undefined
      : await adoptLegacyLedgers({
          candidates: legacyLedgers(request.mailing.slug, { cwd: request.cwd, contentDir: request.contentDir }),
          target: files.ledger,
          mailing: request.mailing,
          messageId: request.messageId,
          cwd: request.cwd,
        });
    const ledger = await Ledger.open(files.ledger, request.mailing, { shown: shownPath(files.ledger, request.cwd) });
    return { lock, ledger, ...(adopted ? { adopted } : {}) };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
