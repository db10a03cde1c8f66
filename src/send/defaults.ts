// What send's options default to, the environment variables of its SMTP server and of the show's
// secret, and the old suppression file. Kept apart from the sender (nodemailer, node:crypto, the
// templates), so `castwright send --help` can state them at once and unsubscribe need not load it.
export const SMTP_VARIABLE = 'SMTP_URL';

/** The show's secret, from which the keys of every reader's unsubscribe and confirmation links derive. */
export const SECRET_VARIABLE = 'CASTWRIGHT_SECRET';

/** The suppression list a show kept beside its episodes before the lists folder (<content>/unsubscribed.csv). */
export const DEFAULT_SUPPRESSION_FILE = 'unsubscribed.csv';

export const DEFAULTS = { connections: 5, maxFailures: 20, outbox: 'outbox', timeoutSeconds: 30 } as const;
