// The file in which a target records what castwright put there (record.ts reads and writes it).
// Kept apart from record.ts and its schema, so `castwright publish --help` can name it at once.
export const RECORD_FILE = '.castwright-published.json';
