// What package.json says about castwright: its version (--version) and the Node.js it needs.
import { readFileSync } from 'node:fs';

interface PackageInfo {
  version: string;
  engines: { node: string };
}

/** package.json, two folders up from this file whether it runs as .ts or compiled. */
export function packageInfo(): PackageInfo {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageInfo;
}

/**
 * Why this Node.js is too old for `requirement` (package.json's `>=major.minor[.patch]`), or
 * undefined when it will do. Checked before anything else is loaded: a dependency that needs a
 * newer Node fails with an error about itself, not about the version.
 */
export function nodeTooOld(version: string, requirement: string): string | undefined {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(requirement.trim());
  if (!wanted) return undefined;
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const need = Number(wanted[i + 1] ?? 0);
    const got = have[i] ?? 0;
    if (got > need) return undefined;
    if (got < need) return `castwright needs Node.js ${requirement.replace(/^>=\s*/, '')} or later; this is Node.js ${version.replace(/^v/, '')}. Install a newer Node.js (https://nodejs.org) and run the command again.`;
  }
  return undefined;
}
