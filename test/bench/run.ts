/* `npm run bench`: runs every benchmark (or those named in BENCH=a,b) and prints tables;
 * BENCH_JSON=FILE also writes the recorded figures as {"<name>": {"value", "unit", "target"?}}. */
import { readdirSync, writeFileSync } from 'node:fs';
import { results } from './table';

async function main(): Promise<void> {
  const only = process.env.BENCH?.split(',').map((s) => s.trim());
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !only || only.includes(f.replace('.bench.ts', '')));
  process.stdout.write(`Gözcü benchmarks on ${require('node:os').cpus().length} cores, Node ${process.version}\n`);
  for (const file of files) {
    const mod = require(`./${file}`) as { run: () => Promise<void> };
    await mod.run();
    if (global.gc) global.gc();
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify(results, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
