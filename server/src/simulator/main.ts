/**
 * The built-in YSK simulator as its own process: `node server/dist/simulator/main.js`
 * (or `npm run simulator`). Configuration by SIM_* variables (config.ts); prints its URL.
 */
import { simulatorOptionsFromEnv } from './config';
import { startSimulator } from './server';

async function main(): Promise<void> {
  const { describe, ...opts } = simulatorOptionsFromEnv(process.env);
  const sim = await startSimulator(opts);
  process.stdout.write(`YSK simulator at ${sim.apiUrl} (${describe}); admin: ${sim.url}/_admin/{clock,faults,truth,stats,info}\n`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
