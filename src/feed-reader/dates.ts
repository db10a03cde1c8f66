// Publication dates as feeds really write them: RFC 822/2822 with named zones (PST, GMT), and the
// common slips (no weekday, a wrong weekday, full month names, two-digit years, no seconds, a
// colon in the offset, no zone at all), plus the ISO 8601 some generators write instead.
import type { PublishDate } from '../model/time.ts';
import { parsePublishDate } from '../model/time.ts';
import { quoted } from './quoted.ts';

/** Named zones in feeds, as offsets in minutes. Ambiguous names (IST, CST in Asia…) follow RFC 822 and US usage. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0, BST: 60, WEST: 60, CET: 60, MET: 60, CEST: 120, MEST: 120, EET: 120, EEST: 180,
  MSK: 180, JST: 540, KST: 540, AWST: 480, ACST: 570, ACDT: 630, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AST: -240, ADT: -180, NST: -210, NDT: -150,
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export interface FeedDate extends PublishDate {
  /** Set when the date was read with a guess the producer should know about. */
  note?: string;
}

function fullYear(raw: string): number {
  const year = Number(raw);
  // RFC 2822 §4.3: two-digit years below 50 are 20xx, others 19xx.
  if (raw.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  return year;
}

/** Date.UTC, except that years 0-99 stay themselves (Date.UTC makes them 1900-1999). */
function utc(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0): number {
  const date = new Date(Date.UTC(2000, month, day, hours, minutes, seconds));
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

/** The instant and offset of a feed date, or why it cannot be read. */
export function parseFeedDate(raw: string): FeedDate | string {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text) return 'empty';
  // ISO 8601, as some generators write it despite RSS.
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const iso = parsePublishDate(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    if (typeof iso !== 'string') return iso;
    if (/no UTC offset/.test(iso)) {
      const utc = parsePublishDate(`${text}Z`);
      return typeof utc === 'string' ? utc : { ...utc, note: 'it has no time zone; read as UTC' };
    }
    return iso;
  }
  const m =
    /^(?:[a-z]+,? )?(\d{1,2})(?: |-)([a-z]+)\.?(?: |-)(\d{2}|\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?: ?(.*))?$/i.exec(text);
  if (!m) return 'not an RFC 822 date such as "Mon, 14 Sep 2020 14:00:00 GMT"';
  const [, d, mon, y, h, mi, s = '0', zoneRaw = ''] = m;
  const month = MONTHS.indexOf(mon!.slice(0, 3).toLowerCase());
  if (month === -1) return `"${mon}" is not a month`;
  const year = fullYear(y!);
  const day = Number(d);
  const probe = new Date(utc(year, month, day));
  if (probe.getUTCMonth() !== month || probe.getUTCDate() !== day) return 'no such day in the calendar';
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 60) return 'no such time of day';

  let note: string | undefined;
  let offsetMinutes: number;
  const zone = zoneRaw.trim().replace(/^\((.*)\)$/, '$1');
  const numeric = /^(?:(?:GMT|UTC|UT) ?)?([+-])(\d{1,2}):?(\d{2})?(?: \(.*\))?$/i.exec(zone);
  if (numeric) {
    const [, sign, oh, om = '0'] = numeric;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) || 0;
    if (Math.abs(offsetMinutes) > 18 * 60) return `the UTC offset ${quoted(zone)} is out of range`;
  } else if (zone === '') {
    offsetMinutes = 0;
    note = 'it has no time zone; read as GMT';
  } else {
    const name = zone.split(' ')[0]!.toUpperCase();
    const known = ZONES[name];
    if (known === undefined) return `the time zone ${quoted(zone)} is unknown; expected GMT, a US zone such as PST, or an offset such as -0800`;
    offsetMinutes = known;
  }
  const instant = utc(year, month, day, hours, minutes, Math.min(seconds, 59)) - offsetMinutes * 60_000;
  return { instant: new Date(instant), offsetMinutes, ...(note ? { note } : {}) };
}

/** `--since 2020-01-01` (midnight UTC) or a full date with offset, as in front matter. */
export function parseSince(raw: string): Date | string {
  const parsed = parsePublishDate(raw);
  return typeof parsed === 'string' ? parsed : parsed.instant;
}
