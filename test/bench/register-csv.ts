/**
 * The bench's synthetic national register as CSV on stdout, in a process of its own (the
 * "client" of the upload: its CPU and memory are not the importer's). Usage:
 *   node -r ts-node/register/transpile-only test/bench/register-csv.ts ROWS SAMPLES_FILE
 * SAMPLES_FILE gets 1,000 of the TC Kimlik Nos, spread over the register, one a line (synthetic).
 */
import { writeFileSync } from 'node:fs';
import { syntheticRegister, type RegisterGeoDistrict } from '../../server/src/modules/register/synthetic-register';

export const BOX = 270;

/** 81 provinces × 12 districts × as many boxes as the size needs. */
export function nationalGeography(rows: number): RegisterGeoDistrict[] {
  const boxesPerDistrict = Math.max(1, Math.ceil(rows / BOX / (81 * 12)));
  const out: RegisterGeoDistrict[] = [];
  for (let p = 1; p <= 81; p++)
    for (let d = 0; d < 12; d++) {
      const hoods = [];
      for (let n = 0, b = 1001; b < 1001 + boxesPerDistrict; n++, b += 10)
        hoods.push({ name: `MAHALLE ${n + 1}`, minBox: b, maxBox: Math.min(b + 9, 1000 + boxesPerDistrict) });
      out.push({ province: p, district: p * 100 + d, neighbourhoods: hoods });
    }
  return out;
}

export function benchRegister(rows: number) {
  const synth = syntheticRegister(nationalGeography(rows), { seed: 61, year: 2026, uniqueNames: false, boxSize: BOX });
  return { synth, total: Math.min(rows, synth.size(1)) };
}

async function main(): Promise<void> {
  const { synth, total } = benchRegister(Number(process.argv[2]));
  const every = Math.max(1, Math.floor(total / 1000));
  const samples: string[] = [];
  const out = process.stdout;
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('tc,ad_soyad,dogum_yili,adres,il,ilce,sandik,mahalle,okul\n');
  let chunk = '';
  let n = 0;
  for (const v of synth.rows(1)) {
    if (n >= total) break;
    if (n++ % every === 0 && samples.length < 1000) samples.push(v.tc);
    chunk += `${v.tc},${v.name},${v.birth_year},"${v.address}",${v.province},${v.district},${v.box},${v.neighbourhood},${v.school}\n`;
    if (chunk.length > 256 * 1024) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk) await write(chunk);
  writeFileSync(process.argv[3], `${samples.join('\n')}\n`);
  out.end();
}

if (require.main === module)
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
