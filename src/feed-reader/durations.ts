// itunes:duration as feeds write it: seconds (`10475`, `10475.5`), `mm:ss`, `hh:mm:ss`, with
// fractions or overflowing parts (`75:12`, `1:75:00`, read the way podcast apps add them up), and
// the ISO 8601 form (`PT1H2M3S`) a few generators use.

import { quoted } from './quoted.ts';

/** Seconds (possibly fractional), or why the text is no duration. */
export function parseFeedDuration(raw: string): number | string {
  const text = raw.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^\d+(:\d+){1,2}(\.\d+)?$/.test(text)) {
    return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  }
  const iso = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/i.exec(text);
  if (iso && (iso[1] || iso[2] || iso[3])) return Number(iso[1] ?? 0) * 3600 + Number(iso[2] ?? 0) * 60 + Number(iso[3] ?? 0);
  return `${quoted(text)} is not a duration; expected seconds, mm:ss or hh:mm:ss`;
}
