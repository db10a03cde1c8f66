// itunes:explicit as feeds write it: Apple asks for true/false, older feeds say yes/no or clean.

/** `yes`/`true`/`explicit` and `no`/`false`/`clean`, in any case; undefined for anything else. */
export function parseExplicit(raw: string | undefined): boolean | undefined {
  const value = raw?.trim().toLowerCase();
  if (value === 'yes' || value === 'true' || value === 'explicit') return true;
  if (value === 'no' || value === 'false' || value === 'clean') return false;
  return undefined;
}
