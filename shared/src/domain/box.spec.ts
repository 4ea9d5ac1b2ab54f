import { boxKey, parseBoxKey } from './box';

describe('box key', () => {
  it.each([
    [{ election: 'yerel2014', ballot: 3 as const, province: 69, district: 681, boxNo: 1008 }, 'yerel2014:3:69:681:1008'],
    [{ election: 'cb2023-2', ballot: 9 as const, province: 57, district: 1, boxNo: 1001 }, 'cb2023-2:9:57:1:1001'],
  ])('%o → %s and back', (ref, key) => {
    expect(boxKey(ref)).toBe(key);
    expect(parseBoxKey(key)).toEqual(ref);
  });

  it.each(['', 'a:b', 'x:5:1:1:1', 'x:2:82:1:1', 'x:2:1:1:0'])('rejects %s', (key) => {
    expect(parseBoxKey(key)).toBeNull();
  });
});
