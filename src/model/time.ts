// Dates and durations as producers write them, turned into exact values.

export interface PublishDate {
  /** The instant of publication. */
  instant: Date;
  /** The UTC offset the producer wrote, in minutes, so pages show the date the show was released on. */
  offsetMinutes: number;
}

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
  const offsetMinutes = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  if (Math.abs(offsetMinutes) > 18 * 60) return 'the UTC offset is out of range';
  const millis = frac ? Math.round(Number(frac) * 1000) : 0;
  const utc = Date.UTC(year, month - 1, day, hours, minutes, seconds, millis) - offsetMinutes * 60_000;
  return { instant: new Date(utc), offsetMinutes };
}

/** Whole seconds from `H:MM:SS`, `MM:SS`, `SS` or a number of seconds; a message when unreadable. */
export function parseDuration(raw: string | number): number | string {
  if (typeof raw === 'number') {
    return Number.isFinite(raw) && raw > 0 ? Math.max(1, Math.round(raw)) : 'not above 0';
  }
  const parts = raw.trim().split(':');
  if (parts.length > 3 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p))) return 'not a duration';
  const numbers = parts.map(Number);
  // Every part after the first is a sexagesimal digit: 8:75 is a typo, not 9:15.
  if (numbers.slice(1).some((n) => n >= 60)) return 'minutes and seconds must be below 60';
  if (parts.slice(0, -1).some((p) => p.includes('.'))) return 'only the seconds may have a fraction';
  const seconds = numbers.reduce((total, n) => total * 60 + n, 0);
  return seconds > 0 ? Math.max(1, Math.round(seconds)) : 'not above 0';
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
