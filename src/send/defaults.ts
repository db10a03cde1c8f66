// What send's options default to, and the environment variable that names its SMTP server. Kept
// apart from the sender (nodemailer and all), so `castwright send --help` can state them at once.
export const SMTP_VARIABLE = 'SMTP_URL';

export const DEFAULTS = { connections: 5, maxFailures: 20, outbox: 'outbox', timeoutSeconds: 30 } as const;
