import { en, isLang, MESSAGES, placeholders, tr, translate, type MessageKey } from '../../dashboard/src/lib/i18n';
import { BALLOT_CODES, BALLOT_LABELS } from '@gozcu/shared';

describe('dashboard i18n', () => {
  test('every Turkish key exists in English and vice versa', () => {
    const trKeys = Object.keys(tr).sort();
    const enKeys = Object.keys(en).sort();
    expect(trKeys.filter((k) => !(k in en))).toEqual([]);
    expect(enKeys.filter((k) => !(k in tr))).toEqual([]);
  });

  test('no message is empty and placeholders agree between locales', () => {
    for (const k of Object.keys(tr) as MessageKey[]) {
      expect(tr[k].trim()).not.toBe('');
      expect(en[k].trim()).not.toBe('');
      expect({ k, ph: placeholders(en[k]) }).toEqual({ k, ph: placeholders(tr[k]) });
    }
  });

  test('translate fills placeholders and uses UI.md words', () => {
    expect(translate('tr', 'banner.lost', { time: '22:14:02' })).toBe('Canlı bağlantı kesildi — veriler 22:14:02 itibarıyla');
    expect(translate('en', 'banner.lost', { time: '22:14:02' })).toBe('Live connection lost — data as of 22:14:02');
    expect(translate('tr', 'counter.opened')).toBe('Açılan');
    expect(translate('tr', 'counter.pending')).toBe('Bekleyen');
    expect(translate('tr', 'feed.state.slow')).toBe('Yavaş');
    expect(translate('tr', 'asOf', {})).toBe('veri {time} itibarıyla');
    expect(Object.keys(MESSAGES)).toEqual(['tr', 'en']);
    expect(isLang('en')).toBe(true);
    expect(isLang('de')).toBe(false);
  });

  test('every ballot type has both labels', () => {
    for (const c of BALLOT_CODES) {
      expect(BALLOT_LABELS[c].tr).toBeTruthy();
      expect(BALLOT_LABELS[c].en).toBeTruthy();
    }
  });
});
