/* `npm run bench`: runs every benchmark (or those named in BENCH=a,b) and prints tables. */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { allFigures, printFigures } from './table';

async function main(): Promise<void> {
  const only = process.env.BENCH?.split(',').map((s) => s.trim());
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !only || only.includes(f.replace('.bench.ts', '')));
  process.stdout.write(`Gözcü benchmarks on ${cpus().length} cores, Node ${process.version}\n`);
  for (const file of files) {
    // a bench file picked at run time, loaded through ts-node's require hook (import() would bypass it)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`./${file}`) as { run: () => Promise<void> };
    await mod.run();
    if (global.gc) global.gc();
  }
  printFigures();
  // BENCH_JSON=FILE: the figures as { name: { value, unit, anchor?, target?, note? } } (value null: not measured)
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(allFigures(), null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
