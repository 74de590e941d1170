import { addDays, dayRange, fmtTime, wallToInstant, weekStart, zoned } from './time';

describe('clinic-local time', () => {
  it('converts wall time to the instant in a zone with DST', () => {
    // Berlin is UTC+1 in winter, UTC+2 in summer.
    expect(wallToInstant('2027-01-15', 9 * 60, 'Europe/Berlin').toISOString()).toBe('2027-01-15T08:00:00.000Z');
    expect(wallToInstant('2027-07-15', 9 * 60, 'Europe/Berlin').toISOString()).toBe('2027-07-15T07:00:00.000Z');
  });

  it('resolves the repeated fall-back hour to the earlier instant', () => {
    // 2027-10-31 02:30 happens twice in Berlin; the earlier is 00:30Z (still UTC+2).
    expect(wallToInstant('2027-10-31', 150, 'Europe/Berlin').toISOString()).toBe('2027-10-31T00:30:00.000Z');
  });

  it('reads back the local day and weekday', () => {
    const z = zoned('2027-03-28T23:30:00Z', 'Europe/Berlin');
    expect(z.date).toBe('2027-03-29');
    expect(z.weekday).toBe(0);
    expect(fmtTime('2027-03-28T23:30:00Z', 'Europe/Berlin')).toBe('01:30');
  });

  it('does date arithmetic on local dates', () => {
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(weekStart('2027-03-31')).toBe('2027-03-29');
    expect(dayRange('2027-03-28', '2027-03-29', 'Europe/Berlin')).toEqual({
      from: '2027-03-27T23:00:00.000Z',
      to: '2027-03-28T22:00:00.000Z',
    });
  });
});
