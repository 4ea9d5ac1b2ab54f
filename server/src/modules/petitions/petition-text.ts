import { BALLOT_LABELS, SHEET_FIGURES, type BallotCode, type PetitionText, type Sheet, type SheetFigure } from '@gozcu/shared';
import { turkishDateTime } from './deadline';

const FIGURE_LABELS: Record<SheetFigure, string> = {
  registered: 'Kayıtlı seçmen sayısı',
  voted: 'Oy kullanan seçmen sayısı',
  validUncontested: 'İtirazsız geçerli oy',
  validAfterObjection: 'İtirazlı geçerli oy',
  valid: 'Geçerli oy toplamı',
  invalid: 'Geçersiz oy',
};

export interface PetitionFacts {
  election: string;
  ballot: BallotCode;
  province: number;
  provinceName: string | null;
  district: number;
  districtName: string | null;
  boxNo: number;
  ysk: Sheet | null;
  sheet: Sheet | null;
  evidence: string[];
  complaintCode: string | null;
  signatureName: string;
  signatureTitle: string;
  now: Date;
}

/** The figures table: every header figure, then every party or candidate on either sheet. */
export function figureRows(ysk: Sheet | null, sheet: Sheet | null): PetitionText['figures'] {
  const row = (label: string, a: number | undefined, b: number | undefined) => ({
    label,
    ysk: a ?? null,
    sheet: b ?? null,
    difference: a !== undefined && b !== undefined ? a - b : null,
  });
  const parties = [...new Set([...Object.keys(ysk?.votes ?? {}), ...Object.keys(sheet?.votes ?? {})])];
  return [...SHEET_FIGURES.map((f) => row(FIGURE_LABELS[f], ysk?.[f], sheet?.[f])), ...parties.map((p) => row(p, ysk?.votes[p], sheet?.votes[p]))];
}

/** The first draft of an objection petition (itiraz dilekçesi); every part is editable before export. */
export function draftPetitionText(f: PetitionFacts): PetitionText {
  const districtLabel = f.districtName ?? `${f.district} numaralı ilçe`;
  const place = [f.districtName, f.provinceName].filter(Boolean).join(' / ') || districtLabel;
  const ballotName = BALLOT_LABELS[f.ballot].tr;
  const figures = figureRows(f.ysk, f.sheet);
  const differing = figures.filter((r) => r.difference !== null && r.difference !== 0);
  const summary = differing.length
    ? `Farklılık gösteren kalemler: ${differing.map((r) => `${r.label} (YSK ${r.ysk}, tutanak ${r.sheet}, fark ${r.difference! > 0 ? '+' : ''}${r.difference})`).join('; ')}.`
    : 'Farklılıklar aşağıdaki tabloda ve eklerde gösterilmiştir.';
  return {
    addressee: `${districtLabel.toLocaleUpperCase('tr-TR')} İLÇE SEÇİM KURULU BAŞKANLIĞINA`,
    subject: `${f.boxNo} numaralı sandığın ${ballotName} seçimi sonuçlarına itirazımızdır.`,
    body:
      `${f.election} seçiminde ${place} ${f.boxNo} numaralı sandığın ${ballotName} seçimi sonuçları, ` +
      `Yüksek Seçim Kurulu'nun (YSK) yayımladığı verilerde, sandık kurulunca düzenlenip imzalanan ve ` +
      `müşahidimizce alınan sandık sonuç tutanağından farklıdır. ${summary}` +
      (f.complaintCode ? ` Konu, ${f.complaintCode} takip numaralı vatandaş şikâyetiyle de bildirilmiştir.` : '') +
      ` 298 sayılı Seçimlerin Temel Hükümleri ve Seçmen Kütükleri Hakkında Kanun uyarınca itirazımızı sunarız.`,
    figures,
    evidence: f.evidence,
    requests:
      'Yukarıda açıklanan nedenlerle, söz konusu sandığın sonuçlarının imzalı sandık sonuç tutanağı esas alınarak ' +
      'düzeltilmesine, gerekirse oyların yeniden sayılmasına karar verilmesini saygılarımızla arz ve talep ederiz.',
    place: `${place}, ${turkishDateTime(f.now, false)}`,
    signatureName: f.signatureName,
    signatureTitle: f.signatureTitle,
  };
}
