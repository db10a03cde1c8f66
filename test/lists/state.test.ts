import { describe, expect, it } from 'vitest';
import { isSuppressed, parseLists } from '../../src/lists/state.ts';

const shown = { subscribers: 'lists/subscribers.csv', unsubscribed: 'lists/unsubscribed.csv' };
const lists = (subscribed: string, unsubscribed: string) =>
  parseLists(
    {
      subscribers: `email,name,subscribed,source\nada@example.com,,${subscribed},sign-up\n`,
      unsubscribed: `email,unsubscribed,source\nada@example.com,${unsubscribed},by hand\n`,
    },
    shown,
  );

describe('who is unsubscribed when a row is dated without a time or a zone (fail closed)', () => {
  it.each([
    // A day alone is that whole day, wherever it was written.
    ['a day, then a sign-up at 10:00 UTC that day', '2026-03-02T10:00:00.000Z', '2026-03-02', true],
    ['a day, then a sign-up at 23:59 UTC that day', '2026-03-02T23:59:59.999Z', '2026-03-02', true],
    ['a day, then a sign-up the next day in UTC but still that day in UTC-10', '2026-03-03T09:00:00.000Z', '2026-03-02', true],
    ['a day, then a sign-up two days later', '2026-03-04T12:00:00.000Z', '2026-03-02', false],
    // A time with no zone can be any zone's.
    ['a time with no zone, then a sign-up an hour later in UTC', '2026-03-02T11:00:00.000Z', '2026-03-02T10:00', true],
    ['a time with no zone, then a sign-up a day and a half later', '2026-03-04T00:00:00.000Z', '2026-03-02 10:00', false],
    // A sign-up dated by its day alone is its earliest moment: an unsubscription that day stands.
    ['a sign-up dated by its day, then an unsubscription at 01:00 UTC that day', '2026-03-02', '2026-03-02T01:00:00.000Z', true],
    // Full timestamps, as castwright writes them, are taken as they are.
    ['timestamps, the sign-up a millisecond later', '2026-03-02T10:00:00.001Z', '2026-03-02T10:00:00.000Z', false],
    ['timestamps, the same instant', '2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000+01:00', true],
  ])('%s', (_, subscribed, unsubscribed, suppressed) => {
    expect(isSuppressed(lists(subscribed, unsubscribed), 'ada@example.com')).toBe(suppressed);
  });

  it('does not depend on the machine’s time zone', () => {
    const before = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
        process.env.TZ = zone;
        expect(isSuppressed(lists('2026-03-02T21:00:00.000Z', '2026-03-02T10:00'), 'ada@example.com')).toBe(true);
        expect(isSuppressed(lists('2026-03-04T12:00:00.000Z', '2026-03-02T10:00'), 'ada@example.com')).toBe(false);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
