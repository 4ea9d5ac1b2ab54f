import type { PetitionText, RegisterEvidence, RegisterAnomalyKind, LostVoterKind } from '@gozcu/shared';
import { REGISTER_ANOMALY_LABELS } from '@gozcu/shared';
import { turkishDateTime } from './deadline';

/** A register objection's subject: an anomaly of the register, or a citizen's lost-voter case. */
export type RegisterPetitionSubject =
  | { kind: 'anomaly'; id: string; anomaly: RegisterAnomalyKind; evidence: RegisterEvidence; box: number | null }
  | {
      kind: 'case';
      id: string;
      case: LostVoterKind;
      trackingCode: string;
      neighbourhood: string | null;
      registeredDistrict: number | null;
      registeredBox: number | null;
      note: string | null;
    };

export interface RegisterPetitionFacts {
  province: number;
  provinceName: string | null;
  district: number;
  districtName: string | null;
  subject: RegisterPetitionSubject;
  displayUntil: Date;
  signatureName: string;
  signatureTitle: string;
  now: Date;
}

/** The first draft of an objection to the register during the display (askı) period (298 s. Kanun, m. 42–43). */
export function draftRegisterPetitionText(f: RegisterPetitionFacts): PetitionText {
  const districtLabel = f.districtName ?? `${f.district} numaralı ilçe`;
  const place = [f.districtName, f.provinceName].filter(Boolean).join(' / ') || districtLabel;
  const s = f.subject;
  let subject: string;
  let body: string;
  let evidence: string[];
  const figures: PetitionText['figures'] = [];
  if (s.kind === 'anomaly') {
    const label = REGISTER_ANOMALY_LABELS[s.anomaly].tr;
    const boxes = s.evidence.boxes.map((b) => `${b.box}`).join(', ');
    subject = `Askıya çıkarılan seçmen listelerine itirazımızdır (${label.toLocaleLowerCase('tr-TR')}${s.box ? `, ${s.box} numaralı sandık` : ''}).`;
    const detail = Object.entries(s.evidence.details)
      .filter(([k]) => k !== 'addressKey' && k !== 'nameKey')
      .map(([k, v]) => `${DETAIL_LABELS[k] ?? k}: ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('; ');
    body =
      `${place} ilçesinde askı süresi içinde incelenen seçmen listelerinde şu aykırılık saptanmıştır: ${label}. ` +
      `Kural: ${s.evidence.rule}. Saptanan değer: ${s.evidence.observed}. İlgili sandık(lar): ${boxes}.` +
      (detail ? ` Ayrıntılar: ${detail}.` : '') +
      ` 298 sayılı Seçimlerin Temel Hükümleri ve Seçmen Kütükleri Hakkında Kanun'un askı ve itiraz hükümleri uyarınca itirazımızı sunarız.`;
    evidence = [`Gözcü e-seçmen denetimi, aykırılık kaydı ${s.id} — kural eşiği ${s.evidence.threshold.name} = ${s.evidence.threshold.value}`];
  } else {
    const what = s.case === 'missing' ? 'seçmen listesinde kaydı bulunmayan' : 'seçmen listesinde adresi yanlış kayıtlı';
    subject = `Seçmen listesine kaydı${s.case === 'missing' ? ' bulunmayan' : ' yanlış adreste görünen'} seçmen için itirazımızdır (${s.trackingCode}).`;
    body =
      `${place}${s.neighbourhood ? `, ${s.neighbourhood} mahallesi` : ''} sakini olup ${what} bir vatandaş, ${s.trackingCode} takip numarasıyla başvurmuştur.` +
      (s.registeredDistrict
        ? ` Vatandaş halen ${s.registeredDistrict} numaralı ilçede${s.registeredBox ? ` ${s.registeredBox} numaralı sandıkta` : ''} görünmektedir.`
        : '') +
      (s.note ? ` Vatandaşın açıklaması: ${s.note}` : '') +
      ` Seçmenin yerleşim yeri adresine göre listeye eklenmesi için 298 sayılı Kanun uyarınca itirazımızı sunarız.`;
    evidence = [`Vatandaş başvurusu ${s.trackingCode} (kimlik bilgisi başvuru sahibinden ayrıca alınacaktır)`];
  }
  return {
    addressee: `${districtLabel.toLocaleUpperCase('tr-TR')} İLÇE SEÇİM KURULU BAŞKANLIĞINA`,
    subject,
    body,
    figures,
    evidence,
    requests:
      s.kind === 'anomaly'
        ? 'Yukarıda açıklanan kayıtların incelenmesine, hatalı kayıtların seçmen listelerinden düzeltilmesine ya da silinmesine karar verilmesini saygılarımızla arz ve talep ederiz.'
        : 'Vatandaşın yerleşim yeri adresine göre ilgili sandık seçmen listesine kaydedilmesine karar verilmesini saygılarımızla arz ve talep ederiz.',
    place: `${place}, ${turkishDateTime(f.now, false)} (askı süresinin sonu: ${turkishDateTime(f.displayUntil)})`,
    signatureName: f.signatureName,
    signatureTitle: f.signatureTitle,
  };
}

const DETAIL_LABELS: Record<string, string> = {
  address: 'adres',
  medianBox: 'ilçenin ortanca sandığı',
  boxesInDistrict: 'ilçedeki sandık sayısı',
  votersBefore: 'önceki seçmen sayısı',
  votersNow: 'şimdiki seçmen sayısı',
  import: 'yükleme',
  ratio: 'artış oranı',
  birthYears: 'doğum yılları',
  ages: 'yaşlar',
  birthYear: 'doğum yılı',
};
