import { describe, expect, it } from 'vitest';
import { parseFeedDate } from '../../src/feed-reader/dates.ts';
import { parseFeedDuration } from '../../src/feed-reader/durations.ts';

const at = (raw: string) => {
  const parsed = parseFeedDate(raw);
  if (typeof parsed === 'string') throw new Error(`${raw}: ${parsed}`);
  return { iso: parsed.instant.toISOString(), offset: parsed.offsetMinutes, note: parsed.note };
};

describe('feed dates', () => {
  it('reads RFC 822 with named zones as the instant they name, keeping the offset', () => {
    expect(at('Tue, 01 Oct 2019 14:30:00 PST')).toEqual({ iso: '2019-10-01T22:30:00.000Z', offset: -480, note: undefined });
    expect(at('Sun, 05 Sep 2021 19:48:09 GMT')).toMatchObject({ iso: '2021-09-05T19:48:09.000Z', offset: 0 });
    expect(at('Tue, 18 May 2021 08:00:00 -0500')).toMatchObject({ iso: '2021-05-18T13:00:00.000Z', offset: -300 });
    expect(at('Tue, 18 May 2021 13:49:20 -0000')).toMatchObject({ iso: '2021-05-18T13:49:20.000Z', offset: 0 });
    expect(at('Mon, 14 Sep 2020 07:00:00 EDT')).toMatchObject({ iso: '2020-09-14T11:00:00.000Z', offset: -240 });
    expect(at('Mon, 14 Sep 2020 07:00:00 CEST')).toMatchObject({ iso: '2020-09-14T05:00:00.000Z', offset: 120 });
  });

  it('reads the common broken variants', () => {
    expect(at('14 Sep 2020 14:00:00 GMT').iso).toBe('2020-09-14T14:00:00.000Z'); // no weekday
    expect(at('Fri, 14 Sep 2020 14:00:00 GMT').iso).toBe('2020-09-14T14:00:00.000Z'); // wrong weekday
    expect(at('Monday, 14 September 2020 14:00:00 GMT').iso).toBe('2020-09-14T14:00:00.000Z'); // full names
    expect(at('Mon, 4 Sep 20 14:00 GMT').iso).toBe('2020-09-04T14:00:00.000Z'); // one-digit day, two-digit year, no seconds
    expect(at('Sunday, 03-Mar-2024 09:15:00 GMT').iso).toBe('2024-03-03T09:15:00.000Z'); // RFC 850 dashes
    expect(at('Mon, 14 Sep 2020 14:00:00 +02:00')).toMatchObject({ iso: '2020-09-14T12:00:00.000Z', offset: 120 }); // colon in offset
    expect(at('mon, 14 sep 2020 14:00:00 gmt').iso).toBe('2020-09-14T14:00:00.000Z'); // lower case
    expect(at('Mon,  14 Sep 2020   14:00:00 GMT+0100')).toMatchObject({ offset: 60 }); // spaces, GMT+hhmm
    expect(at('2020-09-14T14:00:00-07:00')).toMatchObject({ iso: '2020-09-14T21:00:00.000Z', offset: -420 }); // ISO 8601
    expect(at('2020-09-14T14:00:00+0200')).toMatchObject({ offset: 120 });
    expect(at('Mon, 14 Sep 2020 14:00:00')).toEqual({ iso: '2020-09-14T14:00:00.000Z', offset: 0, note: 'it has no time zone; read as GMT' });
    expect(at('2020-09-14 14:00:00').note).toBe('it has no time zone; read as UTC');
  });

  it('says why a date cannot be read', () => {
    expect(parseFeedDate('yesterday')).toMatch(/^not an RFC 822 date/);
    expect(parseFeedDate('Mon, 31 Sep 2020 14:00:00 GMT')).toBe('no such day in the calendar');
    expect(parseFeedDate('Mon, 14 Foo 2020 14:00:00 GMT')).toBe('"Foo" is not a month');
    expect(parseFeedDate('Mon, 14 Sep 2020 25:00:00 GMT')).toBe('no such time of day');
    expect(parseFeedDate('Mon, 14 Sep 2020 14:00:00 XYZ')).toMatch(/^the time zone "XYZ" is unknown/);
    expect(parseFeedDate('Mon, 14 Sep 2020 14:00:00 +2500')).toMatch(/out of range/);
    expect(parseFeedDate('')).toBe('empty');
  });

  it('keeps a year below 100 written with four digits (.NET writes year 1 for "no date"), never 19xx', () => {
    expect(at('Mon, 01 Jan 0001 00:00:00 GMT').iso).toBe('0001-01-01T00:00:00.000Z');
    expect(at('Mon, 01 Jan 0050 10:00:00 +0100').iso).toBe('0050-01-01T09:00:00.000Z');
    expect(at('Mon, 01 Jan 50 10:00:00 GMT').iso).toBe('1950-01-01T10:00:00.000Z');
  });
});

describe('feed durations', () => {
  it('reads seconds, mm:ss, hh:mm:ss, fractions, overflowing parts and ISO 8601', () => {
    expect(parseFeedDuration('10475')).toBe(10475);
    expect(parseFeedDuration('10475.5')).toBe(10475.5);
    expect(parseFeedDuration('1:04')).toBe(64);
    expect(parseFeedDuration('2:02:06')).toBe(7326);
    expect(parseFeedDuration('01:02:03.6')).toBeCloseTo(3723.6);
    expect(parseFeedDuration('75:12')).toBe(4512);
    expect(parseFeedDuration('1:75:00')).toBe(8100);
    expect(parseFeedDuration('PT1H2M3S')).toBe(3723);
    expect(parseFeedDuration(' 0 ')).toBe(0);
  });

  it('says when a text is no duration', () => {
    expect(parseFeedDuration('about an hour')).toBe('"about an hour" is not a duration; expected seconds, mm:ss or hh:mm:ss');
    expect(parseFeedDuration('1:2:3:4')).toMatch(/is not a duration/);
    expect(parseFeedDuration('PT')).toMatch(/is not a duration/);
  });
});
