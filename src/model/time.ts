// Dates and durations as producers write them, turned into exact values.

export interface PublishDate {
  /** The instant of publication. */
  instant: Date;
  /** The UTC offset the producer wrote, in minutes, so pages show the date the show was released on. */
  offsetMinutes: number;
}

/** Years a publication date may have: before 1900 or after 2999 is a typo. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;
const MAX_OFFSET_MINUTES = 14 * 60;

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Reads `2020-09-14` (midnight UTC) or `2020-09-14T07:00:00-07:00`. A time without an offset is
 * refused: it would mean a different instant on every machine that builds the show.
 */
export function parsePublishDate(raw: string): PublishDate | string {
  const m = ISO_DATE.exec(raw.trim());
  if (!m) return 'not a date';
  const [, y, mo, d, h, mi, s = '0', frac = '', zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Date.UTC reads the years 0 to 99 as 1900 to 1999; none of these is a podcast's anyway.
  if (year < MIN_YEAR || year > MAX_YEAR) return `the year ${y} is not between ${MIN_YEAR} and ${MAX_YEAR}`;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return 'no such day in the calendar';
  }
  if (h === undefined) return { instant: probe, offsetMinutes: 0 };
  if (!zulu && !sign) return 'the time has no UTC offset (add Z or one such as -07:00)';
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 23 || minutes > 59 || seconds > 59) return 'no such time of day';
  if (!zulu && Number(om) > 59) return `the UTC offset ${sign}${oh}:${om} has ${om} minutes (at most 59)`;
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  // Real time zones run from -12:00 to +14:00.
  if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return `the UTC offset ${sign}${oh}:${om} is beyond ±14:00`;
  const millis = frac ? Math.round(Number(frac) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hours, minutes, seconds, millis) - offsetMinutes * 60_000;
  return { instant: new Date(utc), offsetMinutes };
}

/** No episode is longer than a day; a longer one is a typo (seconds written as milliseconds). */
export const MAX_DURATION_SECONDS = 24 * 60 * 60;

/** Whole seconds from `H:MM:SS`, `MM:SS`, `SS` or a number of seconds; a message when unreadable. */
export function parseDuration(raw: string | number): number | string {
  let seconds: number;
  if (typeof raw === 'number') {
    seconds = raw;
  } else {
    const parts = raw.trim().split(':');
    if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return 'not a duration';
    const numbers = parts.map(Number);
    // Every part after the first is a sexagesimal digit: 8:75 is a typo, not 9:15.
    if (numbers.slice(1).some((n) => n >= 60)) return 'minutes and seconds must be below 60';
    if (parts.slice(0, -1).some((p) => p.includes('.'))) return 'only the seconds may have a fraction';
    seconds = numbers.reduce((total, n) => total * 60 + n, 0);
  }
  if (Number.isNaN(seconds)) return 'not a duration';
  if (seconds <= 0) return 'not above 0';
  if (seconds > MAX_DURATION_SECONDS) return 'longer than 24 hours';
  return Math.max(1, Math.round(seconds));
}

/** `H:MM:SS` or `M:SS`, as players show a length. */
export function formatDuration(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** ISO 8601 duration for schema.org: PT8M12S. */
export function isoDuration(totalSeconds: number): string {
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}

/**
 * A position in the audio as hosts write it before a story: `12:34`, `1:02:03`, `0:00`, with an
 * optional fraction of a second (`12:34.5`, as VTT and SRT give them, `,` for SRT). Seconds, or a
 * message when the digits are no time.
 */
export function parseTimestamp(raw: string): number | string {
  const m = /^(?:(\d{1,2}):)?(\d{1,3}):(\d{2})(?:[.,](\d{1,3}))?$/.exec(raw.trim());
  if (!m) return 'not a time such as 12:34 or 1:02:03';
  const [, h, mi, s, fraction = ''] = m;
  const minutes = Number(mi);
  const seconds = Number(s);
  if (seconds >= 60) return 'seconds must be below 60';
  if (h !== undefined && minutes >= 60) return 'minutes must be below 60 after an hour';
  const total = Number(h ?? 0) * 3600 + minutes * 60 + seconds + (fraction ? Number(`0.${fraction}`) : 0);
  if (total > MAX_DURATION_SECONDS) return 'later than 24 hours';
  return total;
}

/**
 * A timestamp as chapter lists in descriptions show it: `00:00`, `12:34`, or `01:02:03` when
 * `hours` (an episode of an hour or more writes every one with hours, so all line up).
 */
export function formatTimestamp(totalSeconds: number, hours = totalSeconds >= 3600): string {
  const whole = Math.floor(totalSeconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
  return hours ? `${pad(Math.floor(whole / 3600))}:${clock}` : clock;
}

/** `HH:MM:SS.mmm`, as Podlove Simple Chapters write a start. */
export function normalPlayTime(totalSeconds: number): string {
  const millis = Math.round(totalSeconds * 1000);
  return `${formatTimestamp(Math.floor(millis / 1000), true)}.${String(millis % 1000).padStart(3, '0')}`;
}
