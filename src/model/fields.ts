// Building blocks for the content schema. Each field states once what it expects, in words a
// producer understands; that phrase is the error message for a missing or malformed value.
import * as z from 'zod';
import { closest, distance } from 'fastest-levenshtein';

/** How a wrong value is named in an error: `got a number (12)`, `got nothing`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}…` : value;
    return value.trim() === '' ? 'an empty text' : `"${shown}"`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  return 'a set of fields';
}

interface IssueLike {
  input?: unknown;
}

/** Zod `error` option: "missing; expected X" when absent, "expected X, got Y" otherwise. */
export function expecting(expected: string) {
  return {
    error: (issue: IssueLike) =>
      issue.input === undefined ? `missing; expected ${expected}` : `expected ${expected}, got ${describeValue(issue.input)}`,
  };
}

/** The nearest candidate, when it is near enough to be a typo of `word`. */
export function suggestion(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word.toLowerCase(), candidates.map((c) => c.toLowerCase()));
  const original = candidates.find((c) => c.toLowerCase() === best);
  const nearEnough = distance(word.toLowerCase(), best) <= Math.max(2, Math.floor(word.length / 3));
  return original && nearEnough ? ` (did you mean "${original}"?)` : '';
}

/** An object that rejects unknown keys, naming the nearest known one: typos must not pass silently. */
export function record<Shape extends z.ZodRawShape>(shape: Shape, expected: string) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `unknown field "${key}"${suggestion(key, known)}`).join('; ');
      }
      return expecting(expected).error(issue);
    },
  });
}

export const text = (expected: string) =>
  z.string(expecting(expected)).trim().min(1, expecting(expected));

export const optionalText = (expected: string) => text(expected).optional();

// Control characters (line breaks included) have no place in a title or a name, and in an email
// header they would let content add headers of its own.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text on one line: titles, names, subjects. */
export const line = (expected: string) =>
  text(expected).refine((value) => !CONTROL.test(value), { error: `expected ${expected} on one line, without control characters` });

export const optionalLine = (expected: string) => line(expected).optional();

export const flag = (expected = 'true or false') => z.boolean(expecting(expected));

export const positiveWhole = (expected: string) =>
  z.number(expecting(expected)).int(expecting(expected)).positive(expecting(expected));

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, expecting(`one of ${values.join(', ')}`));
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

/** Only http(s) URLs can reach an output: no `javascript:`, `data:` or relative links. */
export function isWebUrl(raw: string): boolean {
  const url = parseUrl(raw);
  return url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** An absolute http(s) URL, normalised (`new URL().href`) so it is safe to print in HTML and XML. */
export const webUrl = (expected = 'an absolute http(s) URL such as https://example.com/') =>
  z.string(expecting(expected)).trim().transform((raw, ctx) => {
    if (!isWebUrl(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${describeValue(raw)}` });
      return z.NEVER;
    }
    return new URL(raw).href;
  });

const EMAIL = /^[^\s@<>()[\]",;:\\]+@[^\s@<>()[\]",;:\\]+\.[^\s@<>()[\]",;:\\]+$/;

export function isEmail(raw: string): boolean {
  return EMAIL.test(raw);
}

export const email = (expected = 'an email address such as podcasts@example.com') =>
  z.string(expecting(expected)).trim().refine(isEmail, { error: (issue) => expecting(expected).error(issue) });

export interface Mailbox {
  name?: string;
  address: string;
}

/** `Name <address>` or a bare address, as in a From header. */
export const mailbox = (expected = 'a sender such as "Equity <equity@example.com>"') =>
  z.string(expecting(expected)).trim().transform((raw, ctx): Mailbox => {
    const named = /^(.*?)\s*<([^<>]+)>$/.exec(raw);
    const name = named?.[1]?.replace(/^"|"$/g, '').trim();
    const address = (named ? named[2] : raw)?.trim() ?? '';
    if (!isEmail(address) || CONTROL.test(raw)) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${describeValue(raw)}` });
      return z.NEVER;
    }
    return name ? { name, address } : { address };
  });
