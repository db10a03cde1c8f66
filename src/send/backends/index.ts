// Which backend a send uses, from its options: an SMTP server when one is given, else the outbox.
import path from 'node:path';
import type { DKIMOptions } from 'nodemailer';
import type { Backend } from './backend.ts';
import { outboxBackend } from './outbox.ts';
import { smtpBackend } from './smtp.ts';

export type Destination = { smtp: URL } | { outbox: string };

export interface BackendRequest {
  destination: Destination;
  timeoutMs: number;
  dkim?: DKIMOptions;
  slug: string;
  /** A [TEST] copy: written beside the mailing's outbox folder, never into it. */
  test: boolean;
  cwd: string;
}

export function createBackend(request: BackendRequest): Backend {
  const dkim = request.dkim ? { dkim: request.dkim } : {};
  if ('smtp' in request.destination) return smtpBackend({ url: request.destination.smtp, timeoutMs: request.timeoutMs, ...dkim });
  // `.` cannot occur in a slug, so the test copy's folder never is a mailing's.
  const folder = path.join(request.destination.outbox, request.test ? `${request.slug}.test` : request.slug);
  return outboxBackend({ folder: path.resolve(request.cwd, folder), shown: folder.split(path.sep).join('/'), ...dkim });
}
