import { normaliseText, normaliseTextReference, RegisterKeys } from './register-keys';

describe('register keys', () => {
  it('normalises exactly as foldName does, for every UTF-16 code unit between letters and at the edges', () => {
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      const s = `x${ch}y ${ch}`;
      if (normaliseText(s) !== normaliseTextReference(s)) differ.push(c);
    }
    expect(differ).toEqual([]);
  });

  it('folds Turkish names and addresses, punctuation and spacing', () => {
    const samples = ['  İSMAİL   ÖZTÜRK ', 'ismail özturk', 'Şükrü Çağlar-Işık', 'Atatürk Cd. No:5/3  Daire 2', 'ÂLİ Î Û', 'mu\u0308nir', '😀 Ayşe', ''];
    for (const s of samples) expect(normaliseText(s)).toBe(normaliseTextReference(s));
    expect(normaliseText('  İSMAİL   ÖZTÜRK ')).toBe('ismail ozturk');
    const keys = new RegisterKeys(Buffer.from('k'.repeat(48)));
    expect(keys.nameKey('İSMAİL ÖZTÜRK')).toBe(keys.nameKey('ismail  ozturk'));
    expect(keys.addressKey(69, 681, 'Gül Sk. No:1')).toBe(keys.addressKeyOf(69, 681, 'gul sk no 1'));
    expect(keys.addressKey(69, 681, 'Gül Sk. No:1')).not.toBe(keys.addressKey(69, 682, 'Gül Sk. No:1'));
  });
});
