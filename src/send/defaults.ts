// What send's options default to, the environment variable that names its SMTP server, and the
// old suppression file. Kept apart from the sender (nodemailer, the templates and all), so
// `castwright send --help` can state them at once and unsubscribe need not load the sender.
export const SMTP_VARIABLE = 'SMTP_URL';

/** The suppression list a show kept beside its episodes before the lists folder (<content>/unsubscribed.csv). */
export const DEFAULT_SUPPRESSION_FILE = 'unsubscribed.csv';

export const DEFAULTS = { connections: 5, maxFailures: 20, outbox: 'outbox', timeoutSeconds: 30 } as const;
