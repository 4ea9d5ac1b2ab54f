import { istanbulDeadline, istanbulOffsetMinutes, turkishDateTime } from './deadline';

describe('petition deadlines (Europe/Istanbul)', () => {
  it.each([
    ['election night, 23:30 local', '2024-03-31T20:30:00.000Z', 1, '14:00', '2024-04-01T11:00:00.000Z'],
    ['after local midnight (21:30 UTC is 00:30 local)', '2024-03-31T21:30:00.000Z', 1, '14:00', '2024-04-02T11:00:00.000Z'],
    ['same day, another time', '2024-03-31T05:00:00.000Z', 0, '18:30', '2024-03-31T15:30:00.000Z'],
    ['across a month end', '2024-04-30T10:00:00.000Z', 1, '14:00', '2024-05-01T11:00:00.000Z'],
  ])('%s', (_label, now, days, time, expected) => {
    expect(istanbulDeadline(new Date(now), days, time).toISOString()).toBe(expected);
  });

  it('knows Istanbul is UTC+3 and writes Turkish dates', () => {
    expect(istanbulOffsetMinutes(new Date('2024-01-15T00:00:00Z'))).toBe(180);
    expect(turkishDateTime(new Date('2024-04-01T11:00:00.000Z'))).toMatch(/1 Nisan 2024.*14:00/);
  });
});
