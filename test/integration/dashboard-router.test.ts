import { formatHash, parseHash } from '../../dashboard/src/lib/router';

describe('dashboard hash router', () => {
  test('parses every view', () => {
    expect(parseHash('').route).toEqual({ view: 'country' });
    expect(parseHash('#/').route).toEqual({ view: 'country' });
    expect(parseHash('#/il/34').route).toEqual({ view: 'province', province: 34 });
    expect(parseHash('#/il/82').route.view).toBe('notFound');
    expect(parseHash('#/il/abc').route.view).toBe('notFound');
    expect(parseHash('#/ilce/1043').route).toEqual({ view: 'district', district: 1043 });
    expect(parseHash('#/operasyon').route).toEqual({ view: 'operator' });
    expect(parseHash('#/nowhere').route.view).toBe('notFound');
  });

  test('box keys with colons survive a round trip', () => {
    const key = '2024-03-31:6:36:1043:12';
    const hash = formatHash({ view: 'box', key }, 6);
    expect(hash).toBe('#/sandik/2024-03-31%3A6%3A36%3A1043%3A12?ballot=6');
    expect(parseHash(hash)).toEqual({ route: { view: 'box', key }, ballot: 6, query: {} });
    expect(parseHash('#/sandik/2024-03-31:6:36:1043:12').route).toEqual({ view: 'box', key });
  });

  test('ballot is carried along and validated; other query params are kept', () => {
    const loc = parseHash('#/il/6?ballot=6&metric=mismatch');
    expect(loc.ballot).toBe(6);
    expect(loc.query).toEqual({ metric: 'mismatch' });
    expect(parseHash('#/?ballot=5').ballot).toBeNull();
    expect(parseHash('#/?ballot=x').ballot).toBeNull();
    expect(formatHash({ view: 'district', district: 7 }, null, { status: 'mismatch', sort: null, il: '36' })).toBe('#/ilce/7?status=mismatch&il=36');
    expect(formatHash({ view: 'country' }, 9)).toBe('#/?ballot=9');
    expect(formatHash({ view: 'operator' }, null)).toBe('#/operasyon');
  });
});
