// Building blocks for the content schema. Each field states once what it expects, in words a
// producer understands; that phrase is the error message for a missing or malformed value.
import * as z from 'zod';
import { suggestion } from './suggestion.ts';

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

/** Apple cuts a show's or an episode's description at 4000 bytes; no text field needs more. */
export const APPLE_TEXT_BYTES = 4000;

/** Longest one-line value (titles, subjects, names): they become email Subject headers and page titles. */
export const MAX_LINE_CHARACTERS = 255;

const characters = (value: string) => [...value].length;

/** Text of at most `maxBytes` (after trimming); `limit` says whose limit it is. */
export const text = (expected: string, maxBytes = APPLE_TEXT_BYTES, limit = `at most ${maxBytes} bytes`) =>
  z
    .string(expecting(expected))
    .trim()
    .min(1, expecting(expected))
    .refine((value) => Buffer.byteLength(value) <= maxBytes, {
      error: (issue) => `is ${Buffer.byteLength(String(issue.input).trim())} bytes long; expected ${expected} of ${limit}`,
    });

export const optionalText = (expected: string, maxBytes?: number, limit?: string) => text(expected, maxBytes, limit).optional();

// Control characters (line breaks included) have no place in a title or a name, and in an email
// header they would let content add headers of its own.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text on one line, of at most 255 characters: titles, names, subjects. */
export const line = (expected: string) =>
  text(expected)
    .refine((value) => !CONTROL.test(value), { error: `expected ${expected} on one line, without control characters` })
    .refine((value) => characters(value) <= MAX_LINE_CHARACTERS, {
      error: (issue) => `is ${characters(String(issue.input).trim())} characters long; expected ${expected} of at most ${MAX_LINE_CHARACTERS} characters`,
    });

export const optionalLine = (expected: string) => line(expected).optional();

export const flag = (expected = 'true or false') => z.boolean(expecting(expected));

/** A whole number from 1 to `max`: a larger one is a typo, or would overflow what apps read. */
export const positiveWhole = (expected: string, max: number) =>
  z
    .number(expecting(expected))
    .int(expecting(expected))
    .positive(expecting(expected))
    .max(max, { error: (issue) => `${describeValue(issue.input)} is too large; expected ${expected}, at most ${max.toLocaleString('en')}` });

export function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, expecting(`one of ${values.join(', ')}`));
}

// `new URL` reads "https:evil.example/page" as https://evil.example/page, but a browser resolves
// the same href against the page's own site; only `scheme://host` is unambiguous everywhere.
const WEB_SCHEME = /^https?:\/\//i;

/** The parsed URL when `raw` is an absolute http(s) URL written with `//` and a host; otherwise undefined. */
export function webUrlOf(raw: string): URL | undefined {
  if (!WEB_SCHEME.test(raw)) return undefined;
  try {
    const url = new URL(raw);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

/** Only http(s) URLs can reach an output: no `javascript:`, `data:`, relative or `https:host` links. */
export function isWebUrl(raw: string): boolean {
  return webUrlOf(raw) !== undefined;
}

/** Why a URL that looks like a web address is not one, for messages: " (…)" or empty. */
export function webUrlHint(raw: string): string {
  const missing = /^(https?):\/?(?!\/)/i.exec(raw);
  return missing ? ` (write "${missing[1]!.toLowerCase()}://" with two slashes before the host)` : '';
}

/** An absolute http(s) URL, normalised (`new URL().href`) so it is safe to print in HTML and XML. */
export const webUrl = (expected = 'an absolute http(s) URL such as https://example.com/') =>
  z.string(expecting(expected)).trim().transform((raw, ctx) => {
    const url = webUrlOf(raw);
    if (!url) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}, got ${describeValue(raw)}${webUrlHint(raw)}` });
      return z.NEVER;
    }
    return url.href;
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
